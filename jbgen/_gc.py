"""Pausing Python's cyclic garbage collector around bulk work.

jbgen's models are large trees of small objects with no reference cycles
(java.base read into ClassDefs is ~4M objects).  While such a tree is alive,
every collection the allocator triggers traverses all of it: verifying all of
java.base took 20 s with the collector on and 4 s with it paused.  Reference
counting still frees everything; the collector resumes afterwards and finds
nothing of ours to collect.  Importable from anywhere; imports nothing of jbgen.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (nests; restores the previous state)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
