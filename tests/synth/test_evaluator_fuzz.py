"""The numpy evaluator agrees with the scalar JVM semantics on random terms and inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jbgen.synth.search.ops import OPS
from jbgen.synth.search.problem import THROWS, JType, Param
from jbgen.synth.search.program import Term, columns, const, eval_scalar, eval_vec, var
from jbgen.synth.search.semantics import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    JavaArithmeticException,
)

I, J, Z = JType.INT, JType.LONG, JType.BOOLEAN  # noqa: E741
PARAMS = (Param("a", I), Param("b", I), Param("x", J), Param("y", J), Param("p", Z))
# (doubles: tests/synth/test_double.py)
BY_TYPE = {t: [o for o in OPS.values() if o.ret is t and JType.DOUBLE not in o.args] for t in (I, J, Z)}

ints = st.one_of(st.sampled_from([0, 1, -1, 2, 31, 32, 33, 63, 64, INT_MIN, INT_MAX, INT_MIN + 1]),
                 st.integers(-40, 40), st.integers(INT_MIN, INT_MAX))
longs = st.one_of(st.sampled_from([0, 1, -1, LONG_MIN, LONG_MAX, 1 << 32, INT_MIN, INT_MAX]),
                  st.integers(-40, 40), st.integers(LONG_MIN, LONG_MAX))
VALUES = {I: ints, J: longs, Z: st.booleans()}


@st.composite
def terms(draw: st.DrawFn, t: JType, depth: int = 4) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        names = [p.name for p in PARAMS if p.type is t]
        if draw(st.booleans()):
            return var(draw(st.sampled_from(names)), t)
        return const(draw(VALUES[t]), t)
    op = draw(st.sampled_from(BY_TYPE[t]))
    return Term(op.key, t, tuple(draw(terms(a, depth - 1)) for a in op.args))


inputs = st.tuples(ints, ints, longs, longs, st.booleans())


def _scalar(t: Term, env: dict[str, Any]) -> Any:
    try:
        return eval_scalar(t, env)
    except JavaArithmeticException:
        return THROWS


@settings(max_examples=250, deadline=None)
@given(st.sampled_from([I, J, Z]).flatmap(terms), st.lists(inputs, min_size=1, max_size=6))
def test_vectorized_matches_scalar(term: Term, rows: list[tuple[Any, ...]]) -> None:
    env = columns(PARAMS, rows)
    vals, err = eval_vec(term, env, len(rows))
    for i, row in enumerate(rows):
        want = _scalar(term, {p.name: v for p, v in zip(PARAMS, row, strict=True)})
        got = THROWS if err[i] else (bool(vals[i]) if vals.dtype == np.bool_ else int(vals[i]))
        assert got == want, (str(term), row)
        if not err[i]:
            assert vals.dtype == {I: np.int32, J: np.int64, Z: np.bool_}[term.type]
