"""Doubles in the search: every double operator against the real JVM on edge values (NaN,
±0.0, ±Infinity, MIN/MAX, subnormals, the int and long limits), both evaluators against
each other, comparison by bits (NaN equals NaN, -0.0 differs from 0.0), and the
temperature contract solved, lowered, verified and run."""

from __future__ import annotations

import itertools
import math
import struct
import sys
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jbgen.sandbox import Call, Limits
from jbgen.synth.search import Example, JType, Param, SearchOptions, reference_problem, synthesize
from jbgen.synth.search.cegis import _negate, problem_constants
from jbgen.synth.search.checker import generate_inputs
from jbgen.synth.search.lower import assemble_class, method_text
from jbgen.synth.search.ops import DEFAULT_OPS, OPS
from jbgen.synth.search.problem import Problem, double_bits, same_value, value_key
from jbgen.synth.search.program import Term, app, columns, const, eval_scalar, eval_vec, run, var
from jbgen.synth.search.semantics import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, SCALAR, d2i
from tests.conftest import ROOT

from .helpers import assemble_and_verify

D, I, J, Z = JType.DOUBLE, JType.INT, JType.LONG, JType.BOOLEAN  # noqa: E741
LIMITS = Limits(heap_mb=64, call_timeout_s=3.0, contract_timeout_s=120.0)
MIN_VALUE, MIN_NORMAL, MAX_VALUE = 5e-324, sys.float_info.min, sys.float_info.max
NEG_NAN = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000000))[0]

DOUBLES = [math.nan, NEG_NAN, 0.0, -0.0, math.inf, -math.inf, MIN_VALUE, -MIN_VALUE, 1e-310, -2.5e-320,
           MIN_NORMAL, -MIN_NORMAL, MAX_VALUE, -MAX_VALUE, 1.0, -1.0, 0.5, -2.5, 0.1, 1.0 / 3, 3.0, 1e300,
           2147483647.0, 2147483647.5, 2147483648.0, -2147483648.0, -2147483648.9, -2147483649.0,
           9.223372036854776e18, -9.223372036854776e18, 1e19, -1e19, 9007199254740993.0]
INTS = [0, 1, -1, 7, -13, 1 << 24, (1 << 24) + 1, INT_MIN, INT_MAX]
LONGS = [0, 1, -1, (1 << 53) + 1, (1 << 53) + 3, -(1 << 60) - 1, INT_MIN, LONG_MIN, LONG_MAX, LONG_MAX - 1023]
VALUES = {D: DOUBLES, I: INTS, J: LONGS}
NAMES = {D: ("a", "b"), I: ("i",), J: ("l",)}

DOUBLE_OPS = sorted(k for k, o in OPS.items() if o.kind in ("plain", "cmp") and D in (o.ret, *o.args))


def _op_term(key: str) -> tuple[tuple[Param, ...], Term]:
    o = OPS[key]
    params = tuple(Param(NAMES[t][k], t) for k, t in enumerate(o.args))
    return params, Term(key, o.ret, tuple(var(p.name, p.type) for p in params))


# Control shapes over double comparisons: a NaN must take the false branch of `<` and `<=`,
# the true one of `!(a < b)` and `!=`.
SHAPES: dict[str, tuple[tuple[Param, ...], Term]] = {
    "ite-lt": ((Param("a", D), Param("b", D)),
               app("dite", app("dcmplt", var("a", D), var("b", D)), var("a", D), var("b", D))),
    "ite-not-le": ((Param("a", D), Param("b", D)),
                   app("dite", app("not", app("dcmple", var("a", D), var("b", D))), const(1.0, D), const(-0.0, D))),
    "ite-and-or": ((Param("a", D), Param("b", D)),
                   app("dite", app("or", app("and", app("dcmplt", const(0.0, D), var("a", D)),
                                                 app("dcmpne", var("a", D), var("b", D))),
                                   app("dcmpeq", var("b", D), const(math.inf, D))),
                       app("dneg", var("a", D)), app("ddiv", var("b", D), const(0.0, D)))),
    "bool-not-lt": ((Param("a", D), Param("b", D)), app("not", app("dcmplt", var("a", D), var("b", D)))),
    "nan-constant": ((Param("a", D),), app("dadd", var("a", D), const(math.nan, D))),
    "int-of-double": ((Param("a", D), Param("i", I)),
                      app("iadd", app("d2i", app("dmul", var("a", D), const(10.0, D))), var("i", I))),
    "long-to-double-and-back": ((Param("l", J),), app("d2l", app("l2d", var("l", J)))),
}


def _method(name: str, params: tuple[Param, ...], t: Term) -> list[str]:
    return method_text(Problem(name, params, t.type), t)


def _inputs(params: tuple[Param, ...]) -> list[tuple[Any, ...]]:
    return list(itertools.product(*(VALUES[p.type] for p in params)))


def _bits(v: Any) -> Any:
    return ("D", double_bits(v)) if isinstance(v, float) else v


def _vector(params: tuple[Param, ...], t: Term, inputs: list[tuple[Any, ...]]) -> list[Any]:
    vals, err = eval_vec(t, columns(params, inputs), len(inputs))
    assert not err.any()
    if t.type is D:
        return [float(v) for v in vals]
    return [bool(v) if t.type is Z else int(v) for v in vals]


@pytest.fixture(scope="module")
def jvm_results(pool: Any) -> dict[str, list[Any]]:
    """Every double operator and control shape, lowered into one class, run in a sandboxed
    JVM on every combination of the edge values."""
    cases = {f"op:{k}": _op_term(k) for k in DOUBLE_OPS} | SHAPES
    names = {case: f"m{n}" for n, case in enumerate(cases)}
    text = assemble_class("synth.Doubles", [_method(names[c], *cases[c]) for c in cases])
    from jbgen.api import assemble_text

    data = {a.cls.name.replace("/", "."): a.data for a in assemble_text(text, "doubles.jbasm")}
    out: dict[str, list[Any]] = {}
    with pool.session(data, LIMITS) as s:
        for case, (params, t) in cases.items():
            desc = "(" + "".join(p.type.value for p in params) + ")" + t.type.value
            outcomes = s.run([Call(names[case], desc, inp) for inp in _inputs(params)])
            assert all(o.kind == "return" for o in outcomes), [o.detail for o in outcomes if o.kind != "return"]
            out[case] = [o.value for o in outcomes]
    return out


def test_the_lowered_double_code_verifies(jvm: None) -> None:
    cases = {f"op:{k}": _op_term(k) for k in DOUBLE_OPS} | SHAPES
    assemble_and_verify([assemble_class("synth.Doubles", [_method(f"m{n}", *c) for n, c in enumerate(cases.values())])])


@pytest.mark.parametrize("case", [f"op:{k}" for k in DOUBLE_OPS] + sorted(SHAPES))
def test_both_evaluators_compute_what_the_jvm_does(case: str, jvm_results: dict[str, list[Any]]) -> None:
    params, t = _op_term(case[3:]) if case.startswith("op:") else SHAPES[case]
    inputs = _inputs(params)
    want = [_bits(v) for v in jvm_results[case]]
    assert [_bits(v) for v in _vector(params, t, inputs)] == want
    scalar = [_bits(run(t, params, inp, t.type)) for inp in inputs]
    assert scalar == want


def test_every_double_operator_is_run_in_the_jvm() -> None:
    assert {"dadd", "dsub", "dmul", "ddiv", "drem", "dneg", "i2d", "l2d", "d2i", "d2l",
            "Math.abs(double)double", "Math.min(double,double)double", "Math.max(double,double)double",
            "dcmplt", "dcmple", "dcmpeq", "dcmpne"} == set(DOUBLE_OPS)
    assert "drem" not in DEFAULT_OPS  # off by default: rarely a formula's, and a wider level


def test_edge_cases_by_hand() -> None:
    def ev(key: str, *args: Any) -> Any:
        o = OPS[key]
        return eval_scalar(Term(key, o.ret, tuple(const(a, t) for a, t in zip(args, o.args, strict=True))), {})

    assert double_bits(ev("Math.min(double,double)double", 0.0, -0.0)) == double_bits(-0.0)
    assert double_bits(ev("Math.max(double,double)double", -0.0, 0.0)) == double_bits(0.0)
    assert math.isnan(ev("Math.min(double,double)double", math.nan, -math.inf))
    assert double_bits(ev("Math.abs(double)double", -0.0)) == 0
    assert ev("d2i", math.nan) == 0 and ev("d2i", 1e10) == INT_MAX and ev("d2i", -math.inf) == INT_MIN
    assert ev("d2l", 9.3e18) == LONG_MAX and ev("d2l", -2.9) == -2
    assert ev("ddiv", -1.0, 0.0) == -math.inf and math.isnan(ev("ddiv", 0.0, -0.0))
    assert ev("dcmpne", math.nan, math.nan) is True and ev("dcmple", math.nan, math.nan) is False


doubles = st.one_of(st.sampled_from(DOUBLES), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-20, 20).map(float))
TERM_PARAMS = (Param("a", D), Param("b", D), Param("i", I))


@st.composite
def terms(draw: st.DrawFn, t: JType, depth: int = 4) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        names = [p.name for p in TERM_PARAMS if p.type is t]
        use_var = draw(st.booleans())
        if names and use_var:
            return var(draw(st.sampled_from(names)), t)
        return const(draw(doubles if t is D else st.integers(INT_MIN, INT_MAX)), t)
    ops = [o for o in OPS.values() if o.ret is t and o.kind == "plain" and set(o.args) <= {D, I}
           and (t is D or D in o.args)]
    op = draw(st.sampled_from(ops))
    return Term(op.key, t, tuple(draw(terms(a, depth - 1)) for a in op.args))


@settings(max_examples=200, deadline=None)
@given(terms(D), st.lists(st.tuples(doubles, doubles, st.integers(INT_MIN, INT_MAX)), min_size=1, max_size=6))
def test_vectorized_matches_scalar_on_random_double_terms(term: Term, rows: list[tuple[Any, ...]]) -> None:
    vals, err = eval_vec(term, columns(TERM_PARAMS, rows), len(rows))
    assert vals.dtype == np.float64 and not err.any()
    for v, row in zip(vals, rows, strict=True):
        assert double_bits(float(v)) == double_bits(eval_scalar(term, dict(zip(("a", "b", "i"), row, strict=True))))


def test_values_compare_as_double_equals_does() -> None:
    assert not same_value(0.0, -0.0) and same_value(math.nan, NEG_NAN) and same_value(1.5, 1.5)
    assert value_key((0.0,)) != value_key((-0.0,)) and value_key((math.nan,)) == value_key((float("nan"),))
    inputs = generate_inputs([Param("x", D)], 0, 50)
    keys = [value_key(i) for i in inputs]
    assert len(set(keys)) == len(keys) and value_key((0.0,)) in keys and value_key((-0.0,)) in keys
    assert value_key((math.nan,)) in keys and value_key((math.inf,)) in keys
    # negation swaps the sides of a comparison only where NaN cannot tell: == and !=
    a, b = var("a", D), var("b", D)
    assert _negate(app("dcmplt", a, b)) is None and _negate(app("dcmple", a, b)) is None
    assert _negate(app("dcmpeq", a, b)) == app("dcmpne", a, b)
    assert _negate(app("icmplt", var("i", I), var("i", I))) is not None


def test_constants_small_integers_examples_and_no_doubles_for_int_problems() -> None:
    p = reference_problem("f", [Param("x", D)], D, lambda x: x * 0.25, constants=(1.8, 2))
    c = problem_constants(p)[D]
    assert c[:11] == [float(k) for k in range(11)] and 1.8 in c and 2.0 in c
    # an integer constant beyond the doubles is no double constant
    big = problem_constants(reference_problem("f", [Param("x", D)], D, lambda x: x, constants=(10**400,)))
    assert len(big[D]) == 11
    # 0.0 and -0.0 are two constants, NaN one
    q = Problem("g", (Param("x", D),), D, examples=(Example((-0.0,), math.nan), Example((math.nan,), math.nan)))
    cq = problem_constants(q)[D]
    assert sum(1 for v in cq if math.isnan(v)) == 1 and any(double_bits(v) == double_bits(-0.0) for v in cq)


@pytest.mark.parametrize(("name", "params", "returns", "ref", "shown"), [
    ("plus-zero", (Param("x", D),), D, lambda x: x + 0.0, "x + 0.0"),  # not x: -0.0 + 0.0 is 0.0
    ("min", (Param("a", D), Param("b", D)), D, SCALAR["Math.min(double,double)double"], "Math.min(a, b)"),
    ("half", (Param("n", I),), D, lambda n: n / 2.0, "((double) n) / 2.0"),
    ("trunc", (Param("x", D),), I, d2i, "(int) x"),
    ("nan-to-zero", (Param("x", D),), D, lambda x: 0.0 if x != x else x, None),
])
def test_small_double_problems(name: str, params: tuple[Param, ...], returns: JType, ref: Any,
                               shown: str | None, jvm: None) -> None:
    r = synthesize(reference_problem(name.replace("-", "_"), params, returns, ref, class_name=f"synth.D_{name.replace('-', '_')}"),
                   SearchOptions(time_limit=30))
    assert r.ok, r.message
    if shown is not None:
        assert str(r.program) == shown
    assemble_and_verify([r.jbasm()])


def test_temperature_is_solved_lowered_and_right_in_the_jvm(pool: Any) -> None:
    from jbgen.api import assemble_text
    from jbgen.contract.loader import load_contract
    from jbgen.synth.search.contract import problem_for, synthesize_contract

    c = load_contract(ROOT / "contracts" / "temperature.toml")
    r = synthesize_contract(c)
    assert r.ok, ({k: v.message for k, v in r.results.items()}, r.skipped)
    assert r.text is not None
    assert "// synthesized by jbgen search: return (5.0 * (fahrenheit - 32.0)) / 9.0;" in r.text
    for line in ("dload fahrenheit", "push 32.0", "dsub", "dmul", "push 9.0", "ddiv", "dreturn"):
        assert f"        {line}\n" in r.text
    assemble_and_verify([r.text])
    problem = problem_for(c, c.methods[0])
    inputs = problem.checker.inputs  # type: ignore[union-attr]
    data = {a.cls.name.replace("/", "."): a.data for a in assemble_text(r.text, "temperature.jbasm")}
    with pool.session(data, LIMITS) as s:
        got = s.run([Call("toCelsius", "(D)D", inp) for inp in inputs])
    oracle = c.methods[0].oracle.to_callable(("fahrenheit",))  # type: ignore[union-attr]
    assert [double_bits(o.value) for o in got] == [double_bits(cast(float, oracle(*inp))) for inp in inputs]
    # the contract's NaN and infinity examples, and -0.0 apart from 0.0
    assert {value_key(i) for i in inputs} >= {value_key((math.nan,)), value_key((math.inf,)), value_key((-0.0,))}


def test_no_loop_template_for_a_double_result(jvm: None) -> None:
    # the templates' accumulators are ints and longs: a double result is a plain term or tree
    p = reference_problem("mean3", [Param("xs", JType.INT_ARRAY, -100, 100, max_len=3)], D,
                          lambda xs: float(len(xs)), class_name="synth.Mean3")
    r = synthesize(p, SearchOptions(time_limit=30))
    assert r.ok and isinstance(r.program, Term) and str(r.program) == "(double) xs.length", r.message
    assemble_and_verify([r.jbasm()])
