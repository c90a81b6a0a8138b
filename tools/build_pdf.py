"""Build a PDF of every edition: ``python tools/build_pdf.py`` (needs TeX: ``bash tests/pdf/ensure_tex.sh``)."""

import sys

from dlbook_build.pdf import main

if __name__ == "__main__":
    sys.exit(main())
