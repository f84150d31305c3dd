"""Class-file bytes -> :class:`jbgen.asm.model.ClassDef`, in pure Python.

Owns the decoding of the class-file format (JVMS chapter 4): the constant pool,
members, every attribute the model knows, and ``Code`` turned into symbolic
instructions with labels.  Must not import a JVM (no ``jpype``, no
``jbgen.jvm``) nor the text syntax or the assembler: the disassembler has to
beat ``javap``, and crossing the JPype boundary costs microseconds per call,
so reading is done here with ``struct`` and precomputed tables.  The JDK stays
the authority for writing and verifying.

What the reader checks, and what it leaves to the verifier.  It rejects, with a
:class:`~jbgen.errors.ClassFormatError` carrying one diagnostic that names the
byte offset, everything the symbolic model cannot represent: truncation, bad
magic, unknown constant-pool tags, constant-pool references that are out of
range or of the wrong kind, malformed modified UTF-8, unknown opcodes, branch
targets, exception-table, line-number and local-variable boundaries outside the
code or inside an instruction, attribute lengths that disagree with their
content, and trailing bytes.  It does not check descriptors, flags, versions or
types: ``ClassFile.verify`` does.

Decisions a caller should know:

* Attributes the model has no place for (unknown names, or known names in the
  wrong place, such as ``SourceFile`` on a method) are kept as
  ``Attribute("Unknown:<name>", raw bytes)`` so that the caller can warn.
* ``StackMapTable`` is dropped (the JDK recomputes frames) and
  ``BootstrapMethods`` is folded into the :class:`CallSite` and
  :class:`DynamicConst` operands that use it.
* Strings are decoded from modified UTF-8 (``C0 80`` is NUL) to one Python
  character per UTF-16 code unit, as Java holds them: a supplementary character
  is two surrogates and a lone surrogate survives.
* A label is made for every branch target, exception-handler boundary,
  local-variable range boundary, code type-annotation offset and line-number
  start, named ``L0, L1, ...`` in offset order (so some labels are referenced
  by nothing but their position: a printer may leave those out).  In
  ``Code.elements`` a label comes right before the instruction at its offset
  (the end label after the last instruction), then the line numbers starting
  there, all of them in table order (the JDK's own parser keeps only the last
  one per offset).  ``Insn.bci`` is the instruction's offset.
* ``MethodDef.param_names`` comes from MethodParameters when every parameter
  has a name there, else from LocalVariableTable entries that start at pc 0 in
  the parameters' slots (after ``this``; long and double take two); ``()`` for
  a method without parameters, None when unknown.
* Every invoke instruction may name a Methodref or an InterfaceMethodref (the
  ``MemberRef.kind`` says which; the verifier judges the pairing), and
  invokeinterface's count byte is not kept: it follows from the descriptor.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from collections.abc import Callable
from operator import attrgetter
from typing import cast

from jbgen.asm import opcodes
from jbgen.asm.model import (
    ACC_STATIC,
    REF_KINDS,
    Annotation,
    Attribute,
    Bootstrap,
    CallSite,
    ClassConst,
    ClassDef,
    Code,
    CodeElement,
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
    MethodTypeConst,
    ModuleInfo,
    RecordComponent,
    Str,
    TypeAnnotation,
)
from jbgen.errors import ClassFormatError, Diagnostic, Location

__all__ = ["read_class"]

# --------------------------------------------------------------------------- tables

_U2 = struct.Struct(">H").unpack_from
_U4 = struct.Struct(">I").unpack_from
_S4 = struct.Struct(">i").unpack_from
_S8 = struct.Struct(">q").unpack_from
_U8 = struct.Struct(">Q").unpack_from
_U2U2 = struct.Struct(">HH").unpack_from
_U2U4 = struct.Struct(">HI").unpack_from
_U2X3 = struct.Struct(">HHH").unpack_from
_U2X4 = struct.Struct(">HHHH").unpack_from
_CODE_HEAD = struct.Struct(">HHI").unpack_from
_S4X2 = struct.Struct(">ii").unpack_from
_S4X3 = struct.Struct(">iii").unpack_from
_WIDE_IINC = struct.Struct(">Hh").unpack_from

MAGIC = 0xCAFEBABE

# Constant-pool tags (JVMS 4.4).
UTF8 = 1
INTEGER = 3
FLOAT = 4
LONG = 5
DOUBLE = 6
CLASS = 7
STRING = 8
FIELDREF = 9
METHODREF = 10
INTERFACE_METHODREF = 11
NAME_AND_TYPE = 12
METHOD_HANDLE = 15
METHOD_TYPE = 16
DYNAMIC = 17
INVOKE_DYNAMIC = 18
MODULE = 19
PACKAGE = 20

_TAG_NAMES = {
    UTF8: "Utf8",
    INTEGER: "Integer",
    FLOAT: "Float",
    LONG: "Long",
    DOUBLE: "Double",
    CLASS: "Class",
    STRING: "String",
    FIELDREF: "Fieldref",
    METHODREF: "Methodref",
    INTERFACE_METHODREF: "InterfaceMethodref",
    NAME_AND_TYPE: "NameAndType",
    METHOD_HANDLE: "MethodHandle",
    METHOD_TYPE: "MethodType",
    DYNAMIC: "Dynamic",
    INVOKE_DYNAMIC: "InvokeDynamic",
    MODULE: "Module",
    PACKAGE: "Package",
}
# Bytes each entry occupies, tag included (a Utf8's text comes on top).
_CP_SIZE = {
    UTF8: 3,
    INTEGER: 5,
    FLOAT: 5,
    LONG: 9,
    DOUBLE: 9,
    CLASS: 3,
    STRING: 3,
    FIELDREF: 5,
    METHODREF: 5,
    INTERFACE_METHODREF: 5,
    NAME_AND_TYPE: 5,
    METHOD_HANDLE: 4,
    METHOD_TYPE: 3,
    DYNAMIC: 5,
    INVOKE_DYNAMIC: 5,
    MODULE: 3,
    PACKAGE: 3,
}

# Tag masks: bit ``1 << tag`` set for every tag a reference may point at.
M_UTF8 = 1 << UTF8
M_CLASS = 1 << CLASS
M_NAT = 1 << NAME_AND_TYPE
M_FIELD = 1 << FIELDREF
M_METHOD = 1 << METHODREF
M_IMETHOD = 1 << INTERFACE_METHODREF
M_ANY_METHOD = M_METHOD | M_IMETHOD
M_MODULE = 1 << MODULE
M_PACKAGE = 1 << PACKAGE
M_MH = 1 << METHOD_HANDLE
M_INDY = 1 << INVOKE_DYNAMIC
M_LDC = (
    (1 << INTEGER)
    | (1 << FLOAT)
    | (1 << STRING)
    | M_CLASS
    | (1 << METHOD_TYPE)
    | M_MH
    | (1 << DYNAMIC)
)
M_LDC2 = (1 << LONG) | (1 << DOUBLE) | (1 << DYNAMIC)
M_LOADABLE = M_LDC | M_LDC2
M_CONSTANT_VALUE = (1 << INTEGER) | (1 << FLOAT) | (1 << LONG) | (1 << DOUBLE) | (1 << STRING)

# What a MethodHandle of each reference kind may point at (JVMS 4.4.8).  Kinds 6
# and 7 may name an interface method from version 52 on; the version is the
# verifier's business.
_MH_TARGET = {
    1: M_FIELD,
    2: M_FIELD,
    3: M_FIELD,
    4: M_FIELD,
    5: M_METHOD,
    6: M_ANY_METHOD,
    7: M_ANY_METHOD,
    8: M_METHOD,
    9: M_IMETHOD,
}
_MEMBER_KIND = {FIELDREF: "field", METHODREF: "method", INTERFACE_METHODREF: "imethod"}

# Instruction decoding: opcode byte -> small-int kind, name and operand tag mask.
(
    K_NONE,
    K_LOCAL,
    K_REF,
    K_BRANCH,
    K_CLASS,
    K_LDC,
    K_LDC_W,
    K_BIPUSH,
    K_SIPUSH,
    K_IINC,
    K_INVOKEINTERFACE,
    K_INVOKEDYNAMIC,
    K_NEWARRAY,
    K_MULTIANEWARRAY,
    K_TABLESWITCH,
    K_LOOKUPSWITCH,
    K_BRANCH_W,
    K_WIDE,
    K_BAD,
) = range(19)
_KIND_CODE = {
    opcodes.NONE: K_NONE,
    opcodes.LOCAL: K_LOCAL,
    opcodes.FIELD: K_REF,
    opcodes.METHOD: K_REF,
    opcodes.BRANCH: K_BRANCH,
    opcodes.CLASS: K_CLASS,
    opcodes.LDC: K_LDC,
    opcodes.LDC_W: K_LDC_W,
    opcodes.BIPUSH: K_BIPUSH,
    opcodes.SIPUSH: K_SIPUSH,
    opcodes.IINC: K_IINC,
    opcodes.INVOKEINTERFACE: K_INVOKEINTERFACE,
    opcodes.INVOKEDYNAMIC: K_INVOKEDYNAMIC,
    opcodes.NEWARRAY: K_NEWARRAY,
    opcodes.MULTIANEWARRAY: K_MULTIANEWARRAY,
    opcodes.TABLESWITCH: K_TABLESWITCH,
    opcodes.LOOKUPSWITCH: K_LOOKUPSWITCH,
    opcodes.BRANCH_W: K_BRANCH_W,
}
_KINDS = bytearray([K_BAD] * 256)
_NAMES: list[str] = ["?"] * 256
_MASKS = [0] * 256
for _code, _entry in enumerate(opcodes.BY_CODE):
    if _entry is not None:
        _NAMES[_code] = _entry[0]
        _KINDS[_code] = _KIND_CODE[_entry[1]]
        _MASKS[_code] = {
            opcodes.FIELD: M_FIELD,
            # Both method kinds are accepted for every invoke: the model keeps the
            # kind in MemberRef, and whether it fits the opcode is the verifier's call.
            opcodes.METHOD: M_ANY_METHOD,
            opcodes.INVOKEINTERFACE: M_ANY_METHOD,
            opcodes.INVOKEDYNAMIC: M_INDY,
            opcodes.CLASS: M_CLASS,
            opcodes.MULTIANEWARRAY: M_CLASS,
            opcodes.LDC: M_LDC,
        }.get(_entry[1], 0)
_KINDS[opcodes.WIDE] = K_WIDE
_NAMES[opcodes.WIDE] = "wide"
_MASKS[opcodes.OPCODES["ldc_w"][0]] = M_LDC
_MASKS[opcodes.OPCODES["ldc2_w"][0]] = M_LDC2
_WIDE_NAMES = {code: entry[0] for code, entry in opcodes.WIDE_BY_CODE.items()}
_IINC = opcodes.OPCODES["iinc"][0]
_NEWARRAY_TYPES = opcodes.NEWARRAY_TYPES
del _code, _entry

_BCI = attrgetter("bci")
_NO_ARGS = ()

# Nesting deeper than this (annotations in annotations, dynamic constants in
# bootstrap arguments) is refused rather than allowed to exhaust the Python stack.
MAX_NESTING = 128

# Type-annotation targets (JVMS 4.7.20.1) that may appear outside / inside Code.
_MEMBER_TARGETS = frozenset({0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17})
_CODE_TARGETS = frozenset(range(0x40, 0x4C))

# A value an attribute parser returns when the attribute is consumed elsewhere.
_DROP = object()

# element_value tags that hold a constant, and the constant's tag (JVMS 4.7.16.1).
_ELEMENT_CONST = {
    "B": 1 << INTEGER,
    "C": 1 << INTEGER,
    "I": 1 << INTEGER,
    "S": 1 << INTEGER,
    "Z": 1 << INTEGER,
    "D": 1 << DOUBLE,
    "F": 1 << FLOAT,
    "J": 1 << LONG,
}


def read_class(data: bytes, path: str = "<bytes>") -> ClassDef:
    """Decode one class file into the symbolic model.

    ``path`` is only used in messages.  Raises :class:`ClassFormatError`, with
    one diagnostic at ``Location(path)`` whose message names the byte offset,
    for any input that is not a readable class file; no other exception escapes
    for any bytes.  See the module docstring for what is kept and dropped.
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    try:
        return _ClassReader(data, path).read()
    except ClassFormatError:
        raise
    except RecursionError:
        raise _error(path, "malformed class file: structures nested too deeply") from None
    except Exception as exc:  # a last resort: every expected corruption has its own message
        raise _error(path, f"malformed class file: {type(exc).__name__}: {exc}") from exc


def _error(path: str, message: str) -> ClassFormatError:
    return ClassFormatError(message, [Diagnostic(message, Location(path))])


def _article(word: str) -> str:
    # "a Utf8": the U is said "you".
    return f"an {word}" if word[0] in "AEIO" else f"a {word}"


def _mask_names(mask: int) -> str:
    names = [_TAG_NAMES[t] for t in sorted(_TAG_NAMES) if (mask >> t) & 1]
    if len(names) == 1:
        return _article(names[0])
    return (
        _article(names[0]) + ", " * (len(names) > 2) + ", ".join(names[1:-1]) + " or " + names[-1]
    )


def _mutf8(raw: bytes) -> str:
    """Decode modified UTF-8 (JVMS 4.4.7) as the JDK does; ValueError when malformed.

    The result has one character per UTF-16 code unit, as a Java string does: a
    supplementary character stays two surrogates (the text layer's
    ``literals.utf16_units`` spells literals the same way, so they compare equal).
    """
    try:
        # C0 80 is modified UTF-8's NUL; the codec rejects it as overlong.
        s = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        s = _mutf8_slow(raw)
    else:
        if max(s) > "\uffff":  # a four-byte form: not modified UTF-8
            s = _mutf8_slow(raw)
    return s


def _mutf8_slow(raw: bytes) -> str:
    """The JDK's decoding loop: accepts overlong forms, refuses 4-byte and stray bytes."""
    units = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        h = c >> 4
        if h < 8:
            units.append(c)
            i += 1
        elif h in (12, 13):
            if i + 1 >= n or raw[i + 1] & 0xC0 != 0x80:
                raise ValueError(f"malformed modified UTF-8 at byte {i} of the string")
            units.append(((c & 0x1F) << 6) | (raw[i + 1] & 0x3F))
            i += 2
        elif h == 14:
            if i + 2 >= n or raw[i + 1] & 0xC0 != 0x80 or raw[i + 2] & 0xC0 != 0x80:
                raise ValueError(f"malformed modified UTF-8 at byte {i} of the string")
            units.append(((c & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F))
            i += 3
        else:
            raise ValueError(f"malformed modified UTF-8 at byte {i} of the string (0x{c:02x})")
    return "".join(map(chr, units))


def _param_sizes(desc: str) -> list[int] | None:
    """Slot sizes of a method descriptor's parameters, or None if it does not parse."""
    if not desc.startswith("("):
        return None
    sizes: list[int] = []
    i = 1
    n = len(desc)
    while i < n:
        c = desc[i]
        if c == ")":
            return sizes
        array = False
        while c == "[":
            array = True
            i += 1
            if i >= n:
                return None
            c = desc[i]
        if c == "L":
            j = desc.find(";", i)
            if j < 0:
                return None
            i = j + 1
        elif c in "BCDFIJSZ":
            i += 1
        else:
            return None
        sizes.append(2 if c in "JD" and not array else 1)
    return None


# --------------------------------------------------------------------------- the reader


class _ClassReader:
    """One read of one class file; the state that the attribute parsers share."""

    def __init__(self, data: bytes, path: str) -> None:
        self.data = data
        self.n = len(data)
        self.path = path
        self.count = 0
        # Tag per constant-pool index, 0 for "no entry".  65536 long so that any
        # u2 index can be looked up without a range check: out of range reads 0.
        self.tags = bytearray(65536)
        self.raw: list = []  # operand indices of entries resolved in the second pass
        self.objs: list = []  # the resolved entry: a str, a model constant, ...
        self.offsets: list[int] = []
        self.bootstrap_raw: list[tuple[int, tuple[int, ...], int]] | None = None
        self.bootstraps: dict[int, Bootstrap] = {}
        self.resolving: set[int] = set()
        self.depth = 0
        # The file offset of the attribute content being parsed (for nested tables).
        self.attr_base = 0

    # ------------------------------------------------------------------ errors

    def fail(self, message: str) -> ClassFormatError:
        return _error(self.path, message)

    def truncated(self, end: int, what: str) -> ClassFormatError:
        more = end - self.n
        return self.fail(
            f"truncated at offset 0x{self.n:x} while reading {what} "
            f"(needed {more} more byte{'s' * (more != 1)})"
        )

    def bad_index(self, i: int, mask: int, where: str) -> ClassFormatError:
        want = _mask_names(mask)
        if i == 0 or i >= self.count:
            last = self.count - 1
            problem = f"constant pool index {i} is out of range (the pool has entries 1 to {last})"
            if i == 0:
                problem = "constant pool index 0 is not an entry"
            return self.fail(f"{where}: {problem}, expected {want}")
        tag = self.tags[i]
        if tag == 0:
            prev = _TAG_NAMES[self.tags[i - 1]]
            return self.fail(
                f"{where}: constant #{i} is the unusable slot after the {prev} at #{i - 1}, "
                f"expected {want}"
            )
        return self.fail(f"{where}: constant #{i} is {_article(_TAG_NAMES[tag])}, expected {want}")

    # ------------------------------------------------------------------ constant pool access

    def utf(self, i: int, where: str) -> str:
        if self.tags[i] == UTF8:
            return self.objs[i]
        raise self.bad_index(i, M_UTF8, where)

    def opt_utf(self, i: int, where: str) -> str | None:
        return None if i == 0 else self.utf(i, where)

    def cls(self, i: int, where: str) -> str:
        if self.tags[i] == CLASS:
            return self.objs[i].name
        raise self.bad_index(i, M_CLASS, where)

    def opt_cls(self, i: int, where: str) -> str | None:
        return None if i == 0 else self.cls(i, where)

    def entry(self, i: int, mask: int, where: str) -> object:
        if (mask >> self.tags[i]) & 1:
            return self.objs[i]
        raise self.bad_index(i, mask, where)

    # ------------------------------------------------------------------ whole class

    def read(self) -> ClassDef:
        data, n = self.data, self.n
        if n == 0:
            raise self.fail("empty file: a class file starts with the magic number 0xcafebabe")
        if n < 4:
            raise self.truncated(4, "the magic number")
        magic = _U4(data, 0)[0]
        if magic != MAGIC:
            raise self.fail(f"bad magic 0x{magic:08x} at offset 0x0, expected 0xcafebabe")
        if n < 10:
            raise self.truncated(10, "the class file version and constant pool count")
        minor, major = _U2U2(data, 4)
        pos = self._read_pool()
        self._resolve_pool(dynamic=False)

        if pos + 8 > n:
            raise self.truncated(pos + 8, "the access flags, this_class, super_class")
        flags, this_i, super_i, icount = _U2X4(data, pos)
        where = f"class header at offset 0x{pos:x}"
        name = self.cls(this_i, f"{where}: this_class")
        super_name = self.opt_cls(super_i, f"{where}: super_class")
        pos += 8
        if pos + 2 * icount > n:
            raise self.truncated(pos + 2 * icount, f"the {icount} interfaces of {name}")
        interfaces = [
            self.cls(i, f"interface #{k} at offset 0x{pos + 2 * k:x}")
            for k, i in enumerate(struct.unpack_from(f">{icount}H", data, pos))
        ]
        pos += 2 * icount

        fields, pos = self._scan_members(pos, "field")
        methods, pos = self._scan_members(pos, "method")
        where = f"class {name}"
        class_attrs, pos = self._scan_attributes(data, pos, 0, n, where, "the class file")
        if pos != n:
            raise self.fail(f"trailing bytes after the class: {n - pos} bytes at offset 0x{pos:x}")

        boot = [r for r in class_attrs if r[0] == "BootstrapMethods"]
        if len(boot) > 1:
            raise self.fail(f"{where} has {len(boot)} BootstrapMethods attributes, expected one")
        if boot:
            self._read_bootstrap_methods(boot[0], where)
        self._resolve_pool(dynamic=True)

        cd = ClassDef(name, flags, super_name, interfaces, major=major, minor=minor)
        cd.fields = [
            FieldDef(f, fname, fdesc, self._attributes(recs, _FIELD_ATTRS, f"field {fname}"))
            for f, fname, fdesc, recs in fields
        ]
        cd.methods = [self._method(*m) for m in methods]
        cd.attributes = self._attributes(class_attrs, _CLASS_ATTRS, where)
        return cd

    # ------------------------------------------------------------------ constant pool

    def _read_pool(self) -> int:
        """First pass: tags, offsets, Utf8 text and numbers; returns the offset after the pool."""
        data, n = self.data, self.n
        count = _U2(data, 8)[0]
        if count == 0:
            raise self.fail("constant_pool_count at offset 0x8 is 0; it must be at least 1")
        self.count = count
        tags = self.tags
        objs: list = [None] * count
        raw: list = [None] * count
        offsets = [0] * count
        self.objs, self.raw, self.offsets = objs, raw, offsets
        size_of = _CP_SIZE.get
        pos = 10
        i = 1
        while i < count:
            if pos >= n:
                raise self.truncated(pos + 1, f"constant pool entry #{i}")
            tag = data[pos]
            size = size_of(tag)
            if size is None:
                raise self.fail(
                    f"constant pool entry #{i} at offset 0x{pos:x} has unknown tag {tag}"
                )
            end = pos + size
            if end > n:
                raise self.truncated(end, f"constant pool entry #{i} ({_TAG_NAMES[tag]})")
            offsets[i] = pos
            tags[i] = tag
            if tag == UTF8:
                start = end
                end = start + (data[pos + 1] << 8 | data[pos + 2])
                if end > n:
                    raise self.truncated(end, f"constant pool entry #{i} (Utf8 text)")
                text = data[start:end]
                try:
                    objs[i] = text.decode("ascii")
                except UnicodeDecodeError:
                    try:
                        objs[i] = _mutf8(text)
                    except ValueError as exc:
                        raise self.fail(
                            f"constant pool entry #{i} at offset 0x{pos:x}: {exc}"
                        ) from None
            elif size == 3:  # Class, String, MethodType, Module, Package: one u2
                raw[i] = data[pos + 1] << 8 | data[pos + 2]
            elif size == 5:
                if tag == INTEGER:
                    objs[i] = Int(_S4(data, pos + 1)[0])
                elif tag == FLOAT:
                    objs[i] = Float(_U4(data, pos + 1)[0])
                else:  # two u2 indices
                    raw[i] = _U2U2(data, pos + 1)
            elif size == 9:
                if i + 1 >= count:
                    raise self.fail(
                        f"constant pool entry #{i} at offset 0x{pos:x} is {_article(_TAG_NAMES[tag])}, "
                        f"which takes two slots, but the pool ends at #{count - 1}"
                    )
                objs[i] = (
                    Long(_S8(data, pos + 1)[0]) if tag == LONG else Double(_U8(data, pos + 1)[0])
                )
                i += 1  # the next slot is unusable (JVMS 4.4.5) and keeps tag 0
            else:  # MethodHandle: u1 kind, u2 index
                raw[i] = (data[pos + 1], data[pos + 2] << 8 | data[pos + 3])
            pos = end
            i += 1
        return pos

    def _resolve_pool(self, dynamic: bool) -> None:
        """Second pass: turn every entry into its model value, checking each reference.

        Dynamic and InvokeDynamic entries wait for ``dynamic=True``, after the
        BootstrapMethods attribute at the end of the file has been read.
        """
        tags, objs, raw = self.tags, self.objs, self.raw
        count = self.count
        if not dynamic:
            # The common shapes inline (this is per entry, for every class read);
            # anything unusual goes through _resolve for its checks and messages.
            for i in range(1, count):
                tag = tags[i]
                if tag == CLASS:
                    r = raw[i]
                    if tags[r] == UTF8:
                        objs[i] = ClassConst(objs[r])
                elif tag == NAME_AND_TYPE:
                    a, b = raw[i]
                    if tags[a] == UTF8 and tags[b] == UTF8:
                        objs[i] = (objs[a], objs[b])
                elif tag == STRING:
                    r = raw[i]
                    if tags[r] == UTF8:
                        objs[i] = Str(objs[r])
            for i in range(1, count):
                if objs[i] is not None:
                    continue
                tag = tags[i]
                if FIELDREF <= tag <= INTERFACE_METHODREF:
                    c, nt = raw[i]
                    # Tags first: an index past the pool reads tag 0 there, not objs.
                    if tags[c] == CLASS and tags[nt] == NAME_AND_TYPE:
                        owner = objs[c]
                        nat = objs[nt]
                        if owner is not None and nat is not None:
                            objs[i] = MemberRef(_MEMBER_KIND[tag], owner.name, nat[0], nat[1])
                            continue
                if tag and tag != DYNAMIC and tag != INVOKE_DYNAMIC:
                    self._resolve(i)
        else:
            for i in range(1, count):
                tag = tags[i]
                if (tag in (DYNAMIC, INVOKE_DYNAMIC)) and objs[i] is None:
                    self._resolve(i)

    def dep(self, i: int, mask: int, where: str) -> object:
        """Constant #i as a dependency of another entry: checked, resolved if need be."""
        if not (mask >> self.tags[i]) & 1:
            raise self.bad_index(i, mask, where)
        obj = self.objs[i]
        return self._resolve(i) if obj is None else obj

    def nat(self, i: int, where: str) -> tuple[str, str]:
        """A NameAndType as (name, descriptor)."""
        return cast("tuple[str, str]", self.dep(i, M_NAT, where))

    def name_of(self, i: int, mask: int, where: str) -> str:
        """The name of a Module or Package entry."""
        return cast(str, self.entry(i, mask, where))

    def _resolve(self, i: int) -> object:
        tag = self.tags[i]
        objs = self.objs
        raw = self.raw[i]
        if tag in (CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE):
            where = f"constant pool entry #{i} ({_TAG_NAMES[tag]} at offset 0x{self.offsets[i]:x})"
            text = self.utf(raw, where)
            if tag == CLASS:
                obj: object = ClassConst(text)
            elif tag == STRING:
                obj = Str(text)
            elif tag == METHOD_TYPE:
                obj = MethodTypeConst(text)
            else:
                obj = text
        elif tag == NAME_AND_TYPE:
            where = f"constant pool entry #{i} (NameAndType at offset 0x{self.offsets[i]:x})"
            obj = (self.utf(raw[0], where), self.utf(raw[1], where))
        elif tag in (FIELDREF, METHODREF, INTERFACE_METHODREF):
            where = f"constant pool entry #{i} ({_TAG_NAMES[tag]} at offset 0x{self.offsets[i]:x})"
            owner = self.dep(raw[0], M_CLASS, where).name  # type: ignore[attr-defined]
            name, desc = self.nat(raw[1], where)
            obj = MemberRef(_MEMBER_KIND[tag], owner, name, desc)
        elif tag == METHOD_HANDLE:
            where = f"constant pool entry #{i} (MethodHandle at offset 0x{self.offsets[i]:x})"
            kind, ref = raw
            mask = _MH_TARGET.get(kind)
            if mask is None:
                raise self.fail(f"{where}: reference kind {kind} is not one of 1 to 9")
            ref_obj = self.dep(ref, mask, f"{where}: {REF_KINDS[kind]}")
            obj = MethodHandleConst(kind, ref_obj)  # type: ignore[arg-type]
        else:  # DYNAMIC, INVOKE_DYNAMIC
            obj = self._resolve_dynamic(i, tag, raw)
        objs[i] = obj
        return obj

    def _resolve_dynamic(self, i: int, tag: int, raw: tuple[int, int]) -> object:
        where = f"constant pool entry #{i} ({_TAG_NAMES[tag]} at offset 0x{self.offsets[i]:x})"
        if i in self.resolving:
            raise self.fail(f"{where} refers to itself through its bootstrap arguments")
        bsm_index, nat_index = raw
        name, desc = self.nat(nat_index, where)
        if self.bootstrap_raw is None:
            raise self.fail(
                f"{where} needs a bootstrap method, but the class has no BootstrapMethods"
            )
        if bsm_index >= len(self.bootstrap_raw):
            raise self.fail(
                f"{where}: bootstrap method index {bsm_index} is out of range "
                f"(BootstrapMethods has {len(self.bootstrap_raw)})"
            )
        self.resolving.add(i)
        if len(self.resolving) > MAX_NESTING:
            raise self.fail(f"{where}: dynamic constants nested more than {MAX_NESTING} deep")
        bsm = self._bootstrap(bsm_index)
        self.resolving.discard(i)
        if tag == DYNAMIC:
            return DynamicConst(bsm, name, desc)
        return CallSite(bsm, name, desc)

    def _read_bootstrap_methods(self, rec: tuple[str, int, int], where: str) -> None:
        _, start, length = rec
        data = self.data
        end = start + length
        where = f"{where}: attribute BootstrapMethods at offset 0x{start - 6:x}"
        out = []
        p = start
        if p + 2 > end:
            raise self.fail(f"{where} is too short for its count (length {length})")
        count = _U2(data, p)[0]
        p += 2
        for k in range(count):
            if p + 4 > end:
                raise self.fail(f"{where}: entry #{k} runs past the attribute's length {length}")
            mh, nargs = _U2U2(data, p)
            p += 4
            if p + 2 * nargs > end:
                raise self.fail(f"{where}: entry #{k} runs past the attribute's length {length}")
            out.append((mh, struct.unpack_from(f">{nargs}H", data, p), p - 4))
            p += 2 * nargs
        if p != end:
            raise self.fail(f"{where} has {end - p} bytes after its {count} entries")
        self.bootstrap_raw = out

    def _bootstrap(self, k: int) -> Bootstrap:
        bsm = self.bootstraps.get(k)
        if bsm is not None:
            return bsm
        assert self.bootstrap_raw is not None
        mh, args, off = self.bootstrap_raw[k]
        where = f"bootstrap method #{k} at offset 0x{off:x}"
        handle = self.entry(mh, M_MH, where)
        values = []
        for a in args:
            values.append(self.dep(a, M_LOADABLE, f"{where}: argument"))
        bsm = Bootstrap(handle, tuple(values))  # type: ignore[arg-type]
        self.bootstraps[k] = bsm
        return bsm

    # ------------------------------------------------------------------ members and attribute tables

    def _scan_members(self, pos: int, what: str) -> tuple[list, int]:
        """Walk fields or methods: header, name, descriptor, attribute table bounds."""
        data, n = self.data, self.n
        tags, objs = self.tags, self.objs
        if pos + 2 > n:
            raise self.truncated(pos + 2, f"the {what} count")
        count = _U2(data, pos)[0]
        pos += 2
        out = []
        for k in range(count):
            if pos + 6 > n:
                raise self.truncated(pos + 6, f"{what} #{k}")
            flags, name_i, desc_i = _U2X3(data, pos)
            if tags[name_i] != UTF8 or tags[desc_i] != UTF8:
                where = f"{what} #{k} at offset 0x{pos:x}"
                self.utf(name_i, f"{where}: name")
                self.utf(desc_i, f"{where}: descriptor")
            name = objs[name_i]
            desc = objs[desc_i]
            where = f"{what} {name}{desc}" if what == "method" else f"{what} {name}"
            recs, pos = self._scan_attributes(data, pos + 6, 0, n, where, "the class file")
            out.append((flags, name, desc, recs))
        return out, pos

    def _scan_attributes(
        self, buf: bytes, pos: int, base: int, limit: int, where: str, container: str
    ) -> tuple[list[tuple[str, int, int]], int]:
        """Walk an attribute table in ``buf`` up to ``limit``: ``[(name, start, length)]``.

        ``base`` is the file offset of ``buf[0]``, for messages.
        """
        if pos + 2 > limit:
            if limit == self.n:
                raise self.truncated(pos + 2, f"the attribute count of {where}")
            raise self.fail(
                f"{where}: the attribute count at offset 0x{base + pos:x} runs past the end of {container}"
            )
        count = _U2(buf, pos)[0]
        pos += 2
        recs = []
        tags, objs = self.tags, self.objs
        for k in range(count):
            if pos + 6 > limit:
                if limit == self.n:
                    raise self.truncated(pos + 6, f"attribute #{k} of {where}")
                raise self.fail(
                    f"{where}: attribute #{k} at offset 0x{base + pos:x} runs past the end of "
                    f"{container}"
                )
            name_i, length = _U2U4(buf, pos)
            if tags[name_i] != UTF8:
                self.utf(name_i, f"{where}: name of attribute #{k} at offset 0x{base + pos:x}")
            name = objs[name_i]
            start = pos + 6
            end = start + length
            if end > limit:
                raise self.fail(
                    f"{where}: attribute {name} at offset 0x{base + pos:x} has length {length}, "
                    f"past the end of {container} (offset 0x{base + limit:x})"
                )
            recs.append((name, start, length))
            pos = end
        return recs, pos

    def _attributes(
        self,
        recs: list[tuple[str, int, int]],
        table: dict[str, Callable],
        where: str,
        buf: bytes | None = None,
        base: int = 0,
    ) -> list[Attribute]:
        """Parse the attributes of one table, each within its declared length."""
        data = self.data if buf is None else buf
        out = []
        for name, start, length in recs:
            parse = table.get(name)
            content = data[start : start + length]
            if parse is None:
                out.append(Attribute("Unknown:" + name, content))
                continue
            wa = f"{where}: attribute {name} at offset 0x{base + start - 6:x}"
            self.attr_base = base + start
            try:
                value, end = parse(self, content, wa)
            except (struct.error, IndexError):
                raise self.fail(
                    f"{wa} is truncated: its content runs past its declared length {length}"
                ) from None
            if end != length:
                raise self.fail(f"{wa} has length {length}, but its content ends after {end} bytes")
            if value is not _DROP:
                out.append(Attribute(name, value))
        return out

    def _method(self, flags: int, name: str, desc: str, recs: list) -> MethodDef:
        where = f"method {name}{desc}"
        code = None
        params_by_slot: dict[int, str] = {}
        code_recs = [r for r in recs if r[0] == "Code"]
        if code_recs:
            if len(code_recs) > 1:
                raise self.fail(f"{where} has {len(code_recs)} Code attributes, expected one")
            recs = [r for r in recs if r[0] != "Code"]
            code, params_by_slot = self._code(code_recs[0], where)
        attrs = self._attributes(recs, _METHOD_ATTRS, where)
        md = MethodDef(flags, name, desc, code, attrs)
        md.param_names = _param_names(md, params_by_slot)
        return md

    # ------------------------------------------------------------------ Code

    def _code(self, rec: tuple[str, int, int], where: str) -> tuple[Code, dict[int, str]]:
        _, start, length = rec
        buf = self.data[start : start + length]
        tags, objs = self.tags, self.objs
        wa = f"{where}: attribute Code at offset 0x{start - 6:x}"
        if length < 8:
            raise self.fail(f"{wa} is truncated: length {length} is less than the 8-byte header")
        max_stack, max_locals, code_length = _CODE_HEAD(buf, 0)
        if code_length == 0 or code_length >= 65536:
            raise self.fail(f"{wa}: code_length {code_length} is not between 1 and 65535")
        if 8 + code_length > length:
            raise self.fail(
                f"{wa}: code_length {code_length} runs past the attribute's length {length}"
            )
        code_base = start + 8
        insns, labels = self._decode(buf[8 : 8 + code_length], where, code_base)
        n = code_length
        ninsns = len(insns)

        def label_at(off: int, table: str, k: int, what: str, end_ok: bool = False) -> Label:
            """The label at ``off``, which must start an instruction (or be the end).

            ``table``, ``k`` and ``what`` name the entry for a message (built only then).
            """
            lab = labels.get(off)
            if lab is not None:
                return lab
            if off == n and end_ok:
                lab = labels[off] = Label()
                return lab
            if off >= n:
                raise self.fail(f"{table} #{k}: {what} {off} is outside the code (length {n})")
            j = bisect_left(insns, off, 0, ninsns, key=_BCI)
            if j == ninsns or insns[j].bci != off:
                prev = insns[j - 1]
                raise self.fail(
                    f"{table} #{k}: {what} {off} is in the middle of an instruction "
                    f"({prev.op} at bci {prev.bci})"
                )
            lab = labels[off] = Label()
            return lab

        code = Code(max_stack=max_stack, max_locals=max_locals)
        pos = 8 + code_length
        try:
            ecount = _U2(buf, pos)[0]
            pos += 2
            if pos + 8 * ecount > length:
                raise self.fail(
                    f"{wa}: the exception table ({ecount} entries) runs past the attribute's "
                    f"length {length}"
                )
            if ecount:
                table = struct.unpack_from(f">{4 * ecount}H", buf, pos)
                we = f"{wa}: exception table entry"
                for k in range(ecount):
                    s, e, h, ct = table[4 * k : 4 * k + 4]
                    if s >= e:
                        raise self.fail(f"{we} #{k}: start_pc {s} is not less than end_pc {e}")
                    code.handlers.append(
                        Handler(
                            label_at(s, we, k, "start_pc"),
                            label_at(e, we, k, "end_pc", True),
                            label_at(h, we, k, "handler_pc"),
                            None if ct == 0 else self.cls(ct, f"{we} #{k}: catch_type"),
                        )
                    )
            pos += 8 * ecount
            recs, pos = self._scan_attributes(buf, pos, start, length, where, "the Code attribute")
        except struct.error:
            raise self.fail(
                f"{wa} is truncated: its content runs past its declared length {length}"
            ) from None
        if pos != length:
            raise self.fail(f"{wa} has length {length}, but its content ends after {pos} bytes")

        lines: dict[int, list[CodeElement]] = {}
        params_by_slot: dict[int, str] = {}
        for name, astart, alen in recs:
            wsub = f"{where}: attribute {name} at offset 0x{start + astart - 6:x}"
            went = f"{wsub}: entry"
            b = buf[astart : astart + alen]
            try:
                if name == "LineNumberTable":
                    cnt = _U2(b, 0)[0]
                    if 2 + 4 * cnt != alen:
                        raise self._length_mismatch(wsub, alen, 2 + 4 * cnt)
                    vals = struct.unpack_from(f">{2 * cnt}H", b, 2)
                    for k in range(0, 2 * cnt, 2):
                        pc = vals[k]
                        label_at(pc, went, k // 2, "start_pc")
                        entry = lines.get(pc)
                        if entry is None:
                            lines[pc] = [LineNumber(vals[k + 1])]
                        else:
                            entry.append(LineNumber(vals[k + 1]))
                elif name in ("LocalVariableTable", "LocalVariableTypeTable"):
                    sig = name == "LocalVariableTypeTable"
                    cnt = _U2(b, 0)[0]
                    if 2 + 10 * cnt != alen:
                        raise self._length_mismatch(wsub, alen, 2 + 10 * cnt)
                    vals = struct.unpack_from(f">{5 * cnt}H", b, 2)
                    for k in range(0, 5 * cnt, 5):
                        s, ln, ni, di, slot = vals[k : k + 5]
                        if tags[ni] != UTF8 or tags[di] != UTF8:
                            self.utf(ni, f"{went} #{k // 5}: name")
                            self.utf(di, f"{went} #{k // 5}: descriptor")
                        lname = objs[ni]
                        code.locals.append(
                            LocalVar(
                                slot,
                                lname,
                                objs[di],
                                label_at(s, went, k // 5, "start_pc"),
                                label_at(s + ln, went, k // 5, "start_pc + length =", True),
                                sig,
                            )
                        )
                        if s == 0 and not sig and slot not in params_by_slot:
                            params_by_slot[slot] = lname
                elif name == "StackMapTable":
                    pass  # the JDK recomputes frames when it writes
                elif name in ("RuntimeVisibleTypeAnnotations", "RuntimeInvisibleTypeAnnotations"):
                    value, end = self._type_annotations(b, wsub, label_at)
                    if end != alen:
                        raise self._length_mismatch(wsub, alen, end)
                    code.attributes.append(Attribute(name, value))
                else:
                    code.attributes.append(Attribute("Unknown:" + name, b))
            except (struct.error, IndexError):
                raise self.fail(
                    f"{wsub} is truncated: its content runs past its declared length {alen}"
                ) from None

        # Labels are named in offset order and placed before the instruction at
        # their offset (the end label after the last one), line numbers after them.
        if labels:
            offsets = sorted(labels)
            for k, off in enumerate(offsets):
                labels[off].name = f"L{k}"
            elements: list[CodeElement] = []
            prev = 0
            for off in offsets:
                k = bisect_left(insns, off, prev, ninsns, key=_BCI)
                elements += insns[prev:k]
                elements.append(labels[off])
                if off in lines:
                    elements += lines[off]
                prev = k
            elements += insns[prev:]
            code.elements = elements
        else:
            code.elements = insns  # type: ignore[assignment]
        return code, params_by_slot

    def _length_mismatch(self, where: str, length: int, content: int) -> ClassFormatError:
        return self.fail(f"{where} has length {length}, but its content is {content} bytes")

    def _decode(self, code: bytes, where: str, base: int) -> tuple[list[Insn], dict[int, Label]]:
        """Decode the bytecode into instructions; labels for branch targets, by offset."""
        tags, objs = self.tags, self.objs
        names, kinds, masks = _NAMES, _KINDS, _MASKS
        new_insn = Insn
        no_args = ()
        insns: list[Insn] = []
        append = insns.append
        labels: dict[int, Label] = {}
        get_label = labels.get
        n = len(code)
        pc = 0
        op = 0
        try:
            while pc < n:
                op = code[pc]
                k = kinds[op]
                if k == K_NONE:
                    append(new_insn(names[op], no_args, 0, pc))
                    pc += 1
                elif k == K_REF:
                    i = code[pc + 1] << 8 | code[pc + 2]
                    if not (masks[op] >> tags[i]) & 1:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn(names[op], (objs[i],), 0, pc))
                    pc += 3
                elif k == K_LOCAL:
                    append(new_insn(names[op], (code[pc + 1],), 0, pc))
                    pc += 2
                elif k == K_BRANCH:
                    t = pc + ((code[pc + 1] << 8 | code[pc + 2]) ^ 0x8000) - 0x8000
                    lab = get_label(t)
                    if lab is None:
                        lab = labels[t] = Label()
                    append(new_insn(names[op], (lab,), 0, pc))
                    pc += 3
                elif k == K_CLASS:
                    i = code[pc + 1] << 8 | code[pc + 2]
                    if tags[i] != CLASS:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn(names[op], (objs[i].name,), 0, pc))
                    pc += 3
                elif k == K_BIPUSH:
                    v = code[pc + 1]
                    append(new_insn("bipush", (v - 256 if v > 127 else v,), 0, pc))
                    pc += 2
                elif k == K_SIPUSH:
                    v = code[pc + 1] << 8 | code[pc + 2]
                    append(new_insn("sipush", (v - 65536 if v > 32767 else v,), 0, pc))
                    pc += 3
                elif k == K_LDC:
                    i = code[pc + 1]
                    if not (M_LDC >> tags[i]) & 1:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn("ldc", (objs[i],), 0, pc))
                    pc += 2
                elif k == K_LDC_W:
                    i = code[pc + 1] << 8 | code[pc + 2]
                    if not (masks[op] >> tags[i]) & 1:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn(names[op], (objs[i],), 0, pc))
                    pc += 3
                elif k in (K_INVOKEINTERFACE, K_INVOKEDYNAMIC):
                    # invokeinterface's count byte and the zero bytes are implied by the
                    # descriptor; the JDK writes them.
                    if pc + 5 > n:
                        raise IndexError
                    i = code[pc + 1] << 8 | code[pc + 2]
                    if not (masks[op] >> tags[i]) & 1:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn(names[op], (objs[i],), 0, pc))
                    pc += 5
                elif k == K_IINC:
                    d = code[pc + 2]
                    append(new_insn("iinc", (code[pc + 1], d - 256 if d > 127 else d), 0, pc))
                    pc += 3
                elif k == K_NEWARRAY:
                    atype = _NEWARRAY_TYPES.get(code[pc + 1])
                    if atype is None:
                        raise self.fail(
                            f"{where}: newarray at bci {pc} (offset 0x{base + pc:x}) has "
                            f"array type {code[pc + 1]}, expected 4 to 11"
                        )
                    append(new_insn("newarray", (atype,), 0, pc))
                    pc += 2
                elif k == K_MULTIANEWARRAY:
                    i = code[pc + 1] << 8 | code[pc + 2]
                    if tags[i] != CLASS:
                        raise self._bad_operand(i, op, pc, where, base)
                    append(new_insn("multianewarray", (objs[i].name, code[pc + 3]), 0, pc))
                    pc += 4
                elif k in (K_TABLESWITCH, K_LOOKUPSWITCH):
                    pc = self._switch(code, pc, k, insns, labels, where, base)
                elif k == K_BRANCH_W:
                    t = pc + _S4(code, pc + 1)[0]
                    lab = get_label(t)
                    if lab is None:
                        lab = labels[t] = Label()
                    append(new_insn(names[op], (lab,), 0, pc))
                    pc += 5
                elif k == K_WIDE:
                    op2 = code[pc + 1]
                    if op2 == _IINC:
                        slot, delta = _WIDE_IINC(code, pc + 2)
                        append(new_insn("iinc_w", (slot, delta), 0, pc))
                        pc += 6
                    elif op2 in _WIDE_NAMES:
                        append(new_insn(_WIDE_NAMES[op2], (_U2(code, pc + 2)[0],), 0, pc))
                        pc += 4
                    else:
                        raise self.fail(
                            f"{where}: wide at bci {pc} (offset 0x{base + pc:x}) is followed by "
                            f"opcode 0x{op2:02x}, which has no wide form"
                        )
                else:
                    raise self.fail(
                        f"{where}: unknown opcode 0x{op:02x} at bci {pc} (offset 0x{base + pc:x})"
                    )
        except (IndexError, struct.error):
            raise self.fail(
                f"{where}: the code ends in the middle of the {names[op]} at bci {pc} "
                f"(offset 0x{base + pc:x}; code_length {n})"
            ) from None

        # Every branch target must start an instruction.
        ninsns = len(insns)
        for t in labels:
            if 0 <= t < n:
                k = bisect_left(insns, t, 0, ninsns, key=_BCI)
                if k < ninsns and insns[k].bci == t:
                    continue
            raise self._bad_target(insns, labels[t], t, n, where, base)
        return insns, labels

    def _switch(
        self,
        code: bytes,
        pc: int,
        k: int,
        insns: list[Insn],
        labels: dict[int, Label],
        where: str,
        base: int,
    ) -> int:
        """Decode a tableswitch or lookupswitch at ``pc``; returns the next pc."""
        n = len(code)
        p = pc + 1 + ((3 - pc) & 3)  # operands start at the next multiple of 4

        def label(off: int) -> Label:
            t = pc + off
            lab = labels.get(t)
            if lab is None:
                lab = labels[t] = Label()
            return lab

        if k == K_TABLESWITCH:
            default, low, high = _S4X3(code, p)
            if low > high:
                raise self.fail(
                    f"{where}: tableswitch at bci {pc} (offset 0x{base + pc:x}) has "
                    f"low {low} > high {high}"
                )
            count = high - low + 1
            end = p + 12 + 4 * count
            if end > n:
                raise IndexError  # reported as an instruction cut short by the code's end
            offs = struct.unpack_from(f">{count}i", code, p + 12)
            insns.append(
                Insn("tableswitch", (low, high, label(default), tuple(map(label, offs))), 0, pc)
            )
        else:
            default, npairs = _S4X2(code, p)
            if npairs < 0:
                raise self.fail(
                    f"{where}: lookupswitch at bci {pc} (offset 0x{base + pc:x}) has "
                    f"npairs {npairs} < 0"
                )
            end = p + 8 + 8 * npairs
            if end > n:
                raise IndexError
            vals = struct.unpack_from(f">{2 * npairs}i", code, p + 8)
            pairs = tuple((vals[j], label(vals[j + 1])) for j in range(0, 2 * npairs, 2))
            insns.append(Insn("lookupswitch", (label(default), pairs), 0, pc))
        return end

    def _bad_operand(self, i: int, op: int, pc: int, where: str, base: int) -> ClassFormatError:
        mask = _MASKS[op] or M_LDC
        return self.bad_index(
            i, mask, f"{where}: {_NAMES[op]} at bci {pc} (offset 0x{base + pc:x})"
        )

    def _bad_target(
        self, insns: list[Insn], lab: Label, t: int, n: int, where: str, base: int
    ) -> ClassFormatError:
        src = next(i for i in insns if lab in _branch_labels(i))
        head = f"{where}: {src.op} at bci {src.bci} (offset 0x{base + src.bci:x})"
        if not 0 <= t < n:
            return self.fail(f"{head} branches to {t}, outside the code (length {n})")
        inside = insns[bisect_left(insns, t, key=_BCI) - 1]
        return self.fail(
            f"{head} branches into the middle of an instruction: target {t} is inside "
            f"the {inside.op} at bci {inside.bci}"
        )

    # ------------------------------------------------------------------ annotations

    def _annotations(self, b: bytes, w: str) -> tuple[tuple[Annotation, ...], int]:
        count = _U2(b, 0)[0]
        p = 2
        out = []
        for _ in range(count):
            a, p = self._annotation(b, p, w)
            out.append(a)
        return tuple(out), p

    def _annotation(self, b: bytes, p: int, w: str) -> tuple[Annotation, int]:
        type_i, count = _U2U2(b, p)
        p += 4
        desc = self.utf(type_i, f"{w}: annotation type")
        elements = []
        for _ in range(count):
            name = self.utf(_U2(b, p)[0], f"{w}: element name")
            value, p = self._element_value(b, p + 2, w)
            elements.append((name, value))
        return Annotation(desc, tuple(elements)), p

    def _element_value(self, b: bytes, p: int, w: str) -> tuple[ElementValue, int]:
        tag = chr(b[p])
        value: object
        mask = _ELEMENT_CONST.get(tag)
        if mask is not None:
            value = self.entry(_U2(b, p + 1)[0], mask, f"{w}: element value {tag}")
            return ElementValue(tag, value), p + 3
        if tag == "s" or tag == "c":
            value = self.utf(_U2(b, p + 1)[0], f"{w}: element value {tag}")
            return ElementValue(tag, value), p + 3
        if tag == "e":
            ti, ci = _U2U2(b, p + 1)
            value = (self.utf(ti, f"{w}: enum type"), self.utf(ci, f"{w}: enum constant"))
            return ElementValue(tag, value), p + 5
        if tag != "@" and tag != "[":
            raise self.fail(f"{w}: unknown element_value tag {tag!r} (0x{ord(tag):02x})")
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"{w}: annotation values nested more than {MAX_NESTING} deep")
        if tag == "@":
            value, p = self._annotation(b, p + 1, w)
        else:
            count = _U2(b, p + 1)[0]
            p += 3
            items = []
            for _ in range(count):
                item, p = self._element_value(b, p, w)
                items.append(item)
            value = tuple(items)
        self.depth -= 1
        return ElementValue(tag, value), p

    def _type_annotations(
        self, b: bytes, w: str, label_at: Callable[..., Label] | None = None
    ) -> tuple[tuple[TypeAnnotation, ...], int]:
        """A type-annotation table; ``label_at`` is given inside Code, for offsets."""
        count = _U2(b, 0)[0]
        p = 2
        out = []
        allowed = _CODE_TARGETS if label_at is not None else _MEMBER_TARGETS
        for k in range(count):
            tt = b[p]
            p += 1
            if tt not in allowed:
                known = tt in _CODE_TARGETS or tt in _MEMBER_TARGETS
                place = "inside Code" if label_at is not None else "outside Code"
                problem = "is not allowed " + place if known else "is unknown"
                raise self.fail(f"{w}: type annotation #{k}: target_type 0x{tt:02x} {problem}")
            info: tuple
            if tt <= 0x01 or tt == 0x16:
                info = (b[p],)
                p += 1
            elif tt == 0x10 or tt == 0x17 or tt == 0x42:
                info = (_U2(b, p)[0],)
                p += 2
            elif tt <= 0x12:
                info = (b[p], b[p + 1])
                p += 2
            elif tt <= 0x15:
                info = ()
            else:
                assert label_at is not None
                wt = f"{w}: type annotation"
                if tt <= 0x41:
                    n = _U2(b, p)[0]
                    p += 2
                    ranges = []
                    for _ in range(n):
                        s, ln, slot = struct.unpack_from(">HHH", b, p)
                        p += 6
                        ranges.append(
                            (
                                label_at(s, wt, k, "start_pc"),
                                label_at(s + ln, wt, k, "start_pc + length =", True),
                                slot,
                            )
                        )
                    info = (tuple(ranges),)
                elif tt <= 0x46:
                    info = (label_at(_U2(b, p)[0], wt, k, "offset"),)
                    p += 2
                else:
                    info = (label_at(_U2(b, p)[0], wt, k, "offset"), b[p + 2])
                    p += 3
            plen = b[p]
            path = tuple((b[p + 1 + 2 * j], b[p + 2 + 2 * j]) for j in range(plen))
            p += 1 + 2 * plen
            ann, p = self._annotation(b, p, w)
            out.append(TypeAnnotation(tt, info, path, ann))
        return tuple(out), p

    # ------------------------------------------------------------------ other attributes

    def _a_utf8(self, b: bytes, w: str) -> tuple[object, int]:
        return self.utf(_U2(b, 0)[0], w), 2

    def _a_class(self, b: bytes, w: str) -> tuple[object, int]:
        return self.cls(_U2(b, 0)[0], w), 2

    def _a_classes(self, b: bytes, w: str) -> tuple[object, int]:
        count = _U2(b, 0)[0]
        idx = struct.unpack_from(f">{count}H", b, 2)
        return tuple(self.cls(i, w) for i in idx), 2 + 2 * count

    def _a_empty(self, b: bytes, w: str) -> tuple[object, int]:
        return None, 0

    def _a_bytes(self, b: bytes, w: str) -> tuple[object, int]:
        return b, len(b)

    def _a_u2(self, b: bytes, w: str) -> tuple[object, int]:
        return _U2(b, 0)[0], 2

    def _a_drop(self, b: bytes, w: str) -> tuple[object, int]:
        return _DROP, len(b)

    def _a_constant_value(self, b: bytes, w: str) -> tuple[object, int]:
        return self.entry(_U2(b, 0)[0], M_CONSTANT_VALUE, w), 2

    def _a_inner_classes(self, b: bytes, w: str) -> tuple[object, int]:
        count = _U2(b, 0)[0]
        vals = struct.unpack_from(f">{4 * count}H", b, 2)
        out = tuple(
            (
                self.cls(vals[k], f"{w}: entry #{k // 4} inner_class_info"),
                self.opt_cls(vals[k + 1], f"{w}: entry #{k // 4} outer_class_info"),
                self.opt_utf(vals[k + 2], f"{w}: entry #{k // 4} inner_name"),
                vals[k + 3],
            )
            for k in range(0, 4 * count, 4)
        )
        return out, 2 + 8 * count

    def _a_enclosing_method(self, b: bytes, w: str) -> tuple[object, int]:
        ci, mi = _U2U2(b, 0)
        owner = self.cls(ci, f"{w}: class")
        if mi == 0:
            return (owner, None, None), 4
        name, desc = self.nat(mi, f"{w}: method")
        return (owner, name, desc), 4

    def _a_method_parameters(self, b: bytes, w: str) -> tuple[object, int]:
        count = b[0]
        vals = struct.unpack_from(f">{2 * count}H", b, 1)
        out = tuple(
            (self.opt_utf(vals[k], f"{w}: parameter #{k // 2} name"), vals[k + 1])
            for k in range(0, 2 * count, 2)
        )
        return out, 1 + 4 * count

    def _a_annotations(self, b: bytes, w: str) -> tuple[object, int]:
        return self._annotations(b, w)

    def _a_parameter_annotations(self, b: bytes, w: str) -> tuple[object, int]:
        count = b[0]
        p = 1
        out = []
        for _ in range(count):
            n = _U2(b, p)[0]
            p += 2
            anns = []
            for _ in range(n):
                a, p = self._annotation(b, p, w)
                anns.append(a)
            out.append(tuple(anns))
        return tuple(out), p

    def _a_type_annotations(self, b: bytes, w: str) -> tuple[object, int]:
        return self._type_annotations(b, w)

    def _a_annotation_default(self, b: bytes, w: str) -> tuple[object, int]:
        return self._element_value(b, 0, w)

    def _a_record(self, b: bytes, w: str) -> tuple[object, int]:
        count = _U2(b, 0)[0]
        p = 2
        out = []
        for k in range(count):
            ni, di = _U2U2(b, p)
            name = self.utf(ni, f"{w}: component #{k} name")
            desc = self.utf(di, f"{w}: component #{k} descriptor")
            wc = f"{w}: component {name}"
            # The components' attributes are bounded by the Record attribute.
            base = self.attr_base
            recs, p = self._scan_attributes(b, p + 4, base, len(b), wc, "the Record attribute")
            attrs = self._attributes(recs, _RECORD_ATTRS, wc, b, base)
            self.attr_base = base
            out.append(RecordComponent(name, desc, tuple(attrs)))
        return tuple(out), p

    def _a_module(self, b: bytes, w: str) -> tuple[object, int]:
        ni, flags, vi = struct.unpack_from(">HHH", b, 0)
        name = self.name_of(ni, M_MODULE, f"{w}: module name")
        version = self.opt_utf(vi, f"{w}: module version")
        p = 6
        count = _U2(b, p)[0]
        p += 2
        requires = []
        for k in range(count):
            ri, rflags, rvi = struct.unpack_from(">HHH", b, p)
            p += 6
            requires.append(
                (
                    self.name_of(ri, M_MODULE, f"{w}: requires #{k}"),
                    rflags,
                    self.opt_utf(rvi, f"{w}: requires #{k} version"),
                )
            )
        exports_opens = []
        for what in ("exports", "opens"):
            count = _U2(b, p)[0]
            p += 2
            items = []
            for k in range(count):
                pi, pflags, tcount = struct.unpack_from(">HHH", b, p)
                p += 6
                targets = struct.unpack_from(f">{tcount}H", b, p)
                p += 2 * tcount
                items.append(
                    (
                        self.name_of(pi, M_PACKAGE, f"{w}: {what} #{k}"),
                        pflags,
                        tuple(
                            self.name_of(t, M_MODULE, f"{w}: {what} #{k} target") for t in targets
                        ),
                    )
                )
            exports_opens.append(tuple(items))
        count = _U2(b, p)[0]
        uses = tuple(self.cls(i, f"{w}: uses") for i in struct.unpack_from(f">{count}H", b, p + 2))
        p += 2 + 2 * count
        count = _U2(b, p)[0]
        p += 2
        provides = []
        for k in range(count):
            si, wcount = _U2U2(b, p)
            impls = struct.unpack_from(f">{wcount}H", b, p + 4)
            p += 4 + 2 * wcount
            provides.append(
                (
                    self.cls(si, f"{w}: provides #{k}"),
                    tuple(self.cls(i, f"{w}: provides #{k} with") for i in impls),
                )
            )
        info = ModuleInfo(
            name,
            flags,
            version,
            tuple(requires),
            exports_opens[0],
            exports_opens[1],
            uses,
            tuple(provides),
        )
        return info, p

    def _a_module_packages(self, b: bytes, w: str) -> tuple[object, int]:
        count = _U2(b, 0)[0]
        idx = struct.unpack_from(f">{count}H", b, 2)
        return tuple(self.name_of(i, M_PACKAGE, w) for i in idx), 2 + 2 * count

    def _a_module_hashes(self, b: bytes, w: str) -> tuple[object, int]:
        alg_i, count = _U2U2(b, 0)
        alg = self.utf(alg_i, f"{w}: algorithm")
        p = 4
        hashes = []
        for k in range(count):
            mi, hlen = _U2U2(b, p)
            p += 4
            if p + hlen > len(b):
                raise IndexError
            hashes.append((self.name_of(mi, M_MODULE, f"{w}: hash #{k} module"), b[p : p + hlen]))
            p += hlen
        return (alg, tuple(hashes)), p


def _branch_labels(insn: Insn) -> list[Label]:
    """The labels an instruction branches to (for error messages: not a hot path)."""
    if insn.op == "tableswitch":
        return [insn.args[2], *insn.args[3]]
    if insn.op == "lookupswitch":
        return [insn.args[0], *(lab for _, lab in insn.args[1])]
    return [a for a in insn.args if isinstance(a, Label)]


def _param_names(md: MethodDef, by_slot: dict[int, str]) -> tuple[str, ...] | None:
    """Parameter names from MethodParameters, else from LocalVariableTable entries at pc 0."""
    sizes = _param_sizes(md.descriptor)
    for a in md.attributes:
        if a.name == "MethodParameters":
            names = [p[0] for p in a.value]  # type: ignore[attr-defined]
            if None not in names and (sizes is None or len(names) == len(sizes)):
                return tuple(names)
    if sizes is None:
        return None
    if not sizes:
        return ()
    slot = 0 if md.flags & ACC_STATIC else 1
    out = []
    for size in sizes:
        name = by_slot.get(slot)
        if name is None:
            return None
        out.append(name)
        slot += size
    return tuple(out)


_R = _ClassReader
_ANNOTATION_ATTRS: dict[str, Callable] = {
    "RuntimeVisibleAnnotations": _R._a_annotations,
    "RuntimeInvisibleAnnotations": _R._a_annotations,
    "RuntimeVisibleTypeAnnotations": _R._a_type_annotations,
    "RuntimeInvisibleTypeAnnotations": _R._a_type_annotations,
    "Signature": _R._a_utf8,
    "Synthetic": _R._a_empty,
    "Deprecated": _R._a_empty,
}
_FIELD_ATTRS: dict[str, Callable] = {**_ANNOTATION_ATTRS, "ConstantValue": _R._a_constant_value}
_RECORD_ATTRS: dict[str, Callable] = {
    k: v for k, v in _ANNOTATION_ATTRS.items() if k not in ("Synthetic", "Deprecated")
}
_METHOD_ATTRS: dict[str, Callable] = {
    **_ANNOTATION_ATTRS,
    "Exceptions": _R._a_classes,
    "MethodParameters": _R._a_method_parameters,
    "AnnotationDefault": _R._a_annotation_default,
    "RuntimeVisibleParameterAnnotations": _R._a_parameter_annotations,
    "RuntimeInvisibleParameterAnnotations": _R._a_parameter_annotations,
}
_CLASS_ATTRS: dict[str, Callable] = {
    **_ANNOTATION_ATTRS,
    "SourceFile": _R._a_utf8,
    "InnerClasses": _R._a_inner_classes,
    "EnclosingMethod": _R._a_enclosing_method,
    "NestHost": _R._a_class,
    "NestMembers": _R._a_classes,
    "PermittedSubclasses": _R._a_classes,
    "Record": _R._a_record,
    "SourceDebugExtension": _R._a_bytes,
    "BootstrapMethods": _R._a_drop,  # read before the pool's dynamic entries
    "Module": _R._a_module,
    "ModulePackages": _R._a_module_packages,
    "ModuleMainClass": _R._a_class,
    "ModuleTarget": _R._a_utf8,
    "ModuleResolution": _R._a_u2,
    "ModuleHashes": _R._a_module_hashes,
    "SourceID": _R._a_utf8,
    "CompilationID": _R._a_utf8,
}
del _R
