from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlbook import animate


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


def test_player_has_one_webp_frame_per_step_and_step_controls():
    fig, update = moving_point()
    player = animate(fig, update, frames=6)
    assert repr(player) == "<Animation: 6 frames>"
    frames = frames_of(player.html)
    assert len(frames) == 6 and {kind for kind, _ in frames} == {"webp"}
    decoded = [base64.b64decode(data) for _, data in frames]
    assert all(d[:4] == b"RIFF" and d[8:12] == b"WEBP" for d in decoded)
    assert len(set(decoded)) == 6  # the point moved in every frame
    for control in ("Next frame", "Previous frame", "Play", "Pause"):
        assert f'title="{control}"' in player.html
    assert player._repr_html_() == player.html
    assert not plt.fignum_exists(fig.number)  # closed, not shown twice


def test_frames_have_twice_the_pixels_of_their_displayed_size():
    from PIL import Image

    fig, update = moving_point()  # 3 x 2 inches
    html = animate(fig, update, frames=2, dpi=60).html
    assert re.search(r'<img alt="animation" width="180" height="120" id="_anim_img', html)
    for _, data in frames_of(html):
        assert Image.open(io.BytesIO(base64.b64decode(data))).size == (360, 240)


def test_player_frame_and_slider_are_labelled_for_screen_readers():
    fig, update = moving_point()
    html = animate(fig, update, frames=3, description='the point "walks" downhill').html
    assert re.search(r'<img alt="the point &quot;walks&quot; downhill" width="216" height="144" id="_anim_img[0-9a-f]{32}">', html)
    assert re.search(r'<input aria-label="Frame" id="_anim_slider[0-9a-f]{32}"', html)
    fig, update = moving_point()
    assert '<img alt="animation" width="216" height="144" id="_anim_img' in animate(fig, update, frames=2).html
    fig, update = moving_point()
    with pytest.raises(ValueError, match="description must be a non-empty text"):
        animate(fig, update, frames=2, description=" ")


def test_player_loads_nothing_from_the_internet_and_is_reproducible():
    fig, update = moving_point()
    first = animate(fig, update, frames=range(3)).html
    fig, update = moving_point()
    second = animate(fig, update, frames=range(3)).html
    assert "https://" not in first and "http://" not in first
    assert first == second


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
