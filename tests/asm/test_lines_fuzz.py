"""Property tests of the short forms: random method bodies printed every way read back the same.

Two properties:

* a random method *model* (instructions over a few locals, with and without a
  LocalVariableTable, names that clash with mnemonics and keywords, every
  constant kind, wide and exact forms) printed in each of the four modes
  (``debug`` x ``flat``) parses back to the same instructions;
* a random *text* line reads the same through the parser's word fast path and
  through the tokenizer (a trailing comment forces the latter), or is an error
  both ways, and only :class:`AssemblyError` escapes.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbgen.asm import model as m
from jbgen.asm import ops
from jbgen.asm.equality import first_difference
from jbgen.asm.literals import utf16_units
from jbgen.asm.parser import parse
from jbgen.asm.printer import print_class
from jbgen.errors import AssemblyError

# Fixed and modest, as the other fuzz tests: each test runs in seconds.  (Tens of thousands
# of random examples found nothing more when these were written.)
_FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --------------------------------------------------------------------------- random models

# Local names: plain ones, and ones the printer must not print bare (mnemonics, keywords,
# literal look-alikes, quoted names, label look-alikes).
NAMES = ("x", "y", "total", "i", "$v", "a-b", "é", "xé", "_", "this", "pop", "push", "load", "store",
         "wide", "exact", "return", "NaN", "NaNf", "Infinity", "3", "-1", "L0", "L1", "interface",
         "lambda", "concat", "default", "MethodType", "Dynamic", "a b", "x:", "int", "String")
FIELD_DESCS = ("I", "J", "F", "D", "Z", "C", "Ljava/lang/String;", "[I", "[[Ljava/lang/Object;")
STRINGS = ("", " ", "a b", '"', "'", "//", "a // b", "\\", "\\1", "\u2028", "é", "\ud800", "😀", "x:y",
           "{", "}", "\t", "\0", "\x012", "NaN", "1", "-")  # "\x012": a \1 escape before a digit
CLASSES = ("java/lang/String", "java/lang/Object", "demo/A", "demo/B", "Foo", "java/util/Map$Entry",
           "demo/Strng", "a b/C", "[I", "[[Ljava/lang/String;", "[Ldemo/B;")
MEMBER_NAMES = ("x", "run", "pop", "interface", "a b", "<init>", "return", "é")
METHOD_DESCS = ("()V", "()I", "(I)V", "(IJ)Ljava/lang/String;", "([Ljava/lang/String;)[I", "(Ldemo/B;D)J")
NONE_OPS = ("nop", "aconst_null", "iadd", "ladd", "fmul", "ddiv", "pop", "pop2", "dup", "dup_x1", "swap",
            "i2l", "l2i", "arraylength", "athrow", "monitorenter", "iaload", "aastore", "lcmp",
            "return", "ireturn", "lreturn", "freturn", "dreturn", "areturn",
            *(f"iconst_{i}" for i in range(6)), "iconst_m1", "lconst_0", "lconst_1",
            "fconst_0", "fconst_1", "fconst_2", "dconst_0", "dconst_1")
LOCAL_BASES = ("iload", "lload", "fload", "dload", "aload", "istore", "lstore", "fstore", "dstore", "astore")
BRANCH_OPS = ("ifeq", "ifne", "if_icmplt", "if_acmpne", "ifnull", "goto", "goto_w", "jsr")

slots = st.one_of(st.integers(0, 5), st.integers(0, 300))
ints = st.one_of(st.integers(-40000, 40000), st.integers(-(1 << 31), (1 << 31) - 1),
                 st.sampled_from([-(1 << 31), (1 << 31) - 1, -32769, 32768, -129, 128, -2, 6]))
longs = st.one_of(st.integers(-3, 3), st.integers(-(1 << 63), (1 << 63) - 1))
float_bits = st.one_of(st.integers(0, 0xFFFFFFFF),
                       st.sampled_from([0, 0x80000000, 0x3F800000, 0x40000000, 0x7FC00000, 0x7FC00001, 0xFFC00000,
                                        0x7F800000, 0xFF800000, 0x00000001, 0x3FC00000]))
double_bits = st.one_of(st.integers(0, (1 << 64) - 1),
                        st.sampled_from([0, 1 << 63, 0x3FF0000000000000, 0x7FF8000000000000, 0x7FF8000000000001,
                                         0xFFF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 1]))
# Model strings are UTF-16 units: a character above U+FFFF is its two surrogates.
strings = st.one_of(st.sampled_from(STRINGS).map(utf16_units),
                    st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=()), max_size=8))


def _ref(kind: str) -> st.SearchStrategy[m.MemberRef]:
    if kind == "field":
        return st.builds(m.MemberRef, st.just("field"), st.sampled_from(CLASSES[:7]), st.sampled_from(MEMBER_NAMES),
                         st.sampled_from(FIELD_DESCS))
    owners = st.sampled_from(CLASSES[:7] + ("[I",)) if kind == "method" else st.sampled_from(CLASSES[:7])
    return st.builds(m.MemberRef, st.just(kind), owners, st.sampled_from(MEMBER_NAMES), st.sampled_from(METHOD_DESCS))


def _handle() -> st.SearchStrategy[m.MethodHandleConst]:
    return st.one_of(
        st.builds(m.MethodHandleConst, st.integers(1, 4), _ref("field")),
        st.builds(m.MethodHandleConst, st.sampled_from([5, 6, 7, 8]), _ref("method")),
        st.builds(m.MethodHandleConst, st.sampled_from([6, 7, 9]), _ref("imethod")),
    )


_BSM = m.MemberRef("method", "demo/A", "bsm", "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
                   "Ljava/lang/Class;)Ljava/lang/Object;")
single_consts = st.one_of(
    ints.map(m.Int), float_bits.map(m.Float), strings.map(m.Str), st.sampled_from(CLASSES).map(m.ClassConst),
    st.sampled_from(METHOD_DESCS).map(m.MethodTypeConst), _handle(),
    st.builds(m.DynamicConst, st.just(m.Bootstrap(m.MethodHandleConst(6, _BSM), ())), st.sampled_from(NAMES[:4]),
              st.sampled_from(["I", "Ljava/lang/String;"])),
)
double_consts = st.one_of(
    longs.map(m.Long), double_bits.map(m.Double),
    st.builds(m.DynamicConst, st.just(m.Bootstrap(m.MethodHandleConst(6, _BSM), (m.Int(1), m.Str("s")))),
              st.just("d"), st.sampled_from(["J", "D"])),
)


def _call_site() -> st.SearchStrategy[m.CallSite]:
    concat = st.builds(
        lambda recipe, rest, desc: m.CallSite(m.Bootstrap(m.MethodHandleConst(6, ops.CONCAT_BSM),  # type: ignore[arg-type]
                                                          (m.Str(recipe), *rest)), "makeConcatWithConstants", desc),
        strings, st.lists(single_consts, max_size=2), st.sampled_from(METHOD_DESCS))
    lam = st.builds(
        lambda impl, name, desc: m.CallSite(m.Bootstrap(m.MethodHandleConst(6, ops.LAMBDA_BSM),  # type: ignore[arg-type]
                                                        (m.MethodTypeConst("()V"), impl, m.MethodTypeConst("()V"))),
                                            name, desc),
        _handle(), st.sampled_from(("run", "concat", "a b")), st.sampled_from(METHOD_DESCS))
    other = st.builds(
        lambda h, args, name, desc: m.CallSite(m.Bootstrap(h, tuple(args)), name, desc),
        _handle(), st.lists(st.one_of(single_consts, double_consts), max_size=3),
        st.sampled_from(("concat", "makeConcatWithConstants", "x")), st.sampled_from(METHOD_DESCS))
    return st.one_of(concat, lam, other)


def _local_insn(base: str, slot: int, form: str) -> m.Insn:
    """``base`` on ``slot`` in its canonical, wide or exact (two-byte, low slot) encoding."""
    if form == "wide" or slot > 255:
        return m.Insn(base + "_w", (slot,))
    if form == "exact":
        return m.Insn(base, (slot,))
    op = ops.canonical_local_op(base, slot)
    return m.Insn(op, () if op in ops.COMPACT else (slot,))


@st.composite
def insn(draw: st.DrawFn, labels: list[m.Label]) -> m.Insn | m.LineNumber:
    kind = draw(st.sampled_from(["none", "local", "local", "local", "iinc", "push", "ldc", "ldc2", "branch",
                                 "switch", "field", "invoke", "class", "newarray", "multi", "indy", "line", "ret"]))
    if kind == "none":
        return m.Insn(draw(st.sampled_from(NONE_OPS)))
    if kind == "local":
        return _local_insn(draw(st.sampled_from(LOCAL_BASES)), draw(slots),
                           draw(st.sampled_from(["canon", "canon", "wide", "exact"])))
    if kind == "ret":
        slot = draw(slots)
        return m.Insn("ret_w" if slot > 255 or draw(st.booleans()) else "ret", (slot,))
    if kind == "iinc":
        slot, delta = draw(slots), draw(st.one_of(st.integers(-128, 127), st.integers(-32768, 32767)))
        short = slot <= 255 and -128 <= delta <= 127
        return m.Insn("iinc" if short and draw(st.booleans()) else "iinc_w", (slot, delta))
    if kind == "push":
        if draw(st.booleans()):
            return m.Insn("bipush", (draw(st.integers(-128, 127)),))
        return m.Insn("sipush", (draw(st.integers(-32768, 32767)),))
    if kind == "ldc":
        return m.Insn(draw(st.sampled_from(["ldc", "ldc_w"])), (draw(single_consts),))
    if kind == "ldc2":
        return m.Insn("ldc2_w", (draw(double_consts),))
    if kind == "branch":
        return m.Insn(draw(st.sampled_from(BRANCH_OPS)), (draw(st.sampled_from(labels)),))
    if kind == "switch":
        targets = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=4))
        default = draw(st.sampled_from(labels))
        if draw(st.booleans()):
            low = draw(st.one_of(st.integers(-5, 5), st.just(-(1 << 31)), st.just((1 << 31) - len(targets))))
            return m.Insn("tableswitch", (low, low + len(targets) - 1, default, tuple(targets)))
        keys = sorted(draw(st.sets(ints, min_size=len(targets), max_size=len(targets))))
        return m.Insn("lookupswitch", (default, tuple(zip(keys, targets, strict=True))))
    if kind == "field":
        return m.Insn(draw(st.sampled_from(["getstatic", "putstatic", "getfield", "putfield"])), (draw(_ref("field")),))
    if kind == "invoke":
        op = draw(st.sampled_from(["invokevirtual", "invokestatic", "invokespecial", "invokeinterface"]))
        ref_kind = ("imethod" if op == "invokeinterface" else "method" if op == "invokevirtual"
                    else draw(st.sampled_from(["method", "imethod"])))
        return m.Insn(op, (draw(_ref(ref_kind)),))
    if kind == "class":
        return m.Insn(draw(st.sampled_from(["new", "anewarray", "checkcast", "instanceof"])),
                      (draw(st.sampled_from(CLASSES)),))
    if kind == "newarray":
        return m.Insn("newarray", (draw(st.sampled_from(["int", "long", "boolean", "double"])),))
    if kind == "multi":
        d = draw(st.sampled_from(["[[I", "[[[Ljava/lang/String;"]))
        return m.Insn("multianewarray", (d, draw(st.integers(1, d.count("[")))))
    if kind == "indy":
        return m.Insn("invokedynamic", (draw(_call_site()),))
    return m.LineNumber(draw(st.integers(0, 0xFFFF)))


@st.composite
def methods(draw: st.DrawFn) -> m.ClassDef:
    """A class with one method: random parameters, names, LocalVariableTable and body."""
    static = draw(st.booleans())
    params = draw(st.lists(st.sampled_from(FIELD_DESCS), max_size=3))
    ret = draw(st.sampled_from(("V", "I", "J", "F", "D", "Ljava/lang/String;", "Z")))
    desc = "(" + "".join(params) + ")" + ret
    param_names = draw(st.none() | st.tuples(*(st.sampled_from(NAMES) for _ in params)))
    labels = [m.Label(f"T{i}") for i in range(draw(st.integers(1, 4)))]
    start, end = m.Label("S"), m.Label("E")
    body: list[m.CodeElement] = draw(st.lists(insn(labels), max_size=25))
    for lab in labels:  # each placed once, anywhere
        body.insert(draw(st.integers(0, len(body))), lab)
    elements = [start, *body, end]
    lvt = draw(st.lists(st.builds(m.LocalVar, slots, st.sampled_from(NAMES), st.sampled_from(FIELD_DESCS),
                                  st.just(start), st.just(end), st.just(False)), max_size=5))
    lvtt = draw(st.lists(st.builds(m.LocalVar, slots, st.sampled_from(NAMES), st.sampled_from(["TT;", "[TT;"]),
                                   st.just(start), st.just(end), st.just(True)), max_size=1))
    handlers = draw(st.lists(st.builds(m.Handler, st.sampled_from(labels), st.sampled_from(labels),
                                       st.sampled_from(labels), st.sampled_from([None, "java/lang/Exception"])),
                             max_size=1))
    flags = m.ACC_PUBLIC | (m.ACC_STATIC if static else 0)
    meth = m.MethodDef(flags, "f", desc, m.Code(elements, handlers, lvt + lvtt), [], param_names)
    return m.ClassDef("demo/A", m.ACC_PUBLIC | m.ACC_SUPER, "java/lang/Object", methods=[meth])


def _without_debug_info(cls: m.ClassDef) -> m.ClassDef:
    """What ``debug=False`` keeps of ``cls``: no local-variable tables, no line numbers."""
    out = []
    for md in cls.methods:
        code = md.code
        if code is not None:
            els = [e for e in code.elements if type(e) is not m.LineNumber]
            code = dataclasses.replace(code, elements=els, locals=[])
        out.append(dataclasses.replace(md, code=code))
    return dataclasses.replace(cls, methods=out)


@given(methods())
@settings(_FUZZ, max_examples=100)
def test_random_methods_read_back_in_every_mode(cls: m.ClassDef) -> None:
    for debug in (True, False):
        want = cls if debug else _without_debug_info(cls)
        for flat in (False, True):
            text = print_class(cls, debug=debug, flat=flat)
            try:
                again = parse(text, "fuzz.jbasm")
            except AssemblyError as exc:
                raise AssertionError(f"debug={debug} flat={flat}:\n{exc.render()}\n{text}") from None
            diff = first_difference(want, again)
            assert diff is None, f"debug={debug} flat={flat}: {diff}\n{text}"


# --------------------------------------------------------------------------- the two parser paths

# Declarations of the method under test: names of every kind, some usable, some not.
DECLS = """\
        .local long total
        .local float f
        .local String pop
        .var "a,b" int slot 13 from S to E
        .var "x:" int slot 14 from S to E
        .var v int slot 7 from S to E
        .var v String slot 7 from S to E
        .var w int slot 8 from S to E
        .var w int slot 9 from S to E
        .var 3 int slot 10 from S to E
        .var "(" int slot 11 from S to E
        .var NaN double slot 12 from S to E"""
WORDS = (
    # instructions and pseudo-instructions
    "iload", "istore", "astore", "lstore", "iinc", "ret", "iload_w", "istore_w", "iinc_w", "bipush", "sipush",
    "ldc", "ldc2_w", "goto", "ifeq", "new", "checkcast", "anewarray", "newarray", "multianewarray",
    "getstatic", "invokestatic", "invokeinterface", "invokespecial", "invokedynamic", "iadd", "pop", "dup",
    "return", "ireturn", "iconst_0", "push", "load", "store", "wide", "exact", "interface",
    # names: parameters, declared, new, ambiguous, clashing
    "a", "b", "s", "this", "total", "f", "v", "w", "fresh", "n2", "a-b", "é", "a,b", "x:", "3", "(", "NaN",
    # literals
    "0", "1", "-1", "-0", "+5", "010", "0x1F", "1_0", "٣", "100000", "2147483648", "5L", "1.5f", "2.5", "-Infinity",
    "NaNf", "NaN(0x7ff8000000000001)", "'a'", '"a b"', '"//"', "int", "int[]", "String.class",
    # labels, members, punctuation
    "S", "E", "Top", "Top:", "E:", "Math.max(int,int)int", "Math.max(int,", "int)int", "String.length()int",
    "demo.A.x:int", "int[].clone()Object", "java.util.List.size()int", "Strng.x:int", "int.x:int",
    "Foo.m(void)V", ",", ":", "[", "]", "(", ")", "{", "}", "//",
)


def _method_text(lines: list[str], comment: bool) -> str:
    tail = " // c" if comment else ""
    body = "\n".join(f"        {ln}{tail}" for ln in lines)
    return ("public class demo.A {\n    public static int f(int a, long b, String s) {\n" + DECLS
            + "\n    S:\n" + body + "\n    E: 0 return\n    }\n}\n")


def _parse_both(text: str) -> m.ClassDef | list[str]:
    """The class, or the messages of its errors (columns aside: the source lines differ)."""
    try:
        return parse(text, "fuzz.jbasm")
    except AssemblyError as exc:
        return [d.message for d in exc.diagnostics]


LINE_STARTS = ("", "", "", "L9: ", ".line ", ".line 0", ".line 010", ".line ²", ".line 65535", ".line 65536")
code_lines = st.builds(lambda start, words: (start + " " + " ".join(words)).strip(), st.sampled_from(LINE_STARTS),
                  st.lists(st.sampled_from(WORDS), max_size=8))


@given(st.lists(code_lines, min_size=1, max_size=4))
@settings(_FUZZ, max_examples=300)
def test_word_path_and_tokenizer_agree(lines: list[str]) -> None:
    fast = _parse_both(_method_text(lines, comment=False))
    slow = _parse_both(_method_text(lines, comment=True))
    if isinstance(fast, list) or isinstance(slow, list):
        assert fast == slow, lines
    else:
        assert first_difference(fast, slow) is None, lines
