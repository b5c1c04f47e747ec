"""The report builder (`python -m reports`): run the notebooks, render RTL HTML, check it.

The fast classes test the pieces on small inline inputs. The ``slow`` ones run the main job
once per session on the seeds (``seed_run``) and check every report it wrote, including in
headless Chromium; they also run the runner on throwaway notebooks and on a tiny user corpus.
"""

from __future__ import annotations

import ast
import asyncio
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import browser as browser_tools
import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup

from helpers import paths
from reports import (
    check,
    cli,
    glossary,
    job,
    markdown,
    notebooks,
    pages,
    postprocess,
    repro,
    runner,
    schedule,
)

V4 = nbformat.v4
KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+")


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _notebook(*cells, parameters: bool = True):
    nb = V4.new_notebook(metadata=KERNELSPEC)
    nb.cells = [V4.new_markdown_cell("# 01 · A title\n\nA purpose line.")]
    if parameters:
        nb.cells.append(V4.new_code_cell("CORPUS = None", metadata={"tags": ["parameters"]}))
    nb.cells += list(cells)
    return nb


# --------------------------------------------------------------------------------------------
# Pieces, on inline inputs (fast)
# --------------------------------------------------------------------------------------------


class TestInjectParameters:
    def test_cell_setting_corpus_comes_right_after_the_parameters_cell(self, tmp_path):
        nb = notebooks.inject_parameters(_notebook(V4.new_code_cell("print(CORPUS)")), tmp_path)
        assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
        assert f"CORPUS = {str(tmp_path.resolve())!r}" in nb.cells[2].source

    def test_relative_corpus_path_is_made_absolute(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        nb = notebooks.inject_parameters(_notebook(), "articles")
        assert repr(str(tmp_path.resolve() / "articles")) in nb.cells[2].source

    def test_an_earlier_injected_cell_is_replaced_not_stacked(self, tmp_path):
        once = notebooks.inject_parameters(_notebook(), tmp_path / "a")
        twice = notebooks.inject_parameters(once, tmp_path / "b")
        injected = [c for c in twice.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "/b'" in injected[0].source

    def test_no_corpus_leaves_the_notebook_as_it_was(self):
        nb = _notebook()
        assert notebooks.inject_parameters(nb, None).cells == nb.cells

    def test_a_reference_corpus_is_set_in_the_same_cell(self, tmp_path):
        nb = notebooks.inject_parameters(_notebook(), tmp_path / "mine", tmp_path / "news")
        source = nb.cells[2].source
        assert f"CORPUS = {str((tmp_path / 'mine').resolve())!r}" in source
        assert f"REFERENCE = {str((tmp_path / 'news').resolve())!r}" in source
        seeds_only = notebooks.inject_parameters(_notebook(), None, tmp_path / "news")
        assert "REFERENCE" in seeds_only.cells[2].source
        assert "CORPUS" not in seeds_only.cells[2].source.split("\n", 1)[1]

    def test_a_run_against_a_reference_never_shares_the_corpus_folder(self, tmp_path):
        plain = notebooks.report_dir(tmp_path / "mine", tmp_path)
        against = notebooks.report_dir(tmp_path / "mine", tmp_path, tmp_path / "news")
        assert against.parent == plain and against.name.startswith("vs-news-")

    def test_notebook_without_parameters_cell_gets_no_injection(self, tmp_path):
        nb = _notebook(parameters=False)
        assert len(notebooks.inject_parameters(nb, tmp_path).cells) == len(nb.cells)

    def test_the_original_notebook_is_not_modified(self, tmp_path):
        nb = _notebook()
        notebooks.inject_parameters(nb, tmp_path)
        assert len(nb.cells) == 2


class TestCellFailure:
    def test_message_names_notebook_cell_first_source_line_and_error(self):
        f = runner.CellFailure("03-x.ipynb", 7, "KeyError", "'term'", "top = t['term']\nmore")
        assert f.message() == "03-x.ipynb failed at cell 7 (`top = t['term']`): KeyError: 'term'"

    def test_a_kernel_that_never_ran_a_cell_is_not_blamed_on_a_cell(self):
        f = runner.CellFailure("03-x.ipynb", None, "RuntimeError", "no kernel", stage="kernel")
        assert "failed at kernel start" in f.message()


class TestCellNumber:
    def test_without_injected_cell_numbers_count_from_one(self):
        assert runner.cell_number(0, None) == 1 and runner.cell_number(4, None) == 5

    def test_cells_after_the_injected_one_keep_their_own_numbers(self):
        # cells: 0 title, 1 parameters, 2 injected, 3 first code cell (JupyterLab's cell 3)
        assert [runner.cell_number(i, 2) for i in range(4)] == [1, 2, None, 3]


class TestDeathNote:
    def _run(self, **kw):
        return runner.Execution(nb=None, max_memory=2**30, **kw)

    def test_sigkill_is_named_with_its_usual_cause(self):
        assert "SIGKILL" in runner.death_note(self._run(exit_code=-9))

    def test_a_segfault_is_named(self):
        assert "SIGSEGV" in runner.death_note(self._run(exit_code=-11))

    def test_an_exit_status_is_given(self):
        assert "status 3" in runner.death_note(self._run(exit_code=3))

    def test_the_memory_watch_names_the_size_the_limit_and_the_option(self):
        note = runner.death_note(self._run(exit_code=-9, killed_at=int(1.5 * 2**30)))
        assert "1.5 GB" in note and "1.0 GB" in note and "--max-memory" in note


class TestCellTimings:
    def _executed(self, *stamps, error=None, cell_index=None):
        nb = _notebook(*(V4.new_code_cell(f"x = {i}") for i in range(len(stamps))))
        for cell, (start, end) in zip(nb.cells[2:], stamps, strict=True):
            if start:
                cell.metadata["execution"] = {"iopub.execute_input": start}
                if end:
                    cell.metadata["execution"]["shell.execute_reply"] = end
        return runner.Execution(nb, error=error, cell_index=cell_index)

    def test_seconds_are_reply_minus_input_per_code_cell(self):
        run = self._executed(
            ("2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:01.500000Z"),
            ("2026-01-01T00:00:02.000000Z", "2026-01-01T00:01:02.000000Z"),
        )
        timings = runner.cell_timings(run)
        assert [(t["cell"], t["seconds"]) for t in timings] == [(3, 1.5), (4, 60.0)]

    def test_the_cell_a_run_died_in_is_listed_without_seconds(self):
        run = self._executed(
            ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
            (None, None),
            (None, None),
            error=RuntimeError("died"),
            cell_index=3,
        )
        assert [(t["cell"], t["seconds"]) for t in runner.cell_timings(run)] == [
            (3, 1.0),
            (4, None),
        ]


def _start_hog(mb: int):
    """A process (own session, like a kernel) that holds ``mb`` MB of touched memory."""
    code = f"import time\nb = b'x' * ({mb} * 2**20)\nprint('ready', flush=True)\ntime.sleep(60)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


class TestMemoryWatch:
    def test_peak_includes_the_memory_the_process_holds(self):
        proc = _start_hog(200)
        try:
            with runner.MemoryWatch(proc.pid, proc.pid, limit=0) as watch:
                time.sleep(0.5)
            assert watch.peak >= 200 * 2**20 and watch.killed_at is None
        finally:
            proc.kill()
            proc.wait()

    def test_a_process_over_the_limit_is_killed_and_the_size_kept(self):
        proc = _start_hog(200)
        with runner.MemoryWatch(proc.pid, proc.pid, limit=100 * 2**20):
            status = proc.wait(timeout=10)
        assert status == -signal.SIGKILL

    def test_children_count_towards_the_limit(self):
        code = (
            "import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {_HOG_CHILD!r}])\ntime.sleep(60)"
        )
        proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
        try:
            with runner.MemoryWatch(proc.pid, proc.pid, limit=100 * 2**20) as watch:
                status = proc.wait(timeout=20)
            assert status == -signal.SIGKILL and watch.killed_at > 100 * 2**20
        finally:
            runner.kill_group(proc.pid)


_HOG_CHILD = "import time\nb = b'x' * (200 * 2**20)\ntime.sleep(60)"


class TestCheckCorpus:
    """The corpus is loaded once in a child process before any notebook starts."""

    def test_an_empty_folder_is_refused_with_the_loaders_reason(self, tmp_path):
        with pytest.raises(notebooks.ReportsError, match=r"nothing to run.*folder is empty"):
            check.check_corpus(tmp_path, runner.DEFAULT_MAX_MEMORY)

    def test_a_truncated_jsonl_gz_is_refused(self, tmp_path):
        line = json.dumps({"id": "1", "text": "قال وانغ يي " * 200}, ensure_ascii=False) + "\n"
        data = gzip.compress((line * 50).encode("utf-8"))
        (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
        with pytest.raises(notebooks.ReportsError, match=r"cut\.jsonl\.gz: not a readable gzip"):
            check.check_corpus(tmp_path / "cut.jsonl.gz", runner.DEFAULT_MAX_MEMORY)

    def test_a_csv_without_text_column_is_refused(self, tmp_path):
        (tmp_path / "c.csv").write_text("id,body\n1,نص\n", encoding="utf-8")
        with pytest.raises(notebooks.ReportsError, match=r"no `text` column"):
            check.check_corpus(tmp_path / "c.csv", runner.DEFAULT_MAX_MEMORY)

    def test_a_good_corpus_gives_its_number_of_articles(self, tmp_path):
        (tmp_path / "c.csv").write_text("id,text\n1,قال وانغ يي\n2,الصين تدعم\n", encoding="utf-8")
        assert check.check_corpus(tmp_path / "c.csv", runner.DEFAULT_MAX_MEMORY) == 2

    def test_the_seeds_are_left_to_the_notebooks(self):
        assert check.check_corpus(None, runner.DEFAULT_MAX_MEMORY) is None


class TestPackageBoundary:
    def test_no_helpers_module_imports_the_report_builder(self):
        importers = []
        for path in (paths.PROJECT_ROOT / "src" / "helpers").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "reports" or n.startswith("reports.") for n in names):
                    importers.append(path.name)
        assert not importers

    def test_the_report_builder_is_its_own_package_beside_helpers(self):
        assert Path(runner.__file__).parent.parent == paths.PROJECT_ROOT / "src"


class TestListNotebooks:
    @pytest.fixture
    def folder(self, tmp_path):
        for name in ("02-b-two.ipynb", "00-start-here.ipynb", "01-a-one.ipynb", "Untitled.ipynb"):
            nbformat.write(_notebook(), tmp_path / name)
        return tmp_path

    def test_notebooks_come_in_number_order_and_others_are_ignored(self, folder):
        assert [p.name[:2] for p in notebooks.list_notebooks(folder)] == ["00", "01", "02"]

    def test_only_selects_by_number_with_or_without_padding(self, folder):
        assert [p.name for p in notebooks.list_notebooks(folder, ["2", "01"])] == [
            "01-a-one.ipynb",
            "02-b-two.ipynb",
        ]

    def test_only_selects_by_name(self, folder):
        assert [p.name for p in notebooks.list_notebooks(folder, ["02-b-two"])] == [
            "02-b-two.ipynb"
        ]

    def test_unknown_number_is_an_error_naming_what_exists(self, folder):
        with pytest.raises(notebooks.ReportsError, match=r"no notebook 07.*01-a-one"):
            notebooks.list_notebooks(folder, ["07"])


def _with_after(*after: str, parameters: bool = True):
    """A throwaway notebook that runs after the notebooks named in ``after``."""
    nb = _notebook(parameters=parameters)
    nb.metadata["reports"] = {"after": list(after)}
    return nb


def _order_folder(tmp_path, notebooks: dict) -> Path:
    for name, nb in notebooks.items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    return tmp_path


class TestPrerequisites:
    """The order notebooks declare in their metadata (``reports.after``), checked up front."""

    def test_the_project_notebooks_wait_for_what_they_read(self):
        every = notebooks.list_notebooks()
        after = schedule.prerequisites(every, every)
        assert after["05-timeline"] == ("01-load-corpus", "04-frame-discourse")
        assert all("01-load-corpus" in after[n] for n in after if n[:2] > "01")

    def test_a_notebook_without_the_key_waits_for_nothing(self, tmp_path):
        every = notebooks.list_notebooks(_order_folder(tmp_path, {"01-a-one": _notebook()}))
        assert schedule.prerequisites(every, every) == {"01-a-one": ()}

    def test_a_prerequisite_the_run_does_not_select_is_not_waited_for(self, tmp_path):
        folder = _order_folder(
            tmp_path, {"01-a-one": _notebook(), "02-b-two": _with_after("01-a-one")}
        )
        every = notebooks.list_notebooks(folder)
        assert schedule.prerequisites(every, every[1:]) == {"02-b-two": ()}

    def test_an_unknown_name_is_an_error_naming_the_notebook_and_the_name(self, tmp_path):
        folder = _order_folder(tmp_path, {"01-a-one": _with_after("07-nothing")})
        every = notebooks.list_notebooks(folder)
        with pytest.raises(notebooks.ReportsError, match=r"^01-a-one\.ipynb runs after 07-nothing"):
            schedule.prerequisites(every, every)

    def test_a_cycle_is_an_error_naming_the_notebooks_in_it(self, tmp_path):
        folder = _order_folder(
            tmp_path, {"01-a-one": _with_after("02-b-two"), "02-b-two": _with_after("01-a-one")}
        )
        every = notebooks.list_notebooks(folder)
        with pytest.raises(notebooks.ReportsError, match=r"cycle: 0\d-.*runs after 0\d-") as err:
            schedule.prerequisites(every, every)
        assert "01-a-one.ipynb" in str(err.value) and "02-b-two.ipynb" in str(err.value)
        assert "\n" not in str(err.value)

    def test_a_notebook_that_waits_for_itself_is_a_cycle(self, tmp_path):
        every = notebooks.list_notebooks(
            _order_folder(tmp_path, {"01-a-one": _with_after("01-a-one")})
        )
        with pytest.raises(notebooks.ReportsError, match="cycle"):
            schedule.prerequisites(every, every)

    def test_a_name_instead_of_a_list_is_an_error_showing_the_expected_form(self, tmp_path):
        nb = _notebook()
        nb.metadata["reports"] = {"after": "01-a-one"}
        every = notebooks.list_notebooks(_order_folder(tmp_path, {"02-b-two": nb}))
        with pytest.raises(notebooks.ReportsError, match=r"02-b-two\.ipynb: .* must be a list"):
            schedule.prerequisites(every, every)

    def test_the_job_stops_before_anything_runs_or_is_written(self, tmp_path):
        folder = tmp_path / "nbs"
        folder.mkdir()
        _order_folder(
            folder, {"01-a-one": _with_after("02-b-two"), "02-b-two": _with_after("01-a-one")}
        )
        with pytest.raises(notebooks.ReportsError, match="cycle"):
            job.run(notebooks_dir=folder, out_dir=tmp_path / "out", log=None)
        assert not (tmp_path / "out").exists()


def _scheduled(after: dict, jobs: int, fails: str | None = None, log=None) -> list:
    """Run the scheduler on stand-ins that yield to the loop (the one in ``fails`` raises after
    one turn, the others take ten then); returns the (event, name) log."""
    log = [] if log is None else log

    async def start(name):
        log.append(("start", name))
        try:
            for _ in range(1 if name == fails else 10 if fails else 2):
                await asyncio.sleep(0)
            if name == fails:
                raise ValueError(name)
        except asyncio.CancelledError:
            log.append(("cancelled", name))
            raise
        log.append(("end", name))

    asyncio.run(schedule.run_in_order(after, jobs, start))
    return log


def _most_at_once(log) -> int:
    running = most = 0
    for event, _ in log:
        running += 1 if event == "start" else -1
        most = max(most, running)
    return most


class TestRunInOrder:
    """The scheduler on stand-in coroutines: no kernels, no clocks, only the order of events."""

    def test_no_more_than_jobs_run_at_once(self):
        after = {f"0{i}": () for i in range(5)}
        assert _most_at_once(_scheduled(after, 2)) == 2
        assert _most_at_once(_scheduled(after, 1)) == 1

    def test_a_notebook_starts_only_after_its_prerequisites_ended(self):
        log = _scheduled({"01": (), "02": (), "03": ("01", "02"), "04": ("03",)}, 4)
        assert log.index(("start", "03")) > max(log.index(("end", "01")), log.index(("end", "02")))
        assert log.index(("start", "04")) > log.index(("end", "03"))

    def test_lower_numbers_start_first_among_those_ready(self):
        log = _scheduled({"03": (), "01": (), "02": ()}, 1)
        assert [name for event, name in log if event == "start"] == ["01", "02", "03"]

    def test_an_error_cancels_the_others_and_is_raised(self):
        log = []
        with pytest.raises(ValueError, match="01"):
            _scheduled({"01": (), "02": ("01",), "03": ()}, 2, fails="01", log=log)
        assert ("cancelled", "03") in log and ("start", "02") not in log

    def test_a_prerequisite_that_fails_still_lets_its_dependents_run(self):
        log = _scheduled({"01": (), "02": ("01",)}, 2)
        assert ("end", "02") in log


class TestDefaultJobs:
    def test_one_per_cpu_when_memory_allows(self, monkeypatch):
        monkeypatch.setattr(job.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
        monkeypatch.setattr(job.psutil, "virtual_memory", lambda: _Memory(64 * 2**30))
        assert job.default_jobs(4 * 2**30) == 3

    def test_no_more_kernels_than_fit_in_the_memory_available(self, monkeypatch):
        monkeypatch.setattr(job.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
        monkeypatch.setattr(job.psutil, "virtual_memory", lambda: _Memory(9 * 2**30))
        assert job.default_jobs(4 * 2**30) == 2

    def test_at_least_one_even_when_one_does_not_fit(self, monkeypatch):
        monkeypatch.setattr(job.psutil, "virtual_memory", lambda: _Memory(2**30))
        assert job.default_jobs(4 * 2**30) == 1

    def test_no_memory_limit_leaves_one_per_cpu(self, monkeypatch):
        monkeypatch.setattr(job.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
        assert job.default_jobs(0) == 2

    def test_the_command_refuses_zero(self, capsys):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["--jobs", "0"])
        assert exit_.value.code == 2 and "--jobs: must be 1 or more" in capsys.readouterr().err


class _Memory:
    def __init__(self, available: int):
        self.available = available


class TestStoppedMessage:
    def test_one_notebook_is_named_with_its_cell(self):
        stopped = runner.Stopped(signal.SIGTERM, [("01-a.ipynb", 3)])
        assert str(stopped) == "stopped by SIGTERM in 01-a.ipynb at cell 3"

    def test_every_running_notebook_is_named(self):
        stopped = runner.Stopped(signal.SIGINT, [("01-a.ipynb", 3), ("02-b.ipynb", None)])
        assert str(stopped) == "stopped by SIGINT in 01-a.ipynb at cell 3 and in 02-b.ipynb"

    def test_nothing_running_names_only_the_signal(self):
        assert str(runner.Stopped(signal.SIGTERM)) == "stopped by SIGTERM"


class TestReportDir:
    def test_seed_reports_go_to_the_root(self, tmp_path):
        assert notebooks.report_dir(None, tmp_path) == tmp_path

    def test_user_corpus_gets_its_own_subfolder(self, tmp_path):
        got = notebooks.report_dir("/data/Wire Stories.jsonl", tmp_path)
        assert got.parent == tmp_path and got.name.startswith("wire-stories-")

    def test_two_corpora_with_the_same_name_get_different_folders(self, tmp_path):
        a = notebooks.report_dir("/data/2022/articles.csv", tmp_path)
        assert a != notebooks.report_dir("/data/2023/articles.csv", tmp_path)

    def test_a_corpus_called_screenshots_does_not_mix_with_the_screenshots(self, tmp_path):
        assert notebooks.report_dir("/data/screenshots", tmp_path).name != "screenshots"


class TestCorpusChecksum:
    def test_seed_checksum_is_built_from_the_published_seed_checksums(self):
        lines = paths.SEEDS_CHECKSUMS.read_text(encoding="utf-8").splitlines()
        lines = sorted((ln for ln in lines if ln.strip()), key=lambda ln: ln.split()[1])
        expected = hashlib.sha256("".join(ln + "\n" for ln in lines).encode()).hexdigest()
        assert repro.corpus_checksum(None) == (expected, len(lines))

    def test_changing_one_byte_changes_the_checksum(self, tmp_path):
        (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
        before, _ = repro.corpus_checksum(tmp_path)
        (tmp_path / "a.txt").write_text("نصّ", encoding="utf-8")
        assert repro.corpus_checksum(tmp_path)[0] != before

    def test_moving_the_folder_keeps_the_checksum(self, tmp_path):
        (tmp_path / "one").mkdir()
        (tmp_path / "one" / "a.txt").write_text("نص", encoding="utf-8")
        before = repro.corpus_checksum(tmp_path / "one")
        shutil.move(tmp_path / "one", tmp_path / "two")
        assert repro.corpus_checksum(tmp_path / "two") == before

    def test_hidden_files_are_not_part_of_the_corpus(self, tmp_path):
        (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
        before = repro.corpus_checksum(tmp_path)
        (tmp_path / ".DS_Store").write_bytes(b"\0")
        assert repro.corpus_checksum(tmp_path) == before

    def test_an_unreadable_file_is_named_in_the_manifest_not_raised(self, tmp_path, monkeypatch):
        (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
        (tmp_path / "locked.txt").write_text("نص", encoding="utf-8")
        readable = repro._sha256_file

        def sha(path):  # chmod 000 does not stop root, who runs CI
            if path.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return readable(path)

        monkeypatch.setattr(repro, "_sha256_file", sha)
        manifest = f"{readable(tmp_path / 'a.txt')}  a.txt\nunreadable  locked.txt\n"
        expected = hashlib.sha256(manifest.encode()).hexdigest()
        assert repro.corpus_checksum(tmp_path) == (expected, 2)

    def test_a_single_file_corpus_counts_one_file(self, tmp_path):
        (tmp_path / "c.csv").write_text("id,text\n1,نص\n", encoding="utf-8")
        assert repro.corpus_checksum(tmp_path / "c.csv")[1] == 1


class TestGitCommit:
    def test_outside_a_checkout_says_so(self, tmp_path):
        assert repro.git_commit(tmp_path) == "not a git checkout"

    def test_in_the_project_names_a_hex_commit(self):
        assert re.match(r"^[0-9a-f]{12}\b", repro.git_commit())


class TestPackageVersions:
    def test_lists_python_and_the_key_packages(self):
        versions = repro.package_versions()
        assert {"python", "pandas", "scikit-learn", "matplotlib", "nbclient"} <= versions.keys()

    def test_a_package_that_is_not_installed_is_left_out(self):
        assert "no-such-package-xyz" not in repro.package_versions(["no-such-package-xyz"])


class TestFooterHtml:
    REPRO: ClassVar[dict] = {
        "commit": "abc123",
        "corpus": "seeds",
        "corpus_sha256": "f" * 64,
        "corpus_files": 5,
        "packages": {"python": "3.11.7", "pandas": "2.2.0"},
        "date": "2026-01-01 00:00 UTC",
    }

    def test_footer_shows_commit_checksum_versions_and_date(self):
        text = _soup(repro.footer_html(self.REPRO)).get_text(" ")
        for needle in ("abc123", "f" * 64, "pandas 2.2.0", "2026-01-01", "5 files"):
            assert needle in text

    def test_footer_values_are_escaped(self):
        html = repro.footer_html({**self.REPRO, "corpus": "<b>x</b>"})
        assert "<b>x</b>" not in html

    def test_a_reference_corpus_is_named_with_its_checksum(self, tmp_path):
        (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
        facts = repro.reproducibility(None, tmp_path)
        text = _soup(repro.footer_html(facts)).get_text(" ")
        assert "Reference corpus" in text and str(tmp_path.resolve()) in text
        assert repro.corpus_checksum(tmp_path)[0] in text and "(1 file)" in text


FOLDED = (
    "1. **An exercise.** Do it.\n\n"
    "<details><summary>Solution</summary>\n\n"
    "```python\nfirst = 1\n\nsecond = 2  # after a blank line\n```\n"
    "The answer is **two**.\n"
    "</details>\n\n"
    "2. **Next exercise.**"
)


def _render(*markdown: str) -> BeautifulSoup:
    """A notebook of markdown cells through the report's whole rendering path."""
    nb = V4.new_notebook(metadata=KERNELSPEC, cells=[V4.new_markdown_cell(m) for m in markdown])
    html = pages.render_report(
        nb, "01-x", paths.NOTEBOOKS_DIR, paths.REPORTS_DIR, set(), TestFooterHtml.REPRO
    )
    return _soup(html)


class TestFoldedSolutions:
    def test_the_solution_is_inside_its_details_after_the_summary(self):
        (details,) = _render(FOLDED).find_all("details")
        assert details.summary.get_text() == "Solution"
        assert "first = 1" in details.get_text() and "two" in details.find("strong").get_text()

    def test_nothing_of_the_solution_is_left_outside_the_fold(self):
        soup = _render(FOLDED)
        soup.find("details").decompose()
        assert "first = 1" not in soup.get_text() and "Next exercise" in soup.get_text()

    def test_a_blank_line_inside_solution_code_is_kept(self):
        pre = _render(FOLDED).find("details").find("pre")
        assert "first = 1\n\nsecond = 2" in pre.get_text()

    def test_the_fold_is_closed(self):
        assert not _render(FOLDED).find("details").has_attr("open")

    def test_markdown_without_details_renders_as_before(self):
        assert markdown.render_details("Plain **text**.\n") == "Plain **text**.\n"


class TestMarkDirection:
    def _marked(self, html):
        soup = _soup(f'<div class="scope">{html}</div>')
        postprocess.mark_direction(soup.select(".scope"))
        return soup

    def test_arabic_paragraph_gets_rtl(self):
        assert self._marked("<p>قال وانغ يي إن الصين</p>").p["dir"] == "rtl"

    def test_english_paragraph_gets_no_direction(self):
        assert not self._marked("<p>Wang Yi said</p>").p.has_attr("dir")

    def test_english_paragraph_with_an_arabic_term_gets_ltr(self):
        assert self._marked("<p>The term القوى الخارجية recurs</p>").p["dir"] == "ltr"

    def test_english_paragraph_that_starts_with_an_arabic_word_gets_ltr(self):
        soup = self._marked("<p>وزير، بكين and لافروف stay whole because they are listed.</p>")
        assert soup.p["dir"] == "ltr"
        assert [b.get_text() for b in soup.find_all("bdi")] == ["وزير", "بكين", "لافروف"]

    def test_arabic_sentence_with_an_english_name_gets_rtl_and_the_name_is_isolated(self):
        soup = self._marked("<p>قال وانغ يي (Wang Yi) إن الصين تدعم الاستقرار</p>")
        assert soup.p["dir"] == "rtl" and soup.bdi.get_text() == "Wang Yi"

    def test_each_side_of_a_mapping_is_its_own_isolated_item_read_left_to_right(self):
        soup = self._marked("<table><tr><td>أ إ آ ٱ → ا</td><td>ى → ي</td></tr></table>")
        first, second = soup.find_all("td")
        assert first["dir"] == second["dir"] == "ltr"
        assert [b.get_text() for b in first.find_all("bdi")] == ["أ إ آ ٱ", "ا"]
        assert [b.get_text() for b in second.find_all("bdi")] == ["ى", "ي"]

    def test_latin_punctuation_separates_arabic_items(self):
        soup = self._marked("<p>folded (ه for ة, ا for أ إ آ) before counting</p>")
        assert [b.get_text() for b in soup.find_all("bdi")] == ["ه", "ة", "ا", "أ إ آ"]

    def test_a_quotation_in_guillemets_is_one_item_in_an_english_note(self):
        soup = self._marked("<td>As in «الأمن الجماعي، والتي يتم نشرها.» (article 004)</td>")
        assert soup.td["dir"] == "ltr"
        assert [b.get_text() for b in soup.find_all("bdi")] == ["«الأمن الجماعي، والتي يتم نشرها.»"]

    def test_code_inside_a_paragraph_is_not_isolated(self):
        soup = self._marked("<p>Call <code>normalize('قال')</code> on the text</p>")
        assert soup.code.find("bdi") is None

    def test_a_printed_list_of_arabic_words_stays_left_to_right_item_by_item(self):
        soup = self._marked("<pre>['وقال', 'وأضاف', 'وأوضح']</pre>")
        line = soup.pre.span
        assert line["dir"] == "ltr"
        assert [b.get_text() for b in line.find_all("bdi")] == ["وقال", "وأضاف", "وأوضح"]
        assert line.get_text() == "['وقال', 'وأضاف', 'وأوضح']"

    def test_english_paragraph_inside_an_arabic_block_gets_auto(self):
        soup = self._marked('<div dir="rtl"><p>An English gloss</p></div>')
        assert soup.p["dir"] == "auto"

    def test_arabic_list_and_its_items_get_rtl(self):
        soup = self._marked("<ul><li>الاستقرار</li><li>التنمية</li></ul>")
        assert [soup.ul["dir"]] + [li["dir"] for li in soup.find_all("li")] == ["rtl"] * 3

    def test_arabic_table_cell_gets_rtl_and_number_cell_does_not(self):
        soup = self._marked("<table><tr><td>قازاقستان</td><td>12</td></tr></table>")
        cells = soup.find_all("td")
        assert cells[0]["dir"] == "rtl" and not cells[1].has_attr("dir")

    def test_an_explicit_direction_is_kept(self):
        assert self._marked('<p dir="ltr">قال</p>').p["dir"] == "ltr"

    def test_a_python_repr_with_arabic_strings_stays_left_to_right(self):
        line = "('بيروت', datetime.date(2020, 1, 12), 'الوكالة الوطنية للإعلام')"
        assert self._marked(f"<pre>{line}</pre>").pre.span["dir"] == "ltr"

    def test_each_printed_line_gets_its_own_direction(self):
        soup = self._marked("<pre>n = 3\nقال وانغ يي\nfound: القازاقي\n</pre>")
        lines = soup.pre.find_all("span")
        assert [ln.get_text() for ln in lines] == ["n = 3", "قال وانغ يي", "found: القازاقي"]
        assert [ln["dir"] for ln in lines] == ["ltr", "rtl", "ltr"]

    def test_english_line_that_starts_with_an_arabic_word_stays_left_to_right(self):
        soup = self._marked("<pre>القازاقي &lt;- found in the normalised text</pre>")
        assert soup.pre.span["dir"] == "ltr"

    def test_printed_output_with_markup_gets_one_direction(self):
        soup = self._marked('<pre><span class="ansi">قال</span> وانغ يي</pre>')
        assert soup.pre["dir"] == "rtl" and soup.pre.span["class"] == ["ansi"]

    def test_elements_outside_the_scope_are_untouched(self):
        soup = _soup('<div class="code"><pre>x = "قال"</pre></div><div class="scope"></div>')
        postprocess.mark_direction(soup.select(".scope"))
        assert not soup.pre.has_attr("dir")


class TestTableLayout:
    def test_identifiers_in_cells_may_break_after_each_underscore(self):
        soup = _soup('<div class="s"><table><tr><th>protest_grievance</th></tr></table></div>')
        postprocess.break_identifiers(soup, soup.select(".s"))
        assert str(soup.th) == "<th>protest_<wbr/>grievance</th>"

    def test_code_and_prose_keep_their_underscores_unbroken(self):
        html = '<div class="s"><p>a_b</p><table><tr><td><code>a_b</code></td></tr></table></div>'
        soup = _soup(html)
        postprocess.break_identifiers(soup, soup.select(".s"))
        assert not soup.find_all("wbr")

    def test_each_concordance_context_is_wrapped_for_the_stylesheet(self):
        row = "<tr><td>قبل</td><td><b>قوى</b></td><td>بعد</td><td>id</td></tr>"
        soup = _soup(f'<div class="s"><table class="kwic"><tbody>{row}</tbody></table></div>')
        postprocess.wrap_concordance_contexts(soup, soup.select(".s"))
        spans = soup.select("td > span.kwic-context")
        assert [s.get_text() for s in spans] == ["قبل", "بعد"]


class TestRenderMath:
    def _render(self, html):
        soup = _soup(f'<div class="md">{html}</div>')
        counts = postprocess.render_math(soup, soup.select(".md"))
        return soup, counts

    def test_inline_formula_becomes_an_svg_image_with_the_tex_as_alt(self):
        soup, counts = self._render(r"<p>idf is $\ln\frac{1+n}{1+df}$ here</p>")
        img = soup.find("img")
        assert counts == (1, 0)
        assert img["src"].startswith("data:image/svg+xml;base64,")
        assert img["alt"] == r"\ln\frac{1+n}{1+df}"
        assert soup.p.get_text() == "idf is  here"

    def test_display_formula_gets_the_display_class(self):
        soup, _ = self._render(r"<p>$$w = tf \cdot idf$$</p>")
        assert soup.find("img")["class"] == ["math-display"]

    def test_formula_mathtext_cannot_draw_is_kept_as_tex_source(self):
        soup, counts = self._render(r"<p>$\begin{cases} a \end{cases}$</p>")
        assert counts == (0, 1) and soup.find("code").get_text().startswith("$\\begin")

    def test_tex_commands_mathtext_lacks_are_drawn_with_their_nearest_equivalent(self):
        soup, counts = self._render(r"<p>$\tfrac{1}{2}\lvert x \rvert$</p>")
        assert counts == (1, 0) and soup.find("img")["alt"] == r"\tfrac{1}{2}\lvert x \rvert"

    def test_underbrace_bigl_and_digit_fractions_are_drawn(self):
        tex = r"$\underbrace{\bigl(1 + x\bigr)}_{\text{tf}} \cdot \tfrac12$"
        _, counts = self._render(f"<p>{tex}</p>")
        assert counts == (1, 0)

    def test_prices_are_not_formulas(self):
        _, counts = self._render("<p>It cost $5 and then $6.</p>")
        assert counts == (0, 0)

    def test_dollars_in_code_are_left_alone(self):
        _, counts = self._render("<p><code>$x$</code></p>")
        assert counts == (0, 0)


class TestRewriteLinks:
    def _rewrite(self, href, notebooks_dir, out_dir, stems=frozenset({"02-clean-arabic"})):
        soup = _soup(f'<div class="s"><a href="{href}">x</a></div>')
        postprocess.rewrite_links(soup.select(".s"), notebooks_dir, out_dir, set(stems))
        return soup.a["href"]

    def test_link_to_a_sibling_notebook_points_at_its_report(self, tmp_path):
        assert (
            self._rewrite("02-clean-arabic.ipynb#x", tmp_path, tmp_path) == "02-clean-arabic.html#x"
        )

    def test_link_to_a_project_file_is_made_relative_to_the_report_folder(self, tmp_path):
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / "t.md").write_text("x")
        (tmp_path / "notebooks").mkdir()
        out = tmp_path / "reports" / "my-corpus"
        href = self._rewrite("../docs/t.md", tmp_path / "notebooks", out)
        assert (out / href).resolve() == (tmp_path / "docs" / "t.md")

    def test_link_into_reports_points_into_the_same_report_folder(self, tmp_path):
        href = self._rewrite("../reports/glossary.html", paths.NOTEBOOKS_DIR, tmp_path / "x")
        assert href == "glossary.html"

    def test_external_links_and_anchors_are_left_alone(self, tmp_path):
        for href in ("https://example.org/a.ipynb", "#top", "mailto:a@b.c"):
            assert self._rewrite(href, tmp_path, tmp_path / "r") == href


class TestMergeAdjacentStreams:
    def _stream(self, text, name="stdout"):
        return V4.new_output("stream", name=name, text=text)

    def test_chunks_of_one_print_become_one_output(self):
        merged = pages.merge_adjacent_streams([self._stream("القازاقي"), self._stream(" <- x\n")])
        assert len(merged) == 1 and merged[0]["text"] == "القازاقي <- x\n"

    def test_a_print_after_a_table_stays_after_it(self):
        table = V4.new_output("display_data", data={"text/plain": "t"})
        merged = pages.merge_adjacent_streams([self._stream("a\n"), table, self._stream("b\n")])
        assert [o["output_type"] for o in merged] == ["stream", "display_data", "stream"]

    def test_stdout_and_stderr_are_not_mixed(self):
        merged = pages.merge_adjacent_streams([self._stream("a"), self._stream("w", "stderr")])
        assert len(merged) == 2


class TestNotebookHeading:
    def test_title_and_purpose_come_from_the_first_markdown_cell(self):
        nb = _notebook()
        assert notebooks.notebook_heading(nb) == ("01 · A title", "A purpose line.")

    def test_notebook_without_markdown_has_empty_heading(self):
        assert notebooks.notebook_heading(V4.new_notebook()) == ("", "")


class TestGlossary:
    REPRO: ClassVar[dict] = TestFooterHtml.REPRO

    def test_missing_data_files_give_a_sentence_each_not_an_error(self, tmp_path):
        page = glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path / "nothing")
        text = _soup(page.read_text(encoding="utf-8")).get_text(" ")
        assert text.count("is not there yet") == 3

    def test_glossary_rows_are_shown_with_arabic_cells_right_to_left(self, tmp_path):
        (tmp_path / "glossary.csv").write_text(
            "arabic,transliteration,english,note\nالاستقرار,al-istiqrār,stability,x\n",
            encoding="utf-8",
        )
        page = glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path)
        cell = _soup(page.read_text(encoding="utf-8")).find("td", string="الاستقرار")
        assert cell is not None and cell["dir"] == "rtl"
        assert "al-istiqrār" in page.read_text(encoding="utf-8")

    def test_entities_are_grouped_with_their_spelling_variants(self, tmp_path):
        (tmp_path / "lexicons").mkdir()
        (tmp_path / "lexicons" / "entities.csv").write_text(
            "variant,canonical,entity_id,english,type,note\n"
            "كازاخستان,قازاقستان,KZ,Kazakhstan,country,\n"
            "قازاقستان,قازاقستان,KZ,Kazakhstan,country,\n",
            encoding="utf-8",
        )
        page = glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path)
        rows = _soup(page.read_text(encoding="utf-8")).find_all("tr")
        kz = [r for r in rows if "Kazakhstan" in r.get_text()]
        assert len(kz) == 1 and "كازاخستان" in kz[0].get_text()

    def test_frames_yaml_shows_each_frame_with_its_names_and_definition(self, tmp_path):
        (tmp_path / "lexicons").mkdir()
        (tmp_path / "lexicons" / "frames.yaml").write_text(
            "frames:\n  - id: stability\n    english: Stability\n    arabic: الاستقرار\n"
            "    definition: Order is\n      restored.\n    patterns:\n      - pattern: (ال)امن\n",
            encoding="utf-8",
        )
        page = glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path)
        row = next(r for r in _soup(page.read_text()).find_all("tr") if "stability" in r.get_text())
        cells = [td.get_text() for td in row.find_all("td")]
        assert cells == ["الاستقرار", "Stability (stability)", "Order is restored."]

    def test_frame_without_arabic_name_shows_its_arabic_cues(self, tmp_path):
        (tmp_path / "lexicons").mkdir()
        (tmp_path / "lexicons" / "frames.yaml").write_text(
            "frames:\n  stability:\n    english: stability and order\n"
            "    patterns: [الاستقرار, الأمن]\n",
            encoding="utf-8",
        )
        page = glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path)
        row = next(r for r in _soup(page.read_text()).find_all("tr") if "stability" in r.get_text())
        assert "الاستقرار" in row.get_text() and "الأمن" in row.get_text()

    def test_unreadable_yaml_warns_naming_the_file(self, tmp_path):
        (tmp_path / "lexicons").mkdir()
        (tmp_path / "lexicons" / "frames.yaml").write_text("a: [unclosed\n", encoding="utf-8")
        with pytest.warns(UserWarning, match=r"frames\.yaml: cannot read"):
            glossary.write_glossary(tmp_path, self.REPRO, data_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# The runner on throwaway notebooks (starts kernels: slow)
# --------------------------------------------------------------------------------------------

GOOD = _notebook(
    V4.new_markdown_cell("قال وانغ يي إن الصين تدعم قازاقستان.\n\n[next](02-fails.ipynb)"),
    V4.new_code_cell("print('corpus is', CORPUS)"),
    V4.new_code_cell(
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('test')\nplt.show()"
    ),
)
BAD = V4.new_notebook(
    metadata=KERNELSPEC,
    cells=[
        V4.new_markdown_cell("# 02 · Fails\n\nFails on purpose."),
        V4.new_code_cell("x = 1"),
        V4.new_code_cell("y = x / 0"),
        V4.new_code_cell("print('still runs')"),
    ],
)


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    """main() once on two notebooks (one fails), after planting a stale report."""
    root = tmp_path_factory.mktemp("throwaway")
    nbs, out = root / "notebooks", root / "reports"
    nbs.mkdir()
    out.mkdir()
    nbformat.write(GOOD, nbs / "01-works-fine.ipynb")
    nbformat.write(BAD, nbs / "02-fails.ipynb")
    (out / "02-fails.html").write_text("stale report from an earlier run")
    return nbs, out


@pytest.fixture(scope="module")
def outcome(throwaway):
    import contextlib
    import io

    nbs, out = throwaway
    err, log = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(log):
        status = cli.main(["--notebooks", str(nbs), "--out", str(out), "--timeout", "120"])
    return status, err.getvalue(), log.getvalue(), out


@pytest.mark.slow
class TestRunnerOnThrowawayNotebooks:
    def test_a_failing_cell_makes_the_command_exit_1(self, outcome):
        assert outcome[0] == 1

    def test_the_message_names_the_notebook_the_cell_and_the_error(self, outcome):
        assert "02-fails.ipynb failed at cell 3 (`y = x / 0`): ZeroDivisionError" in outcome[1]

    def test_the_other_notebook_still_gets_its_report(self, outcome):
        assert (outcome[3] / "01-works-fine.html").exists()

    def test_the_failed_notebook_has_no_report_and_the_stale_one_is_gone(self, outcome):
        assert not (outcome[3] / "02-fails.html").exists()

    def test_the_partly_executed_notebook_is_kept_with_its_traceback(self, outcome):
        nb = nbformat.read(outcome[3] / "02-fails.failed.ipynb", as_version=4)
        assert nb.cells[2].outputs[0]["ename"] == "ZeroDivisionError"

    def test_one_timing_line_per_notebook_as_it_finishes(self, outcome):
        lines = [ln for ln in outcome[2].splitlines() if re.match(r"  \S+ .* \d+\.\d s ", ln)]
        assert sorted(ln.split()[:2] for ln in lines) == [
            ["01-works-fine", "ok"],
            ["02-fails", "FAILED"],
        ]

    def test_the_index_lists_the_failure(self, outcome):
        text = _soup((outcome[3] / "index.html").read_text(encoding="utf-8")).get_text(" ")
        assert "failed" in text and "ZeroDivisionError" in text

    def test_a_plot_is_embedded_as_a_data_uri(self, outcome):
        soup = _soup((outcome[3] / "01-works-fine.html").read_text(encoding="utf-8"))
        assert any(img["src"].startswith("data:image/png") for img in soup.find_all("img"))

    def test_without_corpus_the_notebook_sees_its_default(self, outcome):
        text = _soup((outcome[3] / "01-works-fine.html").read_text(encoding="utf-8")).get_text()
        assert "corpus is None" in text


@pytest.mark.slow
class TestRunnerWithCorpusOnThrowawayNotebook:
    def test_corpus_run_sees_the_injected_path_and_writes_to_its_own_folder(self, tmp_path):
        nbs, corpus = tmp_path / "nbs", tmp_path / "Wire Copy"
        nbs.mkdir()
        corpus.mkdir()
        (corpus / "a.txt").write_text("بكين 10 يناير 2022 (شينخوا) نص", encoding="utf-8")
        nbformat.write(GOOD, nbs / "01-works-fine.ipynb")
        result = job.run(corpus=corpus, notebooks_dir=nbs, out_dir=tmp_path / "r", log=None)
        report = tmp_path / "r" / paths.corpus_slug(corpus) / "01-works-fine.html"
        assert result.ok and result.out_dir == report.parent
        assert report.parent.name.startswith("wire-copy-"), "the folder is named after the corpus"
        assert f"corpus is {corpus.resolve()}" in _soup(report.read_text()).get_text()


@pytest.mark.slow
class TestStreamOrder:
    def test_prints_and_warnings_reach_the_notebook_in_the_order_they_were_written(self):
        # ipykernel sends stdout and stderr on separate timers: without the runner's hook
        # these ten writes arrive as two outputs, all of stdout and then all of stderr
        code = "import sys\nfor i in range(5):\n    print(i)\n    print(i, file=sys.stderr)"
        nb = _notebook(V4.new_code_cell(code))
        run = runner.execute_notebook(nb, paths.NOTEBOOKS_DIR, timeout=60)
        outputs = [(o["name"], o["text"]) for o in nb.cells[2].outputs]
        assert run.error is None
        assert outputs == [(name, f"{i}\n") for i in range(5) for name in ("stdout", "stderr")]

    def test_the_hook_is_not_counted_as_a_cell_nor_left_in_the_namespace(self):
        nb = _notebook(V4.new_code_cell("print(sorted(n for n in dir() if 'reports' in n))"))
        runner.execute_notebook(nb, paths.NOTEBOOKS_DIR, timeout=60)
        assert nb.cells[2].execution_count == 2  # the parameters cell is 1
        assert nb.cells[2].outputs[0]["text"] == "[]\n"


# --------------------------------------------------------------------------------------------
# Kernels that die, run away or are stopped: the command in a real subprocess (slow)
# --------------------------------------------------------------------------------------------

DIES = V4.new_notebook(
    metadata=KERNELSPEC,
    cells=[
        V4.new_markdown_cell("# 01 · Dies\n\nIts kernel is killed."),
        V4.new_code_cell("x = 1"),
        V4.new_code_cell("import os; os.kill(os.getpid(), 9)"),
        V4.new_code_cell("print('never')"),
    ],
)
SLEEPS = V4.new_notebook(
    metadata=KERNELSPEC,
    cells=[
        V4.new_markdown_cell("# 02 · Sleeps\n\nSleeps a second."),
        V4.new_code_cell("import time\ntime.sleep(1)"),
    ],
)


def _command(nbs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "reports", "--notebooks", str(nbs), "--out", str(out), *extra]


def _env() -> dict:
    src = str(Path(runner.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": src}


def _folder(root: Path, notebooks: dict) -> Path:
    nbs = root / "nbs"
    nbs.mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, nbs / f"{name}.ipynb")
    return nbs


def _running(proc: psutil.Process) -> bool:
    """Still running (a zombie has finished: only its exit status waits to be collected)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _failure_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if " failed at " in ln]


@pytest.fixture(scope="module")
def dead_kernel_run(tmp_path_factory):
    """The command on a notebook whose kernel is killed (SIGKILL), then one that works."""
    root = tmp_path_factory.mktemp("dead")
    nbs = _folder(root, {"01-dies": DIES, "02-sleeps": SLEEPS})
    done = subprocess.run(
        _command(nbs, root / "out"),
        env=_env(),
        cwd=paths.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    timings = json.loads((root / "out" / job.TIMINGS_NAME).read_text(encoding="utf-8"))
    return done, timings, root / "out"


@pytest.mark.slow
class TestDeadKernel:
    def test_the_command_finishes_and_exits_1(self, dead_kernel_run):
        assert dead_kernel_run[0].returncode == 1

    def test_one_line_names_the_notebook_the_cell_its_first_line_and_the_signal(
        self, dead_kernel_run
    ):
        lines = _failure_lines(dead_kernel_run[0].stderr)
        assert len(lines) == 1
        assert "01-dies.ipynb failed at cell 3 (`import os; os.kill(os.getpid(), 9)`)" in lines[0]
        assert "SIGKILL" in lines[0]

    def test_it_is_noticed_within_seconds(self, dead_kernel_run):
        assert dead_kernel_run[1]["notebooks"][0]["seconds"] < 30

    def test_the_next_notebook_still_runs_and_gets_its_report(self, dead_kernel_run):
        assert (dead_kernel_run[2] / "02-sleeps.html").exists()

    def test_timings_give_each_cell_its_seconds(self, dead_kernel_run):
        dies, sleeps = dead_kernel_run[1]["notebooks"]
        assert [(c["cell"], c["seconds"] is None) for c in dies["cells"]] == [(2, False), (3, True)]
        assert [c["cell"] for c in sleeps["cells"]] == [2]
        assert 1.0 <= sleeps["cells"][0]["seconds"] < 10

    def test_timings_give_each_kernel_its_peak_memory(self, dead_kernel_run):
        # a Python kernel holds tens of MB at least
        assert all(nb["peak_rss"] > 10 * 2**20 for nb in dead_kernel_run[1]["notebooks"])


@pytest.mark.slow
class TestMemoryLimit:
    def test_a_kernel_over_the_limit_is_stopped_and_its_cell_named(self, tmp_path):
        hog = _notebook(V4.new_code_cell("b = b'x' * (600 * 2**20)\nimport time; time.sleep(60)"))
        nbs = _folder(tmp_path, {"01-hog": hog})
        done = subprocess.run(
            _command(nbs, tmp_path / "out", "--max-memory", "0.3"),
            env=_env(),
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = _failure_lines(done.stderr)
        assert done.returncode == 1 and len(lines) == 1
        assert "01-hog.ipynb failed at cell 3 (`b = b'x' * (600 * 2**20)`)" in lines[0]
        assert "over the limit of 0.3 GB" in lines[0]


HANGS = """import pathlib, subprocess, time
child = subprocess.Popen(["sleep", "600"])
pathlib.Path({marker!r}).write_text(str(child.pid))
time.sleep(600)"""


def _signalled_job(nbs: Path, out: Path, markers: list[Path], signum, *args):
    """Run the job on ``nbs``, wait until every marker file is written (each hanging cell
    writes the pid of the child it started), send ``signum``; return the job's exit status,
    its stderr and the processes it had started."""
    job_proc = subprocess.Popen(
        _command(nbs, out, *args),
        env=_env(),
        cwd=paths.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and job_proc.poll() is None:
            if all(m.exists() for m in markers):
                break
            time.sleep(0.2)
        assert all(m.exists() for m in markers), "the hanging notebooks never all started"
        descendants = psutil.Process(job_proc.pid).children(recursive=True)
        assert {int(m.read_text()) for m in markers} <= {p.pid for p in descendants}
        job_proc.send_signal(signum)
        _, stderr = job_proc.communicate(timeout=60)
    finally:
        job_proc.kill()
    return job_proc.returncode, stderr, descendants


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_job_its_kernel_and_what_the_kernel_started(tmp_path, signum):
    marker = tmp_path / "started"
    nbs = _folder(
        tmp_path, {"01-hangs": _notebook(V4.new_code_cell(HANGS.format(marker=str(marker))))}
    )
    returncode, stderr, descendants = _signalled_job(nbs, tmp_path / "out", [marker], signum)
    assert returncode == 128 + signum
    assert f"stopped by {signum.name} in 01-hangs.ipynb at cell 3" in stderr
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert not [p for p in alive if _running(p)], alive


# --------------------------------------------------------------------------------------------
# Several notebooks at once (--jobs): the order of events, recorded by the notebooks (slow)
# --------------------------------------------------------------------------------------------

STAMPS = """import pathlib, time
here = pathlib.Path({folder!r})
(here / "{name}.start").write_text(repr(time.time()))
deadline = time.time() + {wait}
while time.time() < deadline and not (here / "{other}").exists():
    time.sleep(0.05)
(here / "{name}.end").write_text(repr(time.time()))"""


def _stamped(folder: Path, name: str, other: str = "", wait: float = 0, after=()):
    """A notebook whose one code cell records when it starts and ends (``folder/name.start``,
    ``.end``), waiting up to ``wait`` seconds in between for the file ``other`` to appear; it
    runs after the notebooks named in ``after``."""
    code = STAMPS.format(folder=str(folder), name=name, other=other or name, wait=wait)
    nb = _notebook(V4.new_code_cell(code))
    if after:
        nb.metadata["reports"] = {"after": list(after)}
    return nb


def _interval(folder: Path, name: str) -> tuple[float, float]:
    return tuple(float((folder / f"{name}.{end}").read_text()) for end in ("start", "end"))


@pytest.mark.slow
class TestSeveralAtOnce:
    def test_two_independent_notebooks_run_at_the_same_time_with_two_jobs(self, tmp_path):
        # each waits (up to a minute) for the other to start: with one job, they never overlap
        nbs = _folder(
            tmp_path,
            {
                "01-a": _stamped(tmp_path, "a", "b.start", wait=60),
                "02-b": _stamped(tmp_path, "b", "a.start", wait=60),
            },
        )
        result = job.run(notebooks_dir=nbs, out_dir=tmp_path / "out", jobs=2, log=None)
        (a_start, a_end), (b_start, b_end) = _interval(tmp_path, "a"), _interval(tmp_path, "b")
        assert result.ok and a_start < b_end and b_start < a_end

    def test_with_one_job_the_second_starts_after_the_first_ended(self, tmp_path):
        nbs = _folder(tmp_path, {"01-a": _stamped(tmp_path, "a"), "02-b": _stamped(tmp_path, "b")})
        result = job.run(notebooks_dir=nbs, out_dir=tmp_path / "out", jobs=1, log=None)
        assert result.ok and _interval(tmp_path, "a")[1] <= _interval(tmp_path, "b")[0]

    def test_a_notebook_starts_only_after_the_one_it_runs_after_finished(self, tmp_path):
        # 01 waits 5 s for 03 to start: it must not, though 02 leaves it a free job at once
        nbs = _folder(
            tmp_path,
            {
                "01-first": _stamped(tmp_path, "first", "then.start", wait=5),
                "02-free": _stamped(tmp_path, "free"),
                "03-then": _stamped(tmp_path, "then", after=["01-first"]),
            },
        )
        result = job.run(notebooks_dir=nbs, out_dir=tmp_path / "out", jobs=2, log=None)
        assert result.ok
        assert _interval(tmp_path, "then")[0] > _interval(tmp_path, "first")[1]

    def test_results_and_timings_are_in_number_order_whatever_finished_first(self, tmp_path):
        # 01 waits for 02 to end, so 02 finishes first
        nbs = _folder(
            tmp_path,
            {
                "01-slow": _stamped(tmp_path, "slow", "quick.end", wait=60),
                "02-quick": _stamped(tmp_path, "quick"),
            },
        )
        result = job.run(notebooks_dir=nbs, out_dir=tmp_path / "out", jobs=2, log=None)
        timings = json.loads(result.timings.read_text(encoding="utf-8"))
        assert _interval(tmp_path, "quick")[1] < _interval(tmp_path, "slow")[1]
        assert [r.notebook.name for r in result.notebooks] == ["01-slow.ipynb", "02-quick.ipynb"]
        assert [n["notebook"] for n in timings["notebooks"]] == ["01-slow.ipynb", "02-quick.ipynb"]


DIES_WHILE = """import os, pathlib, time
here = pathlib.Path({folder!r})
deadline = time.time() + 60
while time.time() < deadline and not (here / "other.start").exists():
    time.sleep(0.05)
(here / "died").write_text(repr(time.time()))
os.kill(os.getpid(), 9)"""

RUNS_ON = """import pathlib, time
here = pathlib.Path({folder!r})
(here / "other.start").write_text(repr(time.time()))
deadline = time.time() + 60
while time.time() < deadline and not (here / "died").exists():
    time.sleep(0.05)
time.sleep(1)
print("still here")"""


@pytest.fixture(scope="module")
def dies_beside_another(tmp_path_factory):
    """The command, two at once: 01's kernel is killed while 02 runs (02 waits for it)."""
    root = tmp_path_factory.mktemp("dies-beside")
    dies = _notebook(
        V4.new_code_cell("x = 1"), V4.new_code_cell(DIES_WHILE.format(folder=str(root)))
    )
    other = _notebook(V4.new_code_cell(RUNS_ON.format(folder=str(root))))
    nbs = _folder(root, {"01-dies": dies, "02-runs-on": other})
    done = subprocess.run(
        _command(nbs, root / "out", "--jobs", "2"),
        env=_env(),
        cwd=paths.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, root


@pytest.mark.slow
class TestDeadKernelBesideAnother:
    def test_one_line_names_the_notebook_the_cell_and_the_signal(self, dies_beside_another):
        lines = _failure_lines(dies_beside_another[0].stderr)
        assert len(lines) == 1
        assert "01-dies.ipynb failed at cell 4 (`import os, pathlib, time`)" in lines[0]
        assert "SIGKILL" in lines[0]

    def test_it_died_while_the_other_ran(self, dies_beside_another):
        root = dies_beside_another[1]
        died = float((root / "died").read_text())
        assert float((root / "other.start").read_text()) <= died

    def test_the_other_notebook_completes_with_its_report(self, dies_beside_another):
        done, root = dies_beside_another
        assert re.search(r"02-runs-on\s+ok\s", done.stdout)
        assert "still here" in (root / "out" / "02-runs-on.html").read_text(encoding="utf-8")

    def test_the_command_exits_1(self, dies_beside_another):
        assert dies_beside_another[0].returncode == 1


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_every_running_notebook_and_keeps_the_timings_of_what_ran(tmp_path, signum):
    # 01 ends at once; 02 and 03 then hang side by side (each starts a child process)
    markers = [tmp_path / "two", tmp_path / "three"]
    nbs = _folder(
        tmp_path,
        {
            "01-quick": _notebook(V4.new_code_cell("x = 1")),
            "02-hangs": _notebook(V4.new_code_cell(HANGS.format(marker=str(markers[0])))),
            "03-hangs": _notebook(V4.new_code_cell(HANGS.format(marker=str(markers[1])))),
        },
    )
    returncode, stderr, descendants = _signalled_job(
        nbs, tmp_path / "out", markers, signum, "--jobs", "2"
    )
    assert returncode == 128 + signum
    assert (
        f"stopped by {signum.name} in 02-hangs.ipynb at cell 3 and in 03-hangs.ipynb at cell 3"
        in stderr
    )
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert not [p for p in alive if _running(p)], alive
    timings = json.loads((tmp_path / "out" / job.TIMINGS_NAME).read_text(encoding="utf-8"))
    assert [n["notebook"] for n in timings["notebooks"]] == ["01-quick.ipynb"]


@pytest.mark.slow
def test_a_corpus_that_loads_nothing_stops_the_job_before_any_notebook(tmp_path):
    marker = tmp_path / "ran"
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')"
    nbs = _folder(tmp_path, {"01-marks": _notebook(V4.new_code_cell(code))})
    (tmp_path / "empty").mkdir()
    done = subprocess.run(
        _command(nbs, tmp_path / "out", "--corpus", str(tmp_path / "empty")),
        env=_env(),
        cwd=paths.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"reports: nothing to run the notebooks on: {tmp_path / 'empty'}: the folder is empty; "
        "put one .txt file per article in it."
    ]
    assert not marker.exists() and not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# The main job on the seeds, once per session (slow)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """The main job on the seed corpus, through the same function the command line uses."""
    out = tmp_path_factory.mktemp("reports")
    return job.run(out_dir=out)


def _report_pages(result) -> list[Path]:
    return sorted(result.out_dir.glob("*.html"))


def _text_without_data_uris(path: Path) -> str:
    return DATA_URI.sub("data:", path.read_text(encoding="utf-8"))


@pytest.mark.slow
class TestSeedReports:
    def test_every_notebook_ran_without_error(self, seed_run):
        assert seed_run.ok, "\n".join(f.message() for f in seed_run.failures)

    def test_every_notebook_has_a_report(self, seed_run):
        expected = {p.stem + ".html" for p in notebooks.list_notebooks()}
        assert expected <= {p.name for p in _report_pages(seed_run)}

    def test_no_report_contains_an_error_output(self, seed_run):
        for page in _report_pages(seed_run):
            soup = _soup(page.read_text(encoding="utf-8"))
            assert not soup.select(".report-error-output"), page.name
            assert "Traceback (most recent call last)" not in soup.get_text(), page.name

    def test_every_formula_is_drawn_not_left_as_tex_source(self, seed_run):
        for page in _report_pages(seed_run):
            kept = _soup(page.read_text(encoding="utf-8")).select("code.tex-source")
            assert not kept, f"{page.name}: {[k.get_text()[:60] for k in kept]}"

    def test_no_report_contains_arabic_presentation_forms(self, seed_run):
        for page in _report_pages(seed_run):
            found = PRESENTATION_FORMS.findall(_text_without_data_uris(page))
            assert not found, f"{page.name}: {sorted(set(found))[:5]}"

    def test_every_image_is_embedded_or_exists(self, seed_run):
        for page in _report_pages(seed_run):
            for img in _soup(page.read_text(encoding="utf-8")).find_all("img"):
                src = img.get("src", "")
                assert src.startswith("data:image/") or (page.parent / unquote(src)).is_file(), (
                    f"{page.name}: {src[:80]}"
                )

    def test_every_relative_link_and_anchor_resolves(self, seed_run):
        broken = []
        ids = {}
        for page in _report_pages(seed_run):
            soup = _soup(page.read_text(encoding="utf-8"))
            for a in soup.find_all("a", href=True):
                parts = urlsplit(a["href"])
                if parts.scheme or parts.netloc:
                    continue
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                if not target.exists():
                    broken.append(f"{page.name} -> {a['href']}")
                    continue
                if parts.fragment and target.suffix == ".html":
                    if target not in ids:
                        tsoup = _soup(target.read_text(encoding="utf-8"))
                        ids[target] = {el.get("id") for el in tsoup.find_all(id=True)} | {
                            el.get("name") for el in tsoup.find_all(attrs={"name": True})
                        }
                    if not {parts.fragment, unquote(parts.fragment)} & ids[target]:
                        broken.append(f"{page.name} -> {a['href']} (no such anchor)")
        assert not broken, broken

    def test_index_links_every_notebook(self, seed_run):
        soup = _soup(seed_run.index.read_text(encoding="utf-8"))
        hrefs = {a["href"] for a in soup.find_all("a", href=True)}
        assert {p.stem + ".html" for p in notebooks.list_notebooks()} <= hrefs

    def test_index_and_glossary_exist(self, seed_run):
        assert seed_run.index.exists() and seed_run.glossary.exists()

    def test_every_page_ends_with_the_reproducibility_footer(self, seed_run):
        lines = paths.SEEDS_CHECKSUMS.read_text(encoding="utf-8").splitlines()
        lines = sorted((ln for ln in lines if ln.strip()), key=lambda ln: ln.split()[1])
        sha = hashlib.sha256("".join(ln + "\n" for ln in lines).encode()).hexdigest()
        for page in _report_pages(seed_run):
            footer = _soup(page.read_text(encoding="utf-8")).find("footer", id="reproducibility")
            assert footer is not None, page.name
            text = footer.get_text(" ")
            assert sha in text and "scikit-learn" in text and "UTC" in text, page.name

    def test_code_cells_are_highlighted_left_to_right_source(self, seed_run):
        # Code keeps its own markup: no dir attribute is ever added inside a code input.
        for page in _report_pages(seed_run):
            soup = _soup(page.read_text(encoding="utf-8"))
            marked = soup.select(".jp-CodeCell .jp-InputArea [dir]")
            assert not marked, page.name


@pytest.mark.slow
def test_notebook_03_compares_the_seeds_with_a_reference_corpus(tmp_path):
    news = tmp_path / "General News"
    news.mkdir()
    for i, text in enumerate(["أعلنت الوزارة عن خطة جديدة للنقل.", "افتتح المعرض أمس في الرياض."]):
        (news / f"{i}.txt").write_text(text, encoding="utf-8")
    result = job.run(reference=news, only=["03"], out_dir=tmp_path / "r", log=None)
    assert result.ok and result.out_dir.name.startswith("vs-general-news-")
    text = _soup((result.out_dir / "03-tfidf-compare.html").read_text("utf-8")).get_text(" ")
    assert "5 article(s) against 2 in the reference" in text
    assert "Reference corpus" in text and str(news.resolve()) in text


@pytest.mark.slow
class TestUserCorpusRun:
    def test_tiny_corpus_with_a_bad_file_reports_to_its_own_folder(self, seed_run, tmp_path):
        corpus = tmp_path / "My Corpus"
        corpus.mkdir()
        (corpus / "a.txt").write_text(
            "بكين 10 يناير 2022 (شينخوا) قال وانغ يي إن الصين تدعم الاستقرار في قازاقستان.\n"
            "وأضاف أن البلدين شريكان.\n",
            encoding="utf-8",
        )
        (corpus / "b.txt").write_text(
            "أستانا 5 يناير 2022 (شينخوا) أعلن الرئيس حالة الطوارئ.\n", encoding="utf-8"
        )
        (corpus / "empty.txt").write_text("", encoding="utf-8")
        seed_pages = {p: p.read_bytes() for p in _report_pages(seed_run)}

        result = job.run(corpus=corpus, only=["01"], out_dir=seed_run.out_dir, log=None)

        assert result.ok, "\n".join(f.message() for f in result.failures)
        assert result.out_dir == seed_run.out_dir / paths.corpus_slug(corpus)
        assert result.out_dir.name.startswith("my-corpus-")
        assert {p: p.read_bytes() for p in _report_pages(seed_run)} == seed_pages
        page = next(result.out_dir.glob("01-*.html"))
        soup = _soup(page.read_text(encoding="utf-8"))
        injected = soup.select(".celltag_injected-parameters")
        assert injected and f"CORPUS = {str(corpus.resolve())!r}" in injected[0].get_text()
        assert "empty.txt" in soup.get_text(), "the load report should account for the empty file"


# --------------------------------------------------------------------------------------------
# A real browser (slow)
# --------------------------------------------------------------------------------------------

_PAGE_CHECK = """
() => {
  const AR = /[\\u0620-\\u064A\\u0671-\\u06D3\\u0750-\\u077F\\u08A0-\\u08FF]/g;
  const LAT = /[A-Za-z]/g;
  const count = (t, re) => (t.match(re) || []).length;
  const prose = 'p, li, h1, h2, h3, h4, h5, h6, blockquote, dd, dt, summary, td, th';
  const wrong = [];
  let arabic = 0;
  let english = 0;
  for (const el of document.querySelectorAll(prose)) {
    if (el.closest('.jp-CodeCell .jp-InputArea, footer, pre')) continue;
    const text = el.innerText.trim();
    // A «…» quotation is an item inside the sentence: the words around it set the direction.
    const outside = text.replace(/\u00ab[^\u00ab\u00bb]*\u00bb/g, ' ');
    const own = count(outside, AR) + count(outside, LAT) > 0 ? outside : text;
    const nAr = count(own, AR);
    const nLat = count(own, LAT);
    // Clear cases only: at least twice as many letters of one script as of the other.
    const expected = nAr > 2 * nLat ? 'rtl' : nLat > 2 * nAr && nAr > 0 ? 'ltr' : null;
    if (!expected || /\\u2192/.test(text)) continue;
    if (expected === 'rtl') arabic += 1; else english += 1;
    const cs = getComputedStyle(el);
    // Table cells may align as their author chose (a concordance aligns the contexts towards
    // the keyword); paragraphs, list items and headings must sit on their start side.
    const cell = el.tagName === 'TD' || el.tagName === 'TH';
    const side = expected === 'rtl' ? ['right', '-webkit-right'] : ['left', '-webkit-left'];
    const aligned = cell || cs.textAlign === 'start' || side.includes(cs.textAlign);
    if (cs.direction !== expected || !aligned) {
      wrong.push(`${el.tagName} ${cs.direction}/${cs.textAlign}: ${text.slice(0, 50)}`);
    }
  }
  const code = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea pre')];
  const codeWrong = code.filter((el) => getComputedStyle(el).direction !== 'ltr').length;
  const images = [...document.images];
  const broken = images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => (img.alt || img.src).slice(0, 60));
  return {arabic, english, wrong, code: code.length, codeWrong, images: images.length, broken};
}
"""


# Where words land on screen: for the smallest block holding ``anchor``, the horizontal centre
# of each needle (searched in order from the anchor) and the block's computed direction.
_WORD_POSITIONS = """
([anchor, needles]) => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const blocks = [...document.querySelectorAll('p, li, td, th, span.bidi-line, .highlight pre')]
    .filter((el) => el.textContent.includes(anchor));
  if (!blocks.length) return null;
  const el = blocks[blocks.length - 1];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let total = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([n, total]);
    total += n.data.length;
  }
  const at = (offset) => {
    const [node, start] = nodes.filter(([, s]) => s <= offset).pop();
    return [node, offset - start];
  };
  let cursor = el.textContent.indexOf(anchor);
  const xs = [];
  for (const needle of needles) {
    const i = el.textContent.indexOf(needle, cursor);
    if (i < 0) return {missing: needle};
    const range = document.createRange();
    const last = at(i + needle.length - 1);  // the needle's last character, inclusive
    range.setStart(...at(i));
    range.setEnd(last[0], last[1] + 1);
    const box = range.getBoundingClientRect();
    xs.push(box.left + box.width / 2);
    cursor = i + needle.length;
  }
  return {xs, dir: getComputedStyle(el).direction};
}
"""
# Layout: tables that stick out of their output area (their last columns hidden behind a
# scroll bar), and concordance rows whose contexts wrap or whose words next to the keyword are
# cut off or far from it.
_LAYOUT_CHECK = """
() => {
  const wide = [...document.querySelectorAll('table')].filter((t) => {
    if (!t.getClientRects().length) return false;  // not rendered (a hidden fallback copy)
    const area = t.closest('.jp-OutputArea-output, .jp-RenderedHTMLCommon, main, body');
    const r = t.getBoundingClientRect();
    const a = area.getBoundingClientRect();
    return r.right > a.right + 1 || r.left < a.left - 1 || area.scrollWidth > area.clientWidth + 1;
  }).map((t) => t.innerText.slice(0, 60));
  const charBox = (el, fromEnd) => {
    const text = el.textContent;
    const i = fromEnd ? text.trimEnd().length - 1 : text.length - text.trimStart().length;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (i < seen + n.data.length) {
        const range = document.createRange();
        range.setStart(n, i - seen);
        range.setEnd(n, i - seen + 1);
        return range.getBoundingClientRect();
      }
      seen += n.data.length;
    }
    return null;
  };
  const kwic = [];
  for (const row of document.querySelectorAll('table.kwic tbody tr')) {
    const cells = row.querySelectorAll(':scope > td');
    if (cells.length < 4) continue;
    const [before, match, after] = cells;
    const em = parseFloat(getComputedStyle(before).fontSize);
    const oneLine = (cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top / em)));
      return tops.size === 1;
    };
    const m = match.getBoundingClientRect();
    const last = charBox(before, true);   // the word just before the keyword
    const first = charBox(after, false);  // the word just after it
    const b = before.getBoundingClientRect();
    const a = after.getBoundingClientRect();
    kwic.push({
      oneLine: oneLine(before) && oneLine(after),
      beforeVisible: !!last && last.left >= b.left - 1 && last.right <= b.right + 1,
      afterVisible: !!first && first.left >= a.left - 1 && first.right <= a.right + 1,
      // in a right-to-left table the context before sits right of the keyword, after it left
      beforeNext: !!last && last.left - m.right < 2 * em && last.left >= m.right - 1,
      afterNext: !!first && m.left - first.right < 2 * em && first.right <= m.left + 1,
      text: row.innerText.slice(0, 60),
    });
  }
  return {wide, kwic};
}
"""
# Representative blocks: page, anchor, needles in the order they must appear left to right,
# and the direction the block must compute.
READING_ORDER = [
    # each side of a mapping is an item; the arrow points from the first to the second
    ("02-clean-arabic.html", "ى → ي", ["ى", "→", "ي"], "ltr"),
    ("02-clean-arabic.html", "ة → ه", ["ة", "→", "ه"], "ltr"),
    ("02-clean-arabic.html", "ٱ → ا", ["ٱ", "→", "ا"], "ltr"),
    (
        "02-clean-arabic.html",
        "٠–٩ and",
        ["٠", "–", "٩", "and", "۰", "–", "۹", "→", "0", "–", "9"],
        "ltr",
    ),
    # English prose that starts with an Arabic word
    ("02-clean-arabic.html", "وزير، بكين and", ["وزير", "بكين", "and", "لافروف", "stay"], "ltr"),
    ("02-clean-arabic.html", 'أن "that" and', ["أن", "that", "إن", "indeed"], "ltr"),
    ("04-frame-discourse.html", "(ه for ة", ["ه", "for", "ة", "ا", "for"], "ltr"),
    # a tuple of Arabic strings in a folded solution's code keeps its source order
    ("03-tfidf-compare.html", 'extra_stopwords=("وقال"', ["وقال", "وأضاف", "وأوضح"], "ltr"),
]


# Every fold: closed as the page loads, holding more than its summary, and that content is
# hidden until the fold is opened (then it shows).
_DETAILS_CHECK = """
() => {
  // checkVisibility: false under a closed fold (display: none or content-visibility: hidden)
  const shown = (el) => el.checkVisibility() && el.getClientRects().length > 0;
  return [...document.querySelectorAll('details')].map((d) => {
    const inside = [...d.children].filter((c) => c.tagName !== 'SUMMARY');
    const text = inside.map((c) => c.textContent).join(' ').trim();
    const closed = !d.open;
    const hiddenWhenClosed = inside.length > 0 && !inside.some(shown);
    d.open = true;
    const shownWhenOpen = inside.length > 0 && inside.every(shown);
    d.open = false;
    const summary = d.querySelector(':scope > summary');
    return {summary: summary ? summary.textContent : null, closed, text: text.slice(0, 80),
            hiddenWhenClosed, shownWhenOpen};
  });
}
"""


@pytest.fixture(scope="session")
def browser_results(seed_run):
    """Open every seed report in headless Chromium once; keep the checks and screenshots.

    Full-page screenshots go to ``screenshots/`` of the run's output folder and are copied to
    ``reports/screenshots/`` of the project for a person to look at.
    """
    from playwright.sync_api import sync_playwright

    shots = seed_run.out_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    results = {}
    with sync_playwright() as pw:
        browser = browser_tools.launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url[:80]}"))
        page.on(
            "request",
            lambda r: (
                r.url.startswith(("file:", "data:", "blob:"))
                or problems.append(f"network: {r.url}")
            ),
        )
        for path in _report_pages(seed_run):
            problems.clear()
            page.goto(path.as_uri(), wait_until="load")
            checks = page.evaluate(_PAGE_CHECK)
            checks["details"] = page.evaluate(_DETAILS_CHECK)
            checks["order"] = [
                (anchor, page.evaluate(_WORD_POSITIONS, [anchor, needles]))
                for name, anchor, needles, _ in READING_ORDER
                if name == path.name
            ]
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
            checks["layout"] = {1280: page.evaluate(_LAYOUT_CHECK)}
            page.set_viewport_size({"width": 1024, "height": 768})  # a projector
            checks["layout"][1024] = page.evaluate(_LAYOUT_CHECK)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=True)
            results[path.name] = {**checks, "problems": list(problems)}
        browser.close()
    # Also where a person looks after `make test` (reports/ is generated and ignored by git).
    keep = paths.REPORTS_DIR / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    for png in shots.glob("*.png"):
        shutil.copy2(png, keep / png.name)
    return results


# Arabic letters beyond the basic alphabet: DejaVu Sans lacks the first and the last two.
EXTENDED_ARABIC = "\u0671\u067e\u0686\u0698\u06a4\u06af\u06cc\u06c1\u06d2"
# Where a report shows Arabic: an Arabic paragraph, English prose, a table cell, code, output.
FONT_CONTEXTS = (
    '.jp-RenderedHTMLCommon [dir="rtl"]',
    ".jp-MarkdownCell p:not([dir])",
    "td",
    ".jp-CodeCell .jp-InputArea pre",
    ".jp-RenderedText pre",
)


def _families_with_glyph(char: str) -> set[str]:
    """The installed font families that have a glyph for ``char`` (fontconfig's charset)."""
    out = subprocess.run(
        ["fc-list", f":charset={ord(char):04x}", "family"], capture_output=True, text=True
    ).stdout
    return {name for line in out.splitlines() for name in line.split(",")}


@pytest.fixture(scope="session")
def rendered_fonts(seed_run):
    """{(context, letter): font families Chromium drew it with}, in report 02, read through
    the DevTools protocol (the fonts actually used, after fallback)."""
    from playwright.sync_api import sync_playwright

    report = seed_run.out_dir / "02-clean-arabic.html"
    found = {}
    with sync_playwright() as pw:
        browser = browser_tools.launch(pw)
        page = browser.new_page()
        page.goto(report.as_uri(), wait_until="load")
        probes = page.evaluate(
            """([contexts, letters]) => {
              const made = [];
              contexts.forEach((sel, i) => {
                const host = document.querySelector(sel);
                if (!host) return;
                [...letters].forEach((ch, j) => {
                  const span = document.createElement('span');
                  span.id = `glyph-${i}-${j}`;
                  span.textContent = ch;
                  host.appendChild(span);
                  made.push([sel, ch, span.id]);
                });
              });
              return made;
            }""",
            [list(FONT_CONTEXTS), EXTENDED_ARABIC],
        )
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        for context, letter, span_id in probes:
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"#{span_id}"})
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            found[(context, letter)] = {f["familyName"] for f in fonts}
        browser.close()
    return found


@pytest.mark.slow
class TestArabicFonts:
    def test_every_context_of_the_report_was_probed(self, rendered_fonts):
        assert {context for context, _ in rendered_fonts} == set(FONT_CONTEXTS)

    @pytest.mark.skipif(not browser_tools.fontconfig(), reason="needs fontconfig's fc-list (Linux)")
    def test_extended_arabic_letters_are_drawn_with_a_font_that_has_them(self, rendered_fonts):
        tofu = {
            f"U+{ord(letter):04X} in {context}: {sorted(families)}"
            for (context, letter), families in rendered_fonts.items()
            if not families or not families <= _families_with_glyph(letter)
        }
        assert not tofu

    def test_arabic_paragraphs_use_the_full_coverage_font_named_in_the_css(self, rendered_fonts):
        used = {
            family
            for (context, _), families in rendered_fonts.items()
            if "rtl" in context
            for family in families
        }
        assert used == {"Noto Naskh Arabic"}


@pytest.mark.slow
class TestReportsInChromium:
    def test_every_report_was_opened(self, seed_run, browser_results):
        assert set(browser_results) == {p.name for p in _report_pages(seed_run)}

    def test_arabic_paragraphs_and_table_cells_compute_right_to_left(self, browser_results):
        wrong = {name: r["wrong"] for name, r in browser_results.items() if r["wrong"]}
        assert not wrong

    def test_arabic_text_was_found_to_check(self, browser_results):
        assert sum(r["arabic"] for r in browser_results.values()) > 20
        assert sum(r["english"] for r in browser_results.values()) > 5

    def test_code_cells_compute_left_to_right(self, browser_results):
        assert sum(r["code"] for r in browser_results.values()) > 0
        assert all(r["codeWrong"] == 0 for r in browser_results.values())

    def test_every_image_loaded(self, browser_results):
        broken = {name: r["broken"] for name, r in browser_results.items() if r["broken"]}
        assert not broken

    def test_no_console_errors_and_no_network_requests(self, browser_results):
        problems = {name: r["problems"] for name, r in browser_results.items() if r["problems"]}
        assert not problems

    @pytest.mark.parametrize(
        ("name", "anchor", "needles", "direction"), READING_ORDER, ids=[c[1] for c in READING_ORDER]
    )
    def test_mixed_blocks_read_in_the_right_order(
        self, browser_results, name, anchor, needles, direction
    ):
        found = dict(browser_results[name]["order"])[anchor]
        assert found and "xs" in found, found
        assert found["dir"] == direction
        assert found["xs"] == sorted(found["xs"]), f"{needles} at {found['xs']}"

    @pytest.mark.parametrize("width", [1280, 1024])
    def test_no_table_hides_columns_behind_a_scroll_bar(self, browser_results, width):
        wide = {n: r["layout"][width]["wide"] for n, r in browser_results.items()}
        assert not {n: w for n, w in wide.items() if w}

    @pytest.mark.parametrize("width", [1280, 1024])
    def test_concordance_lines_keep_the_keyword_with_its_neighbours(self, browser_results, width):
        rows = [row for r in browser_results.values() for row in r["layout"][width]["kwic"]]
        assert len(rows) >= 5, "the seed reports show concordances"
        for key in ("oneLine", "beforeVisible", "afterVisible", "beforeNext", "afterNext"):
            bad = [row["text"] for row in rows if not row[key]]
            assert not bad, f"{key}: {bad[:3]}"

    def test_every_solution_is_folded_closed_inside_its_details(self, browser_results):
        folds = [(name, d) for name, r in browser_results.items() for d in r["details"]]
        written = sum(
            c.source.count("<details")
            for path in notebooks.list_notebooks()
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "markdown"
        )
        assert written > 0 and len(folds) == written, "one fold in the reports per fold written"
        for name, d in folds:
            assert d["summary"] and d["summary"].startswith("Solution"), (name, d)
            assert d["closed"], f"{name}: {d['summary']} is open as the page loads"
            assert d["text"], f"{name}: {d['summary']} folds nothing"
            assert d["hiddenWhenClosed"] and d["shownWhenOpen"], (name, d)

    def test_a_screenshot_per_report_is_saved_for_a_person_to_look_at(
        self, seed_run, browser_results
    ):
        shots = {p.stem for p in (seed_run.out_dir / "screenshots").glob("*.png")}
        assert shots == {Path(name).stem for name in browser_results}


@pytest.fixture(scope="module")
def concordance(seed_run):
    """Notebook 04's sortable concordance (its first sortable table) in Chromium, before and
    after a sort and a filter."""
    from playwright.sync_api import sync_playwright

    report = seed_run.out_dir / "04-frame-discourse.html"
    found = {"network": []}
    with sync_playwright() as pw:
        browser = browser_tools.launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "request",
            lambda r: (
                r.url.startswith(("file:", "data:", "blob:")) or found["network"].append(r.url)
            ),
        )
        page.goto(report.as_uri(), wait_until="load")
        table = ".sortable-table table.dataTable"
        page.wait_for_selector(table, timeout=15000)
        first = f"document.querySelector('{table}')"
        rows = f"[...{first}.querySelectorAll('tbody tr')]"

        def column(n: int) -> list[str]:
            return page.evaluate(f"() => {rows}.map(r => r.children[{n}].innerText)")

        heads = page.evaluate(
            f"() => [...{first}.querySelectorAll('thead th')].map(t => t.innerText)"
        )
        found["heads"] = [h.strip() for h in heads]
        found["direction"] = page.evaluate(f"() => getComputedStyle({first}).direction")
        found["before"] = column(found["heads"].index("1R"))
        header = page.locator(table).first.locator("thead th", has_text="1R").first
        header.click()
        page.wait_for_function(
            "(th) => th.getAttribute('aria-sort') === 'ascending'", arg=header.element_handle()
        )
        found["sorted"] = column(found["heads"].index("1R"))
        page.locator(".sortable-table input[type=search]").first.fill("الخارجية")
        page.wait_for_timeout(300)
        found["filtered"] = page.evaluate(f"() => {rows}.map(r => r.innerText)")
        browser.close()
    return found


@pytest.mark.slow
class TestSortableTables:
    """The concordance of notebook 04 in Chromium: sorted by the word after the hit, filtered
    by a term, right to left, with nothing fetched from the network."""

    def test_a_click_on_1R_sorts_the_lines_by_the_word_after_the_hit(self, concordance):
        assert concordance["heads"][:5] == ["before", "hit", "after", "1L", "1R"]
        assert concordance["sorted"] == sorted(concordance["sorted"])
        assert concordance["sorted"] != concordance["before"], "the lines were already sorted"

    def test_typing_a_term_keeps_only_the_lines_that_hold_it(self, concordance):
        rows = concordance["filtered"]
        assert rows and all("الخارجية" in row for row in rows)

    def test_the_table_reads_right_to_left_and_fetches_nothing(self, concordance):
        assert concordance["direction"] == "rtl" and not concordance["network"]
