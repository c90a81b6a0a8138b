"""Chapter kernels forked from a warm process: TensorFlow, PyTorch and Keras imported once per build, not per chapter.

Importing TensorFlow, PyTorch, Keras and Matplotlib costs 7-9 s of CPU, and
jupyter_client starts every kernel as a new interpreter
(``python -m ipykernel_launcher``) that pays it again: 16 chapters, two
minutes of a 2-core machine. Here multiprocessing's forkserver imports them
once (:data:`KERNEL_MODULES`, and of :data:`FRAMEWORKS` those the chapters
import: :func:`imported_frameworks`), started with the kernels' environment
(:data:`KERNEL_ENV`); each chapter runs in a worker forked from it
(:func:`warm_pool`), and the worker forks the chapter's kernel, an ordinary
ipykernel serving a connection file over IPC sockets (:func:`forked_kernel`).
The kernel is a fresh process whose cells find those modules already in
``sys.modules``; nothing else is shared. Forking is safe because importing
them starts no thread (TensorFlow and PyTorch start their pools at their
first operation); a worker forks its kernel before it opens a socket of its
own, and serves one chapter only.

Kernels talk over IPC sockets in a short private folder (not TCP: no port is
opened and ipykernel has no unencrypted-TCP warning to print; short: macOS
limits a socket's path to 104 bytes, and its ``TMPDIR`` is long).
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing import forkserver
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_core.utils import run_sync

#: The kernels' environment: TensorFlow's C++ start-up logs off (they would
#: land in cell outputs), deterministic CPU kernels, fixed hashing, one OpenMP
#: thread (PyTorch's small full-batch loops run faster on one thread, and
#: chapters run in parallel already share the cores), inline figures.
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_DETERMINISTIC_OPS": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
#: What the warm process imports for every chapter: what a worker needs to run a kernel and drive it.
KERNEL_MODULES = ["ipykernel.kernelapp", "nbclient", "nbformat", "dlbook_build.execute"]
#: The costly imports the warm process takes on when a chapter imports them (not pyplot or
#: dlbook: they set up figures, which belongs to the kernel's own IPython).
FRAMEWORKS = ["numpy", "tensorflow", "tensorflow.experimental.numpy", "keras", "torch", "matplotlib"]
#: What a framework imports later, at its first use, that costs seconds: torch imports
#: torch._dynamo when the first optimizer is made (2-4 s of every chapter that trains with torch).
FIRST_USE_IMPORTS = {"torch": ["torch._dynamo"]}
#: seconds a kernel may take to answer its first message, and to exit when asked
STARTUP_TIMEOUT = 60
EXIT_TIMEOUT = 10


def socket_folder() -> str:
    """A new private folder with a short path, for a kernel's sockets and connection file.

    In TMPDIR unless its path is long (a Unix socket path holds at most 104
    bytes on macOS, 108 on Linux, and macOS's TMPDIR is /var/folders/…): /tmp then.
    """
    with _short_tempdir():
        return tempfile.mkdtemp(prefix="dlbk-")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def imported_frameworks(sources: Iterable[str]) -> list[str]:
    """Of :data:`FRAMEWORKS`, those the code ``sources`` import, each followed by its :data:`FIRST_USE_IMPORTS`.

    Cells that are not plain Python are skipped.
    """
    imported = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # an IPython magic, say
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
    roots = {name.split(".")[0] for name in imported}
    chosen = [name for name in FRAMEWORKS if name in imported or (name.split(".")[0] in roots and "." not in name)]
    return [later for name in chosen for later in [name, *FIRST_USE_IMPORTS.get(name, [])]]


@contextmanager
def _short_tempdir() -> Iterator[None]:
    """Python's temporary folder at /tmp meanwhile if TMPDIR's path is long (see :func:`socket_folder`)."""
    saved = tempfile.tempdir
    if len(tempfile.gettempdir()) > 64:
        tempfile.tempdir = "/tmp"
    try:
        yield
    finally:
        tempfile.tempdir = saved


def warm_pool(jobs: int, frameworks: Iterable[str] = ()) -> ProcessPoolExecutor:
    """A pool of ``jobs`` workers, each forked for one chapter from the warm process.

    The warm process is started once per process, by the first pool, with
    ``frameworks`` (see :func:`imported_frameworks`) imported; a kernel imports
    what it lacks itself.
    """
    context = multiprocessing.get_context("forkserver")
    # not on macOS: a process that has loaded Apple's frameworks (TensorFlow and PyTorch
    # do) may crash in a forked child, so there each kernel imports its frameworks itself
    preloaded = list(frameworks) if sys.platform != "darwin" else []
    context.set_forkserver_preload([*KERNEL_MODULES, *preloaded])
    # the warm process, and every kernel forked from it, starts with the kernels' environment
    # (PYTHONHASHSEED only takes effect when an interpreter starts); its listening socket
    # goes into multiprocessing's temporary folder, which must have a short path too
    with _environment(KERNEL_ENV), _short_tempdir():
        forkserver.ensure_running()
    return ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context, max_tasks_per_child=1)


def _serve(connection_file: str, folder: Path) -> None:
    """The forked child: an ipykernel on ``connection_file``, working in ``folder``, until it is shut down."""
    try:
        os.chdir(folder)
        sys.argv = ["ipykernel_launcher", "-f", connection_file]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # as nbclient starts kernels: history in memory, not in the user's profile; and as
        # jupyter_client does, a parent the kernel watches (and exits with), so it prints no
        # banner about how to connect to it
        app.initialize(
            [
                "-f",
                connection_file,
                "--HistoryManager.hist_file=:memory:",
                f"--IPKernelApp.parent_handle={os.getppid()}",
            ]
        )
        app.start()
    finally:
        os._exit(0)


class _ForkedKernelClient(AsyncKernelClient):
    """A client of a kernel this process forked: the kernel is alive while its process is.

    A client without a kernel manager judges by the heartbeat, and calls the
    kernel dead when a ping goes unanswered for a second: a kernel still
    starting on a busy machine (two chapters, the editions' Sphinx, other
    work) can be that slow, and the build then failed with "Kernel died
    before replying to kernel_info" (seen under load).
    """

    pid = 0
    exit_status: int | None = None

    async def _async_is_alive(self) -> bool:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = status
        return self.exit_status is None

    is_alive = _async_is_alive


async def _connect(connection_file: str, pid: int) -> _ForkedKernelClient:
    client = _ForkedKernelClient(connection_file=connection_file)
    client.pid = pid
    client.load_connection_file()
    client.start_channels()
    await client.wait_for_ready(timeout=STARTUP_TIMEOUT)
    client.allow_stdin = False
    return client


def _wait_for_exit(client: _ForkedKernelClient) -> None:
    pid = client.pid
    deadline = time.monotonic() + EXIT_TIMEOUT
    while time.monotonic() < deadline:
        if client.exit_status is not None or os.waitpid(pid, os.WNOHANG) != (0, 0):  # exited, and reaped
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@contextmanager
def forked_kernel(folder: Path) -> Iterator[_ForkedKernelClient]:
    """A kernel forked from this (warm) process, working in ``folder``; a client connected to it.

    Call it in a worker of :func:`warm_pool`, before this process opens any
    socket. The kernel is shut down, and killed if it does not exit, afterwards.
    """
    sockets = socket_folder()
    connection_file = os.path.join(sockets, "kernel.json")
    write_connection_file(connection_file, transport="ipc", ip=os.path.join(sockets, "kernel"))
    pid = os.fork()
    if pid == 0:
        _serve(connection_file, folder)
    client = None
    try:
        client = run_sync(_connect)(connection_file, pid)
        yield client
    finally:
        if client is not None:
            client.shutdown()
            _wait_for_exit(client)
            client.stop_channels()
        else:
            with suppress(ProcessLookupError, ChildProcessError):  # it may have died, and been reaped, already
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        shutil.rmtree(sockets, ignore_errors=True)
