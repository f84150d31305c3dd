"""The contract adapter: contract methods searched, the class assembled, verified and
(interpreted) checked against the oracle."""

from __future__ import annotations

from jbgen.contract.loader import load_contract, load_contract_text
from jbgen.synth.search import SearchOptions
from jbgen.synth.search.contract import problem_for, synthesize_contract
from tests.conftest import FIXTURES

from .helpers import assemble_and_verify, interpret


def test_clamp_contract(jvm: None) -> None:
    c = load_contract(FIXTURES / "contracts" / "clamp.toml")
    r = synthesize_contract(c)
    assert r.ok, r.results
    assert r.text is not None and "public final class com.example.Clamp {" in r.text
    assemble_and_verify([r.text])
    problem = problem_for(c, c.methods[0])
    # the inputs honour `assume = ["lo <= hi"]` and `ranges = { x = [-1000, 1000] }`
    assert all(lo <= hi and -1000 <= x <= 1000 for x, lo, hi in problem.checker.inputs)  # type: ignore[union-attr]
    for x, lo, hi in problem.checker.inputs[:200]:  # type: ignore[union-attr]
        assert interpret(r.text, (x, lo, hi)) == max(lo, min(x, hi))


def test_interface_method(jvm: None) -> None:
    c = load_contract(FIXTURES / "contracts" / "max.toml")
    r = synthesize_contract(c)
    assert r.text is not None
    assert "implements java.util.function.IntBinaryOperator" in r.text
    assert "    public int applyAsInt(int left, int right) {" in r.text  # an instance method
    assemble_and_verify([r.text])


CONTRACT = '''
schema = 1

[class]
name = "demo.Ops"

[[method]]
signature = "static int safeDiv(int a, int b)"
examples = [{ args = [7, 2], returns = 3 }, { args = [1, 0], throws = "ArithmeticException" }]
oracle = "idiv(a, b)"

[[method]]
signature = "static char upper(char c)"
assume = ["'a' <= c <= 'z'"]
oracle = "chr(ord(c) - 32)"

[[method]]
signature = "static long widen(int a, int b)"
examples = [{ args = [2147483647, 2], returns = 4294967294 }, { args = [3, -4], returns = -12 },
            { args = [0, 5], returns = 0 }, { args = [-65536, 65536], returns = -4294967296 }]
properties = ["result == a * b"]

[[method]]
signature = "static int total(int[] xs)"
lengths = { xs = [0, 6] }
oracle = "int32(sum(xs))"
'''


def test_contract_of_several_methods(jvm: None) -> None:
    c = load_contract_text(CONTRACT, "ops.toml")
    r = synthesize_contract(c, SearchOptions(time_limit=30))
    assert r.ok, ({k: v.message for k, v in r.results.items()}, r.skipped)
    assert r.text is not None
    assemble_and_verify([r.text])
    assert interpret(r.text, (7, 2), "safeDiv") == 3
    assert str(interpret(r.text, (1, 0), "safeDiv")) == "THROWS"
    assert interpret(r.text, (ord("q"),), "upper") == ord("Q")
    assert interpret(r.text, (2147483647, 2), "widen") == 4294967294
    assert interpret(r.text, ((1, 2, 3),), "total") == 6


def test_unsupported_methods_are_named() -> None:
    c = load_contract(FIXTURES / "contracts" / "text.toml")
    r = synthesize_contract(c)
    assert not r.ok
    assert "count(Ljava/lang/String;C)I" in r.skipped
    assert "does not handle: Ljava/lang/String;" in r.skipped["count(Ljava/lang/String;C)I"]
    stack = synthesize_contract(load_contract(FIXTURES / "contracts" / "int-stack.toml"))
    assert not stack.ok and all("state" in why for why in stack.skipped.values())


def test_property_failure_without_oracle() -> None:
    text = '''
schema = 1
[class]
name = "demo.P"
[[method]]
signature = "static int f(int a)"
examples = [{ args = [1], returns = 2 }, { args = [2], returns = 3 }]
properties = ["result == iadd(a, 1) or a == 7"]
'''
    c = load_contract_text(text, "p.toml")
    r = synthesize_contract(c)
    assert r.ok  # a + 1 fits the examples and the property
    bad = text.replace('"result == iadd(a, 1) or a == 7"', '"result == iadd(a, 1) and a != 5"')
    r2 = synthesize_contract(load_contract_text(bad, "p.toml"))
    (res,) = r2.results.values()
    assert res.status == "needs-oracle", res.message
