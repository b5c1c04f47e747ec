"""Markdown cells made ready for nbconvert: folded solutions keep their content.

A notebook folds an exercise's solution as

    <details><summary>Solution</summary>

    ```python
    ...
    ```
    </details>

JupyterLab renders that as one folded block. nbconvert does not: in Markdown the opening tag
is an HTML block that ends at the first blank line, and with ``embed_images`` nbconvert parses
each HTML block on its own (BeautifulSoup), which closes ``<details>`` at once and drops the
stray ``</details>``. The report would show an empty fold with the solution after it, in plain
sight. :func:`render_details` renders the Markdown inside each ``<details>`` first, so the whole
fold reaches nbconvert as one HTML block with its solution inside.
"""

from __future__ import annotations

import re

# A fold written as the notebooks write it: the tags at the start of a line, not nested.
_DETAILS = re.compile(
    r"^(?P<open><details(?:\s[^>]*)?>)[ \t]*(?P<summary><summary>.*?</summary>)?"
    r"(?P<body>.*?)^[ \t]*</details>[ \t]*$",
    re.DOTALL | re.MULTILINE | re.IGNORECASE,
)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def _one_html_block(html: str) -> str:
    """``html`` without blank lines, so Markdown keeps it as one HTML block.

    A blank line inside ``<pre>`` is kept as a character reference (``&#10;``); elsewhere a
    newline between elements is only white space, so the same reference does no harm.
    """
    return _BLANK_LINES.sub("\n&#10;", html.strip("\n"))


def render_details(source: str) -> str:
    """Render the Markdown inside every ``<details>`` of a Markdown cell's source.

    The summary is kept as written; the body becomes HTML (code highlighted as in the rest of
    the report, ``$…$`` left for the report's formula step). Source without ``<details>`` is
    returned unchanged.

    >>> src = "<details><summary>Solution</summary>\\n\\n**Yes.**\\n\\n</details>"
    >>> print(render_details(src))
    <details><summary>Solution</summary>
    <p><strong>Yes.</strong></p>
    </details>
    """
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    def fold(m: re.Match) -> str:
        body = _one_html_block(markdown2html_mistune(m["body"].strip("\n")))
        return f"{m['open']}{m['summary'] or ''}\n{body}\n</details>"

    return _DETAILS.sub(fold, source)
