"""The first code cell of every downloaded notebook: installs dlbook if it is missing, then checks the frameworks.

Never imported: :func:`dlbook_build.sphinx.notebooks.install_cell` reads this
file and writes the cell from it: without this docstring, with the wheel's
address (a URL, or a path from the notebook) as ``WHEEL``, with the edition's
``WORDS`` (``[<language>.install_words]`` in book/editions.toml; the English
ones below let the file run as it is), and with the edition's ``comment`` as
its first line. So the cell holds no comment or docstring of its own: every
word a reader sees is the edition's. The tests run it as a script and in a
kernel.

dlbook goes in first without its requirements, so that its framework check
(``dlbook/frameworks.py``, loaded alone: it needs nothing but the standard
library) runs before pip could complain about a framework: a missing or
unsupported TensorFlow or PyTorch stops the cell with one sentence. Then pip
adds what else dlbook needs, with the installed versions of ``KEPT`` as
constraints, so that it never replaces or downgrades them.

Before any of it, the cell turns TensorFlow's oneDNN kernels off (unless the
reader has set ``TF_ENABLE_ONEDNN_OPTS``), as the kernels that printed the
site's numbers had them (``dlbook_build.kernels.KERNEL_ENV``): with them on,
some results differ from the site's in their last printed digits. It takes
effect for the TensorFlow the chapter imports next.

A notebook that cannot find its wheel (one notebook taken out of a local
build, or opened in Colab from a build without ``BOOK_BASE_URL``) stops with
one sentence saying what to do (:class:`Stop`: IPython shows what
``_render_traceback_`` returns instead of a traceback, and "Run all" stops
there as at any error).
"""

import contextlib
import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

WHEEL = "dlbook.whl"
WORDS = {
    "no_wheel": "The book's dlbook package is not beside this notebook.",
    "pip_failed": "pip could not install dlbook: its message above names the problem.",
    "installed": "dlbook {version} is ready ({frameworks})",
}
KEPT = ("numpy", "keras", "tensorflow", "tensorflow-cpu", "torch")


class Stop(Exception):
    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def pip_install(*args: str) -> None:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", *args], capture_output=True, text=True, check=False)
    if pip.returncode != 0:
        print(pip.stdout, pip.stderr)
        raise Stop(WORDS["pip_failed"])
    importlib.invalidate_caches()


if importlib.util.find_spec("dlbook") is None:
    if "://" not in WHEEL and not os.path.isfile(WHEEL):
        raise Stop(WORDS["no_wheel"])
    pip_install("--no-deps", WHEEL)

installed = importlib.util.find_spec("dlbook")
assert installed is not None and installed.submodule_search_locations
path = os.path.join(installed.submodule_search_locations[0], "frameworks.py")
spec = importlib.util.spec_from_file_location("dlbook_frameworks", path)
assert spec is not None and spec.loader is not None
frameworks = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(frameworks)
versions = frameworks.check_frameworks()

kept = []
for name in KEPT:
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        kept.append(f"{name}=={importlib.metadata.version(name)}")
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
    constraints.write("\n".join(kept) + "\n")
pip_install("--constraint", constraints.name, WHEEL)

dlbook = importlib.import_module("dlbook")
print(
    WORDS["installed"].format(version=dlbook.__version__, frameworks=", ".join(f"{n} {v}" for n, v in versions.items()))
)
