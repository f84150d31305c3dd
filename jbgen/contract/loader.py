"""TOML text -> :class:`~jbgen.contract.model.Contract` (work in progress)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jbgen.contract.model import Contract


def load_contract(path: str | Path, classpath: Sequence[str] = ()) -> Contract:
    """Load and check one contract file (``-`` reads stdin)."""
    raise NotImplementedError


def load_contract_text(text: str, path: str = "<contract>", classpath: Sequence[str] = ()) -> Contract:
    """Load and check a contract from its text; ``path`` is used in messages."""
    raise NotImplementedError


def find_contracts(paths: Sequence[str]) -> list[Path]:
    """The contract files named by ``paths``: files as given, folders' ``*.toml`` sorted."""
    raise NotImplementedError
