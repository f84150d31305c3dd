"""``jbgen.asm.assemble``: hand-built ClassDefs written by the JDK, parsed back and verified.

Each test builds a model by hand, assembles it, and checks the bytes with the
JDK itself: ``ClassFile.parse`` for structure, ``ClassFile.verify`` for
bytecode, and for a few, a run of the code in a throwaway class loader (our
own test classes, not untrusted code).  The error tests check the message and
the assembly line each diagnostic points at.
"""

from __future__ import annotations

import os
import struct

import pytest

from jbgen.asm import model as m
from jbgen.asm.model import (
    ACC_ABSTRACT,
    ACC_FINAL,
    ACC_INTERFACE,
    ACC_PRIVATE,
    ACC_PUBLIC,
    ACC_STATIC,
    ACC_SUPER,
    Annotation,
    Attribute,
    Bootstrap,
    CallSite,
    ClassDef,
    Code,
    Double,
    DynamicConst,
    ElementValue,
    FieldDef,
    Float,
    Handler,
    Insn,
    Int,
    Label,
    LineNumber,
    LocalVar,
    Long,
    MemberRef,
    MethodDef,
    MethodHandleConst,
    Str,
)
from jbgen.errors import AssemblyError

pytestmark = pytest.mark.usefixtures("jvm")

OBJECT = "java/lang/Object"
PUBLIC_STATIC = ACC_PUBLIC | ACC_STATIC


@pytest.fixture(scope="module")
def J():  # noqa: N802  (the JDK handles)
    from jbgen.asm._jdk import jdk

    return jdk()


def assemble(cls: ClassDef, **kw: object) -> bytes:
    from jbgen.asm.assemble import assemble as _assemble

    return _assemble(cls, path="t.jbasm", **kw)  # type: ignore[arg-type]


def jbytes(J, data: bytes):  # noqa: N803
    return J.JArray(J.JByte)(data)


def parse(J, data: bytes):  # noqa: N803
    return J.ClassFile.of().parse(jbytes(J, data))


def verify(J, data: bytes) -> list[str]:  # noqa: N803
    return [str(e.getMessage()) for e in J.ClassFile.of().verify(jbytes(J, data))]


def ctor(super_name: str = OBJECT) -> MethodDef:
    """``public <init>() { super(); }``"""
    return MethodDef(
        ACC_PUBLIC,
        "<init>",
        "()V",
        Code(
            [
                Insn("aload_0"),
                Insn("invokespecial", (MemberRef("method", super_name, "<init>", "()V"),)),
                Insn("return"),
            ]
        ),
    )


def run(J, classes: dict[str, bytes], name: str, method: str, *args):  # noqa: N803
    """Call static ``method`` of class ``name`` (our own test code) in a throwaway loader."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        for cname, data in classes.items():
            p = Path(tmp, cname + ".class")
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        url = J.File(tmp).toURI().toURL()
        loader = J.URLClassLoader(J.JArray(J.URL)([url]), None)
        try:
            cls = loader.loadClass(name.replace("/", "."))
            for meth in cls.getMethods():
                if str(meth.getName()) == method:
                    # Method.invoke takes Objects: box Python ints as Integer.
                    boxed = [J.JInt(a) if type(a) is int else a for a in args]
                    return meth.invoke(None, *boxed)
            raise AssertionError(f"no method {method}")
        finally:
            loader.close()


def java_string(x) -> str:  # noqa: ANN001
    return str(x)


# --------------------------------------------------------------------------- classes that work


def sum_to_method() -> MethodDef:
    """``static int sumTo(int n) { int s = 0; while (n > 0) { s += n; n--; } return s; }``"""
    top, done, start, end = Label("top"), Label("done"), Label("start"), Label("end")
    code = Code(
        [
            start,
            LineNumber(10),
            Insn("iconst_0", line=11),
            Insn("istore_1", line=12),
            top,
            Insn("iload_0", line=14),
            Insn("ifle", (done,), line=15),
            Insn("iload_1", line=16),
            Insn("iload_0", line=17),
            Insn("iadd", line=18),
            Insn("istore_1", line=19),
            Insn("iinc", (0, -1), line=20),
            Insn("goto", (top,), line=21),
            done,
            LineNumber(11),
            Insn("iload_1", line=23),
            Insn("ireturn", line=24),
            end,
        ],
        locals=[LocalVar(0, "n", "I", start, end), LocalVar(1, "s", "I", top, end)],
    )
    return MethodDef(PUBLIC_STATIC, "sumTo", "(I)I", code, line=9)


def test_fields_and_a_loop(J):  # noqa: N803
    cls = ClassDef(
        "p/Fields",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        fields=[
            FieldDef(PUBLIC_STATIC | ACC_FINAL, "I", "I", [Attribute("ConstantValue", Int(-7))]),
            FieldDef(
                PUBLIC_STATIC | ACC_FINAL, "J", "J", [Attribute("ConstantValue", Long(1 << 40))]
            ),
            FieldDef(
                PUBLIC_STATIC | ACC_FINAL, "F", "F", [Attribute("ConstantValue", Float(0x3FC00000))]
            ),
            FieldDef(
                PUBLIC_STATIC | ACC_FINAL,
                "D",
                "D",
                [Attribute("ConstantValue", Double(0x3FF8000000000000))],
            ),
            FieldDef(
                PUBLIC_STATIC | ACC_FINAL,
                "S",
                "Ljava/lang/String;",
                [Attribute("ConstantValue", Str("hé\0"))],
            ),
            FieldDef(
                ACC_PRIVATE,
                "x",
                "Ljava/util/List;",
                [Attribute("Signature", "Ljava/util/List<Ljava/lang/String;>;")],
            ),
        ],
        methods=[ctor(), sum_to_method()],
        attributes=[Attribute("SourceFile", "Fields.java")],
        major=52,
    )
    data = assemble(cls)
    assert verify(J, data) == []
    cm = parse(J, data)
    assert cm.majorVersion() == 52
    assert [str(f.fieldName()) for f in cm.fields()] == ["I", "J", "F", "D", "S", "x"]
    cv = [
        str(f.findAttribute(J.Attributes.constantValue()).orElseThrow().constant().constantValue())
        for f in list(cm.fields())[:5]
    ]
    assert cv == ["-7", str(1 << 40), "1.5", "1.5", "hé\0"]
    code = cm.methods().get(1).code().orElseThrow()
    lvt = code.findAttribute(J.Attributes.localVariableTable()).orElseThrow()
    assert [str(v.name()) for v in lvt.localVariables()] == ["n", "s"]
    assert run(J, {"p/Fields": data}, "p/Fields", "sumTo", 4) == 10


def switch_method() -> MethodDef:
    """``static int sw(int x)``: tableswitch 1..3 then lookupswitch on -5/100/1000."""
    t1, t2, t3, other, look, l1, l2, dflt = (
        Label(n) for n in ["t1", "t2", "t3", "other", "look", "l1", "l2", "dflt"]
    )
    code = Code(
        [
            Insn("iload_0"),
            Insn("tableswitch", (1, 3, look, (t1, t2, t3))),
            t1,
            Insn("bipush", (10,)),
            Insn("ireturn"),
            t2,
            Insn("bipush", (20,)),
            Insn("ireturn"),
            t3,
            Insn("sipush", (300,)),
            Insn("ireturn"),
            look,
            Insn("iload_0"),
            Insn("lookupswitch", (dflt, ((-5, l1), (100, l2), (1000, l2)))),
            l1,
            Insn("iconst_m1"),
            Insn("ireturn"),
            l2,
            Insn("ldc", (Int(123456),)),
            Insn("ireturn"),
            dflt,
            Insn("iconst_0"),
            Insn("ireturn"),
        ]
    )
    del other
    return MethodDef(PUBLIC_STATIC, "sw", "(I)I", code)


def test_tableswitch_and_lookupswitch(J):  # noqa: N803
    cls = ClassDef("p/Sw", ACC_PUBLIC | ACC_SUPER, OBJECT, methods=[switch_method()])
    data = assemble(cls)
    assert verify(J, data) == []
    got = [run(J, {"p/Sw": data}, "p/Sw", "sw", x) for x in (1, 2, 3, -5, 100, 1000, 7)]
    assert got == [10, 20, 300, -1, 123456, 123456, 0]


def test_try_catch(J):  # noqa: N803
    """``static int parse(String s) { try { return Integer.parseInt(s); } catch (NumberFormatException e) { return -1; } finally-ish }``"""
    start, end, handler, anyh = Label("start"), Label("end"), Label("handler"), Label("any")
    code = Code(
        [
            start,
            Insn("aload_0"),
            Insn(
                "invokestatic",
                (MemberRef("method", "java/lang/Integer", "parseInt", "(Ljava/lang/String;)I"),),
            ),
            end,
            Insn("ireturn"),
            handler,
            Insn("astore_1"),
            Insn("iconst_m1"),
            Insn("ireturn"),
            anyh,
            Insn("athrow"),
        ],
        handlers=[
            Handler(start, end, handler, "java/lang/NumberFormatException"),
            Handler(start, end, anyh, None),
        ],
    )
    cls = ClassDef(
        "p/Try",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "parse", "(Ljava/lang/String;)I", code)],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    code_model = parse(J, data).methods().get(0).code().orElseThrow()
    catches = [c.catchType() for c in code_model.exceptionHandlers()]
    assert str(catches[0].get().asInternalName()) == "java/lang/NumberFormatException"
    assert not catches[1].isPresent()
    assert run(J, {"p/Try": data}, "p/Try", "parse", "42") == 42
    assert run(J, {"p/Try": data}, "p/Try", "parse", "x") == -1


CONCAT_BSM = MethodHandleConst(
    6,
    MemberRef(
        "method",
        "java/lang/invoke/StringConcatFactory",
        "makeConcatWithConstants",
        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
        "Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;",
    ),
)


def test_invokedynamic_string_concatenation(J):  # noqa: N803
    site = CallSite(
        Bootstrap(CONCAT_BSM, (Str("x=\u0001, y=\u0001!"),)),
        "makeConcatWithConstants",
        "(IJ)Ljava/lang/String;",
    )
    code = Code([Insn("iload_0"), Insn("lload_1"), Insn("invokedynamic", (site,)), Insn("areturn")])
    cls = ClassDef(
        "p/Concat",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "(IJ)Ljava/lang/String;", code)],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    assert parse(J, data).findAttribute(J.Attributes.bootstrapMethods()).isPresent()
    assert (
        java_string(run(J, {"p/Concat": data}, "p/Concat", "f", 3, J.JLong(1 << 33)))
        == "x=3, y=8589934592!"
    )


def test_dynamic_constant(J):  # noqa: N803
    """``ldc`` of a CONSTANT_Dynamic: ConstantBootstraps.primitiveClass gives int.class."""
    bsm = MethodHandleConst(
        6,
        MemberRef(
            "method",
            "java/lang/invoke/ConstantBootstraps",
            "primitiveClass",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/Class;",
        ),
    )
    condy = DynamicConst(Bootstrap(bsm, ()), "I", "Ljava/lang/Class;")
    code = Code(
        [
            Insn("ldc", (condy,)),
            Insn(
                "invokevirtual",
                (MemberRef("method", "java/lang/Class", "getName", "()Ljava/lang/String;"),),
            ),
            Insn("areturn"),
        ]
    )
    cls = ClassDef(
        "p/Condy",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()Ljava/lang/String;", code)],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    assert java_string(run(J, {"p/Condy": data}, "p/Condy", "f")) == "int"


def test_record(J):  # noqa: N803
    """``record Point(int x, List<String> tags)`` with its fields, constructor and accessors."""
    comps = (
        m.RecordComponent("x", "I"),
        m.RecordComponent(
            "tags",
            "Ljava/util/List;",
            (Attribute("Signature", "Ljava/util/List<Ljava/lang/String;>;"),),
        ),
    )
    init = MethodDef(
        ACC_PUBLIC,
        "<init>",
        "(ILjava/util/List;)V",
        Code(
            [
                Insn("aload_0"),
                Insn("invokespecial", (MemberRef("method", "java/lang/Record", "<init>", "()V"),)),
                Insn("aload_0"),
                Insn("iload_1"),
                Insn("putfield", (MemberRef("field", "p/Point", "x", "I"),)),
                Insn("aload_0"),
                Insn("aload_2"),
                Insn("putfield", (MemberRef("field", "p/Point", "tags", "Ljava/util/List;"),)),
                Insn("return"),
            ]
        ),
        [Attribute("MethodParameters", (("x", 0), ("tags", 0)))],
    )
    getx = MethodDef(
        ACC_PUBLIC,
        "x",
        "()I",
        Code(
            [
                Insn("aload_0"),
                Insn("getfield", (MemberRef("field", "p/Point", "x", "I"),)),
                Insn("ireturn"),
            ]
        ),
    )
    cls = ClassDef(
        "p/Point",
        ACC_PUBLIC | ACC_FINAL | ACC_SUPER,
        "java/lang/Record",
        fields=[
            FieldDef(ACC_PRIVATE | ACC_FINAL, "x", "I"),
            FieldDef(ACC_PRIVATE | ACC_FINAL, "tags", "Ljava/util/List;"),
        ],
        methods=[init, getx],
        attributes=[Attribute("Record", comps)],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    rec = parse(J, data).findAttribute(J.Attributes.record()).orElseThrow()
    names = [(str(c.name()), str(c.descriptor())) for c in rec.components()]
    assert names == [("x", "I"), ("tags", "Ljava/util/List;")]
    assert rec.components().get(1).findAttribute(J.Attributes.signature()).isPresent()


def test_interface_static_call_keeps_interface_methodref(J):  # noqa: N803
    iface = ClassDef(
        "p/Iface",
        ACC_PUBLIC | ACC_INTERFACE | ACC_ABSTRACT,
        OBJECT,
        methods=[
            MethodDef(PUBLIC_STATIC, "two", "()I", Code([Insn("iconst_2"), Insn("ireturn")])),
            MethodDef(ACC_PUBLIC | ACC_ABSTRACT, "size", "()I"),
        ],
    )
    ref = MemberRef("imethod", "p/Iface", "two", "()I")
    user = ClassDef(
        "p/User",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[
            MethodDef(
                PUBLIC_STATIC,
                "f",
                "()I",
                Code(
                    [Insn("invokestatic", (ref,)), Insn("iconst_1"), Insn("iadd"), Insn("ireturn")]
                ),
            )
        ],
    )
    idata, udata = assemble(iface), assemble(user)
    assert verify(J, idata) == [] and verify(J, udata) == []
    insn = [
        e
        for e in parse(J, udata).methods().get(0).code().orElseThrow()
        if isinstance(e, J.InvokeInstruction)
    ][0]
    assert insn.isInterface()
    assert isinstance(insn.method(), J.InterfaceMethodRefEntry)
    assert run(J, {"p/Iface": idata, "p/User": udata}, "p/User", "f") == 3


def test_annotations_with_nested_values(J):  # noqa: N803
    inner = Annotation(
        "Lp/Inner;", (("e", ElementValue("e", ("Ljava/lang/annotation/ElementType;", "FIELD"))),)
    )
    anno = Annotation(
        "Lp/Outer;",
        (
            ("i", ElementValue("I", Int(7))),
            ("z", ElementValue("Z", Int(1))),
            ("c", ElementValue("C", Int(ord("x")))),
            ("j", ElementValue("J", Long(-1))),
            ("f", ElementValue("F", Float(0x7FC00001))),
            ("d", ElementValue("D", Double(0x4000000000000000))),
            ("s", ElementValue("s", "text")),
            ("k", ElementValue("c", "Ljava/lang/String;")),
            ("v", ElementValue("c", "V")),
            ("a", ElementValue("@", inner)),
            (
                "arr",
                ElementValue(
                    "[", (ElementValue("s", "a"), ElementValue("@", inner), ElementValue("[", ()))
                ),
            ),
        ),
    )
    meth = MethodDef(
        PUBLIC_STATIC,
        "f",
        "(I)V",
        Code([Insn("return")]),
        [
            Attribute("RuntimeVisibleAnnotations", (anno,)),
            Attribute("RuntimeInvisibleParameterAnnotations", ((inner,),)),
            Attribute("Deprecated"),
        ],
    )
    cls = ClassDef(
        "p/Anno",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[meth],
        attributes=[Attribute("RuntimeInvisibleAnnotations", (inner,))],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    mm = parse(J, data).methods().get(0)
    a = (
        mm.findAttribute(J.Attributes.runtimeVisibleAnnotations())
        .orElseThrow()
        .annotations()
        .get(0)
    )
    assert str(a.className()) == "Lp/Outer;"
    els = {str(e.name()): e.value() for e in a.elements()}
    assert J.Float.floatToRawIntBits(els["f"].floatValue()) == 0x7FC00001
    arr = els["arr"].values()
    assert arr.size() == 3 and str(arr.get(1).annotation().className()) == "Lp/Inner;"
    assert str(els["a"].annotation().elements().get(0).value().constantName()) == "FIELD"
    assert mm.findAttribute(J.Attributes.deprecated()).isPresent()


def _pool_bits(data: bytes) -> list[tuple[int, int]]:
    """(tag, raw bits) of every CONSTANT_Float (4) and CONSTANT_Double (6) in a class file."""
    out = []
    count = struct.unpack_from(">H", data, 8)[0]
    pos, i = 10, 1
    while i < count:
        tag = data[pos]
        if tag == 1:
            pos += 3 + struct.unpack_from(">H", data, pos + 1)[0]
        elif tag in (3, 4):
            if tag == 4:
                out.append((4, struct.unpack_from(">I", data, pos + 1)[0]))
            pos += 5
        elif tag in (5, 6):
            if tag == 6:
                out.append((6, struct.unpack_from(">Q", data, pos + 1)[0]))
            pos += 9
            i += 1
        elif tag in (7, 8, 16, 19, 20):
            pos += 3
        elif tag == 15:
            pos += 4
        else:
            pos += 5
        i += 1
    return out


def test_nan_payloads_survive(J):  # noqa: N803
    """Floats and doubles are written from their raw bits: quiet and signalling NaNs keep their payload."""
    floats = [0x7FC00001, 0x7F800001, 0xFFC12345, 0x7FC00000, 0x80000000]
    doubles = [0x7FF8000000000123, 0x7FF0000000000001, 0xFFF8000000000000]
    elements = []
    for b in floats:
        elements += [Insn("ldc", (Float(b),)), Insn("pop")]
    for b in doubles:
        elements += [Insn("ldc2_w", (Double(b),)), Insn("pop2")]
    elements.append(Insn("return"))
    cls = ClassDef(
        "p/NaN",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        fields=[
            FieldDef(
                PUBLIC_STATIC | ACC_FINAL, "F", "F", [Attribute("ConstantValue", Float(0x7FA00005))]
            )
        ],
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", Code(elements))],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    bits = _pool_bits(data)
    for b in [*floats, 0x7FA00005]:
        assert (4, b) in bits, hex(b)
    for b in doubles:
        assert (6, b) in bits, hex(b)
    # ... and each ldc loads its own constant, still as a narrow ldc.
    code = parse(J, data).methods().get(0).code().orElseThrow()
    loads = [i for i in code if isinstance(i, J.ConstantInstruction.LoadConstantInstruction)]
    got = [
        J.Float.floatToRawIntBits(i.constantEntry().floatValue()) & 0xFFFFFFFF
        for i in loads[: len(floats)]
    ]
    assert got == floats
    assert {str(i.opcode().name()) for i in loads[: len(floats)]} == {"LDC"}


def test_shared_pool_leaves_no_junk(J):  # noqa: N803
    """Entries made for one class (in the long-lived pool) do not leak into the next class."""

    def calls(owner: str, n: int) -> ClassDef:
        elements = [
            Insn("invokestatic", (MemberRef("method", owner, f"m{i}", "()V"),)) for i in range(n)
        ]
        meth = MethodDef(PUBLIC_STATIC, "f", "()V", Code([*elements, Insn("return")]))
        return ClassDef(f"{owner}User", ACC_PUBLIC | ACC_SUPER, OBJECT, methods=[meth])

    assemble(calls("p/Big", 200))
    small = assemble(calls("p/Small", 2))
    utf8s = [
        str(e.stringValue()) for e in parse(J, small).constantPool() if isinstance(e, J.Utf8Entry)
    ]
    assert not [u for u in utf8s if "Big" in u]
    assert parse(J, small).constantPool().size() < 20


def test_narrow_ldc_stays_narrow_in_a_big_pool(J):  # noqa: N803
    """With > 256 pool entries, the constants of ``ldc`` come first so ``ldc`` is not widened."""
    elements = [
        Insn("invokestatic", (MemberRef("method", "p/X", f"m{i}", "()V"),)) for i in range(150)
    ]
    elements += [
        Insn("ldc", (Str("late string"),)),
        Insn("pop"),
        Insn("ldc_w", (Int(99999),)),
        Insn("pop"),
        Insn("return"),
    ]
    cls = ClassDef(
        "p/Big",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", Code(elements))],
    )
    data = assemble(cls)
    cm = parse(J, data)
    assert cm.constantPool().size() > 256
    ops = [
        str(i.opcode().name())
        for i in cm.methods().get(0).code().orElseThrow()
        if isinstance(i, J.ConstantInstruction)
    ]
    assert ops == ["LDC", "LDC_W"]


def test_many_narrow_ldc_strings_stay_narrow(J):  # noqa: N803
    """300 ldc of distinct strings: javac fits them below 256 (Strings first, Utf8s after); so do we."""
    elements = []
    for i in range(250):
        elements += [Insn("ldc", (Str(f"s{i}"),)), Insn("pop")]
    for i in range(50):
        elements += [Insn("ldc_w", (Str(f"w{i}"),)), Insn("pop")]
    elements += [Insn("ldc", (Float(0x7FC00123),)), Insn("pop"), Insn("return")]
    cls = ClassDef(
        "p/Many",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", Code(elements))],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    loads = [
        i
        for i in parse(J, data).methods().get(0).code().orElseThrow()
        if isinstance(i, J.ConstantInstruction.LoadConstantInstruction)
    ]
    assert [str(i.opcode().name()) for i in loads] == ["LDC"] * 250 + ["LDC_W"] * 50 + ["LDC"]
    assert [str(i.constantValue()) for i in loads[:3]] == ["s0", "s1", "s2"]
    assert (4, 0x7FC00123) in _pool_bits(data)


def test_more_ldc_constants_than_fit_below_256(J):  # noqa: N803
    """A NaN, then 600 ldc of distinct strings: those past index 255 become ldc_w, none truncated.

    The NaN sends the class to a pool of its own before its strings are seen,
    so their instructions are made over that pool, whose entries the JDK writes
    with the opcode it is given (it used to write ``ldc`` with the index's low
    byte: "bad CP index: 0").
    """
    from jbgen.asm.equality import first_difference
    from jbgen.asm.reader import read_class

    elements = [Insn("ldc", (Float(0x7FC00456),)), Insn("pop")]
    for i in range(600):
        elements += [Insn("ldc", (Str(f"many-ldc-{i}"),)), Insn("pop")]
    elements.append(Insn("return"))
    cls = ClassDef(
        "p/ManyMore",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", Code(elements))],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    loads = [
        i
        for i in parse(J, data).methods().get(0).code().orElseThrow()
        if isinstance(i, J.ConstantInstruction.LoadConstantInstruction)
    ]
    assert [str(i.constantValue()) for i in loads[1:]] == [f"many-ldc-{i}" for i in range(600)]
    assert {str(i.opcode().name()) for i in loads[:200]} == {"LDC"}
    assert (4, 0x7FC00456) in _pool_bits(data)
    assert first_difference(cls, read_class(data)) is None


def test_wide_forms_are_kept(J):  # noqa: N803
    """``iinc_w``, ``iload_w`` and ``goto_w`` with operands that would fit the short form stay wide."""
    target = Label("t")
    code = Code(
        [
            Insn("iinc_w", (0, 5)),
            Insn("iinc", (0, -128)),
            Insn("iload_w", (0,)),
            Insn("istore", (0,)),
            Insn("goto_w", (target,)),
            target,
            Insn("return"),
        ]
    )
    cls = ClassDef(
        "p/Wide",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "(I)V", code)],
    )
    data = assemble(cls)
    assert verify(J, data) == []
    ops = [
        str(i.opcode().name())
        for i in parse(J, data).methods().get(0).code().orElseThrow()
        if isinstance(i, J.Instruction)
    ]
    assert ops == ["IINC_W", "IINC", "ILOAD_W", "ISTORE", "GOTO_W", "RETURN"]


def test_jsr_ret_in_old_class_files(J):  # noqa: N803
    """jsr/ret assemble in version 49 (no stack maps) and 50 (the JDK falls back to none)."""
    sub, after = Label("sub"), Label("after")
    code = Code(
        [
            Insn("jsr", (sub,)),
            Insn("goto", (after,)),
            sub,
            Insn("astore_1"),
            Insn("ret", (1,)),
            after,
            Insn("return"),
        ]
    )
    for major in (49, 50):
        cls = ClassDef(
            "p/Jsr",
            ACC_PUBLIC | ACC_SUPER,
            OBJECT,
            methods=[MethodDef(PUBLIC_STATIC, "f", "()V", code)],
            major=major,
        )
        data = assemble(cls)
        code_model = parse(J, data).methods().get(0).code().orElseThrow()
        assert not code_model.findAttribute(J.Attributes.stackMapTable()).isPresent()
        assert code_model.maxLocals() == 2
        ops = [str(i.opcode().name()) for i in code_model if isinstance(i, J.Instruction)]
        assert ops[:1] == ["JSR"] and "RET" in ops


def test_jsr_in_a_modern_class_is_an_error_at_its_line():
    sub = Label("sub")
    code = Code(
        [
            Insn("jsr", (sub,), line=4),
            Insn("return", line=5),
            sub,
            Insn("astore_1", line=7),
            Insn("ret", (1,), line=8),
        ]
    )
    cls = ClassDef(
        "p/Jsr",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", code, line=3)],
        major=51,
    )
    with pytest.raises(AssemblyError) as info:
        assemble(cls)
    (d,) = info.value.diagnostics
    assert d.message == (
        "cannot compute stack map frames: instructions jsr, jsr_w, or ret must not appear "
        "in the class file version >= 51.0"
    )
    assert d.location.line == 4


def test_every_attribute_of_the_model(J):  # noqa: N803
    anno = Annotation("Lp/A;")
    ta_field = m.TypeAnnotation(0x13, (), ((0, 0),), anno)
    ta_class = m.TypeAnnotation(0x10, (65535,), (), anno)
    ta_method = m.TypeAnnotation(0x16, (0,), (), anno)
    start, end, here = Label("s"), Label("e"), Label("h")
    ta_code = (
        m.TypeAnnotation(0x40, (((start, end, 0),),), (), anno),
        m.TypeAnnotation(0x44, (here,), (), anno),
        m.TypeAnnotation(0x47, (here, 0), (), anno),
    )
    code = Code(
        [
            start,
            Insn("aconst_null"),
            Insn("astore_0"),
            here,
            Insn("aload_0"),
            Insn("checkcast", ("java/lang/String",)),
            Insn("pop"),
            end,
            Insn("return"),
        ],
        attributes=[
            Attribute("RuntimeVisibleTypeAnnotations", ta_code),
            Attribute("Unknown:CodeVendor", b"\x07"),
        ],
    )
    meth = MethodDef(
        PUBLIC_STATIC,
        "f",
        "(I)V",
        code,
        [
            Attribute("Exceptions", ("java/io/IOException",)),
            Attribute("Signature", "<T:Ljava/lang/Object;>(I)V"),
            Attribute("MethodParameters", ((None, 0),)),
            Attribute("RuntimeVisibleParameterAnnotations", ((anno,),)),
            Attribute("RuntimeInvisibleTypeAnnotations", (ta_method,)),
            Attribute("Synthetic"),
            Attribute("Deprecated"),
        ],
    )
    amethod = MethodDef(
        ACC_PUBLIC | ACC_ABSTRACT,
        "value",
        "()I",
        None,
        [Attribute("AnnotationDefault", ElementValue("I", Int(3)))],
    )
    cls = ClassDef(
        "p/All",
        ACC_PUBLIC | ACC_SUPER | ACC_ABSTRACT,
        OBJECT,
        interfaces=["java/io/Serializable"],
        fields=[
            FieldDef(
                ACC_PUBLIC,
                "f",
                "Ljava/lang/String;",
                [Attribute("RuntimeVisibleTypeAnnotations", (ta_field,)), Attribute("Synthetic")],
            )
        ],
        methods=[meth, amethod],
        attributes=[
            Attribute("SourceFile", "All.java"),
            Attribute(
                "InnerClasses",
                (("p/All$In", "p/All", "In", ACC_PUBLIC | ACC_STATIC), ("p/All$1", None, None, 0)),
            ),
            Attribute("EnclosingMethod", ("p/Outer", "run", "()V")),
            Attribute("NestHost", "p/Outer"),
            Attribute("PermittedSubclasses", ("p/Sub",)),
            Attribute("RuntimeVisibleTypeAnnotations", (ta_class,)),
            Attribute("SourceDebugExtension", b"SMAP\n\xff"),
            Attribute("SourceID", "src-1"),
            Attribute("CompilationID", "comp-1"),
            Attribute("Unknown:Vendor", b"\x01\x02\x03"),
        ],
    )
    data = assemble(cls)
    cm = parse(J, data)
    names = [str(a.attributeName().stringValue()) for a in cm.attributes()]
    assert (
        names
        == [
            "SourceFile",
            "InnerClasses",
            "EnclosingMethod",
            "NestHost",
            "PermittedSubclasses",
            "RuntimeVisibleTypeAnnotations",
            "SourceDebugExtension",
            "SourceID",
            "CompilationID",
            "Vendor",
            "BootstrapMethods",
        ][: len(names)]
    )
    unknown = [a for a in cm.attributes() if str(a.attributeName().stringValue()) == "Vendor"][0]
    assert bytes(unknown.contents()) == b"\x01\x02\x03"
    mnames = [str(a.attributeName().stringValue()) for a in cm.methods().get(0).attributes()]
    assert mnames == [
        "Code",
        "Exceptions",
        "Signature",
        "MethodParameters",
        "RuntimeVisibleParameterAnnotations",
        "RuntimeInvisibleTypeAnnotations",
        "Synthetic",
        "Deprecated",
    ]
    code_attrs = [
        str(a.attributeName().stringValue())
        for a in cm.methods().get(0).code().orElseThrow().attributes()
    ]
    assert "RuntimeVisibleTypeAnnotations" in code_attrs and "CodeVendor" in code_attrs
    tas = (
        cm.methods()
        .get(0)
        .code()
        .orElseThrow()
        .findAttribute(J.Attributes.runtimeVisibleTypeAnnotations())
        .orElseThrow()
        .annotations()
    )
    assert [int(t.targetInfo().targetType().targetTypeValue()) for t in tas] == [0x40, 0x44, 0x47]
    default = cm.methods().get(1).findAttribute(J.Attributes.annotationDefault()).orElseThrow()
    assert int(default.defaultValue().intValue()) == 3
    assert verify(J, data) == []


def test_module_info(J):  # noqa: N803
    info = m.ModuleInfo(
        "my.mod",
        0x0020,
        "1.0",
        requires=(("java.base", 0x8000, "25"), ("java.sql", 0x0020, None)),
        exports=(("my/api", 0, ()), ("my/impl", 0, ("other.mod",))),
        opens=(("my/res", 0, ()),),
        uses=("my/api/Service",),
        provides=(("my/api/Service", ("my/impl/ServiceImpl",)),),
    )
    cls = ClassDef(
        "module-info",
        m.ACC_MODULE,
        None,
        attributes=[
            Attribute("Module", info),
            Attribute("ModulePackages", ("my/api", "my/impl", "my/res")),
            Attribute("ModuleMainClass", "my/api/Main"),
            Attribute("ModuleTarget", "linux-amd64"),
            Attribute("ModuleResolution", 1),
            Attribute("ModuleHashes", ("SHA-256", (("other.mod", b"\x00\x01\xfe"),))),
        ],
        major=53,
    )
    data = assemble(cls)
    cm = parse(J, data)
    assert not cm.superclass().isPresent()
    mod = cm.findAttribute(J.Attributes.module()).orElseThrow()
    assert str(mod.moduleName().name()) == "my.mod" and str(mod.moduleVersion().get()) == "1.0"
    assert [str(r.requires().name()) for r in mod.requires()] == ["java.base", "java.sql"]
    assert [str(e.exportedPackage().name()) for e in mod.exports()] == ["my/api", "my/impl"]
    hashes = cm.findAttribute(J.Attributes.moduleHashes()).orElseThrow()
    assert bytes(hashes.hashes().get(0).hash()) == b"\x00\x01\xfe"
    assert (
        str(cm.findAttribute(J.Attributes.moduleTarget()).orElseThrow().targetPlatform())
        == "linux-amd64"
    )


def test_classpath_resolver(J, tmp_path):  # noqa: N803
    """Stack maps that merge classes from the class path need the class path, folder or jar."""
    base = ClassDef("q/Base", ACC_PUBLIC | ACC_SUPER, OBJECT, methods=[ctor()])
    left = ClassDef("q/Left", ACC_PUBLIC | ACC_SUPER, "q/Base", methods=[ctor("q/Base")])
    right = ClassDef("q/Right", ACC_PUBLIC | ACC_SUPER, "q/Base", methods=[ctor("q/Base")])
    for c in (base, left, right):
        p = tmp_path / (c.name + ".class")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(assemble(c))
    other, join = Label("other"), Label("join")
    code = Code(
        [
            Insn("iload_0"),
            Insn("ifeq", (other,)),
            Insn("new", ("q/Left",)),
            Insn("dup"),
            Insn("invokespecial", (MemberRef("method", "q/Left", "<init>", "()V"),)),
            Insn("goto", (join,)),
            other,
            Insn("new", ("q/Right",)),
            Insn("dup"),
            Insn("invokespecial", (MemberRef("method", "q/Right", "<init>", "()V"),)),
            join,
            Insn("areturn", line=12),
        ]
    )
    user = ClassDef(
        "q/User",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "pick", "(Z)Lq/Base;", code, line=7)],
    )
    with pytest.raises(AssemblyError) as info:
        assemble(user)
    d = info.value.diagnostics[0]
    assert d.message.startswith("cannot compute stack map frames: could not resolve class q.")
    assert "class path" in d.message
    assert d.location.line == 7
    data = assemble(user, classpath=[str(tmp_path)])
    from jbgen.asm.assemble import make_resolver

    checker = J.ClassFile.of(J.ClassHierarchyResolverOption.of(make_resolver([str(tmp_path)])))
    assert list(checker.verify(jbytes(J, data))) == []
    import zipfile

    jar = tmp_path / "lib.jar"
    with zipfile.ZipFile(jar, "w") as zf:
        for c in (base, left, right):
            zf.write(tmp_path / (c.name + ".class"), c.name + ".class")
    assert assemble(user, classpath=[str(jar)]) == data
    assert make_resolver([str(jar)]) is make_resolver((str(jar),)) is make_resolver(str(jar))
    assert assemble(user, classpath=f"{tmp_path / 'nothing'}{os.pathsep}{jar}") == data


# --------------------------------------------------------------------------- errors


def one_method(code: Code, desc: str = "()V", major: int = 69) -> ClassDef:
    return ClassDef(
        "p/Bad",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", desc, code, line=2)],
        line=1,
        major=major,
    )


def errors_of(cls: ClassDef) -> list:
    with pytest.raises(AssemblyError) as info:
        assemble(cls)
    for d in info.value.diagnostics:
        assert d.location is not None and d.location.path == "t.jbasm"
        assert "\n\tat " not in d.message and "java.lang." not in d.message.split(":")[0]
    return info.value.diagnostics


def test_label_used_but_never_placed():
    nowhere = Label("nowhere")
    (d,) = errors_of(
        one_method(
            Code(
                [Insn("iconst_0", line=3), Insn("ifeq", (nowhere,), line=4), Insn("return", line=5)]
            )
        )
    )
    assert "label nowhere is used but never placed" in d.message
    assert d.location.line == 4


def test_label_placed_twice():
    lab = Label("twice")
    (d,) = errors_of(one_method(Code([lab, Insn("nop", line=3), lab, Insn("return", line=5)])))
    assert "placed twice" in d.message and d.location.line == 5


def test_bad_stack_points_at_the_instruction():
    code = Code(
        [
            Insn("iconst_1", line=3),
            Insn("lconst_1", line=4),
            Insn("pop2", line=5),
            Insn("iadd", line=6),
            Insn("return", line=7),
        ]
    )
    (d,) = errors_of(one_method(code))
    assert d.message.startswith("cannot compute stack map frames")
    assert d.location.line == 6
    assert any("f()V at bci 3" in n for n in d.notes), d.notes


def test_stack_underflow_and_bad_merge_in_two_methods_are_both_reported():
    a = MethodDef(
        PUBLIC_STATIC, "a", "()V", Code([Insn("pop", line=3), Insn("return", line=4)]), line=2
    )
    join, other = Label("join"), Label("other")
    b = MethodDef(
        PUBLIC_STATIC,
        "b",
        "(I)I",
        Code(
            [
                Insn("iload_0", line=7),
                Insn("ifeq", (other,), line=8),
                Insn("iconst_1", line=9),
                Insn("goto", (join,), line=10),
                other,
                Insn("aconst_null", line=12),
                join,
                Insn("ireturn", line=14),
            ]
        ),
        line=6,
    )
    good = MethodDef(PUBLIC_STATIC, "c", "()V", Code([Insn("return", line=17)]), line=16)
    cls = ClassDef("p/Two", ACC_PUBLIC | ACC_SUPER, OBJECT, methods=[a, good, b], line=1)
    diags = errors_of(cls)
    assert [d.location.line for d in diags] == [3, 14]
    assert [d.message for d in diags] == [
        "cannot compute stack map frames: operand stack underflow",
        "cannot compute stack map frames: stack content mismatch",
    ]
    assert diags[0].notes == ("in method a()V at bci 0 (pop)",)
    assert diags[1].notes == ("in method b(I)I at bci 9 (ireturn)",)


def test_unknown_opcode_suggests_the_near_miss():
    (d,) = errors_of(
        one_method(
            Code(
                [
                    Insn("invokestatik", (MemberRef("method", "p/X", "f", "()V"),), line=3),
                    Insn("return"),
                ]
            )
        )
    )
    assert "unknown instruction 'invokestatik'" in d.message and "invokestatic" in d.message
    assert d.location.line == 3


def test_wrong_operands_are_reported_per_instruction():
    code = Code(
        [
            Insn("iload", ("x",), line=3),
            Insn("bipush", (300,), line=4),
            Insn("getfield", (MemberRef("method", "p/X", "f", "()V"),), line=5),
            Insn("invokeinterface", (MemberRef("method", "p/X", "f", "()V"),), line=6),
            Insn("iinc", (1, 1000), line=7),
            Insn("ldc", (Long(1),), line=8),
            Insn("newarray", ("integer",), line=9),
            Insn("return", line=10),
        ]
    )
    diags = errors_of(one_method(code))
    assert [d.location.line for d in diags] == [3, 4, 5, 6, 7, 8, 9]
    assert "iload slot must be an int, got str" in diags[0].message
    assert "bipush operand out of range" in diags[1].message
    assert "use iinc_w" in diags[4].message
    assert "use ldc2_w" in diags[5].message


def test_method_without_code_and_abstract_with_code():
    cls = ClassDef(
        "p/C",
        ACC_PUBLIC | ACC_SUPER | ACC_ABSTRACT,
        OBJECT,
        methods=[
            MethodDef(PUBLIC_STATIC, "f", "()V", None, line=3),
            MethodDef(ACC_PUBLIC | ACC_ABSTRACT, "g", "()V", Code([Insn("return")]), line=4),
        ],
    )
    diags = errors_of(cls)
    assert [d.location.line for d in diags] == [3, 4]


def test_missing_superclass_and_misplaced_attribute():
    cls = ClassDef(
        "p/C",
        ACC_PUBLIC,
        None,
        fields=[FieldDef(ACC_PUBLIC, "x", "I", [Attribute("Exceptions", ())], line=5)],
        line=2,
    )
    diags = errors_of(cls)
    assert [d.location.line for d in diags] == [2, 5]
    assert "no superclass" in diags[0].message
    assert "attribute Exceptions is not allowed on a field" in diags[1].message


def test_unknown_attribute_with_a_known_name_cannot_be_written():
    meth = MethodDef(
        PUBLIC_STATIC,
        "f",
        "()V",
        Code([Insn("return")]),
        [Attribute("Unknown:SourceFile", b"\x00\x01")],
        line=4,
    )
    cls = ClassDef("p/C", ACC_PUBLIC | ACC_SUPER, OBJECT, methods=[meth])
    (d,) = errors_of(cls)
    assert "SourceFile" in d.message and "cannot be written" in d.message
    assert d.location.line == 4


def test_code_too_large():
    code = Code([Insn("nop")] * 70000 + [Insn("return")])
    (d,) = errors_of(one_method(code))
    assert d.message == "method f is too large: 70001 bytes of code (at most 65535)"
    assert d.location.line == 2


def test_branch_over_32k_is_widened_not_an_error(J):  # noqa: N803
    far = Label("far")
    code = Code(
        [Insn("iconst_0"), Insn("ifeq", (far,)), *[Insn("nop")] * 40000, far, Insn("return")]
    )
    data = assemble(one_method(code))
    assert verify(J, data) == []


def test_dead_code_is_patched_when_frames_are_generated(J):  # noqa: N803
    after = Label("after")
    code = Code([Insn("goto", (after,)), Insn("iconst_1"), Insn("pop"), after, Insn("return")])

    def ops(major: int) -> list[str]:
        cls = ClassDef(
            "p/Dead",
            ACC_PUBLIC | ACC_SUPER,
            OBJECT,
            methods=[MethodDef(PUBLIC_STATIC, "f", "()V", code)],
            major=major,
        )
        cm = parse(J, assemble(cls))
        return [
            str(i.opcode().name())
            for i in cm.methods().get(0).code().orElseThrow()
            if isinstance(i, J.Instruction)
        ]

    assert ops(69) == ["GOTO", "NOP", "ATHROW", "RETURN"]
    assert ops(49) == ["GOTO", "ICONST_1", "POP", "RETURN"]


def test_line_numbers_and_local_variables_read_back():
    from jbgen.asm.reader import read_class

    start, end = Label("start"), Label("end")
    code = Code(
        [
            start,
            LineNumber(5),
            Insn("iconst_1"),
            LineNumber(5),  # repeats the line before it: dropped by the JDK
            Insn("istore_0"),
            LineNumber(6),
            LineNumber(7),  # two at one position: the JDK keeps the last
            Insn("iload_0"),
            Insn("pop"),
            LineNumber(8),
            Insn("return"),
            end,
        ],
        locals=[
            LocalVar(0, "x", "I", start, end),
            LocalVar(1, "xs", "Ljava/util/List;", start, end),
            LocalVar(1, "xs", "Ljava/util/List<TT;>;", start, end, signature=True),
        ],
    )
    cls = ClassDef(
        "p/Lines",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()V", code)],
    )
    back = read_class(assemble(cls)).methods[0].code
    assert back is not None
    shape = [
        ("line", e.line) if type(e) is LineNumber else e.op
        for e in back.elements
        if type(e) is not Label
    ]
    assert shape == [
        ("line", 5),
        "iconst_1",
        "istore_0",
        ("line", 7),
        "iload_0",
        "pop",
        ("line", 8),
        "return",
    ]
    assert [(v.slot, v.name, v.descriptor, v.signature) for v in back.locals] == [
        (0, "x", "I", False),
        (1, "xs", "Ljava/util/List;", False),
        (1, "xs", "Ljava/util/List<TT;>;", True),
    ]


def test_bad_descriptor_of_an_operand_points_at_its_instruction():
    ref = MemberRef("method", "p/X", "f", "(I)")
    code = Code([Insn("nop", line=3), Insn("invokestatic", (ref,), line=4), Insn("return", line=5)])
    (d,) = errors_of(one_method(code))
    assert d.message == "bad method descriptor: (I)" and d.location.line == 4


def test_empty_code():
    (d,) = errors_of(one_method(Code([])))
    assert d.message == "method f has no instructions" and d.location.line == 2


# --------------------------------------------------------------------------- ClassFeeder


@pytest.fixture
def feeder():  # -> (session, ClassFeeder class)
    """The session with ClassFeeder loaded; the test switches ``s.feeder`` itself."""
    import jbgen.asm.assemble as A

    s = A._session()
    saved = s.feeder
    if not s.feeder:
        A._load_feeder(s)
    loaded = s.feeder
    assert loaded, "ClassFeeder.jbasm did not assemble or load"
    yield s, loaded
    s.feeder = saved


def test_feeder_writes_the_bytes_of_the_python_path(J, feeder):  # noqa: N803
    """ClassFeeder makes the instructions and gives the builders what the Python path does.

    Each class is assembled both ways from empty caches (``reset``), so that the
    instructions of the one path are not reused by the other.
    """
    from jbgen.asm.parser import parse as parse_text
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class
    from tests.conftest import java_base_sample

    s, loaded = feeder
    refused = s.batch_fallbacks
    for path, data in java_base_sample(40):
        cls = parse_text(print_class(read_class(data, path)), path)
        s.reset()
        s.feeder = False
        python = assemble(cls)
        s.reset()
        s.feeder = loaded
        assert assemble(cls) == python, path
    assert s.batch_fallbacks == refused, "ClassFeeder.make refused a batch"


def test_feeder_builds_switches_handlers_locals_and_old_classes(J, feeder):  # noqa: N803
    """Every kind of hole and extra of a code program, and jsr/ret, through ClassFeeder."""
    s, loaded = feeder
    lo, hi, dflt, a, b, end = (Label(n) for n in ("lo", "hi", "dflt", "a", "b", "end"))
    code = Code(
        [
            lo,
            Insn("iload_0"),
            Insn("tableswitch", (1, 3, dflt, (a, b, a))),
            a,
            Insn("iload_0"),
            Insn("lookupswitch", (dflt, ((-5, b), (70000, a)))),
            b,
            Insn("iload_0"),
            Insn("ifeq", (dflt,)),
            Insn("goto_w", (end,)),
            dflt,
            Insn("iconst_0"),
            Insn("ireturn"),
            hi,
            Insn("astore_1"),
            end,
            Insn("iconst_1"),
            Insn("ireturn"),
        ],
        handlers=[
            Handler(lo, dflt, hi, "java/lang/RuntimeException"),
            Handler(lo, dflt, hi, None),
        ],
        locals=[
            LocalVar(0, "x", "I", lo, end),
            LocalVar(1, "t", "Ljava/util/List;", hi, end, signature=False),
            LocalVar(1, "t", "Ljava/util/List<Ljava/lang/String;>;", hi, end, signature=True),
        ],
    )
    cls = ClassDef(
        "p/Fed",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        interfaces=["java/io/Serializable"],
        fields=[
            FieldDef(ACC_PUBLIC, "plain", "I"),
            FieldDef(PUBLIC_STATIC | ACC_FINAL, "K", "I", [Attribute("ConstantValue", Int(7))]),
        ],
        methods=[
            MethodDef(PUBLIC_STATIC, "f", "(I)I", code, [Attribute("Exceptions", ("java/io/IOException",))]),
            MethodDef(ACC_PUBLIC | m.ACC_ABSTRACT, "g", "()V"),
        ],
        attributes=[Attribute("SourceFile", "Fed.java")],
    )
    cls.flags |= m.ACC_ABSTRACT
    s.feeder = False
    python = assemble(cls)
    s.feeder = loaded
    assert assemble(cls) == python
    assert verify(J, python) == []

    sub = Label("sub")
    old = ClassDef(
        "p/OldFed",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[
            MethodDef(
                PUBLIC_STATIC,
                "f",
                "()V",
                Code([Insn("jsr", (sub,)), Insn("return"), sub, Insn("astore_0"), Insn("ret", (0,))]),
            )
        ],
        major=49,
    )
    s.feeder = False
    python = assemble(old)
    s.feeder = loaded
    assert assemble(old) == python


def test_feeder_batch_falls_back_to_one_instruction_at_a_time(J, feeder):  # noqa: N803
    """When ClassFeeder.make refuses a batch, each instruction is made (and checked) alone."""
    s, loaded = feeder

    class Refusing:
        def __call__(self, *args: object) -> object:
            return loaded(*args)

        def make(self, *args: object) -> object:
            raise RuntimeError("refused")

    ref = MemberRef("field", "p/Batch", "refused", "I")
    cls = ClassDef(
        "p/Batch",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        fields=[FieldDef(PUBLIC_STATIC, "refused", "I")],
        methods=[
            MethodDef(
                PUBLIC_STATIC,
                "f",
                "()I",
                Code([Insn("getstatic", (ref,)), Insn("bipush", (7,)), Insn("iadd"), Insn("ireturn")]),
            )
        ],
    )
    s.reset()
    s.feeder = Refusing()
    refused = s.batch_fallbacks
    data = assemble(cls)
    assert s.batch_fallbacks == refused + 1
    assert verify(J, data) == []
    s.reset()
    s.feeder = loaded
    assert assemble(cls) == data


@pytest.mark.parametrize("with_feeder", [False, True])
def test_unhashable_operands_are_reported(J, feeder, with_feeder):  # noqa: N803
    """An operand that cannot be a cache key (a list) is an error at its line, on both paths."""
    s, loaded = feeder
    s.feeder = loaded if with_feeder else False
    bad = Insn("bipush", ([1],), line=7)
    cls = ClassDef(
        "p/Unhashable",
        ACC_PUBLIC | ACC_SUPER,
        OBJECT,
        methods=[MethodDef(PUBLIC_STATIC, "f", "()I", Code([bad, Insn("ireturn")]), line=5)],
    )
    with pytest.raises(AssemblyError) as exc:
        assemble(cls)
    (d,) = exc.value.diagnostics
    assert d.location.line == 7 and "bipush" in d.message
