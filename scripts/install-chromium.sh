#!/usr/bin/env bash
# Installs the Chromium that the browser tests of the HTML reports drive (tests/browser.py).
#
# Debian and Ubuntu (apt-get): the distribution's Chromium at /usr/bin/chromium, with
#   fonts-dejavu-core (Latin, Greek, Cyrillic and most Arabic, but not ٱ U+0671, ہ U+06C1 or
#   ے U+06D2, which Chromium would draw as empty boxes) and fonts-noto-core (Noto Naskh
#   Arabic and Noto Sans Arabic, the whole Arabic block and its supplements, no Latin letters,
#   hence both), named first in the reports' Arabic font stack
#   (src/reports/templates/rtl/static/rtl.css). Needs root or sudo, once.
# Anywhere else (macOS, Windows under Git Bash or WSL without apt, other Linux): Playwright's
#   own Chromium build, `python -m playwright install chromium` with the project's Python
#   (first argument; default .venv/bin/python). It downloads the browser once, into
#   Playwright's cache. The system's fonts then draw the Arabic: macOS and Windows have fonts
#   for the whole Arabic block; on other Linux install Noto Naskh Arabic yourself.
set -euo pipefail
PY="${1:-.venv/bin/python}"
PACKAGES=(chromium fonts-dejavu-core fonts-noto-core)
has_arabic_font() {
    fc-list ':family=Noto Naskh Arabic' family 2>/dev/null | grep -q .
}
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get here; installing Playwright's own Chromium with $PY"
    exec "$PY" -m playwright install chromium
fi
if command -v chromium >/dev/null 2>&1 && has_arabic_font; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-chromium: Chromium or its fonts are missing and this user cannot install them; run 'apt-get install ${PACKAGES[*]}' as root, then re-run make test." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
command -v chromium
fc-list ':family=Noto Naskh Arabic' family
