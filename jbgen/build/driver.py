"""``jbgen build``: contracts in; verified, tested classes out, with a lock, a jar and provenance.

:func:`build` runs in three modes:

``build`` (the default)
    For each contract: when the lock holds it with the same contract hash
    and its artifact files are there with the locked hashes, the artifact
    is only re-verified and re-tested (no synthesis); otherwise the repair
    loop (:mod:`jbgen.build.loop`) synthesizes it.  Contracts run on
    ``jobs`` threads (the heavy work is in sandbox worker processes, in the
    search's numpy kernels and in the JVM, which releases the GIL).  Then
    every file is written in one transaction (:mod:`jbgen.build.commit`),
    the lock last.  A contract no synthesizer solves is reported (exit 6);
    the others are still written.
``locked``
    Never synthesizes.  Anything stale (a contract not in the lock or
    changed, an artifact missing or changed) is an
    :class:`~jbgen.errors.OutOfDateError` (exit 5) and nothing is written;
    otherwise every artifact is re-verified and re-tested, and the jar, the
    provenance and the summary are written (the lock is not).
``check``
    Writes nothing, starts no sandbox: compares contracts and artifact files
    with the lock and reports the drift (exit 5 when there is any).

The exit code of a build is the smallest non-zero code among its contracts
(2 a contract that does not load, 3 or 4 a locked artifact that fails its
checks under ``--locked``, 5 stale, 6 not synthesized), 0 when all are good.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jbgen import __version__
from jbgen.build import commit as tx
from jbgen.build.lock import (
    LOCK_NAME,
    Freshness,
    Lock,
    artifact_files,
    freshness,
    sha256_bytes,
    sha256_file,
)
from jbgen.build.loop import CandidateChecker, Evaluation, LoopResult, synthesize
from jbgen.contract.model import Contract
from jbgen.errors import Diagnostic, OutOfDateError, UsageError
from jbgen.output import class_path
from jbgen.synth.protocol import Budget

__all__ = ["MODES", "BuildOptions", "BuildResult", "ContractOutcome", "build"]

MODES = ("build", "locked", "check")
PROVENANCE_NAME = "provenance.intoto.json"
SUMMARY_NAME = "report.md"
CHECKS = ("policy", "verify", "conformance", "link", "tests")


@dataclass(frozen=True)
class BuildOptions:
    """The options of ``jbgen build`` (see the command's help and ``docs/build.md``)."""

    out_dir: str = "build"
    jar: str | None = None
    classpath: tuple[str, ...] = ()
    jobs: int = 1
    synth: str = "auto"
    record: str | None = None
    replay: str | None = None
    model: str | None = None
    mode: str = "build"
    max_rounds: int = 3
    max_tokens: int = 200_000
    search_time: float = 10.0
    seed: int = 0
    max_examples: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")


@dataclass
class ContractOutcome:
    """What became of one contract.

    ``status``: ``built`` (synthesized now), ``verified`` (the locked
    artifact, re-verified and re-tested), ``failed`` (no synthesizer solved
    it), ``error`` (it does not load; or under ``--locked``, its artifact
    fails its checks), ``stale`` (``--locked``, ``--check``) or
    ``up-to-date`` (``--check``).  ``entry`` is its lock entry when it has a
    valid artifact.
    """

    path: str
    binary_name: str | None = None
    sha256: str | None = None
    status: str = "error"
    exit_code: int = 0
    message: str = ""
    problems: tuple[str, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    loop: LoopResult | None = None
    evaluation: Evaluation | None = None
    entry: dict[str, Any] | None = None
    resynthesized: str | None = None
    seconds: float = 0.0
    contract: Contract | None = None

    def to_json(self) -> dict[str, Any]:
        e = self.entry or {}
        loop = self.loop
        out: dict[str, Any] = {
            "contract": self.path,
            "class": self.binary_name,
            "sha256": self.sha256,
            "status": self.status,
            "exit_code": self.exit_code,
            "message": self.message,
            "problems": list(self.problems),
            "artifact": (e.get("artifact") or {}).get("path"),
            "synthesizer": e.get("synthesizer"),
            "model": e.get("model"),
            "rounds": e.get("rounds") if e else (loop.rounds if loop else 0),
            "tokens": e.get("tokens") if e else (_tokens(loop) if loop else None),
            "cost_usd": e.get("cost_usd") if e else (loop.cost_usd if loop else None),
            "checks": e.get("checks", []),
            "tests": self.evaluation.test_summary if self.evaluation is not None else None,
            "report": self.evaluation.report if self.evaluation is not None and not self.evaluation.passed else None,
            "resynthesized": self.resynthesized,
            "seconds": round(self.seconds, 3),
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "attempts": [],
        }
        if loop is not None:
            for a in loop.attempts:
                out["attempts"].append({
                    "synthesizer": a.synthesizer, "model": a.model, "skipped": a.skipped, "error": a.error,
                    "rounds": [{"round": r.proposal.round, "stage": r.evaluation.stage,
                                "malformed": r.proposal.malformed, "notes": r.proposal.notes,
                                "usage": r.proposal.usage.to_json(), "cost_usd": r.proposal.cost_usd,
                                "replayed_from": r.proposal.replayed_from, "feedback_text": r.feedback_text}
                               for r in a.rounds],
                })
        return out


@dataclass
class BuildResult:
    """A whole build: the outcome of each contract, what was written, and where."""

    mode: str
    out_dir: str
    lock_path: str
    outcomes: list[ContractOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthesizers: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    jar: str | None = None
    provenance: str | None = None
    pending_commit: bool = False
    jdk: str | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        codes = [o.exit_code for o in self.outcomes if o.exit_code]
        if self.pending_commit:
            codes.append(OutOfDateError.exit_code)
        return min(codes) if codes else 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def to_json(self) -> dict[str, Any]:
        tokens = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
        cost: float | None = 0.0
        for o in self.outcomes:
            if o.status != "built":
                continue
            for k, v in ((o.entry or {}).get("tokens") or {}).items():
                tokens[k] = tokens.get(k, 0) + int(v)
            c = (o.entry or {}).get("cost_usd")
            cost = None if c is None or cost is None else round(cost + c, 6)
        statuses = ("built", "verified", "failed", "error", "stale", "up-to-date")
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "mode": self.mode,
            "out": self.out_dir,
            "lock": self.lock_path,
            "jar": self.jar,
            "provenance": self.provenance,
            "synthesizers": self.synthesizers,
            "notes": self.notes,
            "pending_commit": self.pending_commit,
            "jbgen": __version__,
            "jdk": self.jdk,
            "contracts": [o.to_json() for o in self.outcomes],
            "summary": {"contracts": len(self.outcomes), **{s: self.count(s) for s in statuses},
                        "tokens": tokens, "cost_usd": cost},
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


def _tokens(loop: LoopResult) -> dict[str, int]:
    u = loop.usage
    return {"input": u.input_tokens, "output": u.output_tokens, "cache_read": u.cache_read_tokens,
            "cache_write": u.cache_write_tokens}


def _rel(path: str, start: str) -> str:
    """``path`` relative to ``start``, with ``/`` (absolute when that is impossible)."""
    if path.startswith("<"):
        return path
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(start)).replace(os.sep, "/")
    except ValueError:  # another drive
        return os.path.abspath(path).replace(os.sep, "/")


def _out_file(out_dir: str, rel: str) -> str:
    return os.path.join(out_dir, *rel.split("/"))


# ----------------------------------------------------------------------------- running contracts


def _parallel(items: Sequence[Any], fn: Callable[[Any], Any], jobs: int, cancel: threading.Event) -> list[Any]:
    """``fn`` over ``items`` on ``jobs`` daemon threads, results in input order.

    Daemon threads, not a ThreadPoolExecutor: on Ctrl-C the main thread
    leaves at once instead of waiting for the contracts in flight (whose
    sandbox workers are killed when the pool closes).
    """
    results: list[Any] = [None] * len(items)
    if not items:
        return results
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(items)):
        todo.put(i)
    done: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = queue.SimpleQueue()

    def worker() -> None:
        while not cancel.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((i, fn(items[i]), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                done.put((i, None, exc))

    threads = [threading.Thread(target=worker, name=f"jbgen-build-{n}", daemon=True)
               for n in range(min(jobs, len(items)))]
    for t in threads:
        t.start()
    for _ in range(len(items)):
        while True:
            try:
                i, value, exc = done.get(timeout=0.2)
                break
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and done.empty():
                    raise RuntimeError("a build thread ended without a result") from None
        if exc is not None:
            cancel.set()
            raise exc
        results[i] = value
    return results


class _Progress:
    def __init__(self, sink: Callable[[str], None] | None, total: int) -> None:
        self.sink = sink
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

    def event(self, name: str, msg: str) -> None:
        if self.sink is not None:
            with self.lock:
                self.sink(f"[{self.done}/{self.total}] {name}: {msg}")

    def finished(self, name: str, msg: str) -> None:
        with self.lock:
            self.done += 1
            if self.sink is not None:
                self.sink(f"[{self.done}/{self.total}] {name}: {msg}")


def _load_all(paths: Sequence[str], classpath: Sequence[str]) -> list[ContractOutcome]:
    from jbgen.contract import load_contract
    from jbgen.errors import ContractError

    out: list[ContractOutcome] = []
    seen: dict[str, str] = {}
    for p in paths:
        shown = "<stdin>" if p == "-" else p
        try:
            c = load_contract(p, classpath)
        except ContractError as exc:
            out.append(ContractOutcome(shown, status="error", exit_code=exc.exit_code,
                                       message="the contract does not load", diagnostics=list(exc.diagnostics)))
            continue
        o = ContractOutcome(shown, c.binary_name, c.source_sha256, contract=c)
        if c.binary_name in seen:
            o.status, o.exit_code = "error", UsageError.exit_code
            o.message = f"{shown} and {seen[c.binary_name]} both define {c.binary_name}"
        else:
            seen[c.binary_name] = shown
        out.append(o)
    return out


def _entry(o: ContractOutcome, c: Contract, out_dir: str, loop: LoopResult, ev: Evaluation,
           jdk: str | None, replay_dir: str | None) -> dict[str, Any]:
    acc = loop.accepted
    assert acc is not None
    attempt, rnd = acc
    p = rnd.proposal
    main = c.class_name
    classes = dict(ev.classes)
    recorded = None
    if p.replayed_from is not None:
        scripted = None
        if replay_dir is not None:
            import json

            try:
                with open(os.path.join(replay_dir, p.replayed_from), encoding="utf-8") as fh:
                    scripted = bool(json.load(fh).get("scripted"))
            except (OSError, ValueError):
                scripted = None
        recorded = {"file": p.replayed_from, "synthesizer": p.synthesizer, "scripted": scripted}
    jbasm = p.jbasm or ""
    return {
        "contract": {"path": _rel(o.path, out_dir), "sha256": c.source_sha256},
        "artifact": {"path": main + ".class", "sha256": sha256_bytes(classes[main])},
        "jbasm": {"path": main + ".jbasm", "sha256": sha256_bytes(jbasm.encode("utf-8"))},
        "other_classes": [{"path": n + ".class", "sha256": sha256_bytes(b)} for n, b in sorted(classes.items())
                          if n != main],
        "synthesizer": attempt.synthesizer,
        "model": p.model,
        "recorded": recorded,
        "rounds": loop.rounds,
        "tokens": _tokens(loop),
        "cost_usd": loop.cost_usd,
        "checks": list(CHECKS),
        "tests": {k: ev.test_summary[k] for k in ("seed", "max_examples", "checks", "summary") if k in ev.test_summary},
        "jbgen": __version__,
        "jdk": jdk,
    }


# ----------------------------------------------------------------------------- the build


def build(inputs: Sequence[str], options: BuildOptions | None = None, *,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the contracts named by ``inputs`` (files, folders of ``*.toml``, ``-``); see the module docstring.

    Raises :class:`~jbgen.errors.JbgenError` for what stops the whole build
    (bad usage, an unreadable lock, ``--synth claude`` without a key);
    per-contract problems are in the result and its :attr:`~BuildResult.exit_code`.
    """
    from jbgen.contract import find_contracts

    opts = options or BuildOptions()
    started = time.time()
    t0 = time.monotonic()
    paths = [str(p) for p in find_contracts(inputs)]
    if not paths:
        raise UsageError(f"no contracts (*.toml) in {', '.join(inputs)}")
    out_dir = opts.out_dir
    lock_path = os.path.join(out_dir, LOCK_NAME)
    result = BuildResult(opts.mode, out_dir, lock_path)
    if opts.mode == "check":
        _check(paths, opts, result)
        result.seconds = time.monotonic() - t0
        return result
    slots: list[Any] = []
    synth_notes: list[str] = []
    if opts.mode == "build":
        # Made before anything else, even when every artifact may be fresh (a locked
        # artifact that fails its re-test is synthesized again): bad options and
        # --synth claude without a key stop the build here.
        from jbgen.build.synthesizers import make_synthesizers

        slots, synth_notes = make_synthesizers(opts.synth, model=opts.model, record=opts.record,
                                               replay=opts.replay, search_time=opts.search_time)
        result.synthesizers = [s.name for s in slots]
    try:
        _build(opts, result, paths, slots, synth_notes, progress, started)
    finally:
        for s in slots:
            close = getattr(s.synth, "close", None) or getattr(getattr(s.synth, "inner", None), "close", None)
            if close is not None:
                with contextlib.suppress(Exception):  # releasing connections is best effort
                    close()
    result.seconds = time.monotonic() - t0
    return result


def _build(opts: BuildOptions, result: BuildResult, paths: Sequence[str], slots: list[Any], synth_notes: list[str],
           progress: Callable[[str], None] | None, started: float) -> None:
    out_dir = opts.out_dir
    lock_path = result.lock_path
    if opts.mode == "locked" and not os.path.isfile(lock_path) and not tx.pending(out_dir):
        raise OutOfDateError(f"{lock_path}: no lock: run `jbgen build` without --locked first")
    with tx.build_lock(out_dir):
        recovered = tx.recover(out_dir)
        if recovered:
            result.notes.append(f"completed the commit of an interrupted build ({len(recovered)} files)")
        lock = Lock.read(lock_path)
        if opts.mode == "locked" and lock is None:
            raise OutOfDateError(f"{lock_path}: no lock: run `jbgen build` without --locked first")
        outcomes = _load_all(paths, opts.classpath)
        result.outcomes = outcomes
        fresh: dict[int, Freshness] = {}
        for i, o in enumerate(outcomes):
            if o.contract is not None and not o.exit_code:
                fresh[i] = freshness(lock, o.contract.binary_name, o.contract.source_sha256, out_dir)
        if opts.mode == "locked":
            stale = False
            for i, f in fresh.items():
                if not f.fresh:
                    o = outcomes[i]
                    o.status, o.exit_code, o.problems = "stale", OutOfDateError.exit_code, f.problems
                    o.message = "; ".join(f.problems)
                    stale = True
            if stale or result.exit_code:
                return  # --locked writes nothing when anything is stale
        _run(outcomes, fresh, opts, result, progress, slots, synth_notes)
        _write(outcomes, lock, opts, result, started)


def _run(outcomes: list[ContractOutcome], fresh: dict[int, Freshness], opts: BuildOptions, result: BuildResult,
         progress: Callable[[str], None] | None, slots: list[Any], synth_notes: list[str]) -> None:
    from jbgen import jvm
    from jbgen.sandbox import WorkerPool
    from jbgen.testing import TestOptions

    needs_synthesis = opts.mode == "build" and any(not f.fresh for f in fresh.values())
    if needs_synthesis:
        result.notes.extend(synth_notes)
    home = jvm.start()  # once, in the main thread, before the build threads need it
    jdk = home.version
    result.jdk = jdk
    budget = Budget(max_rounds=opts.max_rounds, max_tokens=opts.max_tokens)
    cancel = threading.Event()
    work = [i for i, o in enumerate(outcomes) if o.contract is not None and not o.exit_code]
    prog = _Progress(progress, len(work))
    pool = WorkerPool(max_idle=max(1, opts.jobs))
    checker = CandidateChecker(pool, opts.classpath, TestOptions(seed=opts.seed, max_examples=opts.max_examples))

    def one(i: int) -> None:
        o = outcomes[i]
        c = o.contract
        assert c is not None
        t = time.monotonic()
        f = fresh[i]
        name = c.binary_name
        if f.fresh:
            assert f.entry is not None
            prog.event(name, "re-verifying and re-testing the locked artifact")
            files = artifact_files(f.entry)
            jbasm = _out_file(opts.out_dir, files[1][0])
            classes = [_out_file(opts.out_dir, rel) for rel, _ in files if rel.endswith(".class")]
            ev = checker.check_artifact(c, jbasm, classes)
            if ev.passed:
                o.status, o.evaluation = "verified", ev
                o.entry = dict(f.entry)
                o.entry["contract"] = {"path": _rel(o.path, opts.out_dir), "sha256": c.source_sha256}
                o.seconds = time.monotonic() - t
                prog.finished(name, f"verified (locked artifact, {o.seconds:.1f} s)")
                return
            why = f"the locked artifact failed at {ev.stage} when re-checked"
            if opts.mode == "locked":
                o.status, o.evaluation = "error", ev
                o.exit_code = 4 if ev.stage == "tests" else 3
                o.message = why
                o.seconds = time.monotonic() - t
                prog.finished(name, why)
                return
            o.resynthesized = why
        else:
            o.resynthesized = "; ".join(f.problems) if f.entry is not None else None
        loop = synthesize(c, slots, checker, budget, on_event=lambda msg: prog.event(name, msg), cancel=cancel)
        o.loop = loop
        acc = loop.accepted
        o.seconds = time.monotonic() - t
        if acc is None:
            o.status, o.exit_code = "failed", 6
            o.message = "no synthesizer solved it: " + (" | ".join(loop.errors) or "none was available")
            prog.finished(name, f"FAILED ({o.seconds:.1f} s)")
            return
        attempt, rnd = acc
        o.evaluation = rnd.evaluation
        o.status = "built"
        o.entry = _entry(o, c, opts.out_dir, loop, rnd.evaluation, jdk, opts.replay)
        prog.finished(name, f"built by {attempt.synthesizer} in {loop.rounds} round"
                            f"{'s' if loop.rounds != 1 else ''} ({o.seconds:.1f} s)")

    try:
        _parallel(work, one, opts.jobs, cancel)
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.close()


def _write(outcomes: list[ContractOutcome], lock: Lock | None, opts: BuildOptions, result: BuildResult,
           started: float) -> None:
    from jbgen.build import provenance
    from jbgen.build.jar import jar_bytes
    from jbgen.build.report import contract_report, summary_report, transcript_json

    out = opts.out_dir
    t = tx.Transaction(out)
    new_lock = Lock(dict(lock.entries) if lock is not None else {})
    jar_classes: dict[str, bytes] = {}
    subjects: list[tuple[str, str]] = []
    byproducts: list[tuple[str, str]] = []
    try:
        for o in outcomes:
            c = o.contract
            if c is None or o.status not in ("built", "verified", "failed"):
                continue
            if o.status == "built":
                assert o.evaluation is not None and o.entry is not None and o.loop is not None
                acc = o.loop.accepted
                assert acc is not None
                for name, data in o.evaluation.classes:
                    t.stage(class_path(out, name), data)
                t.stage(class_path(out, c.class_name, ".jbasm"), acc[1].proposal.jbasm or "")
            if o.status in ("built", "failed") and o.loop is not None:
                rel = c.class_name + ".class" if o.status == "built" else None
                t.stage(class_path(out, c.class_name, ".report.md"), contract_report(o, rel))
                t.stage(class_path(out, c.class_name, ".transcript.json"), transcript_json(o))
            if o.entry is not None and o.status in ("built", "verified"):
                new_lock.entries[c.binary_name] = o.entry
                for rel, sha in artifact_files(o.entry):
                    if rel.endswith(".class"):
                        if o.status == "built":
                            data = dict(o.evaluation.classes)[rel[: -len(".class")]]  # type: ignore[union-attr]
                        else:
                            with open(_out_file(out, rel), "rb") as fh:
                                data = fh.read()
                        jar_classes[rel] = data
                        subjects.append((rel, sha))
                    else:
                        byproducts.append((rel, sha))
        if opts.jar is not None:
            data = jar_bytes(jar_classes)
            t.stage(opts.jar, data)
            subjects.append((os.path.basename(opts.jar), sha256_bytes(data)))
            result.jar = opts.jar
        lock_text = new_lock.to_text()
        if opts.mode == "build":
            byproducts.append((LOCK_NAME, sha256_bytes(lock_text.encode("utf-8"))))
        else:
            locked_sha = sha256_file(os.path.join(out, LOCK_NAME))
            if locked_sha is not None:
                byproducts.append((LOCK_NAME, locked_sha))
        t.stage(os.path.join(out, SUMMARY_NAME), summary_report(result, outcomes))
        contracts = []
        for o in outcomes:
            if o.sha256 is None:
                continue
            e = o.entry or {}
            contracts.append({"path": o.path, "sha256": o.sha256, "class": o.binary_name, "status": o.status,
                              "synthesizer": e.get("synthesizer"), "model": e.get("model")})
        external = {
            "contracts": [o.path for o in outcomes], "out": out, "jar": opts.jar, "synth": opts.synth,
            "model": opts.model, "replay": opts.replay, "record": opts.record, "locked": opts.mode == "locked",
            "maxRounds": opts.max_rounds, "maxTokens": opts.max_tokens, "seed": opts.seed,
            "maxExamples": opts.max_examples, "classpath": list(opts.classpath),
        }
        statement = provenance.statement(
            subjects=sorted(subjects), contracts=contracts, external=external, jbgen_version=__version__,
            jdk_version=result.jdk, started=started, finished=time.time(),
            byproducts=sorted(byproducts))
        prov_path = os.path.join(out, PROVENANCE_NAME)
        t.stage(prov_path, provenance.to_text(statement))
        result.provenance = prov_path
        if opts.mode == "build":
            t.stage(os.path.join(out, LOCK_NAME), lock_text, last=True)
        result.written = [os.path.relpath(p) for p in t.targets]
        t.commit()
    except BaseException:
        t.abort()
        raise


# ----------------------------------------------------------------------------- --check


def _check(paths: Sequence[str], opts: BuildOptions, result: BuildResult) -> None:
    out = opts.out_dir
    lock = Lock.read(os.path.join(out, LOCK_NAME))
    result.pending_commit = tx.pending(out)
    if result.pending_commit:
        result.notes.append(f"{out}: an interrupted build left its commit half done; `jbgen build` completes it")
    result.outcomes = _load_all(paths, opts.classpath)
    for o in result.outcomes:
        if o.contract is None or o.exit_code:
            continue
        f = freshness(lock, o.contract.binary_name, o.contract.source_sha256, out)
        o.problems = f.problems
        if f.fresh:
            o.status, o.entry = "up-to-date", dict(f.entry or {})
        else:
            o.status, o.exit_code, o.message = "stale", OutOfDateError.exit_code, "; ".join(f.problems)


def describe(o: ContractOutcome) -> str:
    """One line for stdout: status, class, how it was made or why not."""
    name = o.binary_name or o.path
    e = o.entry or {}
    if o.status in ("built", "verified", "up-to-date"):
        how = e.get("synthesizer", "?")
        if e.get("model"):
            how += f" ({e['model']})"
        rounds = e.get("rounds", 0)
        extra = f"{how}, {rounds} round{'s' if rounds != 1 else ''}"
        if o.status == "verified":
            extra = f"locked artifact re-tested; {extra}"
        art = (e.get("artifact") or {}).get("path", "")
        return f"{o.status:<10} {name}  {art}  ({extra})"
    return f"{o.status:<10} {name}  {o.message}"
