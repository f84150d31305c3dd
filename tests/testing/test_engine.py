"""The engine on a fake session (Python stands in for the class): batching, inputs, judging, shrinking."""

from __future__ import annotations

import math
from typing import Any

from jbgen.api import parse_text
from jbgen.contract import load_contract_text
from jbgen.testing import TestOptions, run_contract_tests
from tests.testing.fakes import FakeSession, Hang, JavaThrow

CLAMP = """
schema = 1
[class]
name = "demo.Clamp"
[[method]]
signature = "static int clamp(int x, int lo, int hi)"
examples = [{ args = [5, 0, 10], returns = 5 }, { args = [-3, 0, 10], returns = 0 }]
ranges = { x = [-1000, 1000] }
assume = ["lo <= hi"]
properties = ["lo <= result <= hi"]
oracle = "max(lo, min(x, hi))"
"""


def contract(body: str, name: str = "demo.T") -> Any:
    return load_contract_text(f'schema = 1\n[class]\nname = "{name}"\n{body}', "t.toml")


def good_clamp(x: int, lo: int, hi: int) -> int:
    return max(lo, min(x, hi))


def test_examples_and_generated_inputs_cross_in_a_few_batches() -> None:
    s = FakeSession({"clamp": good_clamp})
    report = run_contract_tests(load_contract_text(CLAMP, "clamp.toml"), s)  # type: ignore[arg-type]
    assert report.ok
    # One batch of examples, then generated inputs in (at most three) growing batches.
    assert len(s.batches) <= 4
    assert sum(len(b) for b in s.batches) == report.calls
    assert report.cases("runs") >= 200 and report.cases("examples") == 2
    assert [c.kind for c in report.checks] == ["examples", "property", "oracle", "runs"]


def test_generated_inputs_honour_assume_and_ranges_and_hit_the_boundaries() -> None:
    s = FakeSession({"clamp": good_clamp})
    run_contract_tests(load_contract_text(CLAMP, "clamp.toml"), s)  # type: ignore[arg-type]
    generated = [c.args for b in s.batches[1:] for c in b]
    assert all(lo <= hi and -1000 <= x <= 1000 for x, lo, hi in generated)
    xs = {a[0] for a in generated}
    los = {a[1] for a in generated}
    assert {-1000, -999, 999, 1000, 0, 1, -1} <= xs
    assert {-(2**31), 2**31 - 1, 0, -1, 1} <= los | {a[2] for a in generated}


def test_constants_of_the_class_and_their_neighbours_are_tried() -> None:
    cls = parse_text("""public final class demo.T {
    public static int f(int x) {
        iload x
        sipush 1337
        if_icmpne Usual
        iconst_0
        ireturn
    Usual:
        iload x
        ireturn
    }
}""", "T.jbasm")
    c = contract('[[method]]\nsignature = "static int f(int x)"\noracle = "x"\n')
    s = FakeSession({"f": lambda x: 0 if x == 1337 else x})
    report = run_contract_tests(c, s, classes=cls)  # type: ignore[arg-type]
    assert {1336, 1337, 1338} <= {call.args[0] for call in s.calls}
    assert [f.message for f in report.failures] == ["f(1337) returned 0, expected 1337"]
    blind = run_contract_tests(c, FakeSession({"f": lambda x: 0 if x == 1337 else x}), classes=cls,  # type: ignore[arg-type]
                               options=TestOptions(seed_constants=False))
    assert blind.ok


def test_a_failure_is_shrunk_by_hypothesis() -> None:
    c = contract('[[method]]\nsignature = "static int add(int a, int b)"\noracle = "iadd(a, b)"\n')
    s = FakeSession({"add": lambda a, b: 0 if a >= 1000 else (a + b + 2**31) % 2**32 - 2**31})
    report = run_contract_tests(c, s)  # type: ignore[arg-type]
    (f,) = report.failures
    assert f.message == "add(1000, 0) returned 0, expected 1000"
    assert f.original is not None and f.args == (1000, 0)
    no_shrink = run_contract_tests(c, FakeSession({"add": lambda a, b: 0 if a >= 1000 else a + b}),  # type: ignore[arg-type]
                                   options=TestOptions(shrink=False))
    assert no_shrink.failures[0].original is None


def test_null_is_generated_and_an_oracle_silent_about_null_skips_it() -> None:
    c = contract('[[method]]\nsignature = "static int length(String s)"\noracle = "len(s)"\n')

    def length(s: str | None) -> int:
        if s is None:
            raise JavaThrow("java.lang.NullPointerException")
        return len(s)

    session = FakeSession({"length": length})
    report = run_contract_tests(c, session)  # type: ignore[arg-type]
    assert report.ok
    assert None in {call.args[0] for call in session.calls}
    oracle = next(ch for ch in report.checks if ch.kind == "oracle")
    assert oracle.discarded >= 1


def test_an_oracle_that_raises_on_a_real_input_is_reported() -> None:
    c = contract('[[method]]\nsignature = "static int inv(int x)"\noracle = "100 // x"\n')
    report = run_contract_tests(c, FakeSession({"inv": lambda x: 0}), options=TestOptions(shrink=False))  # type: ignore[arg-type]
    (f,) = report.failures
    assert f.message == "the oracle raised ZeroDivisionError: integer division or modulo by zero for inv(0)"


def test_expected_exceptions_match_subclasses() -> None:
    def body(throws: str) -> str:
        return ('[[method]]\nsignature = "static int div(int a, int b)"\n'
                f'examples = [{{ args = [1, 0], throws = "{throws}" }}]\n')

    def div(a: int, b: int) -> int:
        if b == 0:
            raise JavaThrow("java.lang.ArithmeticException", "/ by zero")
        return 0

    # ArithmeticException is a RuntimeException: the superclass chain comes from the JDK.
    assert run_contract_tests(contract(body("RuntimeException")), FakeSession({"div": div})).ok  # type: ignore[arg-type]
    assert run_contract_tests(contract(body("ArithmeticException")), FakeSession({"div": div})).ok  # type: ignore[arg-type]
    report = run_contract_tests(contract(body("IllegalStateException")), FakeSession({"div": div}))  # type: ignore[arg-type]
    assert [f.message for f in report.failures] == [
        "div(1, 0) threw java.lang.ArithmeticException: / by zero, expected to throw java.lang.IllegalStateException"]


def test_floats_compare_as_java_does() -> None:
    c = contract('[[method]]\nsignature = "static double id(double x)"\noracle = "x"\n')
    report = run_contract_tests(c, FakeSession({"id": lambda x: 0.0 if x == 0 else x}),  # type: ignore[arg-type]
                                options=TestOptions(shrink=False))
    assert [f.message for f in report.failures] == ["id(-0.0) returned 0.0, expected -0.0"]
    seen = FakeSession({"id": lambda x: x})
    assert run_contract_tests(c, seen).ok  # type: ignore[arg-type]  (NaN equals NaN)
    values = [call.args[0] for call in seen.calls]
    assert any(math.isnan(v) for v in values) and math.inf in values and -math.inf in values
    assert 5e-324 in values and 1.7976931348623157e308 in values


def test_a_hang_fails_the_runs_check_and_stops_the_method() -> None:
    c = contract('[[method]]\nsignature = "static int f(int x)"\nproperties = ["result == x"]\n')

    def f(x: int) -> int:
        if x < 0:
            raise Hang
        return x

    session = FakeSession({"f": f})
    report = run_contract_tests(c, session)  # type: ignore[arg-type]
    (failure,) = report.failures
    assert failure.kind == "runs" and failure.outcome == "timeout"
    assert failure.message.startswith("timed out after 1.0 s in f(-")
    assert len(session.calls) <= 16  # no batch after the first one that hung


def test_the_same_seed_gives_the_same_inputs_and_another_seed_others() -> None:
    def inputs(seed: int) -> list[tuple[object, ...]]:
        s = FakeSession({"clamp": good_clamp})
        run_contract_tests(load_contract_text(CLAMP, "clamp.toml"), s, options=TestOptions(seed=seed))  # type: ignore[arg-type]
        return [call.args for call in s.calls]

    assert inputs(3) == inputs(3)
    assert inputs(3) != inputs(4)


def test_max_examples_sets_the_size_of_the_random_batch() -> None:
    small, large = FakeSession({"clamp": good_clamp}), FakeSession({"clamp": good_clamp})
    c = load_contract_text(CLAMP, "clamp.toml")
    a = run_contract_tests(c, small, options=TestOptions(max_examples=20))  # type: ignore[arg-type]
    b = run_contract_tests(c, large, options=TestOptions(max_examples=2000))  # type: ignore[arg-type]
    assert a.max_examples == 20 and b.max_examples == 2000
    assert a.cases("runs") + 1000 < b.cases("runs")


STACK = '''
[[method]]
signature = "void push(int x)"
ranges = { x = [0, 9] }
[[method]]
signature = "int pop()"
[stateful]
steps = 10
model = """
class M:
    def __init__(self):
        self.items = []
    def push(self, x):
        self.items.append(x)
    def pop(self):
        if not self.items:
            raise Throws("IllegalStateException")
        return self.items.pop()
"""
'''


class BadStack:
    """Forgets everything but the first two values."""

    def __init__(self) -> None:
        self.items: list[int] = []

    def push(self, x: int) -> None:
        if len(self.items) < 2:
            self.items.append(x)

    def pop(self) -> int:
        if not self.items:
            raise JavaThrow("java.lang.IllegalStateException")
        return self.items.pop()


def test_stateful_sequences_run_one_batch_each_and_shrink() -> None:
    session = FakeSession(BadStack)
    report = run_contract_tests(contract(STACK, "demo.Stack"), session, options=TestOptions(max_examples=50))  # type: ignore[arg-type]
    (f,) = report.failures
    assert f.kind == "stateful"
    assert f.message == "Stack s = new Stack(); s.push(0); s.push(0); s.push(1); s.pop() returned 0, expected 1"
    assert f.steps == ("s.push(0)", "s.push(0)", "s.push(1)")
    stateful = [b for b in session.batches if b and not b[0].static and len({c.method for c in b}) >= 1]
    assert stateful  # every sequence is one batch on one instance


class HangingStack(BadStack):
    def pop(self) -> int:
        if len(self.items) == 2:
            raise Hang
        return super().pop()


def test_a_stateful_hang_is_reported_without_shrinking() -> None:
    session = FakeSession(HangingStack)
    report = run_contract_tests(contract(STACK, "demo.Stack"), session, options=TestOptions(max_examples=50))  # type: ignore[arg-type]
    (f,) = report.failures
    assert f.kind == "stateful" and f.outcome == "timeout"
    assert f.message.startswith("Stack s = new Stack(); ") and f.message.endswith("s.pop(): timed out after 1.0 s in pop()")
