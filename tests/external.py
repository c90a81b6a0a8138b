"""The programs outside Python that some tests need, found where each platform installs them.

TeX (for the PDF) is looked for on PATH, where Debian's packages and MacTeX put
it. When it is missing, the tests that need it are skipped outside CI, each
with one line naming what is missing and the command that installs it on
Debian/Ubuntu and on macOS (pytest's ``-ra`` summary counts them); under CI
(``CI=true``) they fail instead: CI runs everything. The browser test
(tests/browser/) finds Chromium the same way, in ``tests/browser/chromium.mjs``.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: What the PDF build and its tests run: XeTeX through latexmk, rsvg-convert
#: for the diagrams, poppler (pdfinfo, pdftotext, pdffonts) and qpdf.
TEX_COMMANDS = ("xelatex", "latexmk", "rsvg-convert", "qpdf", "pdfinfo", "pdftotext", "pdffonts")
TEX_INSTALL = (
    "Debian/Ubuntu: sudo bash tests/pdf/ensure_tex.sh; "
    "macOS: brew install --cask mactex-no-gui && brew install librsvg poppler qpdf"
)


def in_ci() -> bool:
    """Whether this run is CI's (``CI`` set, and not to ``0`` or ``false``): nothing may be skipped there."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def missing_commands(commands: tuple[str, ...], path: str | None = None) -> list[str]:
    """The commands of ``commands`` that are not on ``path`` (PATH by default)."""
    return [command for command in commands if shutil.which(command, path=path) is None]


def require(what: str, missing: list[str], install: str) -> None:
    """Skip the test (fail it under CI) if ``missing`` names anything; one line says what, and how to install."""
    if not missing:
        return
    message = f"{what} is missing ({', '.join(missing)} not on PATH); install it with {install}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: required)", pytrace=False)
    pytest.skip(message)


def require_tex() -> None:
    require("TeX", missing_commands(TEX_COMMANDS), TEX_INSTALL)
