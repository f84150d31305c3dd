"""The JVM instruction set: opcode names, codes and operand formats.

Names are the JDK's ``java.lang.classfile.Opcode`` constants in lower case
(``iload_w`` is ``wide iload``, ``iinc_w`` is ``wide iinc``), which is also how
:class:`jbgen.asm.model.Insn` spells them.  Codes are the JDK's too: a one-byte
opcode is its byte, a wide form is ``0xc400 | opcode`` (``iload_w`` = 0xc415).

The tables are plain data for every stage (reader, text syntax, assembler):

* :data:`OPCODES`: name -> ``(code, kind)``;
* :data:`BY_CODE`: 256 entries, ``(name, kind)`` or None for a byte that is no
  opcode (0xc4 ``wide`` is a prefix, not an opcode of its own: see
  :data:`WIDE_BY_CODE`, keyed by the byte that follows it).

``kind`` names the operand format, which also fixes the operands in ``Insn.args``
(see the ``Insn`` docstring):

==================  ===========================================  ============
kind                bytes after the opcode                        size
==================  ===========================================  ============
``none``            --                                            1
``local``           u1 local slot                                 2
``local_w``         (after ``wide op``) u2 local slot             4
``iinc``            u1 slot, s1 delta                             3
``iinc_w``          (after ``wide iinc``) u2 slot, s2 delta       6
``bipush``          s1 value                                      2
``sipush``          s2 value                                      3
``ldc``             u1 constant-pool index of a loadable          2
``ldc_w``           u2 constant-pool index of a loadable          3
``branch``          s2 offset from the opcode                     3
``branch_w``        s4 offset from the opcode                     5
``tableswitch``     0-3 padding, s4 default, low, high, offsets   variable
``lookupswitch``    0-3 padding, s4 default, npairs, pairs        variable
``field``           u2 index of a Fieldref                        3
``method``          u2 index of a (Interface)Methodref            3
``invokeinterface`` u2 index, u1 count, u1 zero                   5
``invokedynamic``   u2 index of an InvokeDynamic, u2 zero         5
``class``           u2 index of a Class                           3
``newarray``        u1 array type (:data:`NEWARRAY_TYPES`)        2
``multianewarray``  u2 index of a Class, u1 dimensions            4
==================  ===========================================  ============

This module imports nothing.
"""

from __future__ import annotations

NONE = "none"
LOCAL = "local"
LOCAL_W = "local_w"
IINC = "iinc"
IINC_W = "iinc_w"
BIPUSH = "bipush"
SIPUSH = "sipush"
LDC = "ldc"
LDC_W = "ldc_w"
BRANCH = "branch"
BRANCH_W = "branch_w"
TABLESWITCH = "tableswitch"
LOOKUPSWITCH = "lookupswitch"
FIELD = "field"
METHOD = "method"
INVOKEINTERFACE = "invokeinterface"
INVOKEDYNAMIC = "invokedynamic"
CLASS = "class"
NEWARRAY = "newarray"
MULTIANEWARRAY = "multianewarray"

KINDS = (
    NONE, LOCAL, LOCAL_W, IINC, IINC_W, BIPUSH, SIPUSH, LDC, LDC_W, BRANCH, BRANCH_W,
    TABLESWITCH, LOOKUPSWITCH, FIELD, METHOD, INVOKEINTERFACE, INVOKEDYNAMIC, CLASS,
    NEWARRAY, MULTIANEWARRAY,
)  # fmt: skip

# The ``wide`` prefix byte.
WIDE = 0xC4

# (code, name, kind), in the order of the JDK's Opcode enum (checked against it
# by tests/asm/test_reader.py).
TABLE: tuple[tuple[int, str, str], ...] = (
    (0x00, "nop", NONE),
    (0x01, "aconst_null", NONE),
    (0x02, "iconst_m1", NONE),
    (0x03, "iconst_0", NONE),
    (0x04, "iconst_1", NONE),
    (0x05, "iconst_2", NONE),
    (0x06, "iconst_3", NONE),
    (0x07, "iconst_4", NONE),
    (0x08, "iconst_5", NONE),
    (0x09, "lconst_0", NONE),
    (0x0A, "lconst_1", NONE),
    (0x0B, "fconst_0", NONE),
    (0x0C, "fconst_1", NONE),
    (0x0D, "fconst_2", NONE),
    (0x0E, "dconst_0", NONE),
    (0x0F, "dconst_1", NONE),
    (0x10, "bipush", BIPUSH),
    (0x11, "sipush", SIPUSH),
    (0x12, "ldc", LDC),
    (0x13, "ldc_w", LDC_W),
    (0x14, "ldc2_w", LDC_W),
    (0x15, "iload", LOCAL),
    (0x16, "lload", LOCAL),
    (0x17, "fload", LOCAL),
    (0x18, "dload", LOCAL),
    (0x19, "aload", LOCAL),
    (0x1A, "iload_0", NONE),
    (0x1B, "iload_1", NONE),
    (0x1C, "iload_2", NONE),
    (0x1D, "iload_3", NONE),
    (0x1E, "lload_0", NONE),
    (0x1F, "lload_1", NONE),
    (0x20, "lload_2", NONE),
    (0x21, "lload_3", NONE),
    (0x22, "fload_0", NONE),
    (0x23, "fload_1", NONE),
    (0x24, "fload_2", NONE),
    (0x25, "fload_3", NONE),
    (0x26, "dload_0", NONE),
    (0x27, "dload_1", NONE),
    (0x28, "dload_2", NONE),
    (0x29, "dload_3", NONE),
    (0x2A, "aload_0", NONE),
    (0x2B, "aload_1", NONE),
    (0x2C, "aload_2", NONE),
    (0x2D, "aload_3", NONE),
    (0x2E, "iaload", NONE),
    (0x2F, "laload", NONE),
    (0x30, "faload", NONE),
    (0x31, "daload", NONE),
    (0x32, "aaload", NONE),
    (0x33, "baload", NONE),
    (0x34, "caload", NONE),
    (0x35, "saload", NONE),
    (0x36, "istore", LOCAL),
    (0x37, "lstore", LOCAL),
    (0x38, "fstore", LOCAL),
    (0x39, "dstore", LOCAL),
    (0x3A, "astore", LOCAL),
    (0x3B, "istore_0", NONE),
    (0x3C, "istore_1", NONE),
    (0x3D, "istore_2", NONE),
    (0x3E, "istore_3", NONE),
    (0x3F, "lstore_0", NONE),
    (0x40, "lstore_1", NONE),
    (0x41, "lstore_2", NONE),
    (0x42, "lstore_3", NONE),
    (0x43, "fstore_0", NONE),
    (0x44, "fstore_1", NONE),
    (0x45, "fstore_2", NONE),
    (0x46, "fstore_3", NONE),
    (0x47, "dstore_0", NONE),
    (0x48, "dstore_1", NONE),
    (0x49, "dstore_2", NONE),
    (0x4A, "dstore_3", NONE),
    (0x4B, "astore_0", NONE),
    (0x4C, "astore_1", NONE),
    (0x4D, "astore_2", NONE),
    (0x4E, "astore_3", NONE),
    (0x4F, "iastore", NONE),
    (0x50, "lastore", NONE),
    (0x51, "fastore", NONE),
    (0x52, "dastore", NONE),
    (0x53, "aastore", NONE),
    (0x54, "bastore", NONE),
    (0x55, "castore", NONE),
    (0x56, "sastore", NONE),
    (0x57, "pop", NONE),
    (0x58, "pop2", NONE),
    (0x59, "dup", NONE),
    (0x5A, "dup_x1", NONE),
    (0x5B, "dup_x2", NONE),
    (0x5C, "dup2", NONE),
    (0x5D, "dup2_x1", NONE),
    (0x5E, "dup2_x2", NONE),
    (0x5F, "swap", NONE),
    (0x60, "iadd", NONE),
    (0x61, "ladd", NONE),
    (0x62, "fadd", NONE),
    (0x63, "dadd", NONE),
    (0x64, "isub", NONE),
    (0x65, "lsub", NONE),
    (0x66, "fsub", NONE),
    (0x67, "dsub", NONE),
    (0x68, "imul", NONE),
    (0x69, "lmul", NONE),
    (0x6A, "fmul", NONE),
    (0x6B, "dmul", NONE),
    (0x6C, "idiv", NONE),
    (0x6D, "ldiv", NONE),
    (0x6E, "fdiv", NONE),
    (0x6F, "ddiv", NONE),
    (0x70, "irem", NONE),
    (0x71, "lrem", NONE),
    (0x72, "frem", NONE),
    (0x73, "drem", NONE),
    (0x74, "ineg", NONE),
    (0x75, "lneg", NONE),
    (0x76, "fneg", NONE),
    (0x77, "dneg", NONE),
    (0x78, "ishl", NONE),
    (0x79, "lshl", NONE),
    (0x7A, "ishr", NONE),
    (0x7B, "lshr", NONE),
    (0x7C, "iushr", NONE),
    (0x7D, "lushr", NONE),
    (0x7E, "iand", NONE),
    (0x7F, "land", NONE),
    (0x80, "ior", NONE),
    (0x81, "lor", NONE),
    (0x82, "ixor", NONE),
    (0x83, "lxor", NONE),
    (0x84, "iinc", IINC),
    (0x85, "i2l", NONE),
    (0x86, "i2f", NONE),
    (0x87, "i2d", NONE),
    (0x88, "l2i", NONE),
    (0x89, "l2f", NONE),
    (0x8A, "l2d", NONE),
    (0x8B, "f2i", NONE),
    (0x8C, "f2l", NONE),
    (0x8D, "f2d", NONE),
    (0x8E, "d2i", NONE),
    (0x8F, "d2l", NONE),
    (0x90, "d2f", NONE),
    (0x91, "i2b", NONE),
    (0x92, "i2c", NONE),
    (0x93, "i2s", NONE),
    (0x94, "lcmp", NONE),
    (0x95, "fcmpl", NONE),
    (0x96, "fcmpg", NONE),
    (0x97, "dcmpl", NONE),
    (0x98, "dcmpg", NONE),
    (0x99, "ifeq", BRANCH),
    (0x9A, "ifne", BRANCH),
    (0x9B, "iflt", BRANCH),
    (0x9C, "ifge", BRANCH),
    (0x9D, "ifgt", BRANCH),
    (0x9E, "ifle", BRANCH),
    (0x9F, "if_icmpeq", BRANCH),
    (0xA0, "if_icmpne", BRANCH),
    (0xA1, "if_icmplt", BRANCH),
    (0xA2, "if_icmpge", BRANCH),
    (0xA3, "if_icmpgt", BRANCH),
    (0xA4, "if_icmple", BRANCH),
    (0xA5, "if_acmpeq", BRANCH),
    (0xA6, "if_acmpne", BRANCH),
    (0xA7, "goto", BRANCH),
    (0xA8, "jsr", BRANCH),
    (0xA9, "ret", LOCAL),
    (0xAA, "tableswitch", TABLESWITCH),
    (0xAB, "lookupswitch", LOOKUPSWITCH),
    (0xAC, "ireturn", NONE),
    (0xAD, "lreturn", NONE),
    (0xAE, "freturn", NONE),
    (0xAF, "dreturn", NONE),
    (0xB0, "areturn", NONE),
    (0xB1, "return", NONE),
    (0xB2, "getstatic", FIELD),
    (0xB3, "putstatic", FIELD),
    (0xB4, "getfield", FIELD),
    (0xB5, "putfield", FIELD),
    (0xB6, "invokevirtual", METHOD),
    (0xB7, "invokespecial", METHOD),
    (0xB8, "invokestatic", METHOD),
    (0xB9, "invokeinterface", INVOKEINTERFACE),
    (0xBA, "invokedynamic", INVOKEDYNAMIC),
    (0xBB, "new", CLASS),
    (0xBC, "newarray", NEWARRAY),
    (0xBD, "anewarray", CLASS),
    (0xBE, "arraylength", NONE),
    (0xBF, "athrow", NONE),
    (0xC0, "checkcast", CLASS),
    (0xC1, "instanceof", CLASS),
    (0xC2, "monitorenter", NONE),
    (0xC3, "monitorexit", NONE),
    (0xC5, "multianewarray", MULTIANEWARRAY),
    (0xC6, "ifnull", BRANCH),
    (0xC7, "ifnonnull", BRANCH),
    (0xC8, "goto_w", BRANCH_W),
    (0xC9, "jsr_w", BRANCH_W),
    (0xC415, "iload_w", LOCAL_W),
    (0xC416, "lload_w", LOCAL_W),
    (0xC417, "fload_w", LOCAL_W),
    (0xC418, "dload_w", LOCAL_W),
    (0xC419, "aload_w", LOCAL_W),
    (0xC436, "istore_w", LOCAL_W),
    (0xC437, "lstore_w", LOCAL_W),
    (0xC438, "fstore_w", LOCAL_W),
    (0xC439, "dstore_w", LOCAL_W),
    (0xC43A, "astore_w", LOCAL_W),
    (0xC4A9, "ret_w", LOCAL_W),
    (0xC484, "iinc_w", IINC_W),
)

OPCODES: dict[str, tuple[int, str]] = {name: (code, kind) for code, name, kind in TABLE}

BY_CODE: list[tuple[str, str] | None] = [None] * 256
WIDE_BY_CODE: dict[int, tuple[str, str]] = {}
for _code, _name, _kind in TABLE:
    if _code < 256:
        BY_CODE[_code] = (_name, _kind)
    else:
        WIDE_BY_CODE[_code & 0xFF] = (_name, _kind)
del _code, _name, _kind

# newarray's atype operand (JVMS 6.5.newarray) and the primitive type it names.
NEWARRAY_TYPES: dict[int, str] = {
    4: "boolean",
    5: "char",
    6: "float",
    7: "double",
    8: "byte",
    9: "short",
    10: "int",
    11: "long",
}
NEWARRAY_CODES: dict[str, int] = {v: k for k, v in NEWARRAY_TYPES.items()}
