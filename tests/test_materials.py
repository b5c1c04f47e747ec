"""The printable materials (``make materials``) hold what they are made from, and nothing more."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import frames
from helpers.corpus import load_corpus
from helpers.paths import PROJECT_ROOT
from teaching import materials
from teaching.exercises import all_exercises

PLAN = (PROJECT_ROOT / "docs" / "teaching.md").read_text("utf-8")
EXERCISES = all_exercises()
ARABIC = re.compile(materials.ARABIC_RUN.pattern)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{name: BeautifulSoup} of the three pages, written once into a temporary folder."""
    out = tmp_path_factory.mktemp("materials")
    written = materials.write_materials(out)
    return {p.name: BeautifulSoup(p.read_text("utf-8"), "html.parser") for p in written}


@pytest.fixture(scope="module")
def sample():
    arts = load_corpus(quiet=True)
    return frames.coding_sample(frames.frame_hits(arts), arts)


def words(html_or_soup) -> str:
    """The visible text, with runs of white space as one space."""
    soup = html_or_soup
    if isinstance(soup, str):
        soup = BeautifulSoup(soup, "html.parser")
    return " ".join(soup.get_text(" ").split())


def unmarked_arabic(soup) -> list[str]:
    """Arabic text whose nearest ``dir`` is not ``rtl`` with ``lang="ar"``, or is declared on
    an inline element other than ``<bdi>`` (only ``<bdi>`` isolates a run from the English
    around it)."""

    def marked(node) -> bool:
        rtl = node.find_parent(attrs={"dir": True})
        declared = rtl is not None and rtl["dir"] == "rtl" and rtl.get("lang") == "ar"
        return declared and (rtl.name in materials.BLOCKS or rtl.name == "bdi")

    return [str(node) for node in soup.find_all(string=ARABIC) if not marked(node)]


class TestUnmarkedArabic:
    def test_finds_arabic_without_a_direction(self):
        assert unmarked_arabic(BeautifulSoup("<p>say قال</p>", "html.parser")) == ["say قال"]

    def test_finds_arabic_in_a_span_that_is_not_isolated(self):
        html = '<p>say <span dir="rtl" lang="ar">قال</span></p>'
        assert unmarked_arabic(BeautifulSoup(html, "html.parser")) == ["قال"]

    def test_accepts_rtl_blocks_and_bdi(self):
        html = '<p dir="rtl" lang="ar">قال</p><p>say <bdi dir="rtl" lang="ar">قال</bdi></p>'
        assert unmarked_arabic(BeautifulSoup(html, "html.parser")) == []


class TestWorksheet:
    @pytest.mark.parametrize("ex", [e for e in EXERCISES if not e.optional], ids=lambda e: e.label)
    def test_holds_every_core_exercise(self, pages, ex):
        page = words(pages["worksheet.html"])
        assert words(materials.markdown_html(ex.text)) in page and ex.label in page

    @pytest.mark.parametrize("ex", [e for e in EXERCISES if e.optional], ids=lambda e: e.label)
    def test_leaves_out_optional_exercises(self, pages, ex):
        assert words(materials.markdown_html(ex.text)) not in words(pages["worksheet.html"])

    def test_holds_no_solution_text(self, pages):
        page = words(pages["worksheet.html"])
        assert not re.search(r"Solution \d", page)
        code_lines = {ln.strip() for e in EXERCISES for ln in e.code.splitlines()}
        leaked = [ln for ln in code_lines if len(ln) > 12 and ln in page]
        assert not leaked
        prose = [
            words(materials.markdown_html(re.sub(r"```.*?```", "", e.solution, flags=re.S)))
            for e in EXERCISES
        ]
        assert not [p for p in prose if len(p) > 30 and p[:60] in page]

    def test_has_space_to_write_under_each_exercise(self, pages):
        sections = pages["worksheet.html"].select("section.exercise")
        assert sections and all(s.select(".lines div") for s in sections)

    def test_ends_with_the_exit_question_of_the_plan(self, pages):
        assert words(materials.markdown_html(materials.exit_question(PLAN))) in words(
            pages["worksheet.html"]
        )


class TestCodingSheet:
    def rows(self, pages):
        return pages["coding-sheet.html"].select("table tr")[1:]

    def test_one_row_per_sampled_sentence_and_rows_for_missed_ones(self, pages, sample):
        assert len(sample) == 5
        assert len(self.rows(pages)) == len(sample) + 2

    def test_each_sentence_is_there_with_its_hit_marked(self, pages, sample):
        for row, hit in zip(self.rows(pages), sample.itertuples(), strict=False):
            cell = row.find("td", attrs={"dir": "rtl"})
            assert cell.get_text() == hit.before + hit.match + hit.after
            assert cell.find("mark").get_text() == hit.match

    def test_the_programs_speakers_are_not_shown(self, pages, sample):
        page = words(pages["coding-sheet.html"])
        assert all(s not in page for s in set(sample["speaker"]))
        assert all(not c.get_text(strip=True) for c in pages["coding-sheet.html"].select(".speaks"))

    def test_has_a_judgement_column_with_yes_no_unsure(self, pages):
        first = self.rows(pages)[0].get_text(" ")
        assert all(word in first for word in ("yes", "no", "unsure"))


class TestPitfalls:
    ITEMS = re.findall(
        r"^\d+\. \*\*(.+?)\*\*", materials.section(PLAN, "Common pitfalls with Arabic text"), re.M
    )

    def test_the_plan_has_pitfalls_to_print(self):
        assert len(self.ITEMS) >= 5

    @pytest.mark.parametrize("title", ITEMS)
    def test_holds_every_pitfall_of_the_plan(self, pages, title):
        assert title in [s.get_text() for s in pages["pitfalls.html"].select("li strong")]

    def test_one_item_per_pitfall(self, pages):
        assert len(pages["pitfalls.html"].select(".pitfalls > ol > li")) == len(self.ITEMS)


@pytest.mark.parametrize("name", materials.FILES.values())
class TestEveryPage:
    def test_is_declared_for_a4_print(self, pages, name):
        css = pages[name].style.get_text()
        assert "size: A4" in css and "@media print" in css

    def test_every_arabic_run_is_marked_rtl_and_isolated(self, pages, name):
        assert pages[name].find(string=ARABIC) is not None
        assert unmarked_arabic(pages[name]) == []

    def test_nothing_is_left_for_a_script_to_run(self, pages, name):
        assert pages[name].find(["script", "img", "iframe"]) is None


class TestEscaping:
    EVIL = 'قال <script>alert(1)</script> و<img src=x onerror="alert(2)">'

    def test_markdown_html_escapes_raw_html(self):
        soup = BeautifulSoup(materials.markdown_html(self.EVIL), "html.parser")
        assert soup.find(["script", "img"]) is None and "<script>" in soup.get_text()

    def test_coding_sheet_escapes_the_corpus_text(self):
        row = {"id": "a", "frame": "x", "pattern": "<b>", "before": self.EVIL, "match": "<i>"}
        rows = pd.DataFrame([{**row, "after": "</td>", "speaker": "", "speaker_group": ""}])
        soup = BeautifulSoup(materials.coding_sheet_html(rows, []), "html.parser")
        assert soup.find(["script", "img", "b", "i"]) is None
        assert "<script>" in soup.find("mark").parent.get_text()

    def test_arabic_inside_english_is_isolated_in_bdi(self):
        soup = BeautifulSoup(materials.markdown_html("say قال, then 3"), "html.parser")
        assert soup.find("bdi", attrs={"dir": "rtl", "lang": "ar"}).get_text() == "قال"
        assert unmarked_arabic(soup) == []
