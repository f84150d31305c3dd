"""The contract tests' data: options in, verdicts out (frozen values, no JVM, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jbgen.errors import Diagnostic

__all__ = ["CheckResult", "Failure", "TestOptions", "TestReport"]


@dataclass(frozen=True)
class TestOptions:
    """How hard and how reproducibly to test.

    ``seed`` fixes every random choice (the generated inputs, Hypothesis's
    stateful runs and its shrinking), so the same seed gives the same report;
    the default 0 makes runs derandomized.  ``max_examples`` is the number of
    random inputs per method (and of call sequences for the stateful test);
    None takes the contract's ``policy.max_examples``.  Boundary values and
    the class's constants come on top of it.

    ``seed_constants`` adds the constants found in the class under test (and
    their neighbours) to the inputs.  ``shrink`` turns Hypothesis's shrinking
    of a failing input on; ``shrink_runs`` bounds the candidates it may run
    per failing check (a count, so that a run reproduces), and
    ``shrink_budget_s`` its wall-clock time (a safety net: a shrink cut short
    by the clock may not reproduce).  ``batch_size`` is the most calls sent
    to the sandbox in one ``Session.run``.
    """

    __test__ = False  # not a pytest test class, despite the name

    seed: int = 0
    max_examples: int | None = None
    seed_constants: bool = True
    shrink: bool = True
    shrink_runs: int = 1000
    shrink_budget_s: float = 30.0
    batch_size: int = 20_000

    def __post_init__(self) -> None:
        if self.max_examples is not None and self.max_examples < 1:
            raise ValueError(f"max_examples must be at least 1, got {self.max_examples}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")


@dataclass(frozen=True)
class Failure:
    """One check that failed, on its smallest known failing input.

    ``message`` is one line naming the call Java-style: ``max(-1, 2) returned
    -1, expected 2``.  ``call`` is the call alone (for a stateful failure, the
    last call; ``steps`` holds the calls before it on the same instance).
    ``args`` are the Python values of the arguments.  ``outcome`` is what the
    call did (``return``, ``throw``, ``timeout``, ``crash``, ``oom``,
    ``stackoverflow``, ``skipped``).

    ``contract_line`` is the line in the contract of what was checked (the
    example, the property, the oracle, the stateful section); ``class_path``
    and ``class_line`` are where in the class under test, when known: the
    ``.jbasm`` line of the instruction that threw, else of the method.
    ``original`` is the failing call as first found when shrinking made it
    smaller (None when it was not shrunk).
    """

    kind: str
    method: str | None
    call: str
    message: str
    args: tuple[object, ...] = ()
    outcome: str = "return"
    contract_line: int = 0
    class_path: str | None = None
    class_line: int | None = None
    original: str | None = None
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """One check: all examples of a method, one property, the oracle, the stateful model.

    ``kind`` is ``examples``, ``property``, ``oracle``, ``runs`` (every
    generated call of the method finishes: no timeout, crash or out of
    memory) or ``stateful``.  ``method`` is the method's Java signature (None
    for ``stateful``); ``name`` the property's or oracle's source text, or the
    model class.  ``cases`` counts the inputs (or sequences) checked;
    ``discarded`` those that could not be checked (the call threw where a
    property only speaks of results; the oracle or property is undefined for a
    null argument).  ``line`` is the line in the contract.
    """

    kind: str
    method: str | None
    name: str
    cases: int
    discarded: int = 0
    failure: Failure | None = None
    line: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class TestReport:
    """The verdict of the contract tests of one class.

    ``checks`` in a fixed order (per method: examples, properties, oracle,
    runs; then stateful).  ``calls`` counts the calls made in the sandbox
    (shrinking included), ``elapsed_s`` the wall-clock time of the tests.
    ``diagnostics`` hold problems that stopped tests from running at all
    (none when every check ran).
    """

    __test__ = False  # not a pytest test class, despite the name

    contract: str
    class_name: str
    seed: int
    max_examples: int
    checks: tuple[CheckResult, ...] = ()
    calls: int = 0
    elapsed_s: float = 0.0
    diagnostics: tuple[Diagnostic, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.diagnostics and all(c.ok for c in self.checks)

    @property
    def failures(self) -> tuple[Failure, ...]:
        return tuple(c.failure for c in self.checks if c.failure is not None)

    def count(self, kind: str) -> int:
        """How many checks of ``kind`` there are."""
        return sum(1 for c in self.checks if c.kind == kind)

    def cases(self, kind: str) -> int:
        """How many cases the checks of ``kind`` checked together."""
        return sum(c.cases for c in self.checks if c.kind == kind)
