#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of the HTML reports, with fonts that cover
# every letter the reports show. Playwright drives this binary (executable_path=/usr/bin/chromium);
# `playwright install` downloads are never used.
#
# fonts-dejavu-core: Latin, Greek, Cyrillic and most Arabic, but not ٱ (U+0671), ہ (U+06C1) or
# ے (U+06D2), which Chromium would draw as empty boxes. fonts-noto-core: Noto Naskh Arabic and
# Noto Sans Arabic, the whole Arabic block and its supplements (no Latin letters, hence both),
# named first in the reports' Arabic font stack (src/reports/templates/rtl/static/rtl.css).
set -euo pipefail
PACKAGES=(chromium fonts-dejavu-core fonts-noto-core)
has_arabic_font() {
    fc-list ':family=Noto Naskh Arabic' family 2>/dev/null | grep -q .
}
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
