"""Record and replay synthesizer sessions: reproducible builds and tests with no network.

:class:`Recorder` wraps any synthesizer (``--record DIR``) and writes one
readable JSON file per call: the proposal, the raw exchange (request and
response bodies, never headers), and any :class:`~jbgen.errors.SynthesisError`
the call raised.  :class:`ReplaySynthesizer` (``--replay DIR``, ``--synth
replay``) plays them back: the same proposals, byte for byte, so a build from
a recording gives byte-identical artifacts, and the same errors.

A recording is keyed by the contract (the SHA-256 of its file), the round and
the model::

    DIR/com.example.Clamp-3f9a1c2b4d5e/claude-sonnet-5-5.round-1.json

Each file says whether it is a real model's output: ``"scripted": true`` with
a ``note`` marks a session written by hand (:class:`ScriptedSynthesizer`, the
fake API server of the tests); nothing else may be marked as a model's.

Imports no JVM and no SDK.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from jbgen.contract.model import Contract
from jbgen.errors import SynthesisError
from jbgen.synth.protocol import (
    BudgetExhausted,
    Proposal,
    ReplayMiss,
    SynthesisUnavailable,
    Synthesizer,
    SynthRequest,
    Usage,
)

__all__ = [
    "FORMAT",
    "SCRIPTED_NOTE",
    "Recorder",
    "ReplaySynthesizer",
    "ScriptedSynthesizer",
    "recording_path",
]

FORMAT = "jbgen-synth-recording/1"
SCRIPTED_NOTE = "written by hand for tests; not a real model's output"

_ERRORS: dict[str, type[SynthesisError]] = {
    "SynthesisError": SynthesisError,
    "SynthesisUnavailable": SynthesisUnavailable,
    "BudgetExhausted": BudgetExhausted,
    "ReplayMiss": ReplayMiss,
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _contract_dir(contract: Contract) -> str:
    return f"{contract.binary_name}-{contract.source_sha256[:12]}"


def _model_slug(model: str | None) -> str:
    return _UNSAFE.sub("_", model) if model else "none"


def recording_path(directory: str | os.PathLike[str], contract: Contract, round: int, model: str | None) -> Path:
    """Where the recording of ``contract``'s round ``round`` on ``model`` lives."""
    return Path(directory) / _contract_dir(contract) / f"{_model_slug(model)}.round-{round}.json"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _proposal_json(p: Proposal) -> dict[str, Any]:
    """The proposal without its exchange, the text as a list of lines (lossless: joined with \\n)."""
    data = p.to_json()
    data.pop("exchange")
    data.pop("replayed_from")
    text = data.pop("jbasm")
    data["jbasm_lines"] = None if text is None else text.split("\n")
    return data


def _proposal_from(record: Mapping[str, Any], where: str) -> Proposal:
    data = dict(record["proposal"])
    lines = data.pop("jbasm_lines", None)
    data["jbasm"] = None if lines is None else "\n".join(lines)
    data["exchange"] = record.get("exchange")
    return replace(Proposal.from_json(data), replayed_from=where)


class Recorder:
    """Wraps a synthesizer and records every call into ``directory``.

    ``scripted`` marks the session as written by hand (with ``note``); by
    default it is taken from the wrapped synthesizer's ``scripted`` attribute.
    A recording of a call that raised keeps the error, and replay raises it
    again.  Recording the same contract, round and model again replaces the
    file.
    """

    def __init__(self, inner: Synthesizer, directory: str | os.PathLike[str], *,
                 scripted: bool | None = None, note: str | None = None) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.name = inner.name
        self.model = inner.model
        self.scripted = bool(getattr(inner, "scripted", False)) if scripted is None else scripted
        self.note = note or (SCRIPTED_NOTE if self.scripted else None)

    def propose(self, request: SynthRequest) -> Proposal:
        try:
            proposal = self.inner.propose(request)
        except SynthesisError as exc:
            self._write(request, None, exc)
            raise
        self._write(request, proposal, None)
        return proposal

    def _write(self, request: SynthRequest, proposal: Proposal | None, exc: SynthesisError | None) -> None:
        c = request.contract
        model = proposal.model if proposal is not None else self.model
        record: dict[str, Any] = {"format": FORMAT, "scripted": self.scripted}
        if self.note:
            record["note"] = self.note
        record.update({
            "contract": {"path": c.path, "class": c.binary_name, "sha256": c.source_sha256},
            "round": request.round,
            "max_rounds": request.budget.max_rounds,
            "synthesizer": proposal.synthesizer if proposal is not None else self.name,
            "model": model,
            "history_sha256": request.history_sha256(),
            "sent_feedback": request.feedback_text(),
            "proposal": _proposal_json(proposal) if proposal is not None else None,
            "exchange": proposal.exchange.to_json() if proposal is not None and proposal.exchange else None,
            "error": None if exc is None else {"class": type(exc).__name__, "message": exc.message},
        })
        path = recording_path(self.directory, c, request.round, model)
        _write_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")


class ReplaySynthesizer:
    """Plays recorded sessions back, with no network.

    ``model`` picks the recordings of one model (None: the only model
    recorded for the contract).  With ``strict``, a conversation that differs
    from the recorded one (other candidates or feedback before this round) is
    a :class:`ReplayMiss` instead of being answered from the recording.  A
    round with no recording is a :class:`ReplayMiss` naming the contract and
    the round.
    """

    name = "replay"

    def __init__(self, directory: str | os.PathLike[str], *, model: str | None = None, strict: bool = False) -> None:
        self.directory = Path(directory)
        self.model = model
        self.strict = strict
        self._lock = threading.Lock()
        self._cache: dict[Path, dict[str, Any]] = {}

    def _load(self, path: Path) -> dict[str, Any]:
        with self._lock:
            if path not in self._cache:
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise SynthesisError(f"{path}: cannot read the recording: {exc}") from None
                if not isinstance(data, dict) or data.get("format") != FORMAT:
                    raise SynthesisError(f"{path}: not a jbgen recording (expected format {FORMAT!r})")
                self._cache[path] = data
            return self._cache[path]

    def _find(self, request: SynthRequest) -> Path:
        c = request.contract
        folder = self.directory / _contract_dir(c)
        suffix = f".round-{request.round}.json"
        if self.model is not None:
            path = folder / f"{_model_slug(self.model)}{suffix}"
            if path.is_file():
                return path
            found: list[Path] = []
        else:
            found = sorted(folder.glob("*" + suffix)) if folder.is_dir() else []
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                models = ", ".join(p.name[: -len(suffix)] for p in found)
                raise ReplayMiss(f"{c.path}: recordings of several models for {c.binary_name} round "
                                 f"{request.round} in {self.directory} ({models}): choose one with --model")
        what = f" of model {self.model}" if self.model else ""
        hint = ""
        others = sorted(p.name for p in self.directory.glob(f"{c.binary_name}-*") if p.name != folder.name) \
            if self.directory.is_dir() else []
        if others:
            hint = f"; the directory has recordings of other versions of this contract ({', '.join(others)})"
        elif folder.is_dir():
            hint = f"; the recorded session has {len(list(folder.glob('*.json')))} file(s), none for this round"
        raise ReplayMiss(
            f"{c.path}: no recording{what} for {c.binary_name} (contract sha256 {c.source_sha256[:12]}) "
            f"round {request.round} in {self.directory}{hint}"
        )

    def propose(self, request: SynthRequest) -> Proposal:
        request.check_rounds()
        path = self._find(request)
        record = self._load(path)
        where = path.relative_to(self.directory).as_posix()
        if self.strict and record.get("history_sha256") != request.history_sha256():
            raise ReplayMiss(f"{request.contract.path}: the conversation before round {request.round} of "
                             f"{request.contract.binary_name} differs from the recording {where}")
        err = record.get("error")
        if err:
            cls = _ERRORS.get(err.get("class", ""), SynthesisError)
            raise cls(err.get("message", "recorded synthesis error"))
        if not isinstance(record.get("proposal"), dict):
            raise SynthesisError(f"{path}: the recording has neither a proposal nor an error")
        return _proposal_from(record, where)


class ScriptedSynthesizer:
    """Hand-written candidates, one per round, per class: for tests and fixture sessions.

    ``ScriptedSynthesizer({"com.example.Clamp": [first_try, fix]})``.  Its
    proposals say ``synthesizer="scripted"`` and ``model="scripted"``, and a
    :class:`Recorder` marks its sessions ``"scripted": true``: they are not a
    model's output and never claim to be.
    """

    name = "scripted"
    scripted = True

    def __init__(self, candidates: Mapping[str, Sequence[str]], *, model: str = "scripted") -> None:
        self.candidates = {k: list(v) for k, v in candidates.items()}
        self.model = model

    def propose(self, request: SynthRequest) -> Proposal:
        request.check_rounds()
        c = request.contract
        texts = self.candidates.get(c.binary_name, [])
        if request.round > len(texts):
            raise ReplayMiss(f"{c.path}: the script has no candidate for {c.binary_name} round {request.round}")
        return Proposal(self.name, self.model, request.round, jbasm=texts[request.round - 1], usage=Usage())
