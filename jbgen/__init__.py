"""jbgen: JVM class files from interface contracts, assembled, verified and tested.

The public API is small: assemble and disassemble text, verify classes.
Everything else is internal and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "assemble_text", "disassemble", "verify_paths"]


def __getattr__(name: str) -> object:
    # Lazy: importing jbgen must not start a JVM or load the assembler.
    if name in ("assemble_text", "disassemble", "verify_paths"):
        from jbgen import api

        return getattr(api, name)
    raise AttributeError(name)
