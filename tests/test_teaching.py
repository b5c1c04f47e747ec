"""The teaching plan (docs/teaching.md) and the notebooks' own core times agree."""

from __future__ import annotations

import itertools
import re

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

PLAN = PROJECT_ROOT / "docs" / "teaching.md"
CORE_TIME = re.compile(r"^- \*\*Time:\*\* (\d+) minutes on the core path", re.MULTILINE)
ROW = re.compile(r"^\| (\d+)–(\d+) \| ([^|]+?) \|", re.MULTILINE)
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


def session_minutes() -> int:
    """The length the plan announces in its title ("a 90-minute session")."""
    return int(re.search(r"^# .*?(\d+)-minute session", PLAN.read_text("utf-8"), re.M)[1])


def timetable() -> list[tuple[int, int, str]]:
    """(start, end, what) for every row of the plan's timetable, in order."""
    text = PLAN.read_text("utf-8")
    section = text.split("## Timetable", 1)[1].split("\n## ", 1)[0]
    return [(int(a), int(b), what.strip()) for a, b, what in ROW.findall(section)]


def timetable_minutes() -> dict[str, int]:
    """Minutes per timetable row, keyed by notebook number ("01") or by name ("Break")."""
    out = {}
    for start, end, what in timetable():
        key = what[:2] if re.match(r"\d{2} · ", what) else what
        out[key] = out.get(key, 0) + end - start
    return out


def core_minutes(path) -> int | None:
    """The core-path minutes a notebook's opening states, or None."""
    match = CORE_TIME.search(nbformat.read(path, as_version=4).cells[0].source)
    return int(match[1]) if match else None


class TestTimetable:
    def test_rows_follow_each_other_without_gaps_from_zero(self):
        rows = timetable()
        assert rows and rows[0][0] == 0
        assert all(a[1] == b[0] for a, b in itertools.pairwise(rows))

    def test_timetable_ends_at_the_session_length_in_the_title(self):
        assert timetable()[-1][1] == session_minutes()

    def test_every_notebook_has_a_row(self):
        missing = {p.name[:2] for p in NOTEBOOKS} - timetable_minutes().keys()
        assert not missing, f"add a timetable row for notebooks {sorted(missing)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
class TestCoreTime:
    def test_opening_states_minutes_on_the_core_path(self, path):
        assert core_minutes(path) is not None, "Time: N minutes on the core path (...)"

    def test_core_minutes_equal_the_timetable_slot(self, path):
        slot = timetable_minutes().get(path.name[:2])
        assert core_minutes(path) == slot, f"notebook says {core_minutes(path)}, plan {slot}"


def test_core_times_plus_the_other_rows_fill_the_session():
    minutes = timetable_minutes()
    notebooks = sum(core_minutes(p) or 0 for p in NOTEBOOKS)
    others = sum(m for key, m in minutes.items() if not key.isdigit())
    assert notebooks + others == session_minutes()
