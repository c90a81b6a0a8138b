"""Helpers for *Deep Learning, Executed*, the bilingual executable textbook.

Each module has one job, and the chapters use them only for bookkeeping and
plotting boilerplate; the learning itself stays visible in the chapter cells.

- :mod:`dlbook.data` -- the lectures' data recipes, seeds included.
- :mod:`dlbook.history` -- recording parameters, losses and predictions per step.
- :mod:`dlbook.training` -- many full-batch Keras epochs in one compiled call.
- :mod:`dlbook.surface` -- loss surfaces over a parameter grid, and drawing them.
- :mod:`dlbook.animation` -- a steppable animation player embedded in the page.
- :mod:`dlbook.diagrams` -- DOT text and models drawn as inline SVG.
- :mod:`dlbook.style` -- the book's matplotlib defaults (Korean glyphs included).
- :mod:`dlbook.frameworks` -- the TensorFlow and PyTorch versions the book runs on.
- :mod:`dlbook.outputs` -- the MIME types of what dlbook displays.

The names below are imported on first use (PEP 562), so ``import dlbook``
loads no plotting library: the book's build reads :mod:`dlbook.outputs`
without paying for matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # the names as type checkers see them (``X as X``: re-exported)
    from dlbook.animation import Animation as Animation, animate as animate
    from dlbook.diagrams import Diagram as Diagram, diagram as diagram, model_diagram as model_diagram
    from dlbook.frameworks import FrameworkError as FrameworkError, check_frameworks as check_frameworks
    from dlbook.history import History as History
    from dlbook.style import use_book_style as use_book_style
    from dlbook.surface import LossSurface as LossSurface, loss_surface as loss_surface, plot_surface as plot_surface
    from dlbook.training import fit_full_batch as fit_full_batch

__version__ = "0.1.0"

#: each public name and the module that defines it
_HOMES = {
    "Animation": "animation",
    "animate": "animation",
    "Diagram": "diagrams",
    "diagram": "diagrams",
    "model_diagram": "diagrams",
    "FrameworkError": "frameworks",
    "check_frameworks": "frameworks",
    "History": "history",
    "use_book_style": "style",
    "LossSurface": "surface",
    "loss_surface": "surface",
    "plot_surface": "surface",
    "fit_full_batch": "training",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'dlbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dlbook.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
