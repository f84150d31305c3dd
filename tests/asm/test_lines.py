"""Lines of several instructions and the short forms (bare names, `store`, `return`, bare literals).

The disassembler prints them by default and the typed one-per-line spelling
with ``flat``; both must read back to the same class, whichever of the
parser's two paths (whitespace-separated words, or the tokenizer) reads a line.
"""

from __future__ import annotations

import re

import pytest

from jbgen.asm import model as m
from jbgen.asm.equality import first_difference
from jbgen.asm.parser import parse
from jbgen.asm.printer import print_class
from jbgen.errors import AssemblyError
from tests.conftest import java_base_sample


def _code(text: str, name: str = "f") -> list[tuple[str, tuple]]:
    cls = parse(text)
    md = next(x for x in cls.methods if x.name == name)
    assert md.code is not None
    return [(e.op, e.args) for e in md.code.elements if isinstance(e, m.Insn)]


def _method(body: str, header: str = "public static int f(int a, long b, String s, double[] d)") -> str:
    return "public class demo.A {\n    " + header + " {\n" + body + "\n    }\n}\n"


def _errors(text: str) -> list[str]:
    with pytest.raises(AssemblyError) as ei:
        parse(text, "A.jbasm")
    return [d.render() for d in ei.value.diagnostics]


def test_a_name_alone_loads_by_the_locals_type() -> None:
    assert _code(_method("        a b s d pop2 pop pop2 return")) == [
        ("iload_0", ()), ("lload_1", ()), ("aload_3", ()), ("aload", (4,)),
        ("pop2", ()), ("pop", ()), ("pop2", ()), ("ireturn", ()),
    ]


def test_store_and_load_keywords_and_declared_locals() -> None:
    body = """
        .local float f
        .local boolean z
        .local java.util.List xs
        1.5f store f
        1 store z
        load f f2i load z iadd return"""
    assert _code(_method(body, "public static int f()")) == [
        ("ldc", (m.Float(0x3FC00000),)), ("fstore_0", ()),
        ("iconst_1", ()), ("istore_1", ()),
        ("fload_0", ()), ("f2i", ()), ("iload_1", ()), ("iadd", ()), ("ireturn", ()),
    ]


@pytest.mark.parametrize(
    ("ret", "op"),
    [("int", "ireturn"), ("boolean", "ireturn"), ("long", "lreturn"), ("float", "freturn"),
     ("double", "dreturn"), ("String", "areturn"), ("int[]", "areturn"), ("void", "return")],
)
def test_return_is_typed_by_the_method(ret: str, op: str) -> None:
    load = {"void": "", "long": "0L ", "float": "0.0f ", "double": "0.0 ", "String": "aconst_null ",
            "int[]": "aconst_null "}.get(ret, "0 ")
    assert _code(_method(f"        {load}return", f"static {ret} f()"))[-1] == (op, ())


def test_exact_return_is_the_void_return_anywhere() -> None:
    assert _code(_method("        exact return", "static int f()")) == [("return", ())]
    # It prints back the same way (the verifier would reject the class, the text must not lie).
    cls = parse(_method("        exact return", "static int f()"))
    assert "exact return" in print_class(cls)
    # --flat too: its `return` would read back as `ireturn`.
    assert "exact return" in print_class(cls, flat=True)
    assert _code(print_class(cls, flat=True)) == [("return", ())]


@pytest.mark.parametrize(
    ("lit", "insn"),
    [("0", ("iconst_0", ())), ("-1", ("iconst_m1", ())), ("100", ("bipush", (100,))),
     ("1000", ("sipush", (1000,))), ("100000", ("ldc", (m.Int(100000),))), ("0L", ("lconst_0", ())),
     ("7L", ("ldc2_w", (m.Long(7),))), ("1.0", ("dconst_1", ())), ("2.0f", ("fconst_2", ())),
     ('"a b"', ("ldc", (m.Str("a b"),))), ("'a'", ("bipush", (97,))), ("0x10", ("bipush", (16,)))],
)
def test_a_literal_alone_pushes_it(lit: str, insn: tuple) -> None:
    assert _code(_method(f"        {lit} pop 0 return"))[0] == insn


def test_lines_mix_members_labels_and_strings() -> None:
    body = """
    Top: s invokevirtual String.length()int a if_icmpge Done
        s "x, y" invokevirtual String.concat(String)String pop
        a b l2i invokestatic Math.max(int, int)int store a
        goto Top
    Done: a return"""
    ops = [op for op, _ in _code(_method(body))]
    assert ops == ["aload_3", "invokevirtual", "iload_0", "if_icmpge", "aload_3", "ldc", "invokevirtual", "pop",
                   "iload_0", "lload_1", "l2i", "invokestatic", "istore_0", "goto", "iload_0", "ireturn"]


def test_word_and_token_paths_agree_on_java_base() -> None:
    """Every code line read by the whitespace path reads the same through the tokenizer.

    A trailing comment sends a line to the tokenizer (the word path takes no `/`).
    """
    from jbgen.asm.reader import read_class

    lines = 0
    for path, data in java_base_sample(97):
        text = print_class(read_class(data, path), path)
        commented, n = re.subn(r"^( {8}(?![.}]).*\S)$", r"\1 // tokenized", text, flags=re.M)
        lines += n
        assert first_difference(parse(text, path), parse(commented, path)) is None, path
    assert lines > 1000


@pytest.mark.parametrize("step", [53])
def test_flat_and_compact_texts_read_back_alike(step: int) -> None:
    from jbgen.asm.reader import read_class

    for path, data in java_base_sample(step):
        cls = read_class(data, path)
        flat = print_class(cls, path, flat=True)
        compact = print_class(cls, path)
        assert first_difference(cls, parse(flat, path)) is None, path
        assert first_difference(cls, parse(compact, path)) is None, path
        if any(md.code is not None and len(md.code.elements) > 3 for md in cls.methods):
            assert compact.count("\n") < flat.count("\n"), path


def test_flat_prints_one_typed_instruction_per_line() -> None:
    text = _method("    L: a 1 iadd store a\n        a return")
    flat = print_class(parse(text), flat=True)
    assert "        iload a\n        iconst_1\n        iadd\n        istore a\n        iload a\n        ireturn\n" in flat
    assert "a 1 iadd store a" in print_class(parse(text))


def test_a_name_declared_with_two_kinds_keeps_the_typed_forms() -> None:
    body = """
        .var v int slot 0 from A to B
        .var v String slot 0 from B to C
    A: 1 istore v
    B: aconst_null astore v
    C: iload v return"""
    text = _method(body, "static int f()")
    cls = parse(text)
    printed = print_class(cls)
    assert "istore v" in printed and "astore v" in printed and "iload v" in printed
    assert first_difference(cls, parse(printed)) is None
    (err,) = _errors(_method(body.replace("iload v return", "v return"), "static int f()"))
    assert "local `v` is declared with several types" in err


def test_locals_named_like_keywords_print_as_slots_and_read_back() -> None:
    body = """
        .var push int slot 0 from A to B
        .var pop int slot 1 from A to B
    A: 1 istore 0 2 istore 1 iload 0 iload 1 iadd
    B: return"""
    cls = parse(_method(body, "static int f()"))
    printed = print_class(cls)
    assert first_difference(cls, parse(printed)) is None
    assert "load push" not in printed and " pop " not in printed.split("B:")[0].split(".var pop")[1]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("        a iadd one", "unknown instruction or local `one`"),
        ("        load 3", "`load` takes a local's name, not a slot"),
        ("        store nope", "unknown local variable `nope`"),
        ("        a .line 3", "a directive goes on a line of its own"),
        ("        a x: return", "a label goes at the start of a line"),
        ("        a goto", "expected a label at the end of the line"),
        ("        a , return", "expected an instruction, found `,`"),
        ("        invokestatic Math.max(int,int)int, return", "expected an instruction, found `,`"),
        # An operand forgotten before the next instruction of the line is not read as a name.
        ("        iload iadd return", "expected a local variable, found the instruction `iadd`"),
        ("        a istore pop a return", "expected a local variable, found the instruction `pop`"),
        ("        a a invokestatic Math.max(int,int) ireturn", "expected a return type after `)`, found the instruction `ireturn`"),
        ("        a 1x iadd return", "bad number `1x`"),
        ("        a push", "expected a constant at the end of the line"),
    ],
)
def test_errors_point_at_the_word(body: str, message: str) -> None:
    errs = _errors(_method(body))
    assert any(message in e for e in errs), errs
    assert all(e.startswith("A.jbasm:3:") for e in errs[:1]), errs


def test_an_error_mid_line_points_at_its_word() -> None:
    (err,) = _errors(_method("        a b l2i iload iadd return"))
    assert err == ("A.jbasm:3:23: error: expected a local variable, found the instruction `iadd`\n"
                   "            a b l2i iload iadd return\n"
                   "                          ^~~~")


def test_a_typed_store_to_a_new_name_declares_it() -> None:
    body = """
        5L lstore total
        2 istore k
        total k i2l ladd store total
        total return"""
    assert _code(_method(body, "static long f(int a)")) == [
        ("ldc2_w", (m.Long(5),)), ("lstore_1", ()), ("iconst_2", ()), ("istore_3", ()),
        ("lload_1", ()), ("iload_3", ()), ("i2l", ()), ("ladd", ()), ("lstore_1", ()), ("lload_1", ()), ("lreturn", ()),
    ]
    # Only a typed store declares: `store` and loads of a new name are errors.
    (err,) = _errors(_method("        5 store n", "static void f()"))
    assert "unknown local variable `n`" in err and "istore NAME" in err


def _with_local_names(cls: m.ClassDef) -> m.ClassDef:
    """``cls`` with a LocalVariableTable naming every slot stored with one kind only (as `javac -g` would)."""
    from jbgen.asm import ops

    desc_of = {"i": "I", "l": "J", "f": "F", "d": "D", "a": "Ljava/lang/Object;"}
    for md in cls.methods:
        code = md.code
        if code is None or not code.elements:
            continue
        kinds: dict[int, set[str]] = {}
        for e in code.elements:
            if isinstance(e, m.Insn):
                c = ops.COMPACT.get(e.op)
                base, slot = (c[0], c[1]) if c else (e.op.removesuffix("_w"), e.args[0] if e.args else None)
                if slot is not None and base[1:] in ("load", "store") and base[0] in desc_of:
                    kinds.setdefault(slot, set()).add(base[0])
        start, end = m.Label("S"), m.Label("E")
        code.elements = [start, *code.elements, end]
        code.locals = [m.LocalVar(s, f"v{s}", desc_of[next(iter(k))], start, end, False)
                       for s, k in sorted(kinds.items()) if len(k) == 1]
    return cls


def _plain(md: m.MethodDef) -> list[tuple]:
    """The instructions with each label replaced by the index of the instruction it stands before."""
    assert md.code is not None
    at: dict[int, int] = {}
    n = 0
    for e in md.code.elements:
        if isinstance(e, m.Label):
            at[id(e)] = n
        elif isinstance(e, m.Insn):
            n += 1
    return [("ldc" if e.op == "ldc_w" else e.op, tuple(at.get(id(a), a) if isinstance(a, m.Label) else a for a in e.args))
            for e in md.code.elements if isinstance(e, m.Insn) and e.op not in ("tableswitch", "lookupswitch")]


def test_without_debug_info_locals_are_declared_by_their_first_store_where_that_reads_back() -> None:
    from jbgen.asm.reader import read_class

    dropped = kept = 0
    for path, data in java_base_sample(71):
        cls = _with_local_names(read_class(data, path))
        text = print_class(cls, path, debug=False)
        flat = print_class(cls, path, debug=False, flat=True)
        dropped += flat.count(".local ") - text.count(".local ")
        kept += text.count(".local ")
        again = parse(text, path)
        assert first_difference(again, parse(flat, path)) is None, path
        for a, b in zip(cls.methods, again.methods, strict=True):
            if a.code is not None:
                assert _plain(a) == _plain(b), (path, a.name)
        # With the debug tables the names are `.var` lines, and the class reads back whole.
        assert first_difference(cls, parse(print_class(cls, path), path)) is None, path
    assert dropped > 100 and kept > 10, (dropped, kept)


def _one_method(code: m.Code, desc: str = "()V", *, static: bool = True,
                param_names: tuple[str, ...] | None = None) -> m.ClassDef:
    flags = m.ACC_PUBLIC | (m.ACC_STATIC if static else 0)
    return m.ClassDef("demo/A", m.ACC_PUBLIC | m.ACC_SUPER, "java/lang/Object",
                      methods=[m.MethodDef(flags, "f", desc, code, [], param_names)])


def _assert_reads_back(cls: m.ClassDef) -> None:
    """``cls`` printed every way reads back to the same instructions (with debug info, the same class)."""
    for debug in (True, False):
        for flat in (False, True):
            text = print_class(cls, debug=debug, flat=flat)
            again = parse(text)
            assert not debug or first_difference(cls, again) is None, text
            assert _plain(cls.methods[0]) == _plain(again.methods[0]), text


def _both_paths(body: str, header: str = "public static int f(int a, long b, String s, double[] d)") -> object:
    """The instructions of ``body`` read by the word path and by the tokenizer (a comment on each line)."""
    out = []
    for text in (body, re.sub(r"(?m)$", " // c", body)):
        try:
            out.append(_code(_method(text, header)))
        except AssemblyError as exc:
            out.append([d.message for d in exc.diagnostics])
    assert out[0] == out[1], out
    return out[0]


def test_a_local_name_that_reads_as_a_literal_names_no_slot() -> None:
    # An LVT name such as `3` (an obfuscator's) must not turn the literal `3` into a load.
    start, end = m.Label("S"), m.Label("E")
    code = m.Code([start, m.Insn("iconst_3"), m.Insn("istore_0"), m.Insn("return"), end],
                  locals=[m.LocalVar(0, "3", "I", start, end)])
    _assert_reads_back(_one_method(code))
    body = """
        .var 3 int slot 5 from S to E
        .var "(" int slot 6 from S to E
    S: 3 iload 3 iadd
    E: return"""
    assert _both_paths(body) == [("iconst_3", ()), ("iload_3", ()), ("iadd", ()), ("ireturn", ())]
    assert "expected an instruction, found `(`" in _both_paths(body.replace("iadd", "iadd ("))[0]
    (err,) = _errors(_method('        .local int "a b"\n        0 return'))
    assert "A.jbasm:3:20: error: `a b` cannot name a local" in err and "^~~~~" in err


def test_both_paths_read_a_slot_number_alike() -> None:
    # The word path once read `010` as slot 10 and `٣` as slot 3 (str.isdigit); the tokenizer refuses both.
    for slot in ("010", "٣", "1e1"):
        assert " local variable " in _both_paths(f"        iload {slot} return")[0]
        assert " local variable " in _both_paths(f"        iinc {slot} 1 0 return")[0]
    assert _both_paths("        iload 0x10 iinc 0x10 1 return") == [("iload", (16,)), ("iinc", (16, 1)), ("ireturn", ())]


def test_a_typed_store_declares_any_name_the_printer_prints() -> None:
    assert _code(_method("        5 istore a-b 6 istore é a-b é iadd return", "static int f()")) == [
        ("iconst_5", ()), ("istore_0", ()), ("bipush", (6,)), ("istore_1", ()),
        ("iload_0", ()), ("iload_1", ()), ("iadd", ()), ("ireturn", ()),
    ]
    for name in ("a-b", "é"):
        start, end = m.Label("S"), m.Label("E")
        code = m.Code([start, m.Insn("iconst_1"), m.Insn("istore_0"), m.Insn("iload_0"), m.Insn("pop"),
                       m.Insn("return"), end], locals=[m.LocalVar(0, name, "I", start, end)])
        _assert_reads_back(_one_method(code))


def test_a_method_closing_brace_may_carry_a_comment() -> None:
    text = "public class demo.A {\n    static int f() {\n        0 return\n    } // f\n    static void g() {\n        return\n    }\n}\n"
    assert _code(text, "f") == [("iconst_0", ()), ("ireturn", ())]
    assert _code(text, "g") == [("return", ())]


def _lvt(insns: list[str], *entries: tuple[int, str, str, bool]) -> m.Code:
    start, end = m.Label("S"), m.Label("E")
    return m.Code([start, *(m.Insn(op) for op in insns), end],
                  locals=[m.LocalVar(slot, nm, desc, start, end, sig) for slot, nm, desc, sig in entries])


def test_names_print_only_where_the_parser_binds_them_to_that_slot() -> None:
    # A LocalVariableTypeTable name names no slot for the parser: `astore t` declared a new
    # local at slot 0 (astore_2 came back astore_0).
    _assert_reads_back(_one_method(_lvt(["aconst_null", "astore_2", "aload_2", "pop", "return"],
                                        (2, "t", "TT;", True))))
    # `this` (or a parameter's name) also named another slot by a `.var`: ambiguous to the parser.
    _assert_reads_back(_one_method(_lvt(["aload_0", "astore_3", "aload_0", "pop", "return"],
                                        (3, "this", "Ljava/lang/Object;", False)), static=False))
    _assert_reads_back(_one_method(_lvt(["iload_0", "iload_1", "pop2", "return"],
                                        (1, "x", "I", False), (1, "this", "I", False)), static=False))
    _assert_reads_back(_one_method(_lvt(["iload_0", "iload_1", "pop2", "return"],
                                        (1, "y", "I", False), (1, "a", "I", False)), "(II)V", param_names=("a", "b")))
    # A parameter named by the table only (no MethodParameters): its kind is the parameter's too.
    _assert_reads_back(_one_method(_lvt(["aload_0", "pop", "return"], (0, "v", "Ljava/lang/String;", False)), "(I)V"))
    # A name for the second slot of a long parameter is not the parameter's: it needs its `.local`
    # (without one, `istore x` declared x at slot 2).
    _assert_reads_back(_one_method(_lvt(["iconst_1", "istore_1", "iload_1", "pop", "return"], (1, "x", "I", False)),
                                   "(J)V", param_names=("a",)))


def test_line_numbers_read_alike_on_both_paths() -> None:
    # The word path read `.line 010` as 10 (the tokenizer refuses it), and `.line ²` raised a ValueError.
    for n in ("010", "²", "-1", "65536"):
        assert _both_paths(f"        .line {n}\n        0 return")[0].startswith(("expected a line number", "a line number"))
    text = _method("        .line 0x10\n        0 return")
    md = next(x for x in parse(text).methods if x.name == "f")
    assert md.code is not None and md.code.elements[0] == m.LineNumber(16)
