"""The JVM instruction set as the text layer sees it: names, opcodes, operand families.

Names are the JDK ``java.lang.classfile.Opcode`` enum names in lower case, so
the wide forms are ``iload_w`` ... ``iinc_w`` and ``ret_w``.  Must not import a JVM.
"""

from __future__ import annotations

import sys

from jbgen.asm import opcodes as _oc

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

# The text family of each byte-level operand kind of ``opcodes`` (the one opcode table).
_FAMILY_OF_KIND = {
    _oc.NONE: NONE,
    _oc.LOCAL: LOCAL,
    _oc.LOCAL_W: LOCAL,
    _oc.IINC: IINC,
    _oc.IINC_W: IINC,
    _oc.BIPUSH: PUSH,
    _oc.SIPUSH: PUSH,
    _oc.LDC: LDC,
    _oc.LDC_W: LDC,
    _oc.BRANCH: BRANCH,
    _oc.BRANCH_W: BRANCH,
    _oc.TABLESWITCH: TABLESWITCH,
    _oc.LOOKUPSWITCH: LOOKUPSWITCH,
    _oc.FIELD: FIELD,
    _oc.METHOD: METHOD,
    _oc.INVOKEINTERFACE: METHOD,
    _oc.INVOKEDYNAMIC: INDY,
    _oc.CLASS: CLASS,
    _oc.NEWARRAY: NEWARRAY,
    _oc.MULTIANEWARRAY: MULTIANEWARRAY,
}
OPCODES: dict[str, int] = {name: code for name, (code, _kind) in _oc.OPCODES.items()}
FAMILY: dict[str, str] = {name: _FAMILY_OF_KIND[kind] for name, (_code, kind) in _oc.OPCODES.items()}

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
