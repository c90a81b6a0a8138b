#!/usr/bin/env bash
# Make the browser test runnable: Chromium (found as chromium.mjs says:
# $CHROMIUM_PATH, Debian's chromium, Chrome or Chromium where Linux and macOS
# install them; the test drives it with playwright-core, which downloads no
# browser) and the test's npm packages, pinned by package-lock.json; with
# --lighthouse also the development packages: Lighthouse, which only
# benchmarks/lighthouse.mjs runs (about 200 packages the tests do not need).
# Without a browser, root on Debian installs Debian's chromium (CI runs as
# root); anywhere else nothing is installed, and the checks are skipped with
# a line saying how to install one (they fail instead with CI=true).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! node "$here/chromium.mjs" >/dev/null; then
    if [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "ensure_browser: installing Debian's chromium"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600 update
        apt-get -o DPkg::Lock::Timeout=600 install -y chromium
    fi
fi

if [ "${1:-}" = "--lighthouse" ]; then
    if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] || [ ! -d "$here/node_modules/lighthouse" ]; then
        echo "ensure_browser: npm ci in $here"
        (cd "$here" && npm ci --no-audit --no-fund)
    fi
elif [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
    echo "ensure_browser: npm ci --omit=dev in $here"
    (cd "$here" && npm ci --omit=dev --no-audit --no-fund)
fi
