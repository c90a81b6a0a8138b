#!/usr/bin/env bash
# Make the PDF build runnable: Debian's XeTeX with the Korean packages (kotex),
# the fonts the PDF embeds (Nanum for Korean, FreeFont for Latin), latexmk,
# librsvg2-bin (rsvg-convert turns the diagrams' SVG into vector PDF),
# poppler-utils (pdfinfo; pdftotext, pdffonts for the tests) and qpdf (one PDF per chapter).
# It installs only as root on Debian (CI runs as root). Anywhere else it
# installs nothing and exits 0: the tests that need TeX look for it on PATH and
# are skipped, each saying how to install it (they fail instead with CI=true).
set -euo pipefail
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || exit 0

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
    echo "ensure_tex: missing ${missing[*]}; the PDF needs them: sudo bash $0" >&2
    exit 0
fi
echo "ensure_tex: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# wait for another apt-get (another install script) instead of failing at once
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
