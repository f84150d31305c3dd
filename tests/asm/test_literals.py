"""Literals print and parse back bit for bit: every float, double, string and integer."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from jbgen.asm import model as m
from jbgen.asm.literals import (
    format_double,
    format_float,
    parse_float_bits,
    parse_number,
    quote,
    unquote,
)


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=3000, derandomize=True)
def test_every_float_bit_pattern_round_trips(bits: int) -> None:
    assert parse_number(format_float(bits)) == m.Float(bits)


@given(st.integers(0, 2**64 - 1))
@settings(max_examples=3000, derandomize=True)
def test_every_double_bit_pattern_round_trips(bits: int) -> None:
    assert parse_number(format_double(bits)) == m.Double(bits)


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
@settings(max_examples=1000, derandomize=True)
def test_float_text_is_shortest_java_style(x: float) -> None:
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    text = format_float(bits)
    assert text.endswith("f")
    digits = text[:-1].lstrip("-").split("e")[0].replace(".", "").strip("0")
    assert parse_float_bits(text[:-1]) == bits
    # Shortest: one significant digit fewer no longer reads back to the same float.
    if len(digits) > 1:
        shorter = f"{x:.{len(digits) - 2}e}"
        assert parse_float_bits(shorter) != bits


def test_float_parsing_rounds_once() -> None:
    # 1.00000017881393432617187499 lies just below the midpoint of two floats: rounding
    # to double first would land on the midpoint and then round up (double rounding).
    assert parse_float_bits("1.00000017881393432617187499") == 0x3F800001
    assert parse_float_bits("3.4028235e38") == 0x7F7FFFFF
    assert parse_float_bits("3.40282356e38") == 0x7F7FFFFF  # just below max + ulp/2
    assert parse_float_bits("3.4028236e38") == 0x7F800000  # Float.parseFloat gives Infinity
    assert parse_float_bits("1e39") == 0x7F800000
    assert parse_float_bits("-0.0") == 0x80000000


def test_integer_forms() -> None:
    assert parse_number("-2147483648") == m.Int(-(2**31))
    assert parse_number("0xFFFFFFFF") == m.Int(-1)
    assert parse_number("0x7fffffffffffffffL") == m.Long(2**63 - 1)
    assert parse_number("-9223372036854775808L") == m.Long(-(2**63))
    assert parse_number("NaNf(0x7fc00001)") == m.Float(0x7FC00001)
    assert parse_number("NaN(0x7ff0000000000001)") == m.Double(0x7FF0000000000001)


@given(st.lists(st.one_of(st.integers(0, 0xFFFF).map(chr), st.characters()), max_size=40).map("".join))
@settings(max_examples=2000, derandomize=True)
def test_strings_round_trip_as_utf16_units(s: str) -> None:
    from jbgen.asm.literals import utf16_units

    lit = quote(s)
    assert lit.startswith('"') and lit.endswith('"')
    assert unquote(lit) == utf16_units(s)
    # One physical line: newlines and other controls are always escaped.
    assert "\n" not in lit and "\r" not in lit
