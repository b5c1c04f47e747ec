"""The report builder behind ``make reports``: a tool beside the ``helpers`` package.

Usage::

    python -m reports [--corpus PATH] [--only 01 03 ...] [--out DIR] [--notebooks DIR]
                      [--timeout SECONDS] [--max-memory GB] [--jobs N]

All notebooks run from one Python process with nbclient (one fresh kernel each, on this
interpreter, cwd ``notebooks/``), up to ``--jobs`` at once on one event loop, in number order
except where a notebook's metadata says it runs after another (``reports.after``). With
``--corpus`` a cell that sets ``CORPUS`` is injected after each notebook's ``parameters`` cell
(papermill's convention) and the reports go to ``reports/<corpus-slug>/``, so the seed reports
are never overwritten.

Every report is self-contained (images as data URIs, formulas drawn at build time, no CDN
scripts) and ends with a reproducibility footer. Arabic direction is declared when the report
is written (``dir="rtl"`` on Arabic paragraphs, list items, headings and table cells), so it
works without JavaScript; a small template (``templates/rtl``) makes alignment follow it.

Modules, one concern each: ``notebooks`` (finding them, the ``CORPUS`` cell), ``runner``
(one notebook in a watched kernel), ``schedule`` (which runs after which, how many at once),
``job`` (the whole run), ``postprocess`` (direction,
formulas, links), ``pages`` (report, index), ``glossary``, ``repro`` (the footer), ``cli``.
Notebooks never import this package; it imports ``helpers`` for paths and ``text_direction``.
"""
