"""The contract test engine: examples, properties, oracle and stateful model, in batches.

:func:`run_contract_tests` takes a contract and a sandbox
:class:`~jbgen.sandbox.Session` that holds the class under test (linked), and
returns a :class:`~jbgen.testing.model.TestReport`.

How it stays fast: every input is made first (the examples; per method the
boundary values, the class's constants and a large seeded random batch, see
:mod:`.generate`), then they cross to the sandbox in a few ``Session.run``
batches (the examples of every method in one; the generated cases of every
method in three of growing size, so that a method that hangs is stopped
early), and the results are checked in Python.  Only a check that fails costs more: Hypothesis's shrinker looks
for a smaller failing input one call at a time (:mod:`.shrink`).  The
stateful test runs one batch per call sequence (:mod:`.stateful`).

Instance methods run on a fresh instance per call (public no-argument
constructor), so cases do not see each other's state.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jbgen.asm import model as m
from jbgen.contract.model import Contract, Expr, MethodSpec
from jbgen.sandbox import Call, Outcome, Session
from jbgen.testing import checks
from jbgen.testing.checks import DISCARD, OK
from jbgen.testing.constants import Constants, class_constants
from jbgen.testing.generate import ArgsGen, value_key
from jbgen.testing.hierarchy import Hierarchy
from jbgen.testing.model import CheckResult, Failure, TestOptions, TestReport
from jbgen.testing.shrink import shrink_args

__all__ = ["run_contract_tests"]


# Sizes of the successive batches of generated cases per method (0: all the rest).
_WAVES = (16, 112, 0)


class Runner:
    """Calls into the session, in batches, counting them."""

    def __init__(self, session: Session, contract: Contract, options: TestOptions) -> None:
        self.session = session
        self.cls = contract.binary_name
        self.batch_size = options.batch_size
        self.calls = 0

    @staticmethod
    def call(spec: MethodSpec, args: Sequence[object]) -> Call:
        return Call(spec.name, spec.descriptor, tuple(args), spec.static)

    def run(self, calls: Sequence[Call], instance: str = "call") -> list[Outcome]:
        out: list[Outcome] = []
        for i in range(0, len(calls), self.batch_size):
            chunk = calls[i : i + self.batch_size]
            out.extend(self.session.run(chunk, cls=self.cls, instance=instance))  # type: ignore[arg-type]
            self.calls += len(chunk)
        return out


@dataclass
class Where:
    """Where failures point in the class under test: its ``.jbasm`` when known."""

    path: str | None = None
    file_name: str | None = None  # the SourceFile the frames name
    method_lines: dict[tuple[str, str], int] | None = None

    def line(self, contract: Contract, spec: MethodSpec | None, outcome: Outcome | None) -> int | None:
        if self.path is None:
            return None
        if outcome is not None:
            found = checks.frame_line(outcome, contract.class_name, self.file_name)
            if found is not None:
                return found
        if spec is not None and self.method_lines:
            return self.method_lines.get((spec.name, spec.descriptor)) or None
        return None


def where_from_source(source: object | None) -> Where:
    """A :class:`Where` from a :class:`jbgen.check.verify.SourceMap` (or None)."""
    if source is None:
        return Where()
    path = getattr(source, "path", None)
    methods = getattr(source, "methods", {}) or {}
    return Where(path, os.path.basename(path) if path else None, {k: v[0] for k, v in methods.items()})


def run_contract_tests(
    contract: Contract,
    session: Session,
    *,
    classes: Sequence[m.ClassDef] = (),
    classpath: Sequence[str] = (),
    options: TestOptions | None = None,
    source: object | None = None,
) -> TestReport:
    """Test the class in ``session`` against ``contract``; never prints, never raises for what the class does.

    ``classes`` are the class under test and its companions as parsed
    (their constants seed the inputs; their superclasses tell exception
    subclasses apart); ``classpath`` the jars and folders they need.
    ``source`` is the :class:`~jbgen.check.verify.SourceMap` of a ``.jbasm``
    input, so that failures name its lines (a class assembled with line
    numbers pointing at that file, see :mod:`jbgen.testing.pipeline`, gives
    the line of the instruction that threw).
    """
    opts = options or TestOptions()
    start = time.monotonic()
    n = opts.max_examples or contract.policy.max_examples
    consts = class_constants(classes) if opts.seed_constants else Constants()
    hier = Hierarchy(classes, classpath)
    runner = Runner(session, contract, opts)
    where = where_from_source(source)
    t = _Tester(contract, runner, hier, opts, n, consts, where)
    results = t.run()
    if contract.stateful is not None:
        from jbgen.testing.stateful import run_stateful

        results.append(run_stateful(contract, contract.stateful, runner, hier, opts, n, consts, where))
    return TestReport(contract.path, contract.binary_name, opts.seed, n, tuple(results), runner.calls,
                      time.monotonic() - start)


def _property_judge(spec: MethodSpec, prop: Expr) -> Callable[[tuple[object, ...], Outcome], str]:
    names = spec.param_names
    return lambda args, outcome: checks.judge_property(spec, prop, args, outcome, names)


def _oracle_judge(spec: MethodSpec, fn: Callable[..., object], hier: Hierarchy) -> Callable[[tuple[object, ...], Outcome], str]:
    return lambda args, outcome: checks.judge_oracle(spec, fn, args, outcome, hier)


class _Tester:
    def __init__(self, contract: Contract, runner: Runner, hier: Hierarchy, opts: TestOptions, n: int,
                 consts: Constants, where: Where) -> None:
        self.contract = contract
        self.runner = runner
        self.hier = hier
        self.opts = opts
        self.n = n
        self.consts = consts
        self.where = where

    # ------------------------------------------------------------------ inputs

    def inputs(self, spec: MethodSpec, gen: ArgsGen) -> tuple[list[tuple[object, ...]], dict[int, int]]:
        """Examples that fit the bounds, boundary cases, then random ones; assume holds for all.

        Also returns which cases are examples (case index -> example index):
        their outcomes are known from the examples' batch.
        """
        rng = random.Random(f"{self.opts.seed}:{spec.name}{spec.descriptor}")
        out: list[tuple[object, ...]] = []
        from_example: dict[int, int] = {}
        seen: set[object] = set()
        names = spec.param_names

        def add(args: tuple[object, ...]) -> bool:
            k = value_key(args)
            if k in seen:
                return False
            seen.add(k)
            if checks.assume_holds(spec.assume, names, args):
                out.append(args)
                return True
            return False

        for i, ex in enumerate(spec.examples):
            if gen.admits(ex.args) and add(tuple(ex.args)):
                from_example[len(out) - 1] = i
        for args in gen.edges(rng, self.n // 2):
            add(args)
        if not spec.params:
            return out, from_example
        target = len(out) + self.n
        for _ in range(20 * self.n):
            if len(out) >= target:
                break
            add(gen.draw(rng))
        return out, from_example

    # ------------------------------------------------------------------ the run

    def run(self) -> list[CheckResult]:
        contract = self.contract
        # The examples first, all methods in one batch.
        calls: list[Call] = []
        example_slots: list[tuple[MethodSpec, int, int]] = []  # spec, example index, call index
        for spec in contract.methods:
            for i, ex in enumerate(spec.examples):
                example_slots.append((spec, i, len(calls)))
                calls.append(self.runner.call(spec, ex.args))
        ex_outcomes = self.runner.run(calls) if calls else []
        # A method whose examples already hang or crash gets no generated inputs.
        stopped = {id(spec) for spec, _, k in example_slots if ex_outcomes[k].kind in checks.ABNORMAL}

        plans = [(spec, ArgsGen(spec.params, self.consts)) for spec in contract.methods]
        cases: dict[int, list[tuple[object, ...]]] = {}
        outs: dict[int, list[Outcome | None]] = {}
        for spec, gen in plans:
            todo, from_example = self.inputs(spec, gen)
            cases[id(spec)] = todo
            slot = {i: k for s, i, k in example_slots if s is spec}
            outs[id(spec)] = [ex_outcomes[slot[from_example[j]]] if j in from_example else None
                              for j in range(len(todo))]
        self.run_waves(plans, cases, outs, stopped)

        results: list[CheckResult] = []
        for spec, gen in plans:
            slots = [(i, k) for s, i, k in example_slots if s is spec]
            if slots:
                results.append(self.examples(spec, [(i, ex_outcomes[k]) for i, k in slots]))
            ran = [(a, o) for a, o in zip(cases[id(spec)], outs[id(spec)], strict=True) if o is not None]
            results.extend(self.generated(spec, gen, [a for a, _ in ran], [o for _, o in ran]))
        return results

    def run_waves(self, plans: list[tuple[MethodSpec, ArgsGen]], cases: dict[int, list[tuple[object, ...]]],
                  outs: dict[int, list[Outcome | None]], stopped: set[int]) -> None:
        """Run the generated cases whose outcome is not known yet, in batches of growing size.

        A call that times out costs its whole time limit and a fresh worker,
        and the sandbox runs every call of a batch; so a method stops getting
        calls after the first batch in which one of its calls did not finish,
        and the first batches are small.
        """
        pending = {id(spec): [j for j, o in enumerate(outs[id(spec)]) if o is None] for spec, _ in plans}
        pos = 0
        for size in _WAVES:
            calls: list[Call] = []
            spans: list[tuple[MethodSpec, list[int], int]] = []
            for spec, _ in plans:
                todo = pending[id(spec)]
                if id(spec) in stopped or pos >= len(todo):
                    continue
                chunk = todo[pos : pos + size] if size else todo[pos:]
                spans.append((spec, chunk, len(calls)))
                calls.extend(self.runner.call(spec, cases[id(spec)][j]) for j in chunk)
            if not calls:
                break
            got = self.runner.run(calls)
            for spec, chunk, first in spans:
                part = got[first : first + len(chunk)]
                for j, o in zip(chunk, part, strict=True):
                    outs[id(spec)][j] = o
                if any(o.kind in checks.ABNORMAL for o in part):
                    stopped.add(id(spec))
            if size:
                pos += size

    def examples(self, spec: MethodSpec, done: list[tuple[int, Outcome]]) -> CheckResult:
        failure = None
        for i, outcome in done:
            verdict = checks.judge_example(spec, i, outcome, self.hier)
            if verdict != OK:
                ex = spec.examples[i]
                failure = self.failure("example", spec, ex.args, outcome, verdict, ex.line)
                break
        return CheckResult("examples", spec.signature, "examples", len(done), 0, failure, spec.line)

    def generated(self, spec: MethodSpec, gen: ArgsGen, cases: list[tuple[object, ...]],
                  outs: list[Outcome]) -> list[CheckResult]:
        results: list[CheckResult] = []
        memo: dict[object, Outcome] = {value_key(a): o for a, o in zip(cases, outs, strict=True)}
        judges: list[tuple[str, str, int, Callable[[tuple[object, ...], Outcome], str]]] = []
        for prop in spec.properties:
            judges.append(("property", prop.source.strip(), prop.line, _property_judge(spec, prop)))
        if spec.oracle is not None:
            fn = spec.oracle.to_callable(spec.param_names)
            judges.append(("oracle", spec.oracle.source.strip(), spec.oracle.line, _oracle_judge(spec, fn, self.hier)))
        for kind, name, line, judge in judges:
            checked = discarded = 0
            failure = None
            for args, outcome in zip(cases, outs, strict=True):
                verdict = judge(args, outcome)
                if verdict == DISCARD:
                    discarded += 1
                    continue
                checked += 1
                if verdict != OK:
                    failure = self.shrunk_failure(kind, spec, gen, args, outcome, verdict, judge, memo, line)
                    break
            results.append(CheckResult(kind, spec.signature, name, checked, discarded, failure, line))
        # Every generated call must finish by itself, whatever else the contract says.
        failure = None
        for args, outcome in zip(cases, outs, strict=True):
            verdict = checks.judge_runs(spec, args, outcome)
            if verdict != OK:
                failure = self.failure("runs", spec, args, outcome, verdict, spec.line)
                break
        results.append(CheckResult("runs", spec.signature, "calls finish", len(cases), 0, failure, spec.line))
        return results

    # ------------------------------------------------------------------ failures

    def shrunk_failure(self, kind: str, spec: MethodSpec, gen: ArgsGen, args: tuple[object, ...],
                       outcome: Outcome, verdict: str, judge: Callable[[tuple[object, ...], Outcome], str],
                       memo: dict[object, Outcome], line: int) -> Failure:
        if not self.opts.shrink:
            return self.failure(kind, spec, args, outcome, verdict, line)

        def fails(candidate: tuple[object, ...]) -> bool:
            if not (gen.admits(candidate) and checks.assume_holds(spec.assume, spec.param_names, candidate)):
                return False
            k = value_key(candidate)
            o = memo.get(k)
            if o is None:
                o = memo[k] = self.runner.run([self.runner.call(spec, candidate)])[0]
            return judge(candidate, o) not in (OK, DISCARD)

        small, changed = shrink_args(gen, args, fails, seed=self.opts.seed, max_runs=self.opts.shrink_runs,
                                    budget_s=self.opts.shrink_budget_s)
        if not changed:
            return self.failure(kind, spec, args, outcome, verdict, line)
        small_outcome = memo[value_key(small)]
        small_verdict = judge(small, small_outcome)
        if small_verdict in (OK, DISCARD):  # cannot happen with a deterministic class; be safe
            return self.failure(kind, spec, args, outcome, verdict, line)
        return self.failure(kind, spec, small, small_outcome, small_verdict, line,
                            original=checks.call_text(spec, args))

    def failure(self, kind: str, spec: MethodSpec, args: Sequence[object], outcome: Outcome, message: str,
                line: int, original: str | None = None) -> Failure:
        return Failure(
            kind=kind,
            method=spec.signature,
            call=checks.call_text(spec, args),
            message=message,
            args=tuple(args),
            outcome=outcome.kind,
            contract_line=line,
            class_path=self.where.path,
            class_line=self.where.line(self.contract, spec, outcome),
            original=original,
        )
