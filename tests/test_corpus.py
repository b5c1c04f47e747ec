"""Tests for helpers.corpus: dateline parsing, loading, bad input, seeds and curated metadata."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import warnings

import matplotlib
import pandas as pd
import pytest

from helpers import corpus, paths, plots
from helpers.corpus import CorpusError, CorpusWarning, SeedChecksumError
from helpers.datelines import parse_dateline

matplotlib.use("Agg")

D = dt.date


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


ARTICLE = (
    "القاهرة 3 مارس 2021 (أ ش أ) قال وزير الخارجية إن المحادثات كانت مثمرة.\n"
    "وأضاف أن الجانبين اتفقا."
)


class TestLoadCorpus:
    def test_seed_corpus_has_five_articles_with_the_contract_columns(self):
        articles = corpus.load_corpus()
        assert len(articles) == 5
        assert list(articles.columns[: len(corpus.COLUMNS)]) == corpus.COLUMNS

    def test_date_is_a_datetime_column(self):
        assert pd.api.types.is_datetime64_any_dtype(corpus.load_corpus()["date"])

    def test_date_source_values_are_from_the_contract(self):
        assert set(corpus.load_corpus()["date_source"]) <= set(corpus.DATE_SOURCES)

    def test_word_count_ignores_lone_punctuation(self, tmp_path):
        write(tmp_path / "a.txt", "كلمة واحدة ، ثم - كلمتان .".encode())
        assert corpus.load_corpus(tmp_path)["n_words"].iloc[0] == 4

    def test_paragraphs_are_non_blank_lines(self, tmp_path):
        write(tmp_path / "a.txt", "فقرة أولى.\n\n\nفقرة ثانية.\n  \nفقرة ثالثة.".encode())
        assert corpus.load_corpus(tmp_path)["n_paragraphs"].iloc[0] == 3

    def test_folder_of_txt_files_takes_metadata_from_datelines(self, tmp_path):
        write(tmp_path / "one.txt", ARTICLE.encode())
        write(tmp_path / "sub" / "two.txt", "نص بلا خط تاريخ ولا مكان.".encode())
        articles = corpus.load_corpus(tmp_path).set_index("id")
        assert articles.loc["one", ["place", "agency", "outlet", "date_source"]].tolist() == [
            "القاهرة",
            "أ ش أ",
            "MENA",
            "dateline",
        ]
        assert articles.loc["one", "date"] == pd.Timestamp("2021-03-03")
        assert articles.loc["sub/two", "date_source"] == "none"
        assert pd.isna(articles.loc["sub/two", "date"])

    def test_single_txt_file_is_a_corpus_of_one(self, tmp_path):
        path = write(tmp_path / "story.txt", ARTICLE.encode())
        assert corpus.load_corpus(path)["id"].tolist() == ["story"]

    def test_csv_with_metadata_columns_uses_them(self, tmp_path):
        frame = pd.DataFrame(
            {
                "id": ["a"],
                "text": [ARTICLE],
                "date": ["2021-03-04"],
                "title": ["عنوان"],
                "source": ["Al-Ahram"],
                "url": ["http://x"],
            }
        )
        frame.to_csv(tmp_path / "c.csv", index=False)
        row = corpus.load_corpus(tmp_path / "c.csv").iloc[0]
        assert (row["date"], row["date_source"]) == (pd.Timestamp("2021-03-04"), "metadata")
        assert (row["headline"], row["outlet"], row["url"]) == ("عنوان", "Al-Ahram", "http://x")

    def test_jsonl_gz_is_read(self, tmp_path):
        lines = [json.dumps({"id": f"r{i}", "text": ARTICLE}, ensure_ascii=False) for i in range(3)]
        path = write(tmp_path / "c.jsonl.gz", gzip.compress("\n".join(lines).encode()))
        assert corpus.load_corpus(path)["id"].tolist() == ["r0", "r1", "r2"]

    def test_missing_source_is_an_error_naming_it(self, tmp_path):
        with pytest.raises(CorpusError, match="nowhere"):
            corpus.load_corpus(tmp_path / "nowhere")

    def test_unsupported_file_type_is_an_error_naming_it(self, tmp_path):
        path = write(tmp_path / "c.docx", b"x")
        with pytest.raises(CorpusError, match=r"c\.docx: unsupported"):
            corpus.load_corpus(path)

    def test_strict_mode_raises_when_a_file_is_rejected(self, tmp_path):
        write(tmp_path / "good.txt", ARTICLE.encode())
        write(tmp_path / "empty.txt", b"")
        with pytest.warns(CorpusWarning), pytest.raises(CorpusError, match=r"empty\.txt"):
            corpus.load_corpus(tmp_path, strict=True)

    def test_changed_seed_stops_loading(self, tmp_path, monkeypatch):
        seeds = tmp_path / "seeds"
        shutil.copytree(paths.SEEDS_DIR, seeds)
        (seeds / "002_1934d671e7ea1070.txt").write_text("نص آخر", encoding="utf-8")
        monkeypatch.setattr(paths, "SEEDS_DIR", seeds)
        with pytest.raises(SeedChecksumError, match=r"002_1934d671e7ea1070\.txt"):
            corpus.load_corpus()


class TestLoadWithReport:
    def test_report_has_one_row_per_file_including_skipped_ones(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "b.txt", b"   \n\t ")
        write(tmp_path / "notes.md", b"# notes")
        with pytest.warns(CorpusWarning):
            articles, report = corpus.load_with_report(tmp_path)
        assert list(report.columns) == corpus.REPORT_COLUMNS
        assert sorted(report["file"]) == ["a.txt", "b.txt", "notes.md"]
        assert report.set_index("file")["status"].to_dict() == {
            "a.txt": "loaded",
            "b.txt": "rejected",
            "notes.md": "skipped",
        }
        assert len(articles) == 1

    def test_windows_1256_file_is_decoded_with_a_warning_naming_it(self, tmp_path):
        write(tmp_path / "win.txt", ARTICLE.encode("cp1256"))
        with pytest.warns(CorpusWarning, match=r"win\.txt: decoded as Windows-1256.*UTF-8"):
            articles, report = corpus.load_with_report(tmp_path)
        assert articles["text"].iloc[0] == ARTICLE
        assert report["status"].iloc[0] == "cleaned"

    def test_latin_text_that_is_not_utf8_is_rejected_naming_the_file(self, tmp_path):
        write(tmp_path / "good.txt", ARTICLE.encode())
        write(tmp_path / "french.txt", "Le ministre a déclaré à Pékin".encode("latin-1"))
        with pytest.warns(CorpusWarning, match=r"french\.txt: rejected"):
            _, report = corpus.load_with_report(tmp_path)
        row = report.set_index("file").loc["french.txt"]
        assert row["status"] == "rejected" and "UTF-8" in row["reason"]

    def test_a_single_undecodable_file_is_one_clear_error(self, tmp_path):
        path = write(tmp_path / "bin.txt", bytes(range(256)))
        with pytest.warns(CorpusWarning), pytest.raises(CorpusError, match="no article"):
            corpus.load_with_report(path)

    def test_utf16_file_is_decoded_with_a_warning(self, tmp_path):
        write(tmp_path / "u16.txt", ARTICLE.encode("utf-16"))
        with pytest.warns(CorpusWarning, match=r"u16\.txt: decoded as UTF-16"):
            articles = corpus.load_corpus(tmp_path)
        assert articles["text"].iloc[0] == ARTICLE

    def test_empty_file_is_rejected_as_empty(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "empty.txt", b"")
        with pytest.warns(CorpusWarning, match=r"empty\.txt: rejected"):
            _, report = corpus.load_with_report(tmp_path)
        assert report.set_index("file").loc["empty.txt", "reason"] == "empty"

    def test_whitespace_only_file_is_rejected_with_that_reason(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "blank.txt", " \r\n\u200f\t\n".encode())
        with pytest.warns(CorpusWarning, match=r"blank\.txt"):
            _, report = corpus.load_with_report(tmp_path)
        assert report.set_index("file").loc["blank.txt", "reason"] == "whitespace only"

    def test_bom_is_stripped_with_a_warning(self, tmp_path):
        write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode())
        with pytest.warns(CorpusWarning, match=r"bom\.txt: removed a byte-order mark"):
            articles = corpus.load_corpus(tmp_path)
        assert articles["text"].iloc[0] == ARTICLE
        assert articles["place"].iloc[0] == "القاهرة"

    def test_crlf_line_ends_are_normalised_with_a_warning(self, tmp_path):
        write(tmp_path / "dos.txt", ARTICLE.replace("\n", "\r\n").encode())
        with pytest.warns(CorpusWarning, match=r"dos\.txt: CRLF"):
            articles = corpus.load_corpus(tmp_path)
        assert "\r" not in articles["text"].iloc[0]
        assert articles["n_paragraphs"].iloc[0] == 2

    def test_invisible_characters_are_removed_and_counted(self, tmp_path):
        text = "\u200fالقاهرة 3 مارس 2021 (أ ش أ) قال\u200b الوزير\u202b إن\u202c المحادثات مثمرة."
        write(tmp_path / "bidi.txt", text.encode())
        with pytest.warns(CorpusWarning, match=r"bidi\.txt: removed 4 invisible"):
            articles = corpus.load_corpus(tmp_path)
        assert (
            articles["text"].iloc[0] == "القاهرة 3 مارس 2021 (أ ش أ) قال الوزير إن المحادثات مثمرة."
        )

    def test_duplicate_ids_keep_the_first_and_reject_the_rest(self, tmp_path):
        frame = pd.DataFrame({"id": ["x", "y", "x"], "text": ["نص أول", "نص ثان", "نص ثالث"]})
        frame.to_csv(tmp_path / "dup.csv", index=False)
        with pytest.warns(CorpusWarning, match=r"dup\.csv: rejected.*unique id"):
            articles, report = corpus.load_with_report(tmp_path / "dup.csv")
        assert articles.set_index("id").loc["x", "text"] == "نص أول"
        assert report["status"].tolist() == ["loaded", "loaded", "rejected"]
        assert report["reason"].iloc[2] == "id repeats record 1"

    def test_csv_rows_with_missing_text_are_rejected(self, tmp_path):
        (tmp_path / "m.csv").write_text("id,text\na,نص\nb,\n", encoding="utf-8")
        with pytest.warns(CorpusWarning, match=r"m\.csv: rejected.*record 2"):
            _, report = corpus.load_with_report(tmp_path / "m.csv")
        assert report.set_index("id").loc["b", "status"] == "rejected"

    def test_jsonl_bad_lines_and_missing_text_are_each_accounted_for(self, tmp_path):
        lines = [
            '{"id": "a", "text": "نص"}',
            "{broken",
            '{"id": "b"}',
            '{"id": "c", "text": null}',
            "[1, 2]",
        ]
        (tmp_path / "j.jsonl").write_text("\n".join(lines), encoding="utf-8")
        with pytest.warns(CorpusWarning):
            _articles, report = corpus.load_with_report(tmp_path / "j.jsonl")
        assert report["record"].tolist() == [1, 2, 3, 4, 5]
        assert report["status"].tolist() == ["loaded"] + ["rejected"] * 4
        assert report["reason"].tolist()[1:] == [
            "not valid JSON (Expecting property name enclosed in double quotes)",
            "missing text",
            "missing text",
            "not a JSON object",
        ]

    def test_csv_without_text_column_is_an_error_naming_it(self, tmp_path):
        (tmp_path / "t.csv").write_text("id,body\na,نص\n", encoding="utf-8")
        with pytest.raises(CorpusError, match=r"t\.csv: no `text` column"):
            corpus.load_with_report(tmp_path / "t.csv")

    def test_csv_without_id_column_gets_record_ids_and_a_warning(self, tmp_path):
        (tmp_path / "n.csv").write_text("text\nنص أول\nنص ثان\n", encoding="utf-8")
        with pytest.warns(CorpusWarning, match=r"n\.csv: no `id` column"):
            articles = corpus.load_corpus(tmp_path / "n.csv")
        assert articles["id"].tolist() == ["n-000001", "n-000002"]

    def test_unreadable_metadata_dates_fall_back_to_the_dateline_with_a_warning(self, tmp_path):
        frame = pd.DataFrame({"id": ["a"], "text": [ARTICLE], "date": ["next Tuesday"]})
        frame.to_csv(tmp_path / "d.csv", index=False)
        with pytest.warns(CorpusWarning, match=r"d\.csv: 1 date value"):
            row = corpus.load_corpus(tmp_path / "d.csv").iloc[0]
        assert (row["date"], row["date_source"]) == (pd.Timestamp("2021-03-03"), "dateline")

    def test_seed_report_shows_every_seed_loaded_without_warnings(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error", CorpusWarning)
            _, report = corpus.load_with_report()
        assert report["status"].tolist() == ["loaded"] * 5


class TestVerifySeeds:
    @pytest.fixture
    def seeds(self, tmp_path):
        return shutil.copytree(paths.SEEDS_DIR, tmp_path / "seeds")

    def test_intact_seeds_pass_and_are_returned(self, seeds):
        assert len(corpus.verify_seeds(seeds)) == 5

    def test_changed_seed_is_named_with_the_fix(self, seeds):
        path = seeds / "000_fff69c689aef26e1.txt"
        path.write_bytes(path.read_bytes() + b" ")
        with pytest.raises(
            SeedChecksumError, match=r"000_fff69c689aef26e1\.txt: changed.*git checkout"
        ):
            corpus.verify_seeds(seeds)

    def test_missing_seed_is_named_with_the_fix(self, seeds):
        (seeds / "004_68131c3598d7dd27.txt").unlink()
        with pytest.raises(
            SeedChecksumError, match=r"004_68131c3598d7dd27\.txt: listed .* missing"
        ):
            corpus.verify_seeds(seeds)

    def test_unlisted_txt_in_seeds_is_an_error(self, seeds):
        (seeds / "extra.txt").write_text("نص", encoding="utf-8")
        with pytest.raises(SeedChecksumError, match=r"extra\.txt: not listed"):
            corpus.verify_seeds(seeds)


class TestDecodeBytes:
    def test_utf8_decodes_without_a_note(self):
        assert corpus.decode_bytes("نص".encode(), "a.txt") == ("نص", None)

    def test_arabic_windows_1256_decodes_with_a_note(self):
        assert (
            corpus.decode_bytes("قازاقستان".encode("cp1256"), "a.txt")[1]
            == "decoded as Windows-1256"
        )

    def test_other_bytes_raise_an_error_naming_the_file(self):
        with pytest.raises(CorpusError, match=r"^x\.txt: not UTF-8"):
            corpus.decode_bytes("déclaré à Pékin".encode("latin-1"), "x.txt")


class TestReadCurated:
    def test_curated_table_lists_every_seed_once(self):
        curated = corpus.read_curated()
        assert sorted(curated["id"]) == sorted(p.stem for p in paths.SEEDS_DIR.glob("*.txt"))

    def test_every_inferred_row_has_a_note(self):
        curated = corpus.read_curated()
        inferred = curated[curated["date_source"] == "inferred"]
        assert len(inferred) == 1 and inferred["note"].str.len().gt(100).all()

    def test_article_004_is_jakarta_non_xinhua_and_inferred_to_10_january_2022(self):
        row = corpus.read_curated().set_index("id").loc["004_68131c3598d7dd27"]
        assert (row["place"], row["date"], row["date_source"]) == (
            "جاكرتا",
            pd.Timestamp("2022-01-10"),
            "inferred",
        )
        assert "Xinhua" not in row["outlet"].replace("non-Xinhua", "")

    def test_parsed_datelines_agree_with_the_curated_table(self):
        curated = corpus.read_curated().set_index("id")
        for path in sorted(paths.SEEDS_DIR.glob("*.txt")):
            d = parse_dateline(path.read_text(encoding="utf-8"))
            row = curated.loc[path.stem]
            assert d.city == row["place"], path.name
            assert d.agency == row["agency"] if d.agency else pd.isna(row["agency"]), path.name
            if row["date_source"] == "dateline":
                assert pd.Timestamp(d.date) == row["date"], path.name
            else:
                assert d.date is None, path.name


class TestOverview:
    def test_overview_drops_text_sorts_by_date_and_keeps_top_k(self):
        table = corpus.overview(corpus.load_corpus(), top=3)
        assert "text" not in table.columns
        assert table["date"].tolist() == ["2019-12-15", "2022-01-10", "2022-01-10"]


class TestCompareDatelines:
    def test_all_seed_datelines_agree_with_the_curated_table(self):
        assert corpus.compare_datelines(corpus.load_corpus())["agrees"].tolist() == [True] * 5

    def test_a_wrong_curated_date_is_flagged(self):
        curated = corpus.read_curated()
        curated.loc[0, "date"] = pd.Timestamp("2022-01-09")
        table = corpus.compare_datelines(corpus.load_corpus(), curated)
        assert table["agrees"].tolist() == [False, True, True, True, True]

    def test_use_curated_false_ignores_matching_seed_ids(self):
        table = corpus.compare_datelines(corpus.load_corpus(), use_curated=False)
        assert "curated_place" not in table.columns and len(table) == 5

    def test_user_corpus_gets_parsed_columns_only(self):
        articles = pd.DataFrame({"id": ["a"], "text": [ARTICLE]})
        table = corpus.compare_datelines(articles)
        assert "agrees" not in table.columns and table["parsed_city"].iloc[0] == "القاهرة"


class TestWriteTidy:
    def test_written_csv_round_trips_with_iso_dates(self, tmp_path):
        out = corpus.write_tidy(corpus.load_corpus(), tmp_path)
        back = pd.read_csv(out)
        assert len(back) == 5 and back.loc[0, "date"] == "2022-01-10"
        assert back.loc[3, "place"] == "نور سلطان"


class TestPlotLengths:
    def test_few_articles_get_one_bar_each_in_date_order(self):
        articles = corpus.load_corpus()
        ax = plots.plot_lengths(articles)
        expected = articles.sort_values(["date", "id"])["n_words"].tolist()
        assert [p.get_width() for p in ax.patches] == expected

    def test_many_articles_get_a_histogram(self):
        articles = pd.DataFrame(
            {"id": [str(i) for i in range(60)], "n_words": range(60), "date": pd.NaT, "place": None}
        )
        ax = plots.plot_lengths(articles, top=25)
        assert len(ax.patches) == 40 and "n = 60" in ax.get_title()


class TestWarningOrigin:
    """A CorpusWarning is attributed to the line that called the loader, not to corpus.py."""

    def test_a_repair_warning_from_load_corpus_names_this_test_file(self, tmp_path):
        write(tmp_path / "win.txt", ARTICLE.encode("cp1256"))
        with pytest.warns(CorpusWarning) as caught:
            corpus.load_corpus(tmp_path)
        assert {w.filename for w in caught} == {__file__}

    def test_a_rejection_from_load_with_report_names_this_test_file(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "empty.txt", b"")
        with pytest.warns(CorpusWarning) as caught:
            corpus.load_with_report(tmp_path)
        assert {w.filename for w in caught} == {__file__}

    def test_a_warning_raised_deeper_in_the_loader_names_this_test_file(self, tmp_path):
        path = write(tmp_path / "c.csv", f"text,date\n{ARTICLE!r},tomorrow\n".encode())
        with pytest.warns(CorpusWarning) as caught:
            corpus.load_corpus(path)
        assert len(caught) == 2 and {w.filename for w in caught} == {__file__}


class TestQuietLoad:
    def test_quiet_folds_every_warning_into_one_summary_line(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "win.txt", ARTICLE.encode("cp1256"))
        write(tmp_path / "empty.txt", b"")
        write(tmp_path / "notes.md", b"# notes")
        with pytest.warns(CorpusWarning) as caught:
            articles = corpus.load_corpus(tmp_path, quiet=True)
        assert len(articles) == 2 and len(caught) == 1
        assert str(caught[0].message).startswith("1 of 4 files/records rejected, 1 repaired, ")
        assert "1 skipped (3 loader warnings)" in str(caught[0].message)

    def test_the_summary_points_to_notebook_01s_load_report(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "empty.txt", b"")
        with pytest.warns(CorpusWarning, match=r"notebook 01 .*/load_report\.csv\.$"):
            corpus.load_corpus(tmp_path, quiet=True)

    def test_the_summary_names_this_test_file(self, tmp_path):
        write(tmp_path / "win.txt", ARTICLE.encode("cp1256"))
        with pytest.warns(CorpusWarning) as caught:
            corpus.load_corpus(tmp_path, quiet=True)
        assert [w.filename for w in caught] == [__file__]

    def test_a_clean_corpus_loads_quietly_without_any_warning(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert len(corpus.load_corpus(tmp_path, quiet=True)) == 1


class TestLoadSummary:
    def test_counts_each_status_once(self):
        report = pd.DataFrame({"status": ["loaded", "skipped", "cleaned", "cleaned"]})
        line = corpus.load_summary(report, 2)
        assert line.startswith("2 of 4 files/records repaired, 1 skipped (2 loader warnings)")

    def test_the_seed_corpus_points_to_the_top_processed_folder(self):
        line = corpus.load_summary(pd.DataFrame({"status": ["rejected"]}))
        assert line.endswith("see notebook 01 or data/processed/load_report.csv.")


class TestWarningMessages:
    """Every message is one line with single punctuation between its clauses."""

    @pytest.fixture
    def messages(self, tmp_path):
        write(tmp_path / "a.txt", ARTICLE.encode())
        write(tmp_path / "french.txt", "Le ministre a déclaré".encode("latin-1"))
        write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
        write(tmp_path / "empty.txt", b"")
        write(tmp_path / "notes.md", b"# notes")
        with pytest.warns(CorpusWarning) as caught:
            corpus.load_corpus(tmp_path)
        return [str(w.message) for w in caught]

    def test_no_message_has_doubled_punctuation(self, messages):
        doubled = [m for m in messages if any(p in m for p in (".;", ";;", "..", ";.", ".,"))]
        assert len(messages) >= 5 and doubled == []

    def test_every_message_is_one_line_ending_in_one_full_stop(self, messages):
        assert all("\n" not in m and m.endswith(".") and not m.endswith("..") for m in messages)

    def test_an_undecodable_file_is_told_how_to_re_save_it_once(self, messages):
        rejected = [m for m in messages if m.startswith("french.txt: rejected")]
        assert len(rejected) == 1 and rejected[0].count("re-save") == 1
        assert rejected[0].endswith("-t UTF-8`).")

    def test_an_error_message_is_one_line(self, tmp_path):
        with pytest.raises(CorpusError) as err:
            corpus.load_corpus(tmp_path / "nowhere.csv")
        assert "\n" not in str(err.value) and str(err.value).endswith(".")


class TestLoadOnce:
    """Notebook 01 keeps the loaded corpus; the notebooks after it read it while it is current."""

    @staticmethod
    def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
        if list(a.columns) != list(b.columns) or list(a.dtypes) != list(b.dtypes):
            return False
        both_missing = a.isna() & b.isna()
        return bool((both_missing | (a.astype(object) == b.astype(object))).all().all())

    @pytest.fixture
    def wire(self, tmp_path, monkeypatch):
        monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path / "processed")
        path = tmp_path / "wire.jsonl"
        rows = [
            {"id": "a", "text": "بكين 10 يناير 2022 (شينخوا) قال الوزير إن ...", "place": "بكين"},
            {"id": "b", "text": "نص بلا خط تاريخ.", "date": "2022-01-07"},
            {"id": "c", "text": ""},
        ]
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        return path

    def _load(self, source):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            articles, report = corpus.load_with_report(source)
        return articles, report, [str(w.message) for w in caught if w.category is CorpusWarning]

    def test_the_kept_corpus_reads_back_as_the_same_tables_and_warnings(self, wire):
        articles, report, n = self._load(wire)
        corpus.save_loaded(articles, report, wire, n)
        got_articles, got_report, got_n = corpus.read_loaded(wire)
        assert self._same(articles, got_articles) and self._same(report, got_report)
        assert got_n == n and len(n) == 1  # the empty record's rejection
        assert "record 3" in n[0] and "missing text" in n[0], n[0]

    def test_load_once_parses_the_source_once_and_gives_the_same_warnings_after(self, wire):
        first = corpus.load_once(wire)
        assert not first.kept and len(first.warnings) == 1
        second = corpus.load_once(wire)
        assert second.kept and second.warnings == first.warnings
        assert self._same(first.articles, second.articles)

    def test_quiet_load_reads_the_kept_corpus_without_parsing_the_source(self, wire, monkeypatch):
        articles, report, n = self._load(wire)
        corpus.save_loaded(articles, report, wire, n)

        def parse(*args, **kwargs):
            raise AssertionError("the source was parsed again")

        monkeypatch.setattr(corpus, "load_with_report", parse)
        with pytest.warns(CorpusWarning, match="1 of 3 files/records rejected"):
            got = corpus.load_corpus(wire, quiet=True)
        assert got["id"].tolist() == ["a", "b"]

    def test_a_changed_source_is_loaded_again(self, wire):
        articles, report, n = self._load(wire)
        corpus.save_loaded(articles, report, wire, n)
        wire.write_text(wire.read_text("utf-8") + '\n{"id": "d", "text": "خبر جديد"}', "utf-8")
        assert corpus.read_loaded(wire) is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            assert corpus.load_corpus(wire, quiet=True)["id"].tolist() == ["a", "b", "d"]

    def test_a_quiet_load_without_a_kept_corpus_keeps_one(self, wire):
        assert corpus.read_loaded(wire) is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            corpus.load_corpus(wire, quiet=True)
        assert corpus.read_loaded(wire) is not None

    def test_a_table_parquet_cannot_hold_is_announced_and_not_kept(self, wire):
        articles, report, n = self._load(wire)
        mixed = articles.assign(extra=[1, "x"])  # numbers and text in one user column
        with pytest.warns(UserWarning, match="could not be kept"):
            assert corpus.save_loaded(mixed, report, wire, n) is None
        assert corpus.read_loaded(wire) is None


def _quiet_load(source):
    """load_with_report, with the CorpusWarnings it emitted (as strings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        articles, report = corpus.load_with_report(source)
    return articles, report, [str(w.message) for w in caught]


ARABIC = "قال الوزير في بيان إن الاجتماع عقد في العاصمة من أجل بحث التعاون بين البلدين."


class TestEveryPathIsAccounted:
    def test_a_broken_link_is_rejected_with_its_reason(self, tmp_path):
        write(tmp_path / "a.txt", ARABIC.encode())
        (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
        _, report, said = _quiet_load(tmp_path)
        row = report.set_index("file").loc["gone.txt"]
        assert row["status"] == "rejected" and "broken symbolic link" in row["reason"]
        assert any("gone.txt" in m for m in said)

    def test_a_linked_folder_is_read_and_a_loop_is_reported_once(self, tmp_path):
        outside = tmp_path / "outside"
        write(outside / "b.txt", ARABIC.encode())
        corpus_dir = tmp_path / "corpus"
        write(corpus_dir / "a.txt", ARABIC.encode())
        (corpus_dir / "linked").symlink_to(outside)
        (corpus_dir / "loop").symlink_to(corpus_dir)
        articles, report, _ = _quiet_load(corpus_dir)
        assert sorted(articles["id"]) == ["a", "linked/b"]
        loop = report.set_index("file").loc["loop"]
        assert loop["status"] == "skipped" and "already read" in loop["reason"]

    def test_an_unreadable_file_is_rejected_without_a_traceback(self, tmp_path, monkeypatch):
        write(tmp_path / "a.txt", ARABIC.encode())
        locked = write(tmp_path / "locked.txt", ARABIC.encode())
        real = type(locked).read_bytes

        def read_bytes(self):
            if self.name == "locked.txt":
                raise PermissionError(13, "Permission denied")
            return real(self)

        monkeypatch.setattr(type(locked), "read_bytes", read_bytes)
        _, report, _ = _quiet_load(tmp_path)
        row = report.set_index("file").loc["locked.txt"]
        assert row["status"] == "rejected" and "permission denied" in row["reason"]
        assert "chmod" in row["reason"]

    def test_an_unreadable_folder_has_a_row_saying_its_articles_are_not_loaded(
        self, tmp_path, monkeypatch
    ):
        write(tmp_path / "a.txt", ARABIC.encode())
        write(tmp_path / "private" / "b.txt", ARABIC.encode())
        real = corpus.os.scandir

        def scandir(path):
            if str(path).endswith("private"):
                raise PermissionError(13, "Permission denied")
            return real(path)

        monkeypatch.setattr(corpus.os, "scandir", scandir)
        _, report, _ = _quiet_load(tmp_path)
        row = report.set_index("file").loc["private"]
        assert row["status"] == "rejected" and "not loaded" in row["reason"]


class TestTextReadWrongIsCaught:
    def test_utf16_without_a_bom_is_decoded(self, tmp_path):
        write(tmp_path / "u16.txt", ARABIC.encode("utf-16-le"))
        articles, report, said = _quiet_load(tmp_path)
        assert articles.loc[0, "text"] == ARABIC
        assert "UTF-16" in report.loc[0, "reason"] and any("u16.txt" in m for m in said)

    def test_big_endian_utf16_without_a_bom_is_decoded(self, tmp_path):
        write(tmp_path / "u16.txt", ARABIC.encode("utf-16-be"))
        articles, _, _ = _quiet_load(tmp_path)
        assert articles.loc[0, "text"] == ARABIC

    def test_plain_utf8_arabic_and_english_are_not_taken_for_utf16(self):
        for text in (ARABIC, "The minister said the talks went well.", "12 34"):
            assert corpus.decode_bytes(text.encode(), "x.txt") == (text, None)

    def test_a_file_of_nul_bytes_is_rejected(self, tmp_path):
        write(tmp_path / "a.txt", ARABIC.encode())
        write(tmp_path / "nul.txt", b"\x00" * 512)
        _, report, _ = _quiet_load(tmp_path)
        row = report.set_index("file").loc["nul.txt"]
        assert row["status"] == "rejected" and "NUL" in row["reason"]

    def test_a_pdf_is_rejected_with_pdftotext_advice_not_iconv(self, tmp_path):
        write(tmp_path / "a.txt", ARABIC.encode())
        write(tmp_path / "paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
        _, report, _ = _quiet_load(tmp_path)
        reason = report.set_index("file").loc["paper.txt", "reason"]
        assert "pdftotext" in reason and "iconv" not in reason

    def test_presentation_forms_are_folded_into_letters(self, tmp_path):
        shaped = "ﻗﺎﻝ ﺍﻟﻮﺯﻳﺮ ﻓﻲ ﺑﻴﺎﻥ"  # قال الوزير في بيان, as glyph shapes
        write(tmp_path / "pdf.txt", shaped.encode())
        articles, report, _ = _quiet_load(tmp_path)
        assert articles.loc[0, "text"] == "قال الوزير في بيان"
        assert (
            report.loc[0, "status"] == "cleaned" and "presentation-form" in report.loc[0, "reason"]
        )

    def test_visual_order_lines_are_put_back_in_reading_order(self, tmp_path):
        lines = [
            "قال الوزير في بيان إن 2022 عام التعاون",
            "وأكد أن العلاقات من أجل السلام في المنطقة",
        ]
        visual = "\n".join(line[::-1] for line in lines)
        visual = visual.replace("2202", "2022")  # a PDF keeps digits left to right
        write(tmp_path / "visual.txt", visual.encode())
        articles, report, said = _quiet_load(tmp_path)
        assert articles.loc[0, "text"] == "\n".join(lines)
        assert "visual" in report.loc[0, "reason"] and any("visual.txt" in m for m in said)

    def test_text_in_reading_order_is_left_alone(self, tmp_path):
        write(tmp_path / "a.txt", ARABIC.encode())
        articles, report, _ = _quiet_load(tmp_path)
        assert articles.loc[0, "text"] == ARABIC and report.loc[0, "status"] == "loaded"

    def test_a_corpus_without_arabic_is_announced(self, tmp_path):
        write(tmp_path / "en.txt", b"The minister said the talks went well.")
        _, _, said = _quiet_load(tmp_path)
        assert any("Arabic" in m and "CORPUS" in m for m in said)


class TestDatesAreNeverSilentlyWrong:
    def _dates(self, tmp_path, values):
        rows = [{"id": f"a{i}", "text": ARABIC, "date": v} for i, v in enumerate(values)]
        path = tmp_path / "wire.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        articles, _, said = _quiet_load(path)
        return articles.set_index("id")["date"], said

    def test_a_hijri_year_is_not_read_as_gregorian(self, tmp_path):
        dates, said = self._dates(tmp_path, ["1443-06-07"])
        assert pd.isna(dates["a0"])
        assert any("Hijri" in m and "a0" in m for m in said)

    def test_a_year_before_1900_is_refused(self, tmp_path):
        dates, said = self._dates(tmp_path, ["1850-01-01"])
        assert pd.isna(dates["a0"]) and any("before 1900" in m for m in said)

    def test_a_timestamp_with_an_offset_keeps_its_local_date(self, tmp_path):
        dates, _ = self._dates(tmp_path, ["2022-01-10T01:30:00+03:00", "2022-01-09T23:30:00-05:00"])
        assert dates.tolist() == [pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-09")]

    def test_an_unreadable_date_names_the_record(self, tmp_path):
        dates, said = self._dates(tmp_path, ["10/01/2022"])
        assert pd.isna(dates["a0"]) and any("a0" in m and "YYYY-MM-DD" in m for m in said)


class TestRecordsAreReadAsWritten:
    def _jsonl(self, tmp_path, rows):
        path = tmp_path / "wire.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        return _quiet_load(path)

    def test_a_number_as_text_is_rejected_with_a_reason(self, tmp_path):
        _, report, _ = self._jsonl(
            tmp_path, [{"id": "a", "text": ARABIC}, {"id": "n", "text": 12345}]
        )
        row = report.set_index("id").loc["n"]
        assert row["status"] == "rejected" and "a number" in row["reason"]

    def test_a_list_of_paragraphs_is_joined_and_said_so(self, tmp_path):
        articles, report, said = self._jsonl(
            tmp_path, [{"id": "p", "text": ["فقرة أولى", "فقرة ثانية"]}]
        )
        assert articles.loc[0, "text"] == "فقرة أولى\n\nفقرة ثانية"
        assert "joined a list of paragraphs" in report.loc[0, "reason"]
        assert any("joined" in m for m in said)

    def test_a_list_of_numbers_is_rejected(self, tmp_path):
        _, report, _ = self._jsonl(
            tmp_path, [{"id": "a", "text": ARABIC}, {"id": "l", "text": [1, 2]}]
        )
        assert "a list" in report.set_index("id").loc["l", "reason"]

    def test_user_columns_with_internal_names_are_kept(self, tmp_path):
        row = {"id": "a", "text": ARABIC, "record": "r-7", "file": "f.doc", "n_words": 99}
        articles, report, said = self._jsonl(tmp_path, [row])
        assert articles.loc[0, "record"] == "r-7"
        assert articles.loc[0, "user_file"] == "f.doc" and articles.loc[0, "user_n_words"] == 99
        assert report.loc[0, "record"] == 1  # the line number, not the user's column
        assert any("user_file" in m for m in said)

    def test_a_key_named_like_a_bookkeeping_field_is_just_a_column(self, tmp_path):
        articles, report, _ = self._jsonl(tmp_path, [{"id": "a", "text": ARABIC, "_bad": "x"}])
        assert report.loc[0, "status"] == "loaded" and articles.loc[0, "_bad"] == "x"


class TestMessagesAUserCanActOn:
    def test_an_empty_csv_says_it_is_empty(self, tmp_path):
        write(tmp_path / "e.csv", b"")
        with pytest.raises(CorpusError, match=r"e\.csv: the file is empty"):
            corpus.load_with_report(tmp_path / "e.csv")

    def test_a_missing_text_column_lists_only_the_user_columns(self, tmp_path):
        write(tmp_path / "t.csv", "id,body\n1,نص\n".encode())
        with pytest.raises(CorpusError) as err:
            corpus.load_with_report(tmp_path / "t.csv")
        assert "found: id, body" in str(err.value) and "__" not in str(err.value)

    def test_a_semicolon_separated_csv_is_named_as_such(self, tmp_path):
        write(tmp_path / "s.csv", "id;text\n1;نص\n".encode())
        with pytest.raises(CorpusError, match=r"s\.csv: .*separated by ';', not commas"):
            corpus.load_with_report(tmp_path / "s.csv")

    def test_a_json_array_file_is_told_how_to_become_jsonl(self, tmp_path):
        write(tmp_path / "a.json", '[{"id": "a", "text": "نص"}]'.encode())
        with pytest.raises(CorpusError, match=r"a\.json: .*one object per line as \.jsonl"):
            corpus.load_with_report(tmp_path / "a.json")

    def test_a_lone_surrogate_escape_is_replaced_and_reported(self, tmp_path):
        # "\\ud83d" alone is half an emoji: valid JSON, but no UTF-8 text can hold it
        lines = (
            '{"id": "a", "text": "نص \\ud83d عربي", "place": "\\udc00"}\n{"id": "b", "text": "نص"}'
        )
        write(tmp_path / "s.jsonl", lines.encode())
        with pytest.warns(
            CorpusWarning,
            match=r"s\.jsonl: replaced 2 lone surrogate .* \(a \(record 1\)\); nothing to do",
        ):
            articles, report = corpus.load_with_report(tmp_path / "s.jsonl")
        assert articles["text"].tolist() == ["نص \ufffd عربي", "نص"]
        assert report["status"].tolist() == ["cleaned", "loaded"]
        assert (
            articles.columns.tolist()
            == corpus.load_once(tmp_path / "s.jsonl").articles.columns.tolist()
        )
        assert (
            articles["place"].iloc[0] == "\ufffd"
            and not articles.columns.str.startswith("__").any()
        )

    def test_a_seed_with_windows_line_ends_says_so(self, tmp_path):
        seeds = tmp_path / "seeds"
        shutil.copytree(paths.SEEDS_DIR, seeds)
        first = sorted(seeds.glob("*.txt"))[0]
        first.write_bytes(first.read_bytes().replace(b"\n", b"\r\n"))
        with pytest.raises(SeedChecksumError, match="CRLF"):
            corpus.verify_seeds(seeds)
