"""Build every edition and publish the site: ``python tools/build_book.py``."""

import sys

from dlbook_build.build import main

if __name__ == "__main__":
    sys.exit(main())
