"""Pausing Python's cyclic garbage collector around bulk work.

jbgen's models are large trees of small objects with no reference cycles
(java.base read into ClassDefs is ~4M objects).  While such a tree is alive,
every collection the allocator triggers traverses all of it: verifying all of
java.base took 20 s with the collector on and 4 s with it paused.  Reference
counting still frees everything; the collector resumes afterwards and finds
nothing of ours to collect.  Importable from anywhere; imports nothing of jbgen.
"""

from __future__ import annotations

import gc


class paused:  # noqa: N801  (used like a function: ``with paused():``)
    """Disable the cyclic collector for the block (nests; restores the previous state).

    A class rather than a ``contextlib`` generator: the assembler enters it for
    every class, and a generator-based context manager costs several times more.
    """

    __slots__ = ("_enabled",)

    def __enter__(self) -> None:
        self._enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            gc.enable()
