"""One way to animate in the book: a steppable player embedded in the page (chapters 3-7).

:func:`animate` runs the reader's ``update(i)`` function for every frame, the
way ``matplotlib.animation.FuncAnimation`` does, and embeds the frames in
matplotlib's JavaScript player (play, pause, step one frame forward or back,
a slider). The page needs no server and no internet.

Frames are WebP drawn at twice the figure's display resolution, so they stay
sharp on 2x (phone, laptop) screens; WebP's lossy coding keeps an animation
to a few hundred kilobytes, less than the 1x JPEG frames it replaced. The
frame carries its display size (``width``/``height``), and the book's
stylesheet lets the player shrink to a phone's column.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation, HTMLWriter
from PIL import Image

from dlbook._checks import check_positive_int, check_positive_number

_PLAYER_ID = re.compile(r'id="_anim_img([0-9a-f]{32})"')
# matplotlib's player links Font Awesome 4 from a CDN; the book's theme serves
# Font Awesome itself (its v4 icon names included), and pages load nothing
# from the internet.
_CDN_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">\s*')
# matplotlib's player leaves its frame without alternative text and its slider
# without a label; screen readers need both (axe: image-alt, label)
_FRAME_IMG = '<img id="_anim_img'
_SLIDER = '<input id="_anim_slider'
_FIRST_FRAME = re.compile(r'frames\[0\] = "data:image/webp;base64,([A-Za-z0-9+/=\\\n]+)"')
#: frames are drawn at this many pixels per displayed (CSS) pixel
DENSITY = 2


class _WebPWriter(HTMLWriter):
    """matplotlib's HTML player with WebP frames (savefig writes WebP through Pillow)."""

    supported_formats = ["webp", *HTMLWriter.supported_formats]


class Animation:
    """A finished animation: shown as the player in a notebook or page."""

    def __init__(self, html: str, n_frames: int) -> None:
        self.html = html
        self.n_frames = n_frames

    @property
    def size_kib(self) -> float:
        """Size of the embedded player, frames included, in KiB."""
        return len(self.html.encode()) / 1024

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<Animation: {self.n_frames} frames>"


def animate(
    fig: Any,
    update: Callable[[Any], Any],
    frames: int | Iterable[Any],
    *,
    fps: float = 5,
    dpi: int = 72,
    quality: int = 75,
    max_kib: float = 1000,
    description: str = "animation",
) -> Animation:
    """Turn ``update(frame)`` calls on ``fig`` into an embedded, steppable player.

    ``frames`` is a number of frames or the sequence of values passed to
    ``update``. The figure is closed afterwards so it is not shown twice. An
    animation larger than ``max_kib`` raises ``ValueError``: pages must stay
    light, so use fewer frames, a smaller figure or a lower ``dpi``.
    ``description`` is the frames' alternative text, read out by screen readers.
    ``dpi`` is the display resolution (CSS pixels per figure inch); frames are
    drawn at ``DENSITY`` times it. ``quality`` is the WebP quality (1-95).
    """
    if not callable(update):
        raise TypeError(f"update must be a function of the frame, got {type(update).__name__}")
    if isinstance(frames, Iterable):
        frames = list(frames)
        if not frames:
            raise ValueError("frames must not be empty")
        n_frames = len(frames)
    else:
        n_frames = check_positive_int(frames, "frames")
    fps = check_positive_number(fps, "fps")
    dpi = check_positive_int(dpi, "dpi")
    quality = check_positive_int(quality, "quality")
    if quality > 95:
        raise ValueError(f"quality must be at most 95 (WebP), got {quality}")
    max_kib = check_positive_number(max_kib, "max_kib")
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description must be a non-empty text that says what the animation shows")

    animation = FuncAnimation(fig, update, frames=frames, interval=1000 / fps, repeat=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "player.html")
        writer = _WebPWriter(fps=fps, embed_frames=True, default_mode="once")
        writer.frame_format = "webp"  # not an rcParams value matplotlib accepts
        animation.save(
            str(path), writer=writer, dpi=dpi * DENSITY, savefig_kwargs={"pil_kwargs": {"quality": quality, "method": 6}}
        )
        html = _CDN_STYLESHEET.sub("", path.read_text())
    plt.close(fig)
    # shown at half the frames' pixels (Agg may round a frame a pixel down)
    first = _FIRST_FRAME.search(html)
    if first is None:
        raise RuntimeError("matplotlib's player markup changed: dlbook.animate cannot find its frames")
    with Image.open(io.BytesIO(base64.b64decode(first.group(1).replace("\\\n", "")))) as frame:
        width, height = (pixels // DENSITY for pixels in frame.size)
    if _FRAME_IMG not in html or _SLIDER not in html:
        raise RuntimeError("matplotlib's player markup changed: dlbook.animate cannot label its frame and slider")
    html = html.replace(
        _FRAME_IMG, f'<img alt="{escape(description, quote=True)}" width="{width}" height="{height}" id="_anim_img', 1
    )
    html = html.replace(_SLIDER, '<input aria-label="Frame" id="_anim_slider', 1)
    # the loop-mode form is a landmark: name it after the animation, so that
    # several players on a page stay distinguishable (axe: landmark-unique)
    html = html.replace('aria-label="Repetition mode"', f'aria-label="Repetition mode: {escape(description, quote=True)}"', 1)

    # matplotlib names the player with a random id; name it by its content so
    # two builds of the same chapter produce the same page.
    random_id = _PLAYER_ID.search(html).group(1)
    stable_id = hashlib.sha1(html.replace(random_id, "").encode()).hexdigest()[:32]
    html = html.replace(random_id, stable_id)
    result = Animation(html, n_frames)
    if result.size_kib > max_kib:
        raise ValueError(
            f"the animation weighs {result.size_kib:.0f} KiB, over max_kib={max_kib:.0f}: "
            "use fewer frames, a smaller figure or a lower dpi"
        )
    return result
