"""Java values in Python: coercion, literals, equality, JVM arithmetic helpers, JType."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jbgen.contract.model import (
    BOOLEAN,
    BYTE,
    CHAR,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    SHORT,
    STRING,
    JType,
    MethodSpec,
    Param,
)
from jbgen.contract.values import (
    EXPR_GLOBALS,
    CoerceError,
    Throws,
    coerce,
    float32,
    same_value,
    to_java_literal,
)

INT_ARR = JType("[I")
INT_ARR2 = JType("[[I")
STR_ARR = JType("[Ljava/lang/String;")
INTEGER = JType("Ljava/lang/Integer;")
CHARACTER = JType("Ljava/lang/Character;")
LIST = JType("Ljava/util/List;")
NULL = {"null": True}


# --------------------------------------------------------------------------- coerce


@pytest.mark.parametrize(
    ("value", "jtype", "expected"),
    [
        (True, BOOLEAN, True),
        (-128, BYTE, -128),
        (32767, SHORT, 32767),
        (-(2**31), INT, -(2**31)),
        (2**63 - 1, LONG, 2**63 - 1),
        (2, DOUBLE, 2.0),
        (0.5, FLOAT, 0.5),
        ("a", CHAR, "a"),
        ("\uffff", CHAR, "\uffff"),
        ("h\u00e9llo \U0001f600", STRING, "h\u00e9llo \U0001f600"),
        ([1, 2], INT_ARR, (1, 2)),
        ([[1], []], INT_ARR2, ((1,), ())),
        (["a", NULL], STR_ARR, ("a", None)),
        (NULL, STRING, None),
        (NULL, INT_ARR, None),
        (NULL, INTEGER, None),
        (5, INTEGER, 5),
        ("c", CHARACTER, "c"),
        (NULL, LIST, None),
        (None, STRING, None),
    ],
)
def test_coerce_accepts(value: object, jtype: JType, expected: object) -> None:
    got = coerce(value, jtype)
    assert same_value(got, expected), (got, expected)
    assert type(got) is type(expected)


def test_float_rounds_to_float32() -> None:
    x = coerce(0.1, FLOAT)
    assert x == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert x != 0.1
    assert coerce(0.1, DOUBLE) == 0.1
    assert math.isnan(coerce(math.nan, FLOAT))  # type: ignore[arg-type]
    assert coerce(math.inf, FLOAT) == math.inf
    assert math.copysign(1.0, coerce(-0.0, FLOAT)) == -1.0  # type: ignore[arg-type]
    # The largest float, and a value that rounds down to it, are fine.
    assert coerce(3.4028235e38, FLOAT) == 3.4028234663852886e38


@pytest.mark.parametrize(
    ("value", "jtype", "message", "path"),
    [
        (128, BYTE, "`128` does not fit in a byte (-128..127)", ()),
        (2**31, INT, "`2147483648` does not fit in an int (-2147483648..2147483647)", ()),
        (2**63, LONG, "does not fit in a long", ()),
        (True, INT, "expected an int, found a boolean `true`", ()),
        (1.0, INT, "expected an int, found a float `1.0`", ()),
        ("1", LONG, 'expected a long, found a string `"1"`', ()),
        (1, BOOLEAN, "expected a boolean, found an integer `1`", ()),
        (1e39, FLOAT, "beyond the range of a float", ()),
        (10**400, DOUBLE, "beyond the range of a double", ()),
        ("ab", CHAR, "a char is one character, found a string of length 2", ()),
        ("", CHAR, "found a string of length 0", ()),
        ("\U0001f600", CHAR, "outside the Basic Multilingual Plane", ()),
        (65, CHAR, "expected a char (a one-character string), found an integer `65`", ()),
        ("x", INT_ARR, "expected an int[] (an array), found a string", ()),
        ([1, "x"], INT_ARR, 'expected an int, found a string `"x"`', (1,)),
        ([[1], [2, 2**40]], INT_ARR2, "does not fit in an int", (1, 1)),
        (NULL, INT, "`int` cannot be null", ()),
        ({"null": False}, STRING, "write null as `{ null = true }`", ()),
        ({"a": 1}, STRING, "expected a String, found a table", ()),
        ([1], LIST, "values of type java.util.List cannot be written in a contract (only null)", ()),
        (1, JType("V"), "a void method returns no value", ()),
    ],
)
def test_coerce_refuses(value: object, jtype: JType, message: str, path: tuple[int, ...]) -> None:
    with pytest.raises(CoerceError) as info:
        coerce(value, jtype)
    assert message in info.value.message
    assert info.value.path == path


@given(st.integers(-(2**31), 2**31 - 1))
def test_coerce_int_is_identity_in_range(v: int) -> None:
    assert coerce(v, INT) == v


@given(st.floats(allow_nan=False, width=32))
def test_coerce_float32_values_are_fixed_points(v: float) -> None:
    assert same_value(coerce(v, FLOAT), v)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_coerce_float_is_nearest_float32_or_refused(v: float) -> None:
    try:
        got = coerce(v, FLOAT)
    except CoerceError:
        assert abs(v) > 3.4e38
        return
    assert got == float32(v)
    assert float32(got) == got


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("value", "jtype", "text"),
    [
        (-1, INT, "-1"),
        (-(2**31), INT, "-2147483648"),
        (3, LONG, "3L"),
        (3, BYTE, "(byte) 3"),
        (-3, SHORT, "(short) -3"),
        (True, BOOLEAN, "true"),
        (1.5, FLOAT, "1.5f"),
        (float32(0.1), FLOAT, "0.1f"),
        (1e-5, DOUBLE, "1e-5"),
        (1e300, DOUBLE, "1e300"),
        (2.0, DOUBLE, "2.0"),
        (-0.0, DOUBLE, "-0.0"),
        (-0.0, FLOAT, "-0.0f"),
        (math.nan, DOUBLE, "Double.NaN"),
        (math.inf, FLOAT, "Float.POSITIVE_INFINITY"),
        (-math.inf, DOUBLE, "Double.NEGATIVE_INFINITY"),
        ("c", CHAR, "'c'"),
        ("'", CHAR, "'\\''"),
        ("\n", CHAR, "'\\n'"),
        ("\x00", CHAR, "'\\u0000'"),
        ("a\n\"b\"", STRING, '"a\\n\\"b\\""'),
        (None, STRING, "null"),
        ((1, 2), INT_ARR, "new int[]{1, 2}"),
        (((1,), (), None), INT_ARR2, "new int[][]{{1}, {}, null}"),
        (("a", None), STR_ARR, 'new String[]{"a", null}'),
        (5, INTEGER, "5"),
        (None, INTEGER, "null"),
    ],
)
def test_to_java_literal(value: object, jtype: JType, text: str) -> None:
    assert to_java_literal(value, jtype) == text


def test_call_text() -> None:
    m = MethodSpec(
        "f",
        "(Ljava/lang/String;CFJ[I)V",
        (Param("s", STRING), Param("c", CHAR), Param("x", FLOAT), Param("n", LONG), Param("a", INT_ARR)),
        JType("V"),
    )
    assert m.call_text(("a\n", "c", 1.5, 3, (1, 2))) == 'f("a\\n", \'c\', 1.5f, 3L, new int[]{1, 2})'
    assert m.signature == "void f(String s, char c, float x, long n, int[] a)"
    mx = MethodSpec("max", "(II)I", (Param("a", INT), Param("b", INT)), INT, static=True)
    assert mx.call_text((-1, 2)) == "max(-1, 2)"


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float_literal_reads_back(v: float) -> None:
    text = to_java_literal(v, FLOAT)
    assert text.endswith("f")
    assert same_value(float32(float(text[:-1])), v)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_literal_reads_back(v: float) -> None:
    assert same_value(float(to_java_literal(v, DOUBLE)), v)


# --------------------------------------------------------------------------- equality and helpers


def test_same_value() -> None:
    assert same_value(math.nan, math.nan)
    assert not same_value(0.0, -0.0)
    assert not same_value(True, 1)
    assert same_value((1, (2.0, None)), (1, (2.0, None)))
    assert not same_value((1, 2), (1, 2, 3))
    assert not same_value((1,), 1)
    assert same_value(None, None)
    assert not same_value(None, 0)


def test_jvm_arithmetic() -> None:
    g = EXPR_GLOBALS
    imin, lmin = -(2**31), -(2**63)
    assert g["iadd"](2**31 - 1, 1) == imin  # type: ignore[operator]
    assert g["imul"](65536, 65536) == 0  # type: ignore[operator]
    assert g["idiv"](-7, 2) == -3  # type: ignore[operator]
    assert g["idiv"](imin, -1) == imin  # type: ignore[operator]
    assert g["irem"](-7, 2) == -1  # type: ignore[operator]
    assert g["irem"](7, -2) == 1  # type: ignore[operator]
    assert g["ldiv"](lmin, -1) == lmin  # type: ignore[operator]
    assert g["iushr"](-1, 28) == 15  # type: ignore[operator]
    assert g["ishr"](-16, 2) == -4  # type: ignore[operator]
    assert g["ishl"](1, 33) == 2  # type: ignore[operator]
    assert g["lushr"](-1, 60) == 15  # type: ignore[operator]
    assert g["lshl"](1, 63) == lmin  # type: ignore[operator]
    assert g["d2i"](math.nan) == 0  # type: ignore[operator]
    assert g["d2i"](1e20) == 2**31 - 1  # type: ignore[operator]
    assert g["d2l"](-1e30) == lmin  # type: ignore[operator]
    assert g["f2i"](-2.9) == -2  # type: ignore[operator]
    assert g["i2c"](65) == "A"  # type: ignore[operator]
    assert g["i2b"](200) == -56  # type: ignore[operator]
    assert g["ddiv"](1.0, -0.0) == -math.inf  # type: ignore[operator]
    assert math.isnan(g["ddiv"](0.0, 0.0))  # type: ignore[operator]
    assert math.isnan(g["drem"](1.0, 0.0))  # type: ignore[operator]
    assert g["fadd"](float32(0.1), float32(0.2)) == float32(float32(0.1) + float32(0.2))  # type: ignore[operator]
    assert float32(1e39) == math.inf
    with pytest.raises(Throws) as info:
        g["idiv"](1, 0)  # type: ignore[operator]
    assert info.value.class_name == "java/lang/ArithmeticException"
    assert Throws("java.util.NoSuchElementException").class_name == "java/util/NoSuchElementException"


@given(st.integers(-(2**31), 2**31 - 1), st.integers(-(2**31), 2**31 - 1))
def test_idiv_irem_identity(a: int, b: int) -> None:
    if b == 0:
        return
    q = EXPR_GLOBALS["idiv"](a, b)  # type: ignore[operator]
    r = EXPR_GLOBALS["irem"](a, b)  # type: ignore[operator]
    # JLS 15.17.3: (a / b) * b + (a % b) == a, with int wraparound.
    assert EXPR_GLOBALS["iadd"](EXPR_GLOBALS["imul"](q, b), r) == a  # type: ignore[operator]
    assert abs(r) < abs(b)


# --------------------------------------------------------------------------- JType


def test_jtype_helpers() -> None:
    t = JType("[[Ljava/util/Map$Entry;")
    assert t.java_name == "java.util.Map$Entry[][]"
    assert t.is_array and t.dims == 2 and t.element == JType("[Ljava/util/Map$Entry;")
    assert t.base.class_name == "java/util/Map$Entry"
    assert not t.supported
    assert INT.boxed == INTEGER and INTEGER.unboxed == INT and INTEGER.is_boxed
    assert INTEGER.is_reference and not INT.is_reference
    assert INTEGER.int_range == (-(2**31), 2**31 - 1)
    assert STRING.java_name == "String" and STRING.is_string and STRING.supported
    assert JType("[Ljava/lang/Double;").supported
    assert CHAR.value_kind == "C" and CHARACTER.value_kind == "C"
    assert not CHAR.is_numeric and DOUBLE.is_floating and LONG.is_integral
    assert JType("V").is_void and not JType("V").is_primitive
    assert str(JType("[Z")) == "boolean[]"
    with pytest.raises(ValueError):
        _ = INT.element
