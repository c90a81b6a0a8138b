from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from dlbook import use_book_style
from dlbook.style import KOREAN_FONT, korean_font_path


def test_korean_labels_render_without_missing_glyphs(tmp_path):
    use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("손실함수의 그림 (loss − β)")
    ax.set_xlabel("기울기")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" is a UserWarning
        fig.savefig(tmp_path / "korean.png")
    plt.close(fig)
    assert (tmp_path / "korean.png").stat().st_size > 0


def test_style_uses_a_korean_capable_fallback():
    use_book_style()
    assert matplotlib.rcParams["font.family"][-1] == KOREAN_FONT
    assert korean_font_path().is_file()
    assert matplotlib.rcParams["savefig.facecolor"] == "white"


def test_figures_are_opaque_white_so_dark_mode_keeps_axes_readable(tmp_path):
    from PIL import Image

    use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color="black")
    fig.savefig(tmp_path / "figure.png")
    plt.close(fig)
    image = Image.open(tmp_path / "figure.png").convert("RGBA")
    alpha = image.getchannel("A")
    assert alpha.getextrema() == (255, 255)  # no transparent pixels for a dark page to show through
    assert image.getpixel((0, 0))[:3] == (255, 255, 255)
