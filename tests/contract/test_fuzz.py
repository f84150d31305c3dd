"""Whatever the text, loading either returns a Contract or raises ContractError with located diagnostics."""

from __future__ import annotations

import json
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbgen.contract import Contract, load_contract_text
from jbgen.contract import loader as L
from jbgen.errors import ContractError
from tests.conftest import FIXTURES

# Samples that need no JVM (max.toml reads a JDK interface): fuzzing stays fast.
SAMPLES = [p.read_text() for p in sorted((FIXTURES / "contracts").glob("*.toml")) if p.name != "max.toml"]
# JBGEN_FUZZ_EXAMPLES=5000 for a longer hunt.
SETTINGS = settings(
    max_examples=int(os.environ.get("JBGEN_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def check(text: str) -> None:
    try:
        c = load_contract_text(text, "f.toml")
    except ContractError as exc:
        assert exc.diagnostics
        nlines = max(1, len(text.splitlines()))
        for d in exc.diagnostics:
            assert d.location is not None and d.location.path == "f.toml"
            assert d.location.line is not None and 1 <= d.location.line <= nlines + 1, d.render()
            d.render()
    else:
        assert isinstance(c, Contract)


TOMLISH = st.text(alphabet='[]{}=,."\'\n #abcmethodschemaclassnegturx0123456789-_:\\\t', max_size=200)


@SETTINGS
@given(TOMLISH)
def test_random_tomlish_text(text: str) -> None:
    check(text)


@SETTINGS
@given(st.sampled_from(SAMPLES), st.integers(0, 10_000), st.integers(0, 40), st.text(max_size=12))
def test_mutated_samples(sample: str, at: int, cut: int, insert: str) -> None:
    at %= len(sample) + 1
    check(sample[:at] + insert + sample[at + cut :])


TOKENS = [
    '"x"', "1", "-1", "3000000000", "1.5", "nan", "true", "[]", "[1, 2]", '["a"]', "{ null = true }", "{}",
    '"static int f(int x)"', '"int f(int x, int y)"', '"void g()"', '"result > 0"', '"x +"', '"java.util.*"',
    '"java.util.function.IntUnaryOperator"', "'''\\nclass M:\\n    def f(self, x): pass\\n'''",
]


@SETTINGS
@given(st.sampled_from(SAMPLES), st.data())
def test_values_replaced_in_samples(sample: str, data: st.DataObject) -> None:
    # Replace the value of some `key = value` lines (one-line values only) with other tokens.
    lines = sample.splitlines()
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\w+ = [^\[{'\"]*$|^\w+ = (\"[^\"]*\"|\[[^\]]*\])$", line)]
    for i in data.draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []:
        key = lines[i].split(" = ", 1)[0]
        lines[i] = f"{key} = {data.draw(st.sampled_from(TOKENS))}"
    check("\n".join(lines) + "\n")


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else "nan"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    assert isinstance(v, dict)
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"


KEYS = st.sampled_from(sorted({*L.TOP_KEYS, *L.CLASS_KEYS, *L.METHOD_KEYS, *L.EXAMPLE_KEYS, *L.STATEFUL_KEYS, *L.POLICY_KEYS, "null", "x"}))
SCALARS = st.one_of(
    st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["int f(int x)", "static void g()", "a.B", "java.util.function.IntUnaryOperator", "x > 0", "def oracle(x): return x", ""]),
    st.text(max_size=10),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=20)


@SETTINGS
@given(st.dictionaries(KEYS, VALUES, max_size=6), st.booleans())
def test_structured_documents(doc: dict[str, object], with_schema: bool) -> None:
    if with_schema:
        doc = {"schema": 1, **doc}
    check("\n".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items()) + "\n")
