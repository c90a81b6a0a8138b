#!/usr/bin/env bash
# Make the PDF build runnable: Debian's XeTeX with the Korean packages (kotex),
# the fonts the PDF embeds (Nanum for Korean, FreeFont for Latin), latexmk,
# librsvg2-bin (rsvg-convert turns the diagrams' SVG into vector PDF),
# poppler-utils (pdfinfo; pdftotext, pdffonts for the tests) and qpdf (one PDF per chapter).
# Installing needs root (CI runs as root); as another user it only says what to run.
set -euo pipefail

packages=(
    texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
    texlive-lang-korean tex-gyre fonts-freefont-otf fonts-nanum
    latexmk librsvg2-bin poppler-utils qpdf
)
have() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
missing=()
for p in "${packages[@]}"; do
    have "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_tex: missing ${missing[*]}; install them as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "ensure_tex: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# wait for another apt-get (another install script) instead of failing at once
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
