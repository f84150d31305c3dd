"""Method signatures and type names in Java syntax -> descriptors, and their errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jbgen.contract.signature import SignatureError, TypeNames, parse_signature

NAMES = TypeNames("com/example/Clamp", {"List": "java/util/List"})


@pytest.mark.parametrize(
    ("text", "name", "descriptor", "static", "params"),
    [
        ("static long discount(long total, int years)", "discount", "(JI)J", True, ("total", "years")),
        ("int applyAsInt(int left, int right)", "applyAsInt", "(II)I", False, ("left", "right")),
        ("public static void run()", "run", "()V", True, ()),
        ("String join(String[] parts, char sep)", "join", "([Ljava/lang/String;C)Ljava/lang/String;", False, ("parts", "sep")),
        ("Integer box(int x)", "box", "(I)Ljava/lang/Integer;", False, ("x",)),
        ("int size(java.util.List<String> xs)", "size", "(Ljava/util/List;)I", False, ("xs",)),
        ("int size(List<java.util.Map<String, List<Integer>>> xs)", "size", "(Ljava/util/List;)I", False, ("xs",)),
        ("int sum(int... xs)", "sum", "([I)I", False, ("xs",)),
        ("int[][] grid(int n)", "grid", "(I)[[I", False, ("n",)),
        ("Object key(java.util.Map.Entry e)", "key", "(Ljava/util/Map$Entry;)Ljava/lang/Object;", False, ("e",)),
        ("Object key(java.util.Map$Entry e)", "key", "(Ljava/util/Map$Entry;)Ljava/lang/Object;", False, ("e",)),
        ("Clamp self(final Clamp other)", "self", "(Lcom/example/Clamp;)Lcom/example/Clamp;", False, ("other",)),
        ("  static   int   f ( int  x )  ", "f", "(I)I", True, ("x",)),
        ("Character$UnicodeBlock block(char c)", "block", "(C)Ljava/lang/Character$UnicodeBlock;", False, ("c",)),
        ("double \u00e9t\u00e9(double \u00e0)", "\u00e9t\u00e9", "(D)D", False, ("\u00e0",)),
    ],
)
def test_parse(text: str, name: str, descriptor: str, static: bool, params: tuple[str, ...]) -> None:
    sig = parse_signature(text, NAMES)
    assert sig.name == name
    assert sig.descriptor == descriptor
    assert sig.static is static
    assert tuple(n for n, _ in sig.params) == params


@pytest.mark.parametrize(
    ("text", "message", "at"),
    [
        ("static long discount(long total, int years", "expected `,` or `)` after a parameter, found the end", 42),
        ("static int count(Strng text)", "unknown type `Strng`; did you mean `String`?", 17),
        ("static int count(integer n)", "did you mean `Integer`?", 17),
        ("int f(Foo x)", "unknown type `Foo`: write its qualified name", 6),
        ("private int f(int x)", "modifier `private` is not supported", 0),
        ("static static int f()", "repeated modifier `static`", 7),
        ("<T> T first(T[] xs)", "generic methods are not supported", 0),
        ("int f(int x) throws Exception", "`throws` clauses are not part of a contract signature", 13),
        ("int f(int from)", "parameter name `from` is a Python keyword", 10),
        ("int f(int result)", "reserved for the return value", 10),
        ("int f(int a, long a)", "parameter `a` is declared twice", 18),
        ("int f(void x)", "`void` is only a return type", 6),
        ("int f(int... xs, int y)", "a varargs parameter must be the last", 6),
        ("int class(int x)", "`class` is a Java keyword, not a method name", 4),
        ("int f(int x", "expected `,` or `)`", 11),
        ("int f(java/util/List x)", "unexpected character `/`", 10),
        ("int f(int x) extra", "unexpected `extra` after the parameter list", 13),
        ("int", "expected a method name", 3),
        ("", "expected a type", 0),
        ("int f(int<String> x)", "`int` takes no type arguments", 9),
        ("int f(List<String x)", "unclosed `<`", 10),
        ("int[ f()", "expected `]`", 5),
        ("int f(int x[])", "expected `,` or `)` after a parameter, found `[`", 11),
        ("int f(int $x)", "must be a Python identifier too", 10),
    ],
)
def test_errors(text: str, message: str, at: int) -> None:
    with pytest.raises(SignatureError) as info:
        parse_signature(text, NAMES)
    assert message in info.value.message
    assert info.value.offset == at


def test_type_desc() -> None:
    assert NAMES.type_desc("int") == "I"
    assert NAMES.type_desc("List") == "Ljava/util/List;"
    assert NAMES.type_desc("java.util.function.IntBinaryOperator") == "Ljava/util/function/IntBinaryOperator;"
    with pytest.raises(SignatureError, match="only a return type"):
        NAMES.type_desc("void")
    with pytest.raises(SignatureError, match="after the type"):
        NAMES.type_desc("int x")
    with pytest.raises(SignatureError, match="with dots, not slashes"):
        NAMES.class_internal("java/util/List")


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_signature_error(text: str) -> None:
    try:
        sig = parse_signature(text, NAMES)
    except SignatureError as exc:
        assert 0 <= exc.offset <= len(text)
    else:
        assert sig.descriptor.startswith("(")
