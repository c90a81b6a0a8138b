"""Build every edition of the book and publish the site: ``python tools/build_book.py`` (what ``tox -e book`` runs).

Every edition's chapters that the jupyter-cache lacks are executed, all
editions together, one per core, the longest first
(:func:`dlbook_build.execute.execute_missing`); a chapter that fails stops
the build there, naming its file, cell and line. Meanwhile each edition (a
folder of ``book/`` named in ``book/editions.toml``) is built by its own
``sphinx-build -n -W --keep-going`` process with the one ``conf.py`` at the
repository root, one per core at once (a process per edition keeps Sphinx's
per-language state apart; each prints its log when it ends): it starts up
while the chapters run and waits only for those it reads that are being
executed, so after a code edit the other edition is built meanwhile. Then
:func:`dlbook_build.publish.publish` copies what readers load into
``_build/html/``. Exits with the first failing status.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from dlbook_build.execute import execute_missing
from dlbook_build.project import BOOK, BUILD, EDITIONS, ROOT, BuildDirs, chapters, read_book_release
from dlbook_build.publish import publish


def sphinx_command(
    language: str,
    book: Path,
    dirs: BuildDirs,
    extra: Sequence[str] = (),
    jobs: int | None = None,
    program: str = "sphinx",
    solutions: bool = True,
) -> list[str]:
    """The ``sphinx-build`` (or ``sphinx-autobuild``) command for one edition (without solutions: the student build)."""
    settings = [f"language={language}", f"nb_execution_cache_path={dirs.cache}"]
    if jobs is not None:
        settings.append(f"book_execution_jobs={jobs}")
    if not solutions:
        settings.append("book_solutions=0")  # dlbook_build.sphinx.solutions
    return [
        sys.executable, "-m", program, "-b", "html", "-n", "-W", "--keep-going", "-c", str(ROOT),
        *(arg for setting in settings for arg in ("-D", setting)),
        "-d", str(dirs.doctrees(language)), *extra, str(book / language), str(dirs.sphinx_out(language)),
    ]  # fmt: skip


def build(
    book: Path = BOOK, dirs: BuildDirs = BuildDirs(BUILD), languages: list[str] | None = None,
    jobs: int | None = None, extra: Sequence[str] = (), solutions: bool = True,
) -> int:  # fmt: skip
    """Build the editions (every folder of ``book`` unless ``languages``) and publish them; 0 or the failing status."""
    order = list(EDITIONS)
    folders = [p.name for p in book.iterdir() if (p / "index.md").is_file()]
    languages = languages or sorted(
        folders, key=lambda lang: (order.index(lang) if lang in order else len(order), lang)
    )
    jobs = jobs or os.cpu_count() or 1
    start = time.perf_counter()
    sources = [chapter for language in languages for chapter in chapters(language, book)]
    editions = _Editions(languages, book, dirs, list(extra), jobs, solutions)
    status = 0
    try:
        # each chapter's line as it finishes, also when the output is a pipe (tox, a log file)
        failures = execute_missing(
            sources, dirs.cache, jobs, log=lambda line: print(line, flush=True), claimed=editions.start
        )
        if failures:
            editions.stop()
            for failure in failures:
                print(failure, file=sys.stderr)
            failed = sorted(
                {lang for lang in languages for f in failures if str(f).startswith(str(book.resolve() / lang))}
            )
            print(f"dlbook_build: the {', '.join(failed)} edition failed: a chapter did not execute", file=sys.stderr)
            return 1
        for language, code, log in editions.finished():
            print(log, end="")
            seconds = time.perf_counter() - start
            if code:
                message = f"dlbook_build: the {language} edition failed (exit {code}) after {seconds:.1f} s"
                print(message, file=sys.stderr)
                status = status or code
            else:
                print(f"dlbook_build: built the {language} edition in {seconds:.1f} s")
    finally:
        editions.stop()  # none left running when the build stops, on an error or Ctrl-C
    if status:
        return status
    publish(dirs, languages, release=read_book_release(), base_url=os.environ.get("BOOK_BASE_URL", ""))
    print(f"dlbook_build: published {', '.join(languages)} into {dirs.site}")
    return 0


#: seconds an edition's Sphinx has to stop when the build ends early, before it is killed
STOP_TIMEOUT = 10

#: how much lower than the build's own (the chapters' kernels) an edition's Sphinx runs (os.nice)
SPHINX_NICENESS = 10


def _yield_to_chapters() -> None:
    """In an edition's Sphinx process, before it starts: a lower priority than the chapters being executed.

    The build waits for the chapters (and an edited chapter's edition waits
    for it too), so Sphinx takes the cycles they leave instead of slowing the
    warm process's imports and the kernels down.
    """
    os.nice(SPHINX_NICENESS)


class _Editions:
    """The editions' Sphinx processes, ``jobs`` at a time, started while the build executes their chapters.

    Each starts up (its extensions, its pickled environment), and an edition
    whose chapters are all in the cache is built, while the chapters run; an
    edition waits for the chapters it reads that are being executed
    (``book_execution_wait``, :mod:`dlbook_build.sphinx.execution`).
    """

    def __init__(
        self, languages: list[str], book: Path, dirs: BuildDirs, extra: list[str], jobs: int, solutions: bool
    ) -> None:
        self.waiting = list(languages)
        self.running: dict[str, subprocess.Popen] = {}
        self.book, self.dirs, self.extra, self.jobs, self.solutions = book, dirs, extra, jobs, solutions

    def start(self) -> None:
        """Start the waiting editions, up to ``jobs`` running."""
        while self.waiting and len(self.running) < self.jobs:
            language = self.waiting.pop(0)
            log = self._log(language)
            log.parent.mkdir(parents=True, exist_ok=True)
            extra = [*self.extra, "-D", "book_execution_wait=1"]
            command = sphinx_command(language, self.book, self.dirs, extra, self.jobs, solutions=self.solutions)
            with open(log, "w", encoding="utf-8") as file:  # the child has its own copy of the descriptor
                self.running[language] = subprocess.Popen(
                    command, cwd=ROOT, stdout=file, stderr=subprocess.STDOUT, preexec_fn=_yield_to_chapters
                )

    def finished(self) -> Iterator[tuple[str, int, str]]:
        """Each edition as its build ends: its language, exit status and log (kept in the build folder too)."""
        self.start()
        while self.running:
            language = next((lang for lang, p in self.running.items() if p.poll() is not None), None)
            if language is None:
                time.sleep(0.05)
                continue
            code = self.running.pop(language).wait()
            self.start()
            yield language, code, self._log(language).read_text(encoding="utf-8")

    def stop(self) -> None:
        """End the editions still running, and start no other."""
        self.waiting.clear()
        # SIGINT, not SIGTERM: Sphinx stops as on Ctrl-C and its atexit handlers run,
        # among them sphinxcontrib-katex's, which ends the Node server it started
        for process in self.running.values():
            process.send_signal(signal.SIGINT)
        for process in self.running.values():
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()

    def _log(self, language: str) -> Path:
        return self.dirs.root / "sphinx" / language / "build.log"


def add_build_arguments(parser: argparse.ArgumentParser, output: str) -> None:
    """The options of every build command: the book, the build folder (``output`` lands in it), cache, editions."""
    parser.add_argument("--book", type=Path, default=BOOK, help="folder holding one folder per edition")
    parser.add_argument("--build-dir", type=Path, default=BUILD, help=f"build folder; {output} lands in it")
    parser.add_argument("--cache", type=Path, help="jupyter-cache to use (default: the build folder's .jupyter_cache)")
    parser.add_argument("--edition", action="append", help="build only this edition (repeatable)")


def build_dirs(args: argparse.Namespace) -> BuildDirs:
    return BuildDirs(args.build_dir.resolve(), args.cache.resolve() if args.cache else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_build_arguments(parser, "the site (html/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="chapters executed at once")
    parser.add_argument(
        "--no-solutions", dest="solutions", action="store_false",
        help="the student build: every edition without the exercises' solutions (same exercise numbers)",
    )  # fmt: skip
    parser.add_argument("--serve", metavar="LANGUAGE", help="preview one edition with live reload (sphinx-autobuild)")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build arguments (after --)")
    args = parser.parse_args(argv)
    dirs = build_dirs(args)
    if args.serve:
        command = sphinx_command(
            args.serve, args.book, dirs, args.sphinx_args, args.jobs, "sphinx_autobuild", solutions=args.solutions
        )
        return subprocess.call(command, cwd=ROOT)
    return build(args.book.resolve(), dirs, args.edition, args.jobs, args.sphinx_args, solutions=args.solutions)
