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
"""

from dlbook.animation import Animation, animate
from dlbook.diagrams import Diagram, diagram, model_diagram
from dlbook.frameworks import FrameworkError, check_frameworks
from dlbook.history import History
from dlbook.style import use_book_style
from dlbook.surface import LossSurface, loss_surface, plot_surface
from dlbook.training import fit_full_batch

__version__ = "0.1.0"

__all__ = [
    "Animation",
    "Diagram",
    "FrameworkError",
    "History",
    "LossSurface",
    "animate",
    "check_frameworks",
    "diagram",
    "fit_full_batch",
    "loss_surface",
    "model_diagram",
    "plot_surface",
    "use_book_style",
]
