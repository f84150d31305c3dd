"""Writing a build's files so that an interrupted build leaves the previous build whole.

A build does all its slow work (synthesis, tests) before it writes anything
in the output folder.  Then :class:`Transaction`:

1. *stages* every new file, each with :func:`jbgen.output.atomic_write`, in
   ``<out>/.jbgen-staging/`` (a jar outside the output folder is staged next
   to it, as ``.<name>.jbgen-staged``);
2. *commits*: writes a journal ``<out>/.jbgen-commit.json`` (atomically)
   listing the renames, then renames each staged file over its target with
   ``os.replace``, ``jbgen.lock`` last, then deletes the journal.

Interrupted before the journal exists (Ctrl-C or a kill during synthesis,
tests or staging), the previous artifacts and lock are untouched; the next
build deletes the staging folder.  Killed after it (during the renames, a
few milliseconds), the next build finds the journal and completes the
renames (:func:`recover`), so the folder holds the new build whole, never a
mix.  SIGINT and SIGTERM are held back during the renames.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator

from jbgen.output import atomic_write

__all__ = ["JOURNAL", "STAGING", "Transaction", "build_lock", "pending", "recover"]

STAGING = ".jbgen-staging"
JOURNAL = ".jbgen-commit.json"
FLOCK = ".jbgen-build.flock"
_FORMAT = "jbgen-commit/1"


def pending(out_dir: str) -> bool:
    """Did a build stop in the middle of its renames (a journal is left)?"""
    return os.path.exists(os.path.join(out_dir, JOURNAL))


def recover(out_dir: str) -> list[str]:
    """Finish an interrupted commit, or clean an interrupted staging; returns the targets completed."""
    journal = os.path.join(out_dir, JOURNAL)
    done: list[str] = []
    if os.path.exists(journal):
        with open(journal, encoding="utf-8") as fh:
            moves = json.load(fh)["moves"]
        for staged, final in moves:
            if os.path.exists(staged):
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(staged, final)
                done.append(final)
        os.unlink(journal)
    shutil.rmtree(os.path.join(out_dir, STAGING), ignore_errors=True)
    return done


@contextlib.contextmanager
def build_lock(out_dir: str) -> Iterator[None]:
    """One build at a time in an output folder (an advisory ``flock``, released on exit or kill)."""
    os.makedirs(out_dir, exist_ok=True)
    fd = os.open(os.path.join(out_dir, FLOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: no locking
            pass
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (delivered after the block) when in the main thread."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Transaction:
    """The files of one build: :meth:`stage` each, then :meth:`commit` them (``last`` goes last)."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = os.path.abspath(out_dir)
        self.staging = os.path.join(self.out_dir, STAGING)
        self._moves: list[tuple[str, str]] = []
        self._last: tuple[str, str] | None = None
        self._n = 0

    def stage(self, target: str, data: bytes | str, *, last: bool = False) -> None:
        """Stage ``data`` for ``target`` (a path anywhere; ``last``: rename it after every other)."""
        final = os.path.abspath(target)
        if os.path.dirname(final) == self.out_dir or final.startswith(self.out_dir + os.sep):
            self._n += 1
            staged = os.path.join(self.staging, f"{self._n:05d}-{os.path.basename(final)}")
        else:
            # Outside the output folder (a jar): stage beside the target, on its file system.
            staged = os.path.join(os.path.dirname(final), f".{os.path.basename(final)}.jbgen-staged")
        atomic_write(staged, data)
        if last:
            self._last = (staged, final)
        else:
            self._moves.append((staged, final))

    @property
    def targets(self) -> list[str]:
        return [f for _, f in self._moves] + ([self._last[1]] if self._last else [])

    def commit(self) -> None:
        moves = self._moves + ([self._last] if self._last else [])
        if not moves:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        journal = os.path.join(self.out_dir, JOURNAL)
        with _signals_held():
            atomic_write(journal, json.dumps({"format": _FORMAT, "moves": moves}, indent=1) + "\n")
            for staged, final in moves:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(staged, final)
            os.unlink(journal)
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        """Drop what was staged (nothing in the output folder changes)."""
        for staged, _ in self._moves + ([self._last] if self._last else []):
            with contextlib.suppress(OSError):
                os.unlink(staged)
        shutil.rmtree(self.staging, ignore_errors=True)
