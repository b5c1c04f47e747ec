"""Which Chromium the browser tests drive, on any operating system.

On Debian and Ubuntu, ``make browser`` (``scripts/install-chromium.sh``) installs the
distribution's Chromium at ``/usr/bin/chromium`` with Noto fonts, and the tests drive that
binary. Elsewhere (macOS, Windows, other Linux) the same script runs ``python -m playwright
install chromium`` and the tests use Playwright's own build. ``CHROMIUM=/path/to/chrome``
overrides both.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> Path | None:
    """The Chromium binary to drive, or None for Playwright's own build."""
    if os.environ.get("CHROMIUM"):
        return Path(os.environ["CHROMIUM"])
    return DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.exists() else None


def launch(pw, args: list[str] | None = None):
    """A headless Chromium from a ``sync_playwright()`` context; fails the test, with the
    command that fixes it, when no browser is installed."""
    path = chromium_path()
    if path is not None and not path.exists():
        pytest.fail(f"CHROMIUM={path} does not exist")
    if path is None and not Path(pw.chromium.executable_path).exists():
        pytest.fail("Chromium is missing: run `make browser` (scripts/install-chromium.sh)")
    extra = {"executable_path": str(path)} if path is not None else {}
    return pw.chromium.launch(args=args or ARGS, headless=True, **extra)


def fontconfig() -> bool:
    """True where fontconfig's ``fc-list`` can say which fonts have a glyph (Linux)."""
    return shutil.which("fc-list") is not None
