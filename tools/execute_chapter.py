"""Run chapters cell by cell without Sphinx, timed: ``python tools/execute_chapter.py book/en/tensors.md [--show]``."""

import sys

from dlbook_build.execute import main

if __name__ == "__main__":
    sys.exit(main())
