import sys
from pathlib import Path

# tests import the helpers next to them (book_structure) and the tools
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
