"""Reports are safe to open: no text from a corpus ever runs as code in a browser.

The main job runs on two hostile corpora: a CSV whose ids, titles, outlets, places and text
carry markup (``<script>``, ``<img onerror=…>``, an attribute break-out, a backtick that would
end a Markdown code span, ``$``), and a folder whose file names (the ids) carry markup and
which holds a file the loader rejects with advice written in angle brackets. Every report is
opened in headless Chromium with every element hovered, focused and clicked: no dialog may
open, no element may carry an event handler, and the markup must be read as text.
"""

from __future__ import annotations

import csv
from pathlib import Path

import browser as browser_tools
import pytest

from reports import job

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
BREAK_OUT = '"><svg onload=alert(3)>'
# Ends a Markdown code span early (an id shown as `id` in a Markdown note).
BACKTICK = "`<img src=y onerror=alert(4)>`"
# What a reader must see as text somewhere in the reports, exactly as written.
SHOWN = (SCRIPT, IMG)
_SENTENCES = (
    "قال وانغ يي إن الصين تدعم الاستقرار في قازاقستان وإن التعاون بين البلدين مهم.",
    "أعلن الرئيس توكاييف حالة الطوارئ بعد الاحتجاجات في ألماتي.",
    "قالت وزارة الخارجية الصينية إن القوى الخارجية تقف وراء الثورة الملونة.",
)


def write_hostile_csv(path: Path) -> Path:
    """Three dated articles and an undated one with markup in every column the loader reads."""
    rows = []
    for i, sentence in enumerate(_SENTENCES):
        rows.append(
            {
                "id": f"a{i}{SCRIPT}{IMG}$x$",
                "text": f"بكين {10 + i} يناير 2022 (شينخوا) {sentence} {SCRIPT} {IMG} "
                f"{BREAK_OUT} {sentence}",
                "date": f"2022-01-{10 + i:02d}",
                "title": f"عنوان {IMG}{SCRIPT}",
                "source": f"شينخوا{SCRIPT}$1",
                "place": f"بكين{IMG}{BREAK_OUT}",
            }
        )
    rows.append(
        {
            "id": f"undated{BACKTICK}{BREAK_OUT}",
            "text": f"{_SENTENCES[0]} {IMG}",
            "date": "",
            "title": SCRIPT,
            "source": IMG,
            "place": BACKTICK,
        }
    )
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_hostile_folder(folder: Path) -> Path:
    """Files named with markup (a file's name is its id) and one file the loader rejects."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, sentence in enumerate(_SENTENCES):
        name = f"{i}{IMG}{BREAK_OUT}.txt"  # no "/" in a file name, so no </script>
        (folder / name).write_text(f"أستانا {5 + i} يناير 2022 (شينخوا) {sentence}\n")
    # Latin-1 text that is not Arabic: rejected, with "iconv -f <encoding> -t UTF-8" advice.
    (folder / "latin1.txt").write_bytes("Café déjà vu, naïve façade.\n".encode("latin-1"))
    return folder


# Hover, press, click and focus every element (inline handlers run on dispatched events too);
# clicks are kept from following links so the page stays. Then report what could run code.
_EXERCISE = """
() => {
  document.addEventListener('click', (e) => e.preventDefault(), true);
  const events = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'click',
                  'dblclick', 'focus', 'focusin', 'pointerover', 'pointerdown', 'keydown'];
  const all = [...document.querySelectorAll('body *')];
  for (const el of all) {
    for (const type of events) {
      el.dispatchEvent(new Event(type, {bubbles: true, cancelable: true}));
    }
    if (el.tagName === 'DETAILS') el.open = true;
  }
  const handlers = all
    .filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name)))
    .map((el) => el.outerHTML.slice(0, 100));
  const scripts = [...document.scripts].map((s) => s.textContent.slice(0, 100));
  const images = [...document.images].map((img) => img.getAttribute('src').slice(0, 30));
  return {elements: all.length, handlers, scripts, images, text: document.body.innerText};
}
"""


def _open_all(pages: list[Path]) -> dict[str, dict]:
    """Each page in headless Chromium: the mouse moved over it, every element exercised."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as pw:
        browser = browser_tools.launch(pw, ["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            dialogs.clear()
            page.goto(path.as_uri(), wait_until="load")
            height = page.evaluate("document.body.scrollHeight")
            for y in range(0, height, 50):
                page.mouse.wheel(0, 50)
                page.mouse.move(200 + (y * 7) % 880, 450)
            found = page.evaluate(_EXERCISE)
            page.wait_for_timeout(300)  # an onerror fires once the image has failed
            results[f"{path.parent.name}/{path.name}"] = {**found, "dialogs": list(dialogs)}
        browser.close()
    return results


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The main job on the hostile CSV (every notebook) and on the hostile folder (01)."""
    root = tmp_path_factory.mktemp("hostile")
    table = job.run(corpus=write_hostile_csv(root / "hostile.csv"), out_dir=root, log=None)
    files = job.run(
        corpus=write_hostile_folder(root / "files"), only=["01"], out_dir=root, log=None
    )
    pages = sorted(table.out_dir.glob("*.html")) + sorted(files.out_dir.glob("01-*.html"))
    return table, files, _open_all(pages)


class TestHostileCorpus:
    def test_both_runs_finish_and_every_notebook_has_its_report(self, hostile):
        table, files, _ = hostile
        assert table.ok and files.ok, [f.message() for f in table.failures + files.failures]
        assert len(list(table.out_dir.glob("0*.html"))) == len(table.notebooks) >= 6

    def test_no_dialog_opens_on_load_hover_or_click(self, hostile):
        opened = {name: r["dialogs"] for name, r in hostile[2].items() if r["dialogs"]}
        assert not opened

    def test_no_element_carries_an_event_handler(self, hostile):
        found = {name: r["handlers"] for name, r in hostile[2].items() if r["handlers"]}
        assert not found

    def test_no_script_element_and_no_image_from_the_corpus(self, hostile):
        for name, r in hostile[2].items():
            assert r["elements"] > 20, name  # the page was there to test
            assert not r["scripts"], name
            assert all(src.startswith("data:image/") for src in r["images"]), name

    def test_every_report_with_corpus_text_shows_the_markup_as_text(self, hostile):
        table = hostile[0]
        for nb in table.notebooks:
            if nb.notebook.name.startswith("00-"):  # the start page reads no corpus
                continue
            text = hostile[2][f"{table.out_dir.name}/{nb.notebook.stem}.html"]["text"]
            assert SCRIPT in text and IMG in text, nb.notebook.name

    def test_markup_in_ids_places_and_notes_shows_as_text(self, hostile):
        text = "\n".join(r["text"] for r in hostile[2].values())
        assert BREAK_OUT in text and BACKTICK.strip("`") in text

    def test_nothing_is_escaped_twice(self, hostile):
        doubled = [name for name, r in hostile[2].items() if "&lt;" in r["text"]]
        assert not doubled

    def test_advice_in_angle_brackets_reads_in_full(self, hostile):
        files = hostile[1]
        text = hostile[2][f"{files.out_dir.name}/01-load-corpus.html"]["text"]
        assert "iconv -f <encoding> -t UTF-8" in text
        assert f"0{IMG}{BREAK_OUT}" in text, "a file name (its id) shows as written"
