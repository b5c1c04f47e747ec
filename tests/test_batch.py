"""``python -m batch``: the tables of a block-by-block run equal the helpers' in one process.

The reference is what the notebooks compute on the whole corpus at once
(``corpus.load_with_report``, ``frames.frame_hits``/``frame_rates``/``corpus_rates``,
``terms.top_terms(terms.build_matrix(...))``). Each corpus is run in process and on a
``LocalCluster`` of two worker processes, with blocks small enough that there are several.
The SaudiNewsNet sample is read in place (:func:`helpers.paths.saudinewsnet_path`) and
skipped when the corpus is absent.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import corpus, frames, paths, terms

pytest.importorskip("dask", reason="batch runs need the 'scale' extra (dask, distributed)")
from batch import partitions, pipeline  # only once dask is known to be there

SAMPLE_SIZE, SAMPLE_SEED = 3000, 18
TABLES = [*pipeline.PART_TABLES, "corpus_frame_rates", "document_frequencies"]


def reference(source) -> dict[str, pd.DataFrame]:
    """Every table as the notebooks' helpers give it on the whole corpus in one process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        articles, report = corpus.load_with_report(source)
        hits = frames.frame_hits(articles)
        rates = frames.frame_rates(articles, hits)
        tm = terms.build_matrix(articles)
    counts = tm.counts.tocsr()
    return {
        "articles": articles,
        "load_report": report,
        "frame_hits": hits,
        "frame_rates": rates,
        "top_terms": terms.top_terms(tm),
        "corpus_frame_rates": frames.corpus_rates(rates),
        "document_frequencies": pd.DataFrame(
            {
                "term": tm.vocabulary,
                "ngram": tm.ngram,
                "df": np.bincount(counts.indices, minlength=counts.shape[1]),
                "count": np.asarray(counts.sum(axis=0)).ravel(),
            }
        ),
    }


def written(out: Path) -> dict[str, pd.DataFrame]:
    return {table: corpus.read_batch(out, table) for table in TABLES}


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as Parquet stores it, every cell a Python value (None when missing)."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    frame = table.to_pandas()
    return frame.astype(object).where(frame.notna(), None)


def assert_same_tables(got: dict, expected: dict) -> None:
    for name in TABLES:
        assert len(got[name]) == len(expected[name]), name
        pd.testing.assert_frame_equal(
            plain(got[name]), plain(expected[name]), check_exact=True, obj=name
        )


def run(source, out: Path, scheduler=None, size: int = 2) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(source, out, scheduler_spec=scheduler, partition_size=size)


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes, closed after the tests;
    fails if any of its processes outlives it."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        pids = list(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
        yield client
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert not alive, f"worker processes left behind: {alive}"


@pytest.fixture(scope="module")
def seeds_reference():
    return reference(None)


class TestSeeds:
    def test_in_process_equals_the_helpers(self, tmp_path, seeds_reference):
        manifest = run(None, tmp_path)
        assert len(manifest["partitions"]) == 3
        assert_same_tables(written(tmp_path), seeds_reference)

    @pytest.mark.slow
    def test_local_cluster_equals_the_helpers(self, tmp_path, cluster, seeds_reference):
        manifest = run(None, tmp_path, cluster)
        assert len(manifest["partitions"]) == 3
        assert_same_tables(written(tmp_path), seeds_reference)


def _write_jsonl(path: Path, rows: list) -> None:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")


def _seed_rows() -> list[dict]:
    articles, _ = corpus.load_with_report()
    return [{"id": i, "text": t} for i, t in zip(articles["id"], articles["text"], strict=True)]


class TestBlocksOfOneFile:
    def test_bad_records_and_repeated_ids_across_blocks_are_reported_as_in_one_process(
        self, tmp_path
    ):
        rows = _seed_rows()
        messy = [
            rows[0],
            "",  # a blank line: no record, but the line numbers after it count it
            "{not json",
            {"id": "no-text"},
            rows[1],
            {**rows[2], "id": rows[0]["id"]},  # repeats record 1, from another block
            {"text": "بلا معرف"},
            rows[3],
            {"id": rows[1]["id"], "text": "  "},  # repeats record 5 and is blank
            rows[4],
        ]
        source = tmp_path / "messy.jsonl.gz"
        _write_jsonl(source, messy)
        manifest = run(source, tmp_path / "out", size=3)
        assert len(manifest["partitions"]) == 4
        got = written(tmp_path / "out")
        assert_same_tables(got, reference(source))
        report = got["load_report"].set_index("record")
        assert report.loc[6, "reason"] == "id repeats record 1"
        assert manifest["counts"]["records"] == len(report) == 9

    def test_parquet_row_groups_are_blocks(self, tmp_path):
        source = tmp_path / "seeds.parquet"
        pq.write_table(pa.Table.from_pylist(_seed_rows()), source, row_group_size=2)
        manifest = run(source, tmp_path / "out", size=2)
        assert [p.get("row_groups") for p in manifest["partitions"]] == [1, 1, 1]
        assert_same_tables(written(tmp_path / "out"), reference(source))

    def test_a_folder_of_txt_files_is_cut_into_blocks_of_files(self, tmp_path):
        folder = tmp_path / "texts"
        folder.mkdir()
        for row in _seed_rows():
            (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
        (folder / "notes.md").write_text("not an article", encoding="utf-8")
        manifest = run(folder, tmp_path / "out", size=4)
        assert len(manifest["partitions"]) == 2
        assert_same_tables(written(tmp_path / "out"), reference(folder))

    def test_a_csv_file_is_read_whole_as_in_one_process(self, tmp_path):
        source = tmp_path / "seeds.csv"
        pd.DataFrame(_seed_rows()).to_csv(source, index=False)
        manifest = run(source, tmp_path / "out", size=2)
        assert [p["kind"] for p in manifest["partitions"]] == ["whole"]
        assert_same_tables(written(tmp_path / "out"), reference(source))

    @pytest.mark.parametrize("encoding", ["cp1256", "utf-16", "utf-16-le"])
    def test_a_jsonl_file_not_in_utf8_is_read_whole_and_decoded_as_in_one_process(
        self, tmp_path, encoding
    ):
        source = tmp_path / "wire.jsonl"
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in _seed_rows()[:3])
        source.write_bytes(text.encode(encoding))
        manifest = run(source, tmp_path / "out", size=1)
        assert [p["kind"] for p in manifest["partitions"]] == ["whole"]
        assert_same_tables(written(tmp_path / "out"), reference(source))


class TestFolderOfTables:
    def test_an_id_repeated_in_another_file_is_rejected_naming_that_file(self, tmp_path):
        rows = _seed_rows()
        folder = tmp_path / "wire"
        folder.mkdir()
        _write_jsonl(folder / "a.jsonl.gz", rows[:3])
        _write_jsonl(folder / "b.jsonl.gz", [{**rows[3], "id": rows[0]["id"]}, rows[4]])
        manifest = run(folder, tmp_path / "out", size=2)
        report = corpus.read_batch(tmp_path / "out", "load_report")
        assert report["file"].tolist() == ["a.jsonl.gz"] * 3 + ["b.jsonl.gz"] * 2
        assert report["reason"].iloc[3] == "id repeats a.jsonl.gz record 1"
        assert manifest["counts"]["articles"] == 4


class TestPlan:
    def test_a_jsonl_file_is_cut_into_blocks_of_lines(self, tmp_path):
        source = tmp_path / "a.jsonl"
        source.write_text("\n".join(["{}"] * 7), encoding="utf-8")
        parts = partitions.plan(source, 3, lambda files: [partitions.index_file(*f) for f in files])
        assert [(p.first, p.size) for p in parts] == [(0, 3), (3, 3), (6, 1)]

    def test_a_csv_file_is_one_block(self, tmp_path):
        source = tmp_path / "a.csv"
        source.write_text("id,text\na,نص\n", encoding="utf-8")
        parts = partitions.plan(source, 1, lambda files: [partitions.index_file(*f) for f in files])
        assert [p.kind for p in parts] == ["whole"]


class TestNotebooksReadTheTables:
    def test_corpus_set_to_the_out_folder_loads_the_batch_articles(self, tmp_path, seeds_reference):
        run(None, tmp_path)
        articles, report = corpus.load_with_report(tmp_path)
        assert_same_tables(
            {**written(tmp_path), "articles": articles, "load_report": report}, seeds_reference
        )
        assert (
            corpus.load_corpus(tmp_path)["id"].tolist()
            == seeds_reference["articles"]["id"].tolist()
        )

    def test_the_default_path_imports_no_dask(self):
        code = (
            "import sys; from helpers import corpus, frames, terms, timeline, plots; "
            "corpus.load_corpus(); sys.exit('dask' in sys.modules or 'distributed' in sys.modules)"
        )
        env = {**os.environ, "PYTHONPATH": str(paths.PROJECT_ROOT / "src")}
        assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0

    @pytest.mark.slow
    def test_every_notebook_runs_on_the_out_folder_of_a_batch_run(self, tmp_path):
        out = tmp_path / "seeds-batch"
        run(None, out)
        env = {**os.environ, "PYTHONPATH": str(paths.PROJECT_ROOT / "src")}
        command = [sys.executable, "-m", "reports", "--corpus", str(out), "--out", str(tmp_path)]
        try:
            done = subprocess.run(
                command, env=env, cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                timeout=600, check=False,
            )  # fmt: skip
        finally:
            shutil.rmtree(paths.PROCESSED_DIR / paths.corpus_slug(out), ignore_errors=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "6/6 notebooks ok" in done.stdout


class TestCommandLine:
    def test_python_m_batch_writes_every_table_and_the_manifest(self, tmp_path):
        env = {**os.environ, "PYTHONPATH": str(paths.PROJECT_ROOT / "src")}
        done = subprocess.run(
            [sys.executable, "-m", "batch", "--out", str(tmp_path), "--partition-size", "2"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        manifest = json.loads((tmp_path / corpus.BATCH_MANIFEST).read_text("utf-8"))
        assert manifest["counts"]["articles"] == 5 and manifest["scheduler"] == "in process"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A fixed-seed sample of SaudiNewsNet articles, written as .jsonl.gz to a temporary folder."""
    real = paths.saudinewsnet_path()
    if not real.is_file():
        pytest.skip(f"{real} not found (set ${paths.SAUDINEWSNET_ENV} to SaudiNewsNet 2015)")
    with gzip.open(real, "rt", encoding="utf-8") as stream:
        lines = [line for line in stream if line.strip()]
    picked = sorted(random.Random(SAMPLE_SEED).sample(range(len(lines)), SAMPLE_SIZE))
    path = tmp_path_factory.mktemp("saudinewsnet") / "sample.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.writelines(lines[i] for i in picked)
    return path


@pytest.fixture(scope="module")
def sample_reference(sample):
    return reference(sample)


@pytest.mark.slow
class TestSaudiNewsNetSample:
    def test_in_process_equals_the_helpers(self, sample, sample_reference, tmp_path):
        manifest = run(sample, tmp_path, size=700)
        assert len(manifest["partitions"]) == 5
        assert manifest["counts"]["records"] == SAMPLE_SIZE
        assert_same_tables(written(tmp_path), sample_reference)

    def test_local_cluster_equals_the_helpers(self, sample, sample_reference, cluster, tmp_path):
        manifest = run(sample, tmp_path, cluster, size=700)
        assert len(manifest["partitions"]) == 5
        assert_same_tables(written(tmp_path), sample_reference)
