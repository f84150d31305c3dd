"""The JVM instruction set as the text layer sees it: names, opcodes, operand families.

Names are the JDK ``java.lang.classfile.Opcode`` enum names in lower case, so
the wide forms are ``iload_w`` ... ``iinc_w`` and ``ret_w``.  Must not import a JVM.
"""

from __future__ import annotations

import sys

# Operand families (what follows the mnemonic in the text and in ``Insn.args``).
NONE = sys.intern("none")  # iadd
LOCAL = sys.intern("local")  # iload x
IINC = sys.intern("iinc")  # iinc x 1
PUSH = sys.intern("push")  # bipush 5
LDC = sys.intern("ldc")  # ldc "s"
BRANCH = sys.intern("branch")  # goto L1
TABLESWITCH = sys.intern("tableswitch")
LOOKUPSWITCH = sys.intern("lookupswitch")
FIELD = sys.intern("field")  # getfield Foo.x:int
METHOD = sys.intern("method")  # invokevirtual Foo.m(int)void
INDY = sys.intern("indy")
CLASS = sys.intern("class")  # new Foo
NEWARRAY = sys.intern("newarray")  # newarray int
MULTIANEWARRAY = sys.intern("multianewarray")

# (opcode, name, family) for every instruction; the wide forms carry 0xc4 << 8 | op.
_TABLE = """
00 nop - 01 aconst_null - 02 iconst_m1 - 03 iconst_0 - 04 iconst_1 - 05 iconst_2 -
06 iconst_3 - 07 iconst_4 - 08 iconst_5 - 09 lconst_0 - 0a lconst_1 - 0b fconst_0 -
0c fconst_1 - 0d fconst_2 - 0e dconst_0 - 0f dconst_1 - 10 bipush push 11 sipush push
12 ldc ldc 13 ldc_w ldc 14 ldc2_w ldc 15 iload local 16 lload local 17 fload local
18 dload local 19 aload local 1a iload_0 - 1b iload_1 - 1c iload_2 - 1d iload_3 -
1e lload_0 - 1f lload_1 - 20 lload_2 - 21 lload_3 - 22 fload_0 - 23 fload_1 - 24 fload_2 -
25 fload_3 - 26 dload_0 - 27 dload_1 - 28 dload_2 - 29 dload_3 - 2a aload_0 - 2b aload_1 -
2c aload_2 - 2d aload_3 - 2e iaload - 2f laload - 30 faload - 31 daload - 32 aaload -
33 baload - 34 caload - 35 saload - 36 istore local 37 lstore local 38 fstore local
39 dstore local 3a astore local 3b istore_0 - 3c istore_1 - 3d istore_2 - 3e istore_3 -
3f lstore_0 - 40 lstore_1 - 41 lstore_2 - 42 lstore_3 - 43 fstore_0 - 44 fstore_1 -
45 fstore_2 - 46 fstore_3 - 47 dstore_0 - 48 dstore_1 - 49 dstore_2 - 4a dstore_3 -
4b astore_0 - 4c astore_1 - 4d astore_2 - 4e astore_3 - 4f iastore - 50 lastore -
51 fastore - 52 dastore - 53 aastore - 54 bastore - 55 castore - 56 sastore - 57 pop -
58 pop2 - 59 dup - 5a dup_x1 - 5b dup_x2 - 5c dup2 - 5d dup2_x1 - 5e dup2_x2 - 5f swap -
60 iadd - 61 ladd - 62 fadd - 63 dadd - 64 isub - 65 lsub - 66 fsub - 67 dsub - 68 imul -
69 lmul - 6a fmul - 6b dmul - 6c idiv - 6d ldiv - 6e fdiv - 6f ddiv - 70 irem - 71 lrem -
72 frem - 73 drem - 74 ineg - 75 lneg - 76 fneg - 77 dneg - 78 ishl - 79 lshl - 7a ishr -
7b lshr - 7c iushr - 7d lushr - 7e iand - 7f land - 80 ior - 81 lor - 82 ixor - 83 lxor -
84 iinc iinc 85 i2l - 86 i2f - 87 i2d - 88 l2i - 89 l2f - 8a l2d - 8b f2i - 8c f2l -
8d f2d - 8e d2i - 8f d2l - 90 d2f - 91 i2b - 92 i2c - 93 i2s - 94 lcmp - 95 fcmpl -
96 fcmpg - 97 dcmpl - 98 dcmpg - 99 ifeq branch 9a ifne branch 9b iflt branch
9c ifge branch 9d ifgt branch 9e ifle branch 9f if_icmpeq branch a0 if_icmpne branch
a1 if_icmplt branch a2 if_icmpge branch a3 if_icmpgt branch a4 if_icmple branch
a5 if_acmpeq branch a6 if_acmpne branch a7 goto branch a8 jsr branch a9 ret local
aa tableswitch tableswitch ab lookupswitch lookupswitch ac ireturn - ad lreturn -
ae freturn - af dreturn - b0 areturn - b1 return - b2 getstatic field b3 putstatic field
b4 getfield field b5 putfield field b6 invokevirtual method b7 invokespecial method
b8 invokestatic method b9 invokeinterface method ba invokedynamic indy bb new class
bc newarray newarray bd anewarray class be arraylength - bf athrow - c0 checkcast class
c1 instanceof class c2 monitorenter - c3 monitorexit - c5 multianewarray multianewarray
c6 ifnull branch c7 ifnonnull branch c8 goto_w branch c9 jsr_w branch
c415 iload_w local c416 lload_w local c417 fload_w local c418 dload_w local
c419 aload_w local c436 istore_w local c437 lstore_w local c438 fstore_w local
c439 dstore_w local c43a astore_w local c4a9 ret_w local c484 iinc_w iinc
"""

OPCODES: dict[str, int] = {}
FAMILY: dict[str, str] = {}
_toks = _TABLE.split()
for _i in range(0, len(_toks), 3):
    _code, _name, _fam = _toks[_i : _i + 3]
    OPCODES[_name] = int(_code, 16)
    # Interned so that callers may compare families with `is`.
    FAMILY[_name] = NONE if _fam == "-" else sys.intern(_fam)
del _toks, _i, _code, _name, _fam

# Compact local-variable forms: iload_2 -> ("iload", 2).
COMPACT: dict[str, tuple[str, int]] = {}
for _base in ("iload", "lload", "fload", "dload", "aload", "istore", "lstore", "fstore", "dstore", "astore"):
    for _n in range(4):
        COMPACT[f"{_base}_{_n}"] = (_base, _n)
COMPACT_BY_BASE: dict[tuple[str, int], str] = {v: k for k, v in COMPACT.items()}

# The type of value a local-variable instruction moves, for named locals.
LOCAL_KIND = {"i": "I", "l": "J", "f": "F", "d": "D", "a": "A", "r": "A"}

MNEMONICS = tuple(OPCODES) + ("wide",)


def canonical_local_op(base: str, slot: int) -> str:
    """The shortest form of a local-variable instruction (``iload`` 2 -> ``iload_2``)."""
    if slot <= 3:
        compact = COMPACT_BY_BASE.get((base, slot))
        if compact is not None:
            return compact
    if slot > 255:
        return base + "_w"
    return base


def canonical_iinc(slot: int, delta: int) -> str:
    return "iinc" if slot <= 255 and -128 <= delta <= 127 else "iinc_w"


# Bootstrap methods with a short form in the text (`invokedynamic concat(...)... "recipe"`
# and `invokedynamic apply()Function lambda <impl> <sam type> <instantiated type>`).
def _bsm(owner: str, name: str, desc: str) -> object:
    from jbgen.asm.model import MemberRef

    return MemberRef("method", owner, name, desc)


CONCAT_BSM = _bsm(
    "java/lang/invoke/StringConcatFactory",
    "makeConcatWithConstants",
    "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
    "Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;",
)
LAMBDA_BSM = _bsm(
    "java/lang/invoke/LambdaMetafactory",
    "metafactory",
    "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
    "Ljava/lang/invoke/MethodType;Ljava/lang/invoke/MethodHandle;Ljava/lang/invoke/MethodType;)"
    "Ljava/lang/invoke/CallSite;",
)
