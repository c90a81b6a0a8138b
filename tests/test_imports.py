"""What importing the book's code loads: the build starts without the plotting and learning libraries.

Every edition's Sphinx process imports the book's extensions, also when
nothing changed; matplotlib alone costs about a second there (issue 20's
no-change budget). ``import dlbook`` loads its modules on first use, so the
build reads :mod:`dlbook.outputs` without them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "tensorflow", "torch", "keras")


def loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has loaded after running ``code``."""
    report = f"import json, sys; {code}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", report], capture_output=True, text=True, check=True)
    return [name for name in json.loads(result.stdout) if name in HEAVY]


def test_the_build_extensions_load_no_plotting_or_learning_library():
    assert (
        loaded_after("import dlbook_build.sphinx, dlbook_build.sphinx.animation_player, dlbook_build.sphinx.latex")
        == []
    )


def test_import_dlbook_loads_nothing_heavy_until_a_name_is_used():
    assert loaded_after("import dlbook") == []
    assert loaded_after("import dlbook; dlbook.animate") == ["matplotlib"]


def test_dlbook_names_resolve_lazily_and_unknown_names_fail():
    import dlbook

    for name in dlbook.__all__:
        assert getattr(dlbook, name).__name__ == name
        assert name in dir(dlbook)
    with pytest.raises(AttributeError, match="no attribute 'fit'"):
        dlbook.fit  # noqa: B018
