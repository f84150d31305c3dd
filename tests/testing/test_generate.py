"""Inputs from Java types: boundary values, bounds, constants, and the replay that shrinking starts from."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes

from jbgen.api import parse_text
from jbgen.contract.model import JType, Param
from jbgen.testing.constants import Constants, class_constants, neighbours
from jbgen.testing.generate import ArgsGen, ValueGen, break_pairs, value_key
from jbgen.testing.shrink import shrink_args

INT, LONG, CHAR, FLOAT, DOUBLE = JType("I"), JType("J"), JType("C"), JType("F"), JType("D")
STRING = JType("Ljava/lang/String;")
TYPES = ["Z", "B", "S", "C", "I", "J", "F", "D", "Ljava/lang/String;", "[I", "[[J", "[Ljava/lang/String;",
         "Ljava/lang/Integer;", "Ljava/lang/Character;", "[F", "Ljava/lang/Object;", "[Ljava/lang/Double;"]


def keys(values: list[object]) -> set[object]:
    return {value_key(v) for v in values}


def test_boundary_values_of_every_primitive_type() -> None:
    ints = ValueGen(INT).specials
    assert {0, 1, -1, 2**31 - 1, -(2**31), 2**31 - 2, -(2**31) + 1} <= set(ints)  # type: ignore[arg-type]
    assert {2**63 - 1, -(2**63), 2**31, -(2**31) - 1} <= set(ValueGen(LONG).specials)  # type: ignore[arg-type]
    assert {127, 126, -128, -127} == {v for v in ValueGen(JType("B")).specials if abs(v) > 100}  # type: ignore[arg-type]
    doubles = ValueGen(DOUBLE).specials
    assert keys([0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308]) <= keys(doubles)
    floats = ValueGen(FLOAT).specials
    assert keys([1.401298464324817e-45, 3.4028234663852886e38, math.nan, -0.0]) <= keys(floats)
    chars = ValueGen(CHAR).specials
    edges = {chr(c) for c in (0, 0x7F, 0x80, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFF)}
    assert edges <= set(chars)  # type: ignore[arg-type]
    assert ValueGen(JType("Z")).specials == [False, True]


def test_reference_types_have_null_empty_and_edge_values() -> None:
    strings = ValueGen(STRING).specials
    assert strings[0] is None and "" in strings
    arrays = ValueGen(JType("[I")).specials
    assert arrays[0] is None and () in arrays and (2**31 - 1,) in arrays and (2**31 - 1, 2**31 - 1) in arrays
    assert (None,) in ValueGen(JType("[Ljava/lang/String;")).specials  # null elements too
    assert ValueGen(JType("Ljava/lang/Integer;")).specials[0] is None
    assert ValueGen(JType("Ljava/util/List;")).specials == [None]


def test_ranges_and_lengths_bound_every_value() -> None:
    rng = random.Random(1)
    g = ValueGen(INT, (-5, 1000))
    values = g.specials + [g.draw(rng) for _ in range(2000)]
    assert all(-5 <= v <= 1000 for v in values)  # type: ignore[operator]
    assert {-5, -4, 0, 999, 1000} <= set(values)  # type: ignore[arg-type]
    s = ValueGen(STRING, None, (2, 5))
    strings = [v for v in s.specials + [s.draw(rng) for _ in range(2000)] if v is not None]
    assert all(2 <= len(v) <= 5 for v in strings)  # type: ignore[arg-type]
    a = ValueGen(JType("[I"), (0, 9), (1, 3))
    arrays = [v for v in a.specials + [a.draw(rng) for _ in range(2000)] if v is not None]
    assert all(1 <= len(v) <= 3 and all(0 <= e <= 9 for e in v) for v in arrays)  # type: ignore[arg-type]
    f = ValueGen(FLOAT, (0.1, 2.5))
    floats = f.specials + [f.draw(rng) for _ in range(2000)]
    assert all(0.1 <= v <= 2.5 for v in floats)  # type: ignore[operator]  (no NaN within a range)


def test_generated_strings_never_hold_two_adjacent_surrogates() -> None:
    rng = random.Random(2)
    g = ValueGen(STRING, None, (0, 40))
    for _ in range(3000):
        s = g.draw(rng)
        if s is None:
            continue
        assert all(not ("\ud800" <= a <= "\udfff" and "\ud800" <= b <= "\udfff") for a, b in zip(s, s[1:], strict=False))  # type: ignore[arg-type]
    assert break_pairs("\ud800\udc00") == "\ud800?"
    assert any(isinstance(v, str) and any("\ud800" <= c <= "\udfff" for c in v) for v in g.specials)


def test_constants_are_read_from_the_class() -> None:
    (cls,) = parse_text("""public final class demo.C {
    static final String NAME = "magic"
    public static long f(int x) {
        sipush 1337
        bipush -7
        ldc 100000
        ldc2_w 3000000000L
        push 2.5
        push 1.5f
        lookupswitch {
            42: L
            default: L
        }
    L:
        iinc x 9
        pop2
        pop2
        pop
        pop
        pop
        lconst_0
        lreturn
    }
}""", "C.jbasm")
    c = class_constants([cls])
    assert c.ints == (1337, -7, 100000, 42, 9)
    assert c.longs == (3000000000,) and c.doubles == (2.5,) and c.floats == (1.5,)
    assert c.strings == ("magic",)
    assert neighbours([5, 2**31 - 1], -(2**31), 2**31 - 1) == [5, 4, 6, 2**31 - 1, 2**31 - 2]
    g = ValueGen(INT, None, None, c)
    assert {1336, 1337, 1338, 41, 42, 43} <= set(g.specials)  # type: ignore[arg-type]
    assert {"magic", "magica", "magi"} <= set(ValueGen(STRING, None, None, c).specials)  # type: ignore[arg-type]
    assert 2.5 in ValueGen(DOUBLE, None, None, c).specials


def test_the_same_seed_draws_the_same_values() -> None:
    g = ArgsGen([Param(f"p{i}", JType(t)) for i, t in enumerate(TYPES)])
    a = [value_key(g.draw(random.Random("7:f"))) for _ in range(3)]
    b = [value_key(g.draw(random.Random("7:f"))) for _ in range(3)]
    assert a == b


def test_hypothesis_replays_every_kind_of_generated_value() -> None:
    # Shrinking starts from a failing input by replaying its choice sequence; if a
    # Hypothesis upgrade changes how these strategies draw, this fails first.
    params = [Param(f"p{i}", JType(t)) for i, t in enumerate(TYPES)]
    params += [Param("r", INT, range=(-5, 1000)), Param("fr", FLOAT, range=(0.1, 2.5)),
               Param("s", STRING, length=(2, 5))]
    g = ArgsGen(params, Constants(ints=(1337,), strings=("magic",)))
    rng = random.Random(3)
    values = [g.draw(rng) for _ in range(60)] + g.edges(rng, 20)[::5]
    for v in values:
        db = InMemoryExampleDatabase()
        db.save(b"k.secondary", choices_to_bytes(g.choices(v)))  # type: ignore[arg-type]
        seen: list[object] = []
        conf = settings(database=db, phases=[Phase.reuse], verbosity=Verbosity.quiet,
                        suppress_health_check=list(HealthCheck))

        def record(x: object, seen: list[object] = seen) -> bool:
            seen.append(x)
            return False

        with pytest.raises(Exception):  # noqa: B017 - NoSuchExample, since the condition is never true
            find(g.strategy(), record, settings=conf, database_key=b"k")
        assert seen and value_key(tuple(seen[0])) == value_key(v)  # type: ignore[arg-type]


def test_shrinking_is_deterministic_and_reaches_small_inputs() -> None:
    g = ArgsGen([Param("x", INT), Param("xs", JType("[I"))])

    def fails(args: tuple[object, ...]) -> bool:
        x, xs = args
        return xs is not None and x > 10 and len(xs) >= 2  # type: ignore[operator, arg-type]

    start = (123456, (5, -9, 77, 3))
    a = shrink_args(g, start, fails, seed=1)
    assert a == ((11, (0, 0)), True)
    assert shrink_args(g, start, fails, seed=1) == a
