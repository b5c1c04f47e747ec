"""Bring your own corpus: the whole main job on a generated folder of a few hundred articles.

The folder mixes articles with datelines in several conventions, articles without any, and
the bad files a real collection has (empty, whitespace only, Windows-1256, a byte-order mark,
CRLF line ends, zero-width characters, binary bytes named .txt, a picture, a hidden file).
The reports runner executes every notebook on it; the load report must account for every
file on disk. The benchmark's ``--quick`` mode runs as a smoke test (nothing is timed).
"""

from __future__ import annotations

import random
import shutil
import warnings

import pandas as pd
import pytest

from helpers import arabic, corpus, paths
from reports import job, notebooks

pytestmark = pytest.mark.slow

N_GOOD = 240
# One dateline per convention the loader documents; None = no dateline at all.
DATELINES = [
    "بكين 10 يناير 2022 (شينخوا) ",
    "الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس\n",
    "موسكو 3 مارس 2022 (رويترز) ",
    "عمان، الأحد 3 تشرين الأول 2021 (بترا) - ",
    "تونس 05/04/2021 (وات) - ",
    "أستانا ١٢ يناير ٢٠٢٢ (شينخوا) ",
    None,
    None,
]
# file name -> bytes: each one a problem the loader must report, not lose.
CORPUS_NAME = "byo-pytest-corpus"


def _sentences() -> list[str]:
    out = []
    for path in sorted(paths.SEEDS_DIR.glob("*.txt")):
        out += arabic.split_sentences(path.read_text(encoding="utf-8"))
    return out


def make_corpus(folder, n_good: int = N_GOOD, seed: int = 8) -> dict[str, str]:
    """Write the test corpus; return {relative file name: what the loader should say}."""
    rng = random.Random(seed)
    sentences = _sentences()
    expected = {}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "batch2").mkdir(exist_ok=True)
    for i in range(n_good):
        body = "\n".join(rng.sample(sentences, rng.randint(3, 9)))
        dateline = DATELINES[i % len(DATELINES)]
        name = f"{'batch2/' if i % 5 == 0 else ''}article-{i:04d}.txt"
        (folder / name).write_text((dateline or "") + body, encoding="utf-8")
        expected[name] = "loaded"
    text = "بكين 10 يناير 2022 (شينخوا) قال وانغ يي إن الصين تدعم استقرار كازاخستان."
    bad = {
        "empty.txt": (b"", "rejected"),
        "spaces.txt": (b"  \n\t \r\n ", "rejected"),
        "windows-1256.txt": (text.encode("cp1256"), "cleaned"),
        "bom.txt": ("\ufeff" + text).encode("utf-8"),
        "crlf.txt": text.replace("،", "\r\n").encode("utf-8") + b"\r\n",
        "zero-width.txt": text.replace("وانغ يي", "وانغ\u200b يي\u200f").encode("utf-8"),
        "binary.txt": (bytes(range(256)) * 8, "rejected"),
        "picture.png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "skipped"),
        ".DS_Store": (b"\x00\x00\x00\x01Bud1", "skipped"),
    }
    for name, value in bad.items():
        data, status = value if isinstance(value, tuple) else (value, "cleaned")
        (folder / name).write_bytes(data)
        expected[name] = status
    return expected


def _files(folder) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def byo(tmp_path_factory):
    """The generated corpus and one run of the whole main job on it."""
    root = tmp_path_factory.mktemp("byo")
    folder = root / CORPUS_NAME
    expected = make_corpus(folder)
    out_root = root / "reports"
    seed_reports = {p: p.stat().st_mtime_ns for p in paths.REPORTS_DIR.glob("*.html")}
    processed = paths.PROCESSED_DIR / paths.corpus_slug(folder)
    try:
        result = job.run(corpus=folder, out_dir=out_root, log=None)
        yield {
            "folder": folder,
            "expected": expected,
            "result": result,
            "out_root": out_root,
            "seed_reports": seed_reports,
            "processed": processed,
            "tidy_rows": _tidy_rows(processed),
        }
    finally:
        if processed.is_dir() and processed.name == paths.corpus_slug(folder):
            shutil.rmtree(processed)  # only this test corpus's tables


def _tidy_rows(processed) -> int | None:
    tidy = sorted(processed.glob("articles*.csv")) if processed.is_dir() else []
    return len(pd.read_csv(tidy[0])) if tidy else None


class TestWholeJobOnUserCorpus:
    def test_every_notebook_ran_without_error(self, byo):
        failures = [f.message() for f in byo["result"].failures]
        assert byo["result"].ok, "\n".join(failures)

    def test_every_notebook_in_the_folder_was_run(self, byo):
        ran = {r.notebook.name for r in byo["result"].notebooks}
        assert ran == {p.name for p in notebooks.list_notebooks()}

    def test_reports_go_to_the_corpus_own_folder(self, byo):
        out = byo["result"].out_dir
        assert out == byo["out_root"] / paths.corpus_slug(byo["folder"])
        assert all(r.report == out / f"{r.notebook.stem}.html" for r in byo["result"].notebooks)
        assert all(r.report.is_file() for r in byo["result"].notebooks)

    def test_no_seed_report_is_written_at_the_reports_root(self, byo):
        assert not list(byo["out_root"].glob("*.html"))

    def test_the_project_seed_reports_are_untouched(self, byo):
        now = {p: p.stat().st_mtime_ns for p in paths.REPORTS_DIR.glob("*.html")}
        assert {p: now.get(p) for p in byo["seed_reports"]} == byo["seed_reports"]

    def test_notebook_01_wrote_one_tidy_row_per_loaded_article(self, byo):
        loaded = [s for s in byo["expected"].values() if s in ("loaded", "cleaned")]
        assert byo["tidy_rows"] == len(loaded)


@pytest.fixture(scope="module")
def report(byo):
    """The loader's report on the generated folder (its warnings are tested in test_corpus)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", corpus.CorpusWarning)
        return corpus.load_with_report(byo["folder"])[1]


class TestLoadReportAccountsForEveryFile:
    def test_one_report_row_per_file_on_disk(self, byo, report):
        assert sorted(report["file"]) == _files(byo["folder"])

    def test_every_file_has_the_status_its_problem_calls_for(self, byo, report):
        got = dict(zip(report["file"], report["status"], strict=True))
        assert got == byo["expected"]

    def test_every_file_not_loaded_as_is_has_a_reason(self, report):
        assert (report.loc[report["status"] != "loaded", "reason"].str.len() > 0).all()

    def test_articles_with_and_without_datelines_are_both_present(self, byo):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", corpus.CorpusWarning)
            articles = corpus.load_corpus(byo["folder"])
        sources = set(articles["date_source"])
        assert {"dateline", "none"} <= sources
