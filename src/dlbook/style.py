"""The book's matplotlib defaults (every chapter calls :func:`use_book_style` first).

Korean labels need a font with Hangul glyphs. The NanumGothic font shipped by
the ``koreanize-matplotlib`` package is registered as a fallback after DejaVu
Sans, so Latin text keeps matplotlib's usual look and Hangul is drawn by
Nanum, with no "Glyph missing" warnings.

In a notebook (the chapters run in IPython kernels), figures are shown sharp
on every screen: as SVG when that is light, else as a PNG at twice the
figure's resolution with its display size, so it shows
at 1x size with 2x detail (:func:`figure_output`). Each image carries
:func:`figure_summary` (its titles, axis labels and legend) as its
description, from which the book's build writes the figure's alternative
text in the edition's language (``dlbook_build.sphinx.figures``).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib import font_manager
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from dlbook.outputs import SUMMARY_KEY as SUMMARY_KEY  # re-exported: where the summary is kept

KOREAN_FONT = "NanumGothic"
#: pixels drawn per displayed (CSS) pixel in a PNG figure
DENSITY = 2
#: an SVG this light is always chosen: sharp at any zoom, for less than a few photos' worth
SVG_LIGHT = 48 * 1024
_SVG_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


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
            # SVG element ids from a fixed salt: two runs write the same file
            "svg.hashsalt": "dlbook",
        }
    )
    _show_figures_sharp()


def _plain(text: str) -> str:
    """A label as words: mathtext's $ and backslashes dropped, whitespace collapsed."""
    return " ".join(text.replace("$", "").replace("\\", "").split())


def figure_summary(fig: Figure) -> dict[str, Any]:
    """What a figure shows: its title, and per panel its title, axis labels, legend and what is drawn.

    Empty texts are left out. The build turns this into alternative text.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"figure_summary needs a matplotlib Figure, got {type(fig).__name__}")
    panels = []
    for ax in fig.axes:
        if not ax.get_visible() or (not ax.axison and ax.name != "3d" and not ax.get_title()):
            continue  # a hidden helper axes; 3D axes draw their own axis lines (axison is False)
        panel: dict[str, Any] = {
            "title": _plain(" ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)),
            "xlabel": _plain(ax.get_xlabel()),
            "ylabel": _plain(ax.get_ylabel()),
        }
        legend = ax.get_legend()
        if legend is not None:
            panel["legend"] = [_plain(t.get_text()) for t in legend.get_texts() if t.get_text().strip()]
        # what is drawn, for panels whose texts say little: lines, scattered points, colour maps
        panel["lines"] = sum(1 for line in ax.lines if line.get_visible() and len(np.asarray(line.get_xdata())) > 1)
        panel["points"] = sum(
            len(np.asarray(c.get_offsets()))
            for c in ax.collections
            if isinstance(c, PathCollection) and c.get_visible()
        )
        panel["maps"] = len(ax.images) + sum(
            1 for c in ax.collections if isinstance(c, (ContourSet, QuadMesh)) or type(c).__name__ == "Poly3DCollection"
        )
        # words written inside the panel (a diagram's headings), a few
        panel["texts"] = [_plain(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text().strip()][:8]
        panels.append({key: value for key, value in panel.items() if value})
    suptitle = fig.get_suptitle()
    summary: dict[str, Any] = {"panels": panels}
    if suptitle.strip():
        summary["title"] = _plain(suptitle)
    return summary


def figure_output(fig: Figure) -> tuple[str, Any] | None:
    """The figure as a notebook shows it: ``("svg", text)`` or ``("png", (base64, {"width", "height"}))``.

    SVG when it is light (at most ``SVG_LIGHT`` bytes, or no heavier than the
    2x PNG: line plots), else the PNG of 256 colours (dense surfaces, images).
    The PNG's width/height metadata is its display size, half its pixels. ``None`` for a figure with nothing drawn.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"figure_output needs a matplotlib Figure, got {type(fig).__name__}")
    if not fig.axes and not fig.lines and not fig.texts and not fig.images:
        return None
    description = json.dumps(figure_summary(fig), ensure_ascii=False)
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={SUMMARY_KEY: description, "Date": None})
    # a light SVG needs no PNG to compare with (drawing the PNG is the slow part)
    png = None if svg.tell() <= SVG_LIGHT else _palette_png(fig, description)
    if png is None or svg.tell() <= png.tell():
        # matplotlib sizes SVGs in points (72 per inch); show it at the figure's
        # resolution, like the PNG, so switching format does not resize it
        scale = fig.dpi / 72
        text = _SVG_SIZE.sub(
            lambda m: (
                f'<svg{m.group(1)} width="{float(m.group(2)) * scale:.0f}px" height="{float(m.group(3)) * scale:.0f}px"'
            ),
            svg.getvalue().decode(),
            count=1,
        )
        return "svg", text
    from PIL import Image

    width, height = Image.open(png).size
    encoded = base64.b64encode(png.getvalue()).decode("ascii")
    return "png", (encoded, {"width": width // DENSITY, "height": height // DENSITY})


def _palette_png(fig: Figure, description: str) -> io.BytesIO:
    """The figure as a 2x PNG of 256 colours: a third of the size of matplotlib's RGBA, and looks the same."""
    from PIL import Image, PngImagePlugin

    rgba = io.BytesIO()
    fig.savefig(rgba, format="png", dpi=fig.dpi * DENSITY, bbox_inches="tight")
    rgba.seek(0)
    info = PngImagePlugin.PngInfo()
    info.add_itxt(SUMMARY_KEY, description)
    png = io.BytesIO()
    with Image.open(rgba) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(
            png, "PNG", optimize=True, pnginfo=info
        )
    png.seek(0, io.SEEK_END)
    return png


class _SharpFigures:
    """IPython formatters for figures: the SVG one decides, the PNG one (asked next) follows."""

    def __init__(self) -> None:
        self._decided: tuple[Figure, tuple[str, Any] | None] | None = None

    def svg(self, fig: Figure) -> str | None:
        output = figure_output(fig)
        self._decided = (fig, output)
        return output[1] if output and output[0] == "svg" else None

    def png(self, fig: Figure) -> tuple[str, dict[str, int]] | None:
        decided, self._decided = self._decided, None
        output = decided[1] if decided is not None and decided[0] is fig else figure_output(fig)
        return output[1] if output and output[0] == "png" else None


def _show_figures_sharp() -> None:
    """In an IPython kernel, show figures through :func:`figure_output`; elsewhere do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib.pyplot as plt

    # the inline backend sets its own figure formatters when it loads: load it
    # now (it loads lazily, at the first figure) so that ours come after
    plt.switch_backend(mpl.rcParams["backend"])
    formatters = shell.display_formatter.formatters
    for formatter in formatters.values():
        formatter.pop(Figure, None)
    sharp = _SharpFigures()
    formatters["image/svg+xml"].for_type(Figure, sharp.svg)
    formatters["image/png"].for_type(Figure, sharp.png)
