"""Lowering to jbgen assembly: every operator and every control shape assembles, verifies,
and (interpreted from the text) computes what the program computes."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from jbgen.synth.search import THROWS, JType, Loop, Param, Problem, Term, class_text
from jbgen.synth.search.ops import OPS
from jbgen.synth.search.program import (
    ACC,
    BEST,
    ELEM,
    INDEX,
    app,
    canonical_distance,
    const,
    run,
    var,
)
from jbgen.synth.search.semantics import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, i32

from .helpers import assemble_and_verify, interpret

I, J, Z, C = JType.INT, JType.LONG, JType.BOOLEAN, JType.CHAR  # noqa: E741
PARAMS = (Param("a", I), Param("b", I), Param("x", J), Param("y", J), Param("p", Z), Param("q", Z))
NAMES = {I: ("a", "b"), J: ("x", "y"), Z: ("p", "q")}
INPUTS = list(itertools.islice(itertools.product(
    [0, 1, -1, 7, -32, INT_MIN, INT_MAX], [0, 2, -1, 33, INT_MIN],
    [0, -1, 5, LONG_MIN, LONG_MAX], [0, 1, -7, 64], [False, True], [True, False]), 0, None, 7))

a, b, x, y, p, q = (var(n.name, n.type) for n in PARAMS)


def _op_term(key: str) -> Term:
    o = OPS[key]
    used: dict[JType, int] = {}
    args = []
    for t in o.args:
        k = used.get(t, 0)
        used[t] = k + 1
        args.append(var(NAMES[t][k % 2], t))
    return Term(key, o.ret, tuple(args))


# The double operators run in the real JVM instead (tests/synth/test_double.py): this
# module's interpreter computes ints, longs and booleans.
SHAPES: dict[str, Term] = {f"op:{k}": _op_term(k) for k, o in OPS.items()
                           if JType.DOUBLE not in (o.ret, *o.args)}
SHAPES.update({
    "const-int": const(-100000, I),
    "const-long": const(LONG_MIN, J),
    "const-bool": const(True, Z),
    "cmp-zero": app("iite", app("icmplt", a, const(0, I)), app("ineg", a), a),
    "cmp-zero-ne": app("iite", app("icmpne", b, const(0, I)), app("idiv", a, b), const(0, I)),
    "and-cond": app("iite", app("and", p, app("icmplt", a, b)), a, b),
    "or-cond": app("iite", app("or", app("not", p), app("lcmple", x, y)), a, b),
    "nested-and-or": app("iite", app("and", app("or", p, q), app("not", app("and", q, app("icmpeq", a, b)))), a, b),
    "bool-value-and": app("and", p, app("icmplt", a, b)),
    "bool-value-or": app("or", app("lcmplt", x, y), app("not", q)),
    "bool-xor": app("xor", p, app("icmpeq", a, b)),
    "nested-ite-value": app("iadd", app("iite", app("icmplt", a, b), a, b), const(1, I)),
    "nested-ite-long": app("lmul", app("lite", p, x, y), app("i2l", a)),
    "ite-bool": app("zite", p, app("icmplt", a, b), q),
    "decision-list": app("iite", app("icmplt", a, b), b, app("iite", app("icmpeq", a, const(0, I)), const(7, I), a)),
    "short-circuit-protects": app("iite", app("and", app("icmpne", b, const(0, I)), app("icmpeq", app("irem", a, b), const(0, I))), const(1, I), const(0, I)),
    "throws-in-branch": app("iite", p, app("idiv", a, const(0, I)), a),
})


def _problem(name: str, t: Term) -> Problem:
    return Problem(name.replace(":", "_").replace(".", "_").replace("(", "_").replace(")", "_").replace(",", "_"),
                   PARAMS, t.type, class_name=f"synth.C{abs(hash(name)) % 10**8}")


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {name: class_text(_problem(name, t), t) for name, t in SHAPES.items()}


def test_every_shape_assembles_and_verifies(texts: dict[str, str], jvm: None) -> None:
    assemble_and_verify(list(texts.values()))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_text_computes_the_program(name: str, texts: dict[str, str]) -> None:
    t = SHAPES[name]
    for inp in INPUTS:
        want = run(t, PARAMS, inp, t.type)
        got = interpret(texts[name], inp)
        if want is not THROWS and t.type is Z:
            want = int(want)
        assert got == want, (name, inp, texts[name])


LOOPS: dict[str, tuple[tuple[Param, ...], JType, Any]] = {
    "sum": ((Param("xs", JType.INT_ARRAY),), I, Loop("array", "xs", const(0, I), app("iadd", var(ACC, I), var(ELEM, I)))),
    "max-long": ((Param("xs", JType.INT_ARRAY), Param("base", J)), J,
                 Loop("array", "xs", var("base", J), app("Math.max(long,long)long", var(ACC, J), app("i2l", var(ELEM, I))))),
    "count-if": ((Param("xs", JType.INT_ARRAY), Param("k", I)), I,
                 Loop("array", "xs", const(0, I), app("iite", app("icmplt", var("k", I), var(ELEM, I)),
                                                       app("iadd", var(ACC, I), const(1, I)), var(ACC, I)))),
    "range-sum": ((Param("n", I),), I, Loop("range", "n", const(0, I), app("iadd", var(ACC, I), var(INDEX, I)))),
    "range-pow": ((Param("n", I), Param("k", J)), J, Loop("range", "n", const(1, J), app("lmul", var(ACC, J), var("k", J)))),
    "range-div": ((Param("n", I), Param("d", I)), I, Loop("range", "n", const(100, I), app("idiv", var(ACC, I), var("d", I)))),
    "char": ((Param("c", C), Param("n", I)), C, Term("iadd", I, (var("c", C), var("n", I)))),
    # the index of the largest element: two accumulators updated together under a condition
    "select-argmax": ((Param("xs", JType.INT_ARRAY),), I,
                      Loop("array", "xs", const(-1, I), var(INDEX, I),
                           app("or", app("icmplt", var(ACC, I), const(0, I)), app("icmplt", var(BEST, I), var(ELEM, I))),
                           var(ELEM, I), const(0, I))),
    # a long result whose step reads the old best: both values are computed before either is stored
    "select-long": ((Param("xs", JType.INT_ARRAY), Param("base", J)), J,
                    Loop("array", "xs", var("base", J), app("ladd", var(ACC, J), app("i2l", var(BEST, I))),
                         app("icmplt", var(BEST, I), var(ELEM, I)), var(ELEM, I), const(INT_MIN, I))),
    "select-first-odd": ((Param("xs", JType.INT_ARRAY),), I,
                         Loop("array", "xs", const(-1, I), var(INDEX, I),
                              app("and", app("icmplt", var(ACC, I), const(0, I)),
                                  app("icmpne", app("iand", var(ELEM, I), const(1, I)), const(0, I))))),
}
LOOP_INPUTS = {
    "sum": [((),), ((1, 2, 3),), ((INT_MAX, 1),)],
    "max-long": [((), -5), ((3, -9), 0), ((INT_MIN,), LONG_MIN)],
    "count-if": [((), 0), ((1, 5, 9), 4)],
    "range-sum": [(0,), (-3,), (10,), (100,)],
    "range-pow": [(0, 3), (5, 3), (70, 2)],
    "range-div": [(0, 0), (2, 3), (1, 0)],
    "char": [(65, 1), (65535, 1), (0, -1)],
    "select-argmax": [((),), ((3, 9, 2),), ((5, 5),), ((INT_MIN,),), ((-2, 0, 0, 7, 7),)],
    "select-long": [((), 4), ((1, 3, 2, 5), 10), ((INT_MAX, INT_MAX), 0)],
    "select-first-odd": [((),), ((2, 4),), ((2, 3, 5),), ((-1,),)],
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_loops_and_char(name: str, jvm: None) -> None:
    params, ret, prog = LOOPS[name]
    pb = Problem(name.replace("-", "_"), params, ret, class_name=f"synth.Loop_{name.replace('-', '_')}")
    text = class_text(pb, prog)
    assemble_and_verify([text])
    for inp in LOOP_INPUTS[name]:
        want = run(prog, params, inp, ret)
        assert interpret(text, inp) == want, (inp, text)


def test_text_names_the_program() -> None:
    t = app("Math.max(int,int)int", a, b)
    text = class_text(Problem("max", PARAMS[:2], I, class_name="demo.Max"), t)
    assert text.splitlines()[1] == "    // synthesized by jbgen search: return Math.max(a, b);"
    assert "public final class demo.Max {" in text
    assert "invokestatic Math.max(int,int)int" in text
    assert i32(1 << 31) == INT_MIN


@pytest.mark.parametrize(("key", "distance", "shown"), [
    ("ishr", -1, "a >> 31"), ("iushr", 33, "a >>> 1"), ("ishl", 31, "a << 31"), ("lshl", -1, "x << 63"),
    ("lushr", 64, "x >>> 0"), ("Integer.rotateLeft(int,int)int", -8, "Integer.rotateLeft(a, 24)"),
    ("Long.rotateRight(long,int)long", -1, "Long.rotateRight(x, 63)"),
])
def test_constant_shift_distances_are_printed_as_the_jvm_uses_them(key: str, distance: int, shown: str) -> None:
    # The search may find `a >> -1` before `a >> 31` (the same method): both print as 31.
    t = app(key, a if OPS[key].args[0] is I else x, const(distance, I))
    assert str(t) == shown
    text = class_text(_problem(f"shift:{key}{distance}", t), t)
    want_push = shown.split(", ")[-1].rstrip(")").split()[-1]
    assert f"push {want_push}\n" in text and f"push {distance}\n" not in text.replace(f"push {want_push}\n", "")
    for inp in INPUTS:
        assert interpret(text, inp) == run(t, PARAMS, inp, t.type), (key, inp)
    # a computed distance is left alone
    computed = app(key, a if OPS[key].args[0] is I else x, b)
    assert canonical_distance(computed, 1) is b and canonical_distance(t, 0) is t.args[0]


def test_docs_example_is_real_output() -> None:
    import re

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "search.md").read_text()
    block = re.search(r"```\n(public final class demo.Abs .*?)```", doc, re.S)
    assert block is not None
    x = var("x", I)
    prog = app("iite", app("icmplt", x, const(0, I)), app("ineg", x), x)
    text = class_text(Problem("abs", (Param("x", I),), I, class_name="demo.Abs"), prog)
    assert block.group(1) == text
