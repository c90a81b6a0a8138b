"""One way to animate in the book: a steppable player (chapters 3-7).

:func:`animate` runs the reader's ``update(i)`` function for every frame, the
way ``matplotlib.animation.FuncAnimation`` does, and returns an
:class:`Animation` that shows itself in three forms, one MIME type each
(``_repr_mimebundle_``), so that each reader of the notebook takes the one it
can show:

- ``text/html``: matplotlib's JavaScript player with every frame inside (play,
  pause, step one frame forward or back, a slider), for Jupyter and Colab,
  where students run the notebooks; it needs no server and no internet;
- ``image/png``: a strip of key frames, for print (the book's PDF);
- :data:`MIME_TYPE`: the frames, their display size, the speed and the
  description as JSON, for a site that draws its own player (the book's does:
  its pages then carry the frames as image files, not inside the HTML).

Frames are WebP drawn at twice the figure's display resolution, so they stay
sharp on 2x (phone, laptop) screens; WebP's lossy coding keeps an animation
to a few hundred kilobytes, less than the 1x JPEG frames it replaced.

An ``update`` that returns the artists it changed (as ``FuncAnimation``
expects with ``blit=True``) is drawn the way ``blit=True`` draws: the rest of
the figure once, then per frame only those artists over a copy of it. A
figure with 3-D surfaces draws ten times faster so; the changed artists come
out on top of the unchanged ones.

Each frame is encoded in a thread of its own while the next ones are drawn
(Pillow's WebP encoder lets go of the GIL), so on two cores an animation takes
the time of its drawing, not of its drawing and encoding: the same bytes, in
about half the time.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import Any, ClassVar

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import HTMLWriter
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from dlbook._checks import check_positive_int, check_positive_number
from dlbook.outputs import ANIMATION as MIME_TYPE

#: frames are drawn at this many pixels per displayed (CSS) pixel
DENSITY = 2
#: How many frames the printed strip shows, at most (first and last included).
KEY_FRAMES = 4

_PLAYER_ID = re.compile(r'id="_anim_img([0-9a-f]{32})"')
# matplotlib's player links Font Awesome 4 from a CDN; the book's theme serves
# Font Awesome itself (its v4 icon names included), and pages load nothing
# from the internet.
_CDN_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">\s*')
# matplotlib's player leaves its frame without alternative text and its slider
# without a label; screen readers need both (axe: image-alt, label)
_FRAME_IMG = '<img id="_anim_img'
_SLIDER = '<input id="_anim_slider'


class _WebPWriter(HTMLWriter):
    """matplotlib's HTML player, given WebP frames already encoded (:func:`_frame`)."""

    # a class attribute in matplotlib; its stub declares an instance variable
    supported_formats: ClassVar[list[str]] = ["webp", *HTMLWriter.supported_formats]  # type: ignore[misc]
    # HTMLWriter's own state (its __init__ and setup set it), which its stub leaves out
    _total_bytes: int
    _bytes_limit: float
    _saved_frames: list[str]

    def add_frame(self, data: bytes) -> None:
        """Embed one frame, as ``grab_frame`` does after drawing it (the player's size limit included)."""
        encoded = base64.encodebytes(data).decode("ascii")
        self._total_bytes += len(encoded)
        if self._total_bytes >= self._bytes_limit:
            raise ValueError("the animation exceeds matplotlib's animation.embed_limit: use fewer or smaller frames")
        self._saved_frames.append(encoded)


def _drawn_frames(fig: Any, update: Callable[[Any], Any], values: list[Any], dpi: float) -> Iterable[Image.Image]:
    """The figure after ``update(value)`` for each value, drawn at ``dpi`` (one drawing per frame).

    matplotlib's ``save`` draws each frame twice, once for the screen; here a
    frame is drawn once, or, when ``update`` returns the artists it changed,
    only those artists are drawn over the rest of the figure, drawn once
    (matplotlib's blitting, as ``FuncAnimation(..., blit=True)``).
    """
    fig.set_dpi(dpi)
    changed = _changed_artists(update(values[0]))
    if changed is None:
        for k, value in enumerate(values):
            if k:
                update(value)
            pixels = io.BytesIO()
            fig.savefig(pixels, format="rgba", dpi=dpi)  # Agg's pixels, whatever the figure's canvas
            width, height = (int(side) for side in fig.bbox.size)
            yield Image.frombuffer("RGBA", (width, height), pixels.getvalue(), "raw", "RGBA", 0, 1)
        return
    canvas = FigureCanvasAgg(fig)  # the figure is closed afterwards: its screen canvas is not needed again
    for artist in changed:
        artist.set_animated(True)  # left out of the full drawing
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    for k, value in enumerate(values):
        if k:
            changed = _changed_artists(update(value)) or changed
        canvas.restore_region(background)
        for artist in changed:
            fig.draw_artist(artist)
        yield Image.fromarray(np.asarray(canvas.buffer_rgba()).copy())


def _changed_artists(returned: Any) -> list[Artist] | None:
    """What ``update`` returned as a list of artists, or None if it returned nothing (draw whole frames)."""
    if returned is None:
        return None
    artists = list(returned) if isinstance(returned, Iterable) else [returned]
    if not artists or not all(isinstance(artist, Artist) for artist in artists):
        raise TypeError(
            "update must return None or the matplotlib artists it changed (a list of lines, texts, ...), "
            f"got {returned!r:.80}"
        )
    return artists


#: threads encoding frames while the next are drawn (encoding a frame takes about as long as drawing it)
_ENCODERS = 2


def _webp(frame: Image.Image, quality: int) -> bytes:
    """A frame as WebP, with method 4, which encodes twice as fast as method 6 for frames 3 % larger."""
    data = io.BytesIO()
    frame.save(data, "webp", quality=quality, method=4)
    return data.getvalue()


def key_frames(n: int, count: int = KEY_FRAMES) -> list[int]:
    """Indices of up to ``count`` frames spread evenly over ``n``, first and last included."""
    if n <= count:
        return list(range(n))
    return sorted({round(i * (n - 1) / (count - 1)) for i in range(count)})


class Animation:
    """A finished animation: its WebP frames, and the player that shows them in a notebook."""

    def __init__(self, html: str, frames: list[bytes], *, fps: float, description: str) -> None:
        self.html = html
        self.frames = tuple(frames)
        self.fps = fps
        self.description = description
        # shown at half the frames' pixels (Agg may round a frame a pixel down)
        with Image.open(io.BytesIO(self.frames[0])) as first:
            self.width, self.height = (pixels // DENSITY for pixels in first.size)
        self.key_frames = key_frames(len(self.frames))

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def size_kib(self) -> float:
        """Size of the embedded player, frames included, in KiB."""
        return len(self.html.encode()) / 1024

    def key_frame_strip(self) -> bytes:
        """A PNG of the key frames (:attr:`key_frames`), for print.

        Very wide frames (several panels) go one to a row, wide ones two,
        others all in one row. The words around it (a caption) are the
        printer's: they are in the book's language, the strip has none.
        """
        images = []
        for i in self.key_frames:
            with Image.open(io.BytesIO(self.frames[i])) as frame:
                images.append(frame.convert("RGB"))
        width, height = max(im.width for im in images), max(im.height for im in images)
        columns = 1 if width > 2.5 * height else 2 if width > 1.2 * height and len(images) > 2 else len(images)
        rows = -(-len(images) // columns)
        gap = 8
        strip = Image.new("RGB", (columns * width + (columns - 1) * gap, rows * height + (rows - 1) * gap), "white")
        for k, im in enumerate(images):
            strip.paste(im, ((k % columns) * (width + gap), (k // columns) * (height + gap)))
        buffer = io.BytesIO()
        strip.save(buffer, format="PNG")  # zlib's default level: optimize=True is ten times slower for 2 % less
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The animation in each form a notebook reader may show: player, key frames, frames as JSON."""
        frames = {
            "frames": [base64.b64encode(frame).decode("ascii") for frame in self.frames],
            "format": "image/webp",
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "description": self.description,
            "key_frames": self.key_frames,
        }
        return {
            "text/plain": repr(self),
            "text/html": self.html,
            "image/png": base64.b64encode(self.key_frame_strip()).decode("ascii"),
            MIME_TYPE: frames,
        }

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
    """Turn ``update(frame)`` calls on ``fig`` into a steppable animation.

    ``frames`` is a number of frames or the sequence of values passed to
    ``update``. ``update`` returns None, or the artists it changed, which are
    then the only ones drawn again for each frame (see the module's docstring).
    The figure is closed afterwards so it is not shown twice. An
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

    values = frames if isinstance(frames, list) else list(range(n_frames))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "player.html")
        # the stub says int; HTMLWriter only divides 1000 ms by it, and any rate works
        writer = _WebPWriter(fps=fps, embed_frames=True, default_mode="once")  # type: ignore[arg-type]
        writer.frame_format = "webp"  # not an rcParams value matplotlib accepts
        writer.setup(fig, path, dpi * DENSITY)  # may round the figure to whole pixels, as matplotlib's save does
        with ThreadPoolExecutor(max_workers=_ENCODERS) as encoders:
            drawn = _drawn_frames(fig, update, values, dpi * DENSITY)
            encoding = [encoders.submit(_webp, frame, quality) for frame in drawn]
            encoded = [frame.result() for frame in encoding]
        for frame in encoded:
            writer.add_frame(frame)
        writer.finish()
        html = _CDN_STYLESHEET.sub("", path.read_text())
    plt.close(fig)
    result = Animation(html, encoded, fps=fps, description=description)
    if _FRAME_IMG not in html or _SLIDER not in html:
        raise RuntimeError("matplotlib's player markup changed: dlbook.animate cannot label its frame and slider")
    label = escape(description, quote=True)
    html = html.replace(
        _FRAME_IMG, f'<img alt="{label}" width="{result.width}" height="{result.height}" id="_anim_img', 1
    )
    html = html.replace(_SLIDER, '<input aria-label="Frame" id="_anim_slider', 1)
    # the loop-mode form is a landmark: name it after the animation, so that
    # several players on a page stay distinguishable (axe: landmark-unique)
    html = html.replace('aria-label="Repetition mode"', f'aria-label="Repetition mode: {label}"', 1)

    # matplotlib names the player with a random id; name it by its content so
    # two builds of the same chapter produce the same page.
    found = _PLAYER_ID.search(html)
    if found is None:
        raise RuntimeError("matplotlib's player markup changed: dlbook.animate cannot find the player's id")
    random_id = found.group(1)
    stable_id = hashlib.sha1(html.replace(random_id, "").encode()).hexdigest()[:32]
    result.html = html.replace(random_id, stable_id)
    if result.size_kib > max_kib:
        raise ValueError(
            f"the animation weighs {result.size_kib:.0f} KiB, over max_kib={max_kib:.0f}: "
            "use fewer frames, a smaller figure or a lower dpi"
        )
    return result
