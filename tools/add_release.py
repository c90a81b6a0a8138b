"""Add the built site (a release, or the latest) to a site holding others: ``tools/add_release.py --site SITE``."""

import sys

from dlbook_build.releases import main

if __name__ == "__main__":
    sys.exit(main())
