"""The assembly text: parse and print are inverses, and the text means what the docs say."""

from __future__ import annotations

import pytest

from jbgen.asm import model as m
from jbgen.asm.equality import first_difference
from jbgen.asm.parser import parse, parse_all
from jbgen.asm.printer import print_class
from jbgen.errors import AssemblyError
from tests.conftest import FIXTURES, java_base_sample

EVERYTHING = (FIXTURES / "jbasm" / "Everything.jbasm").read_text()


def test_everything_prints_back_to_the_same_class() -> None:
    cls = parse(EVERYTHING, "Everything.jbasm")
    again = parse(print_class(cls), "printed")
    assert first_difference(cls, again) is None


def test_print_is_a_fixed_point() -> None:
    text = print_class(parse(EVERYTHING))
    assert print_class(parse(text)) == text


def _method(cls: m.ClassDef, name: str) -> m.MethodDef:
    return next(md for md in cls.methods if md.name == name)


def _insns(md: m.MethodDef) -> list[tuple[str, tuple]]:
    assert md.code is not None
    return [(e.op, e.args) for e in md.code.elements if isinstance(e, m.Insn)]


def test_named_locals_pick_the_shortest_opcode() -> None:
    cls = parse(EVERYTHING)
    ops = [op for op, _ in _insns(_method(cls, "max"))]
    assert ops == ["iload_0", "iload_1", "if_icmplt", "iload_0", "ireturn", "iload_1", "ireturn"]
    loops = _insns(_method(cls, "loops"))
    assert ("lstore_1", ()) in loops  # `.local long sum` took slots 1-2
    assert ("istore_3", ()) in loops  # `.local int i` the next one
    assert ("iinc_w", (3, 1000)) in loops  # `wide iinc`
    wide = _insns(_method(cls, "wideLocals"))
    assert ("istore_w", (300,)) in wide and ("iload_w", (300,)) in wide


def test_push_chooses_the_instruction() -> None:
    cls = parse(EVERYTHING)
    ops = _insns(_method(cls, "sw"))
    assert ("ldc", (m.Int(100000),)) in ops
    assert ("iconst_m1", ()) in ops


def test_names_resolve_like_the_docs_say() -> None:
    cls = parse(EVERYTHING)
    assert cls.name == "demo/Everything"
    assert cls.interfaces == ["java/lang/Comparable"]  # java.lang names are bare
    f = next(f for f in cls.fields if f.name == "names")
    assert f.descriptor == "Ljava/util/List;"  # from `.import java.util.List`
    inner = next(a for a in cls.attributes if a.name == "InnerClasses").value
    assert inner[0][0] == "demo/Everything$Inner"


def test_constants_are_bit_exact() -> None:
    cls = parse(EVERYTHING)
    f = next(f for f in cls.fields if f.name == "F")
    assert f.attributes[0].value == m.Float(0x7FC00001)
    d = next(f for f in cls.fields if f.name == "D")
    assert d.attributes[0].value == m.Double(0x8000000000000000)


def test_several_classes_in_one_text() -> None:
    two = EVERYTHING + "\n" + EVERYTHING.replace("demo.Everything", "demo.Other")
    classes = parse_all(two)
    assert [c.name for c in classes] == ["demo/Everything", "demo/Other"]
    with pytest.raises(AssemblyError):
        parse(two)


@pytest.mark.parametrize("step", [60])
def test_java_base_sample_text_round_trip(step: int) -> None:
    from jbgen.asm.reader import read_class

    for path, data in java_base_sample(step):
        cls = read_class(data, path)
        text = print_class(cls, path)
        assert first_difference(cls, parse(text, path)) is None, path
        # Without debug information the text still parses, and the code is the same.
        bare = parse(print_class(cls, path, debug=False), path)
        for a, b in zip(cls.methods, bare.methods, strict=True):
            if a.code is not None:
                assert [(e.op, e.args) for e in a.code.elements if isinstance(e, m.Insn)] == [
                    (e.op, e.args) for e in b.code.elements if isinstance(e, m.Insn)  # type: ignore[union-attr]
                ] or _same_modulo_labels(a, b), (path, a.name)


def _same_modulo_labels(a: m.MethodDef, b: m.MethodDef) -> bool:
    x = m.ClassDef("x", 0, None, methods=[a])
    y = m.ClassDef("x", 0, None, methods=[b])
    diff = first_difference(x, y)
    return diff is None or "part 3" in diff  # only the debug tables differ


def test_uninterpreted_attributes_travel_verbatim() -> None:
    cls = parse(EVERYTHING)
    cls.attributes.append(m.Attribute("Unknown:Vendor", b"\x00\x01\xff"))
    code = _method(cls, "max").code
    assert code is not None
    code.attributes.append(m.Attribute("Unknown:Profile", b"\x07"))
    text = print_class(cls)
    assert '.attribute "Vendor" "0001ff"' in text
    assert first_difference(cls, parse(text)) is None


def test_default_constructor_is_added_and_noconstructor_keeps_none() -> None:
    cls = parse("public class demo.P extends java.util.AbstractList {\n}\n")
    ctor = _method(cls, "<init>")
    assert ctor.flags == m.ACC_PUBLIC and ctor.descriptor == "()V"
    assert _insns(ctor) == [
        ("aload_0", ()),
        ("invokespecial", (m.MemberRef("method", "java/util/AbstractList", "<init>", "()V"),)),
        ("return", ()),
    ]
    bare = parse(".noconstructor\npublic class demo.P {\n}\n")
    assert bare.methods == []
    assert print_class(bare).startswith(".noconstructor\n")
    assert parse("public interface demo.I {\n}\n").methods == []


@pytest.mark.parametrize("name", ["Foo", "a b/C", "[LFoo;", "[[La b/C;"])
def test_a_quoted_class_constant_is_a_class_not_a_string(name: str) -> None:
    # `ldc "Foo".class` (a class of the default package, from a class in a package) once
    # read as the string "Foo" followed by a stray `.class`; so did `@X("Foo".class)`.
    elem = "L" + name.lstrip("[").removeprefix("L").removesuffix(";") + ";"
    ann = m.Annotation("Ldemo/X;", (("value", m.ElementValue("c", elem)), ("e", m.ElementValue("e", (elem, "A")))))
    code = m.Code([m.Insn("ldc", (m.ClassConst(name),)), m.Insn("ldc", (m.Str(name),)), m.Insn("pop2"),
                   m.Insn("return")])
    cls = m.ClassDef("demo/A", m.ACC_PUBLIC | m.ACC_SUPER, "java/lang/Object",
                     methods=[m.MethodDef(m.ACC_STATIC, "f", "()V", code)],
                     attributes=[m.Attribute("RuntimeVisibleAnnotations", (ann,))])
    text = print_class(cls)
    assert '".class' in text
    assert first_difference(cls, parse(text)) is None, text
