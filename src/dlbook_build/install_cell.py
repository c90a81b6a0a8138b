"""The first code cell of every downloaded notebook: installs dlbook if it is missing, then checks the frameworks.

Never imported: :func:`dlbook_build.sphinx.notebooks.install_cell` reads this
file, drops this docstring, and writes the wheel's address (a URL, or a path
from the notebook) into ``WHEEL``; the tests run it as a script.

dlbook goes in first without its requirements, so that its framework check
(``dlbook/frameworks.py``, loaded alone: it needs nothing but the standard
library) runs before pip could complain about a framework: a missing or
unsupported TensorFlow or PyTorch stops the cell with one sentence. Then pip
adds what else dlbook needs, with the installed versions of ``KEPT`` as
constraints, so that it never replaces or downgrades them.
"""

# The book's helper package, dlbook, installed if it is missing, beside the
# TensorFlow and PyTorch this machine has (never replacing them).
import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import tempfile

WHEEL = "dlbook.whl"
KEPT = ("numpy", "keras", "tensorflow", "tensorflow-cpu", "torch")


def pip_install(*args: str) -> None:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", *args], capture_output=True, text=True, check=False)
    if pip.returncode != 0:
        print(pip.stdout, pip.stderr)
        raise RuntimeError("pip could not install dlbook: its message above names the problem")
    print(*(line for line in pip.stdout.splitlines() if line.startswith("Successfully")), sep="\n")
    importlib.invalidate_caches()


if importlib.util.find_spec("dlbook") is None:
    if "://" not in WHEEL and not os.path.isfile(WHEEL):
        raise FileNotFoundError(
            f"{WHEEL} is missing: open this notebook where it was downloaded, "
            "beside the book's site or in its unpacked zip"
        )
    pip_install("--no-deps", WHEEL)

# the frameworks first: a missing or unsupported one stops here, in one sentence
installed = importlib.util.find_spec("dlbook")
assert installed is not None and installed.submodule_search_locations, "dlbook is installed above"
path = os.path.join(installed.submodule_search_locations[0], "frameworks.py")
spec = importlib.util.spec_from_file_location("dlbook_frameworks", path)
assert spec is not None and spec.loader is not None, f"{path} is dlbook's own"
frameworks = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(frameworks)
versions = frameworks.check_frameworks()

# then what else dlbook needs, with the installed frameworks held as they are
kept = []
for name in KEPT:
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        continue
    kept.append(f"{name}=={version}")
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
    constraints.write("\n".join(kept) + "\n")
pip_install("--constraint", constraints.name, WHEEL)

dlbook = importlib.import_module("dlbook")
print("dlbook", dlbook.__version__, "with", ", ".join(f"{name} {version}" for name, version in versions.items()))
