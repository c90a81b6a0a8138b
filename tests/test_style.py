from __future__ import annotations

import base64
import io
import json
import re
import warnings
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlbook import use_book_style
from dlbook.style import KOREAN_FONT, SUMMARY_KEY, figure_output, figure_summary, korean_font_path


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


def line_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [2, 0, 1], label="$\\beta$ path")
    ax.set_title("Loss by step")
    ax.set_xlabel("step")
    ax.set_ylabel("손실")
    ax.legend()
    return fig


def dense_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    x, y = np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-3, 3, 300))
    ax.contourf(x, y, np.sin(x * y) + x, levels=60)
    fig.suptitle("A dense surface")
    return fig


def test_figure_summary_holds_the_figures_own_texts():
    use_book_style()
    fig = line_figure()
    assert figure_summary(fig) == {
        "panels": [{"title": "Loss by step", "xlabel": "step", "ylabel": "손실", "legend": ["beta path"], "lines": 1}]
    }
    fig.suptitle("Two panels")
    fig.add_subplot(2, 1, 2).set_axis_off()  # a hidden helper axes adds nothing
    assert figure_summary(fig)["title"] == "Two panels" and len(figure_summary(fig)["panels"]) == 1
    plt.close("all")
    # a 3D surface and words written in a panel say what an untitled figure shows
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(*np.meshgrid([0.0, 1.0], [0.0, 1.0]), np.zeros((2, 2)))
    ax.text(0, 0, 0, "start")
    assert figure_summary(fig)["panels"] == [{"maps": 1, "texts": ["start"]}]
    plt.close(fig)
    with pytest.raises(TypeError, match="figure_summary needs a matplotlib Figure, got str"):
        figure_summary("figure")


def test_light_figures_are_svg_at_the_figures_display_size_and_carry_their_summary():
    use_book_style()  # figure.dpi 80: 3 x 2 inches show as 240 x 160 px before the tight crop
    kind, svg = figure_output(line_figure())
    plt.close("all")
    assert kind == "svg"
    width, height = (float(v) for v in re.search(r'<svg[^>]* width="([\d.]+)px" height="([\d.]+)px"', svg).groups())
    assert 200 <= width <= 280 and 140 <= height <= 210  # the tight crop adds the labels around the axes
    description = ET.fromstring(svg).find(".//{http://purl.org/dc/elements/1.1/}description").text
    assert json.loads(description)["panels"][0]["title"] == "Loss by step"


def test_dense_figures_are_png_with_twice_the_pixels_of_their_display_size():
    from PIL import Image

    use_book_style()
    kind, (encoded, size) = figure_output(dense_figure())
    plt.close("all")
    assert kind == "png"
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert image.size[0] >= 2 * size["width"] and image.size[1] >= 2 * size["height"]
    assert 200 <= size["width"] <= 260
    assert json.loads(image.text[SUMMARY_KEY]) == {"title": "A dense surface", "panels": [{"maps": 1}]}
    with pytest.raises(TypeError, match="figure_output needs a matplotlib Figure"):
        figure_output(None)
    assert figure_output(plt.figure()) is None  # nothing drawn: nothing shown
    plt.close("all")


@pytest.mark.book  # starts a kernel
def test_a_kernel_shows_figures_through_the_book_style(tmp_path):
    """In a real IPython kernel: one image per figure, SVG or 2x PNG with its display size."""
    from dlbook_build.execute import execute_chapter

    chapter = tmp_path / "figures.md"
    chapter.write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n# Figures\n\n"
        "```{code-cell} ipython3\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
        "from dlbook import use_book_style\nuse_book_style()\n```\n\n"
        "```{code-cell} ipython3\nfig, ax = plt.subplots()\nax.plot([0, 1])\nax.set_title('A line')\n"
        "plt.show()\n```\n\n"
        "```{code-cell} ipython3\nfig, ax = plt.subplots()\n"
        "x, y = np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-3, 3, 300))\n"
        "ax.contourf(x, y, np.sin(x * y) + x, levels=60);\n```\n",
        encoding="utf-8",
    )
    results = execute_chapter(chapter).cells
    images = [
        {mime: output.get("metadata", {}).get(mime) for mime in output["data"] if mime.startswith("image/")}
        for result in results
        for output in result.outputs
        if output.get("output_type") == "display_data"
    ]
    assert images[0] == {"image/svg+xml": None}
    (png_size,) = images[1].values()
    assert list(images[1]) == ["image/png"] and png_size["width"] > 300
