"""bench/sygus.py's reader and translation: every shared SyGuS file becomes a search problem.

Fast and without cvc5: the files are parsed and translated, a few known answers are
written back as SMT-LIB and run through the CLIA checker.  Skipped when the shared
benchmark folder is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import sygus  # noqa: E402
from sygus_parse import SygusError, parse_file, parse_sexps, smt_size_of_define  # noqa: E402
from sygus_translate import (  # noqa: E402
    answer_smt,
    bv_eval,
    bv_eval_vec,
    common_domain,
    exhaustive_check,
    translate,
    verify_query,
)

from jbgen.synth.search import JType, Problem  # noqa: E402
from jbgen.synth.search.program import app, const, var  # noqa: E402

DIR = sygus.sygus_dir(None)
FILES = sygus.sygus_files(DIR) if DIR.is_dir() else []
# Constraints that the translation cannot state for the search: listed, not hidden.
UNSUPPORTED = {"jmbl_fg_VC22_a": "nested application"}

needs_files = pytest.mark.skipif(not FILES, reason=f"no SyGuS files in {DIR}")


@needs_files
def test_the_shared_set_is_there() -> None:
    tracks = [parse_file(p).track for p in FILES]
    assert (tracks.count("hd"), tracks.count("CLIA"), tracks.count("PBE_BV")) == (28, 23, 6)


@needs_files
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_becomes_a_problem(path: Path) -> None:
    f = parse_file(path)
    if path.stem in UNSUPPORTED:
        with pytest.raises(SygusError, match=UNSUPPORTED[path.stem]):
            translate(f)
        return
    tr = translate(f, time_limit=1.0)
    p = tr.problem
    assert isinstance(p, Problem)
    assert [q.name for q in p.params] == [n for n, _ in f.synth.params]
    assert p.ops, "the grammar (or the LIA operators) restricts the search"
    if f.track == "hd":
        assert p.reference is not None and p.checker is not None
        assert p.returns is JType.INT and not tr.options.conditionals
    elif f.track == "PBE_BV":
        assert p.returns is JType.LONG and len(p.examples) == 100 and p.checker is None
    else:
        assert p.spec is not None and p.checker is not None
        assert all(q.lo is not None and q.hi is not None for q in p.params)


def test_smtlib_and_jvm_readings_differ_where_the_readme_says() -> None:
    w, m = 32, (1 << 32) - 1
    shl = ["bvshl", "x", "k"]
    assert bv_eval(shl, {"x": 1, "k": 33}, w, jvm=False) == 0
    assert bv_eval(shl, {"x": 1, "k": 33}, w, jvm=True) == 2
    div = ["bvudiv", "x", "y"]
    assert bv_eval(div, {"x": 7, "y": 0}, w, jvm=False) == m
    with pytest.raises(Exception, match="by zero"):
        bv_eval(div, {"x": 7, "y": 0}, w, jvm=True)
    # bvsdiv/bvsrem truncate like idiv/irem, MIN / -1 is MIN.
    assert bv_eval(["bvsdiv", "a", "b"], {"a": (-7) & m, "b": 2}, w, jvm=False) == (-3) & m
    assert bv_eval(["bvsrem", "a", "b"], {"a": (-7) & m, "b": 2}, w, jvm=False) == (-1) & m
    assert bv_eval(["bvsdiv", "a", "b"], {"a": 1 << 31, "b": m}, w, jvm=False) == 1 << 31


@needs_files
def test_answers_back_to_smtlib() -> None:
    hd01 = parse_file(next(p for p in FILES if p.name == "hd-01-d1-prog.sl"))
    x = var("x", JType.INT)
    ans = answer_smt(hd01, app("iand", x, app("isub", x, const(1, JType.INT))))
    assert ans.define == ("(define-fun f ((x (_ BitVec 32))) (_ BitVec 32) (bvand x (bvsub x #x00000001)))")
    q = verify_query(hd01, ans)
    assert "(assert (not (and (= (hd01 x) (f x)) (f__ok x))))" in q
    # A division is guarded: the JVM throws where SMT-LIB defines a value.
    ans = answer_smt(hd01, app("Integer.divideUnsigned(int,int)int", x, x))
    assert "(distinct x #x00000000)" in ans.ok
    # Shift distances are masked, as the JVM does.
    hd19 = parse_file(next(p for p in FILES if p.name == "hd-19-d0-prog.sl"))
    k = var("k", JType.INT)
    assert "(bvshl x (bvand k #x0000001f))" in answer_smt(hd19, app("ishl", var("x", JType.INT), k)).define
    # ... and a constant distance is written as the JVM uses it: `x >> -1` is `x >> 31`, which
    # reads the same in SMT-LIB (`(bvashr x #xffffffff)` would be the sign, not x >> 31).
    ans = answer_smt(hd01, app("ishr", x, const(-1, JType.INT)))
    assert ans.define.endswith("(bvashr x #x0000001f))")
    assert common_domain(hd19) == "(and (bvult k #x00000020))"


@needs_files
def test_clia_checker_and_spec() -> None:
    f = parse_file(next(p for p in FILES if p.name == "diff.sl"))
    p = translate(f).problem
    x, y = var("x", JType.LONG), var("y", JType.LONG)
    good = app("Math.abs(long)long", app("lsub", x, y))
    assert p.checker is not None and p.checker(good) is None
    bad = app("lsub", x, y)  # fits each application alone, not f(x, y) == f(y, x)
    got = p.checker(bad)
    assert got
    assert "(abs (- x y))" in answer_smt(f, good).define


def test_sizes_of_cvc5_answers() -> None:
    text = "(\n(define-fun f ((x Int)) Int (let ((_let_1 (+ x 1))) (ite (> _let_1 0) _let_1 0)))\n)"
    assert smt_size_of_define(parse_sexps(text)) == 10  # let expanded: ite (> (+ x 1) 0) (+ x 1) 0


def test_vectorized_and_scalar_smtlib_semantics_agree() -> None:
    rng = np.random.default_rng(7)
    edge = [0, 1, 2, 31, 32, 33, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE]
    xs = np.array(edge + rng.integers(0, 1 << 32, 200).tolist(), np.uint64)
    ys = np.array(edge[::-1] + rng.integers(0, 1 << 32, 200).tolist(), np.uint64)
    for op in ("bvadd", "bvsub", "bvmul", "bvand", "bvor", "bvxor", "bvshl", "bvlshr", "bvashr", "bvudiv",
               "bvurem", "bvsdiv", "bvsrem", "bvult", "bvslt"):
        e = [op, "x", "y"]
        got = bv_eval_vec(e, {"x": xs, "y": ys}, 32)
        want = [bv_eval(e, {"x": int(a), "y": int(b)}, 32, jvm=False) for a, b in zip(xs, ys, strict=True)]
        assert [int(v) for v in got] == want, op


@needs_files
def test_exhaustive_check_finds_a_wrong_answer() -> None:
    hd01 = parse_file(next(p for p in FILES if p.name == "hd-01-d1-prog.sl"))
    x = var("x", JType.INT)
    wrong = answer_smt(hd01, app("iand", x, app("iadd", x, const(1, JType.INT))))
    assert exhaustive_check(hd01, wrong, chunk=1 << 12) == (False, 2)  # 2 & 3 != 2 & 1
