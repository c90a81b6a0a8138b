#!/usr/bin/env bash
# Make the browser test runnable: Debian's Chromium at /usr/bin/chromium (the
# test drives it with playwright-core, which downloads no browser) and the
# test's npm packages, pinned by package-lock.json (with Lighthouse, which
# benchmarks/lighthouse.mjs runs).
# Installing Chromium needs root (CI runs as root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure_browser: /usr/bin/chromium is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
        exit 1
    fi
    echo "ensure_browser: installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y chromium
fi

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] || [ ! -d "$here/node_modules/lighthouse" ]; then
    echo "ensure_browser: npm ci in $here"
    (cd "$here" && npm ci --no-audit --no-fund)
fi
