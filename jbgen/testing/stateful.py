"""The stateful test: sequences of calls on one instance, against the contract's Python model.

A Hypothesis :class:`~hypothesis.stateful.RuleBasedStateMachine` with one rule
per method of ``[stateful] methods`` generates each sequence.  The rules run
only the Python model and write down the calls; at the end of the sequence
(``teardown``) the whole sequence crosses to the sandbox as one batch on one
fresh instance, and the results are compared with the model's, step by step.
A mismatch fails the sequence, and Hypothesis shrinks it (fewer and simpler
calls), replaying candidates the same way, one batch each.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from jbgen.contract.model import Contract, MethodSpec, StatefulSpec
from jbgen.contract.values import CoerceError, Throws, coerce
from jbgen.sandbox import Outcome
from jbgen.testing import checks
from jbgen.testing.constants import Constants
from jbgen.testing.generate import ArgsGen, value_key
from jbgen.testing.hierarchy import Hierarchy
from jbgen.testing.model import CheckResult, Failure, TestOptions
from jbgen.testing.shrink import OutOfTime

__all__ = ["run_stateful"]


class _Mismatch(AssertionError):
    """A step of a sequence where Java and the model disagree."""


def _step_strategy(spec: MethodSpec, consts: Constants) -> st.SearchStrategy[tuple[Any, ...]]:
    gen = ArgsGen(spec.params, consts)
    parts = []
    for g in gen.gens:
        specials = [v for v in g.specials if g.admits(v)]
        # The plain strategy first, so that shrinking prefers it; the specials
        # (boundary values, the class's constants) make the sequences sharper.
        parts.append(st.one_of(g.strategy(), st.sampled_from(specials)) if specials else g.strategy())
    strategy = st.tuples(*parts)
    if spec.assume:
        names = spec.param_names
        strategy = strategy.filter(lambda a: checks.assume_holds(spec.assume, names, a))
    return strategy


def run_stateful(contract: Contract, spec: StatefulSpec, runner: Any, hier: Hierarchy, opts: TestOptions,
                 n: int, consts: Constants, where: Any) -> CheckResult:
    """Run ``n`` sequences of at most ``spec.steps`` calls; the check's result (with the shortest failure found)."""
    methods = [_method(contract, name) for name in spec.methods]
    cache: dict[object, list[Outcome]] = {}
    stats = {"sequences": 0, "steps": 0}
    last: list[Failure | None] = [None]
    simple = contract.simple_name

    shrink_deadline: list[float | None] = [None]
    shrink_runs = [0]

    def execute(steps: Sequence[tuple[MethodSpec, tuple[object, ...], tuple[str, object]]]) -> list[Outcome]:
        key = tuple((s.name, s.descriptor, value_key(a)) for s, a, _ in steps)
        got = cache.get(key)
        if got is None:
            deadline = shrink_deadline[0]
            if deadline is not None:
                if shrink_runs[0] >= opts.shrink_runs or time.monotonic() > deadline:
                    raise OutOfTime  # the shrinking budget is spent: stop Hypothesis, keep the best so far
                shrink_runs[0] += 1
            got = cache[key] = runner.run([runner.call(s, a) for s, a, _ in steps], instance="batch")
        return got

    def check(steps: list[tuple[MethodSpec, tuple[object, ...], tuple[str, object]]]) -> None:
        outcomes = execute(steps)
        for i, ((ms, args, expected), outcome) in enumerate(zip(steps, outcomes, strict=True)):
            verdict = _judge(ms, args, expected, outcome, hier)
            if verdict != checks.OK:
                call = checks.call_text(ms, args)
                before = tuple(f"s.{checks.call_text(s, a)}" for s, a, _ in steps[:i])
                head = f"{simple} s = new {simple}(); " + "".join(b + "; " for b in before)
                message = head + (f"s.{verdict}" if verdict.startswith(call) else f"s.{call}: {verdict}")
                last[0] = Failure(
                    kind="stateful", method=ms.signature, call=f"s.{call}", message=message, args=tuple(args),
                    outcome=outcome.kind, contract_line=spec.line, class_path=where.path,
                    class_line=where.line(contract, ms, outcome), steps=before,
                )
                if outcome.kind in checks.ABNORMAL:
                    # Each candidate could cost a whole time limit and a fresh worker: no shrinking.
                    raise OutOfTime
                if shrink_deadline[0] is None:
                    shrink_deadline[0] = time.monotonic() + opts.shrink_budget_s
                raise _Mismatch(message)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = spec.new_model()
            self.steps: list[tuple[MethodSpec, tuple[object, ...], tuple[str, object]]] = []

        def teardown(self) -> None:
            if not self.steps:
                return
            if last[0] is None:
                stats["sequences"] += 1
                stats["steps"] += len(self.steps)
            check(self.steps)

    for i, ms in enumerate(methods):
        setattr(Machine, f"rule_{i}_{ms.name}", rule(args=_step_strategy(ms, consts))(_rule_body(ms)))

    conf = settings(
        max_examples=n,
        stateful_step_count=spec.steps,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink] if opts.shrink else [Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    try:
        run_state_machine_as_test(hypothesis_seed(opts.seed)(Machine), settings=conf)
    except (_Mismatch, OutOfTime):
        pass
    except Exception as exc:  # noqa: BLE001 - Flaky, Unsatisfiable, a model that cannot even start
        if last[0] is None:
            last[0] = Failure(kind="stateful", method=None, call=f"new {simple}()",
                              message=f"the stateful test could not run: {type(exc).__name__}: {exc}",
                              contract_line=spec.line, class_path=where.path)
    name = spec.model_class
    return CheckResult("stateful", None, name, stats["sequences"], 0, last[0], spec.line)


def _method(contract: Contract, name: str) -> MethodSpec:
    for m in contract.methods:
        if m.name == name and not m.static:
            return m
    return contract.method(name)


def _rule_body(ms: MethodSpec) -> Any:
    def body(self: Any, args: tuple[object, ...]) -> None:
        try:
            value = getattr(self.model, ms.name)(*args)
            expected: tuple[str, object] = ("return", value)
        except Throws as t:
            expected = ("throw", t.class_name)
        except Exception as exc:  # noqa: BLE001 - the contract's own Python
            expected = ("error", f"{type(exc).__name__}: {exc}")
        self.steps.append((ms, tuple(args), expected))

    body.__name__ = ms.name
    return body


def _judge(ms: MethodSpec, args: tuple[object, ...], expected: tuple[str, object], outcome: Outcome,
           hier: Hierarchy) -> str:
    what, value = expected
    if what == "throw":
        verdict = checks.expect_throw(ms, args, outcome, str(value), hier)
    elif what == "error":
        return f"{checks.call_text(ms, args)}: the model raised {value}"
    else:
        if ms.return_type.is_void:
            value = None
        else:
            try:
                value = coerce(value, ms.return_type)
            except CoerceError as exc:
                return f"{checks.call_text(ms, args)}: the model's result is not {ms.return_type.java_name}: {exc.message}"
        verdict = checks.expect_value(ms, args, outcome, value)
    return verdict
