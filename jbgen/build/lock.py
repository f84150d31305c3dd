"""``jbgen.lock``: what was built from which contract, how, and what it cost.

One JSON document, keys sorted, two-space indent, a final newline; no times,
so rebuilding an unchanged project writes the same bytes.  Paths of
artifacts are relative to the output folder (where the lock lives), the
contract's path relative to it too (``../contracts/clamp.toml``), with ``/``
separators.  The format is in ``docs/build.md``::

    {
      "contracts": {
        "com.example.Clamp": {
          "artifact": {"path": "com/example/Clamp.class", "sha256": "..."},
          "checks": ["policy", "verify", "conformance", "link", "tests"],
          "contract": {"path": "../contracts/clamp.toml", "sha256": "..."},
          "cost_usd": 0.0,
          "jbasm": {"path": "com/example/Clamp.jbasm", "sha256": "..."},
          "jbgen": "0.1.0",
          "jdk": "25.0.1",
          "model": null,
          "other_classes": [],
          "recorded": null,
          "rounds": 1,
          "synthesizer": "search",
          "tests": {"checks": 4, "max_examples": 200, "seed": 0, "summary": "..."},
          "tokens": {"cache_read": 0, "cache_write": 0, "input": 0, "output": 0}
        }
      },
      "format": "jbgen-lock/1"
    }
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jbgen.errors import OutOfDateError

__all__ = ["FORMAT", "LOCK_NAME", "Freshness", "Lock", "freshness", "sha256_file"]

FORMAT = "jbgen-lock/1"
LOCK_NAME = "jbgen.lock"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str) -> str | None:
    """The hex SHA-256 of a file, None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


@dataclass
class Lock:
    """The lock's entries, by class binary name (``com.example.Clamp``)."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @staticmethod
    def read(path: str) -> Lock | None:
        """The lock at ``path``; None when there is none.  An unreadable lock is an :class:`OutOfDateError`."""
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutOfDateError(f"{path}: cannot read the lock: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise OutOfDateError(f"{path}: not a jbgen lock (not JSON: {exc}); delete it to rebuild everything") \
                from None
        if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
            raise OutOfDateError(f"{path}: not a jbgen lock (no `contracts` table)")
        fmt = data.get("format")
        if fmt != FORMAT:
            raise OutOfDateError(f"{path}: lock format {fmt!r}, but this jbgen reads {FORMAT!r} "
                                 "(a newer jbgen wrote it?)")
        return Lock({str(k): dict(v) for k, v in data["contracts"].items() if isinstance(v, dict)})

    def to_text(self) -> str:
        doc = {"format": FORMAT, "contracts": self.entries}
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Freshness:
    """Is a contract's locked artifact still valid?  ``problems`` says why not (empty: fresh)."""

    entry: Mapping[str, Any] | None
    problems: tuple[str, ...]

    @property
    def fresh(self) -> bool:
        return self.entry is not None and not self.problems


def artifact_files(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(path relative to the output folder, sha256)`` of every file of a locked artifact."""
    files = []
    for key in ("artifact", "jbasm"):
        item = entry.get(key)
        if isinstance(item, Mapping):
            files.append((str(item.get("path")), str(item.get("sha256"))))
    for item in entry.get("other_classes") or ():
        if isinstance(item, Mapping):
            files.append((str(item.get("path")), str(item.get("sha256"))))
    return files


def freshness(lock: Lock | None, binary_name: str, contract_sha256: str, out_dir: str) -> Freshness:
    """Compare a contract and the files in ``out_dir`` with the lock.

    Stale when the contract is not in the lock, its hash changed, or an
    artifact file (class, ``.jbasm``, other classes) is missing or differs.
    The jbgen and JDK versions that built it do not make it stale: the
    artifact is re-verified and re-tested by the running jbgen instead.
    """
    entry = lock.entries.get(binary_name) if lock is not None else None
    if entry is None:
        return Freshness(None, ("not in the lock: never built",))
    problems = []
    locked_sha = (entry.get("contract") or {}).get("sha256")
    if locked_sha != contract_sha256:
        problems.append(f"the contract changed (sha256 {str(locked_sha)[:12]} in the lock, "
                        f"{contract_sha256[:12]} now)")
    for rel, sha in artifact_files(entry):
        actual = sha256_file(os.path.join(out_dir, *rel.split("/")))
        if actual is None:
            problems.append(f"{rel} is missing")
        elif actual != sha:
            problems.append(f"{rel} changed (sha256 {sha[:12]} in the lock, {actual[:12]} on disk)")
    return Freshness(entry, tuple(problems))
