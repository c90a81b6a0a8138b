"""The book's matplotlib defaults (every chapter calls :func:`use_book_style` first).

Korean labels need a font with Hangul glyphs. The NanumGothic font shipped by
the ``koreanize-matplotlib`` package is registered as a fallback after DejaVu
Sans, so Latin text keeps matplotlib's usual look and Hangul is drawn by
Nanum, with no "Glyph missing" warnings.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

KOREAN_FONT = "NanumGothic"


def korean_font_path() -> Path:
    """Path of the NanumGothic font file bundled by ``koreanize-matplotlib``.

    The package is located, not imported: importing it would restyle
    matplotlib on its own.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0] if folders else "koreanize_matplotlib", "fonts", "NanumGothic.ttf")
    if not path.is_file():
        raise FileNotFoundError(
            f"The Korean font {path} is missing; reinstall the book's dependencies "
            "(`pip install -e .` brings koreanize-matplotlib)."
        )
    return path


def use_book_style() -> None:
    """Set figure size, resolution, white backgrounds and the Korean-capable font."""
    font_manager.fontManager.addfont(str(korean_font_path()))
    mpl.rcParams.update(
        {
            # a list of families: matplotlib falls back glyph by glyph
            "font.family": ["DejaVu Sans", KOREAN_FONT],
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 80,
            # white, not transparent: figures stay readable in the site's dark mode
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
