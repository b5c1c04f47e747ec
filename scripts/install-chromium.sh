#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of the HTML reports. Playwright drives this
# binary (executable_path=/usr/bin/chromium); `playwright install` downloads are never used.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-chromium: Chromium is missing and this user cannot install it; run 'apt-get install chromium fonts-dejavu-core' as root, then re-run make test." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
