"""dlbook.animate: the animation's forms (player, key frames, frames as JSON), and how the site and the PDF show them.

The site's renderer (dlbook_build.sphinx.animation_player) and the PDF's
caption (dlbook_build.sphinx.latex) are checked on a one-notebook Sphinx
project built here; tests/browser/check_site.mjs steps the players of the
built book in a browser.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import docutils_namespace

from dlbook import animate
from dlbook.animation import MIME_TYPE, key_frames
from dlbook_build.project import EDITIONS
from dlbook_build.sphinx.animation_player import HERE, SCRIPT, STYLESHEET, check_labels


def moving_point():
    fig, ax = plt.subplots(figsize=(3, 2))
    beta = np.linspace(-10, 10, 100)
    ax.plot(beta, (beta / 2 - 1) ** 2)
    (point,) = ax.plot([-10], [36], "or")
    path = [-10.0 + 2 * k for k in range(6)]

    def update(i):
        point.set_data([path[i]], [(path[i] / 2 - 1) ** 2])

    return fig, update


def frames_of(html):
    """(format, base64 text) of each embedded frame; the player wraps lines with a backslash."""
    found = re.findall(r'data:image/(\w+);base64,([A-Za-z0-9+/=\\\n]+)"', html)
    return [(kind, data.replace("\\\n", "")) for kind, data in found]


def is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


# --- the animation and its forms ----------------------------------------------------------------


def test_player_has_one_webp_frame_per_step_and_step_controls():
    fig, update = moving_point()
    player = animate(fig, update, frames=6)
    assert repr(player) == "<Animation: 6 frames>"
    frames = frames_of(player.html)
    assert len(frames) == 6 and {kind for kind, _ in frames} == {"webp"}
    decoded = [base64.b64decode(data) for _, data in frames]
    assert all(is_webp(d) for d in decoded)
    assert len(set(decoded)) == 6  # the point moved in every frame
    for control in ("Next frame", "Previous frame", "Play", "Pause"):
        assert f'title="{control}"' in player.html
    assert not plt.fignum_exists(fig.number)  # closed, not shown twice


def test_an_update_that_returns_what_it_changed_draws_the_rest_once_and_the_same_frames():
    fig, update = moving_point()
    whole = animate(fig, update, frames=6).frames
    fig, update = moving_point()
    curve, point = fig.axes[0].lines
    drawn = []
    draw = curve.draw
    curve.draw = lambda renderer: drawn.append(1) or draw(renderer)

    def update_point(i):
        update(i)
        return [point]

    blitted = animate(fig, update_point, frames=6).frames
    assert len(drawn) == 1  # the curve, drawn once for six frames
    assert blitted == whole  # the changed point is the topmost artist: the same pixels


def test_update_returns_nothing_or_artists():
    fig, update = moving_point()
    with pytest.raises(TypeError, match="update must return None or the matplotlib artists it changed"):
        animate(fig, lambda i: update(i) or 5, frames=2)
    plt.close(fig)
    fig, update = moving_point()
    with pytest.raises(TypeError, match="update must return None or the matplotlib artists it changed"):
        animate(fig, lambda i: update(i) or [], frames=2)
    plt.close(fig)


def test_the_bundle_offers_the_player_the_key_frames_and_the_frames():
    fig, update = moving_point()  # 3 x 2 inches
    animation = animate(fig, update, frames=6, fps=4, dpi=60, description="the point walks downhill")
    bundle = animation._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/png", MIME_TYPE}
    assert bundle["text/plain"] == "<Animation: 6 frames>"
    assert bundle["text/html"] == animation.html  # the notebook's player, unchanged
    json.dumps(bundle)  # a notebook stores it as JSON (raises if it cannot)

    content = bundle[MIME_TYPE]
    frames = [base64.b64decode(frame) for frame in content["frames"]]
    assert frames == [base64.b64decode(data) for _, data in frames_of(animation.html)]  # the player's frames
    assert all(is_webp(frame) for frame in frames) and len(set(frames)) == 6
    assert all(Image.open(io.BytesIO(frame)).size == (360, 240) for frame in frames)  # twice the display size
    assert {k: v for k, v in content.items() if k != "frames"} == {
        "format": "image/webp",
        "width": 180,
        "height": 120,
        "fps": 4,
        "description": "the point walks downhill",
        "key_frames": [0, 2, 3, 5],
    }

    strip = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert strip.format == "PNG"
    # wide frames, two to a row: four key frames in two rows, 8 px apart
    assert strip.size == (2 * 360 + 8, 2 * 240 + 8)
    first = Image.open(io.BytesIO(frames[0])).convert("RGB")
    assert np.abs(np.asarray(strip.crop((0, 0, 360, 240)), int) - np.asarray(first, int)).mean() < 2


def test_key_frames_spread_over_the_animation():
    assert key_frames(3) == [0, 1, 2]
    assert key_frames(21) == [0, 7, 13, 20]
    assert key_frames(11) == [0, 3, 7, 10]


def test_a_wide_animation_prints_one_frame_to_a_row():
    fig, ax = plt.subplots(figsize=(6, 2))
    (line,) = ax.plot([0, 1], [0, 0])
    animation = animate(fig, lambda i: line.set_ydata([0, i]), frames=3, dpi=30)
    strip = Image.open(io.BytesIO(animation.key_frame_strip()))
    assert strip.size == (360, 3 * 120 + 2 * 8)


def test_frames_have_twice_the_pixels_of_their_displayed_size():
    fig, update = moving_point()  # 3 x 2 inches
    animation = animate(fig, update, frames=2, dpi=60)
    assert (animation.width, animation.height) == (180, 120)
    assert re.search(r'<img alt="animation" width="180" height="120" id="_anim_img', animation.html)
    for _, data in frames_of(animation.html):
        assert Image.open(io.BytesIO(base64.b64decode(data))).size == (360, 240)


def test_player_frame_and_slider_are_labelled_for_screen_readers():
    fig, update = moving_point()
    html = animate(fig, update, frames=3, description='the point "walks" downhill').html
    assert re.search(
        r'<img alt="the point &quot;walks&quot; downhill" width="216" height="144" id="_anim_img[0-9a-f]{32}">', html
    )
    assert re.search(r'<input aria-label="Frame" id="_anim_slider[0-9a-f]{32}"', html)
    fig, update = moving_point()
    assert '<img alt="animation" width="216" height="144" id="_anim_img' in animate(fig, update, frames=2).html
    fig, update = moving_point()
    with pytest.raises(ValueError, match="description must be a non-empty text"):
        animate(fig, update, frames=2, description=" ")


def test_player_loads_nothing_from_the_internet_and_is_reproducible():
    fig, update = moving_point()
    first = animate(fig, update, frames=range(3))
    fig, update = moving_point()
    second = animate(fig, update, frames=range(3))
    assert "https://" not in first.html and "http://" not in first.html
    assert first._repr_mimebundle_() == second._repr_mimebundle_()


def test_player_stays_small():
    fig, update = moving_point()
    assert animate(fig, update, frames=6).size_kib < 100
    fig, update = moving_point()
    with pytest.raises(ValueError, match="over max_kib"):
        animate(fig, update, frames=6, dpi=300, max_kib=10)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"frames": 0}, ValueError, "frames must be a positive whole number"),
        ({"frames": []}, ValueError, "frames must not be empty"),
        ({"frames": 2, "fps": 0}, ValueError, "fps must be a finite number greater than 0"),
        ({"frames": 2, "dpi": -1}, ValueError, "dpi must be a positive whole number"),
        ({"frames": 2, "quality": 100}, ValueError, "quality must be at most 95"),
        ({"frames": 2.5}, TypeError, "frames must be a positive whole number"),
    ],
)
def test_animate_rejects_bad_settings(kwargs, error, message):
    fig, update = moving_point()
    with pytest.raises(error, match=message):
        animate(fig, update, **kwargs)
    plt.close(fig)


def test_animate_needs_a_function():
    fig, _ = moving_point()
    with pytest.raises(TypeError, match="update must be a function"):
        animate(fig, "not a function", frames=2)
    plt.close(fig)


# --- the site's player and the PDF's key frames, on a one-notebook book -------------------------

STATIC = HERE / "static"
CONF = """\
extensions = [
    "myst_nb", "dlbook_build.sphinx.editions", "dlbook_build.sphinx.animation_player", "dlbook_build.sphinx.latex"
]
nb_execution_mode = "off"
language = "en"
book_year = 2026
root_doc = "index"
exclude_patterns = ["_build"]
html_static_path = [{static!r}]  # as dlbook_build.sphinx adds it
"""


def build(source: Path, builder: str) -> tuple[Path, str]:
    """Build ``source`` with ``builder``; the output folder and the warnings."""
    warnings = io.StringIO()
    out = source / "_build" / builder
    with docutils_namespace():
        app = Sphinx(
            source, source, out, source / "_build" / "doctrees", builder, status=None, warning=warnings, freshenv=True
        )
        app.build()
    return out, warnings.getvalue()


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, dict]:
    """A book of two pages: a notebook whose one output is an animation of six frames, and a page without."""
    source = tmp_path_factory.mktemp("book")
    (source / "conf.py").write_text(CONF.format(static=str(STATIC)))
    (source / "index.md").write_text("# A book\n\n```{toctree}\nwalk\nplain\n```\n")
    (source / "plain.md").write_text("# No animation here\n\nText.\n")
    fig, update = moving_point()
    bundle = animate(fig, update, frames=6, dpi=60, description="the point walks downhill")._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("animate(fig, update, frames=6)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Walking downhill"), cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source / "walk.ipynb")
    return source, bundle


def test_the_site_shows_the_first_frame_sized_and_the_others_as_files(book):
    source, bundle = book
    out, warnings = build(source, "html")
    assert not warnings, warnings
    page = (out / "walk.html").read_text(encoding="utf-8")
    assert "base64" not in page and "_anim_img" not in page  # neither the notebook's player nor any frame inside

    player = BeautifulSoup(page, "html.parser").select_one("figure.dlbook-player")
    images = player.select("img")
    assert len(images) == 1, "the other frames are not images of the page until the player fetches them"
    first = images[0]
    assert (first["width"], first["height"], first["alt"]) == ("180", "120", "the point walks downhill")

    frames = json.loads(player["data-frames"])
    assert first["src"] == frames[0] and len(frames) == 6
    expected = [base64.b64decode(frame) for frame in bundle[MIME_TYPE]["frames"]]
    written = [(out / src).read_bytes() for src in frames]
    assert written == expected  # each frame an image file of the site, named by its content
    assert all(src.startswith("_images/") and src.endswith(".webp") for src in frames)
    assert player["data-fps"] == "5.0"

    controls = player.select_one(".dlbook-player-controls")
    names = [button["aria-label"] for button in controls.select("button")]
    assert names == ["First frame", "Previous frame", "Play", "Next frame", "Last frame"]
    assert controls.select_one('input[type="range"]')["aria-label"] == "Frame"
    assert controls.select_one('input[type="range"]')["max"] == "6"

    def loads(name: str) -> tuple[bool, bool]:
        soup = BeautifulSoup((out / name).read_text(encoding="utf-8"), "html.parser")
        scripts = [str(s.get("src", "")) for s in soup.select("script")]
        styles = [str(s.get("href", "")) for s in soup.select('link[rel="stylesheet"]')]
        return any(SCRIPT in s for s in scripts), any(STYLESHEET in s for s in styles)

    assert loads("walk.html") == (True, True)
    assert loads("plain.html") == (False, False)  # pages without a player load neither
    assert (out / "_static" / SCRIPT).is_file() and (out / "_static" / STYLESHEET).is_file()


def test_the_player_speaks_the_edition_language(book, tmp_path):
    source, _ = book
    korean = tmp_path / "ko"
    korean.mkdir()
    for name in ("index.md", "plain.md", "walk.ipynb"):
        (korean / name).write_bytes((source / name).read_bytes())
    (korean / "conf.py").write_text(CONF.format(static=str(STATIC)).replace('language = "en"', 'language = "ko"'))
    out, warnings = build(korean, "html")
    assert not warnings, warnings
    controls = BeautifulSoup((out / "walk.html").read_text(encoding="utf-8"), "html.parser").select_one(
        ".dlbook-player-controls"
    )
    labels = EDITIONS["ko"]["player_labels"]
    play = controls.select_one('button[data-action="play"]')
    assert (play["aria-label"], play["data-label-pause"]) == (labels["Play"], labels["Pause"])
    assert controls.select_one('input[type="range"]')["aria-label"] == labels["Frame"]


def test_the_pdf_prints_the_key_frames_with_their_caption(book):
    source, bundle = book
    out, warnings = build(source, "latex")
    assert not warnings, warnings
    tex = next(out.glob("*.tex")).read_text(encoding="utf-8")
    caption = EDITIONS["en"]["latex"]["animation"].format(
        n=6, description="the point walks downhill", shown="1, 3, 4, 6"
    )
    assert caption in tex
    included = re.findall(r"\\sphinxincludegraphics\[width=1.000\\linewidth\]\{\{([^}]+)\}\.png\}", tex)
    assert len(included) == 1, "one image: the key frames"
    assert (out / f"{included[0]}.png").read_bytes() == base64.b64decode(bundle["image/png"])
    assert "webp" not in tex and "_anim_img" not in tex


def test_an_edition_without_the_player_words_is_rejected():
    labels = dict(EDITIONS["ko"]["player_labels"])
    del labels["Pause"]
    config = SimpleNamespace(language="ko", book_editions={"ko": {"player_labels": labels}})
    with pytest.raises(ConfigError, match=r"no words for \['Pause'\] in the edition 'ko'.*\[ko.player_labels\]"):
        check_labels(None, config)
