"""The symbolic class model shared by every stage of ``jbgen.asm``.

Three conversions meet here, each in a module of its own:

* ``reader``:    class-file bytes -> :class:`ClassDef` (pure Python, no JVM);
* ``syntax``:    assembly text <-> :class:`ClassDef` (parse and print, no JVM);
* ``assemble``:  :class:`ClassDef` -> class-file bytes, through ``java.lang.classfile``.

The model is symbolic: no constant-pool indices, no offsets, no stack map
frames, no max stack/locals (the JDK computes all of these when it writes).
Names are JVM *internal* names (``java/lang/String``) and descriptors
(``(I)V``); the text layer converts to and from Java-style names.  Every string
(names, descriptors, ``Str`` values) holds one Python character per UTF-16 code
unit, as Java does: a supplementary character is two surrogates, and a lone
surrogate is allowed.

Opcodes are the exact JVM opcode names in lower case, as the JDK's ``Opcode``
enum spells them (``iload_0``, ``iload``, ``iload_w`` for the wide form,
``ldc_w``, ``goto_w``), so that a class round-trips instruction for
instruction; the text layer chooses the short spelling.

This module must not import a JVM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# --------------------------------------------------------------------------- constants


@dataclass(frozen=True, slots=True)
class Int:
    """CONSTANT_Integer (also used for boolean/byte/char/short element values)."""

    value: int


@dataclass(frozen=True, slots=True)
class Long:
    value: int


@dataclass(frozen=True, slots=True)
class Float:
    """CONSTANT_Float, kept as its raw IEEE 754 bits so that every NaN survives."""

    bits: int


@dataclass(frozen=True, slots=True)
class Double:
    """CONSTANT_Double, kept as its raw IEEE 754 bits."""

    bits: int


@dataclass(frozen=True, slots=True)
class Str:
    """CONSTANT_String.  ``value`` may hold lone surrogates (modified UTF-8 allows them)."""

    value: str


@dataclass(frozen=True, slots=True)
class ClassConst:
    """CONSTANT_Class: an internal name (``java/lang/String``) or an array descriptor."""

    name: str


@dataclass(frozen=True, slots=True)
class MethodTypeConst:
    descriptor: str


# Reference kinds of CONSTANT_MethodHandle (JVMS 5.4.3.5).
REF_KINDS = {
    1: "getField",
    2: "getStatic",
    3: "putField",
    4: "putStatic",
    5: "invokeVirtual",
    6: "invokeStatic",
    7: "invokeSpecial",
    8: "newInvokeSpecial",
    9: "invokeInterface",
}
REF_KIND_BY_NAME = {v: k for k, v in REF_KINDS.items()}


@dataclass(frozen=True, slots=True)
class MemberRef:
    """CONSTANT_Fieldref / Methodref / InterfaceMethodref.

    ``kind`` is ``"field"``, ``"method"`` or ``"imethod"`` (interface method);
    ``owner`` is an internal name or, for methods such as ``clone``, an array descriptor.
    """

    kind: str
    owner: str
    name: str
    descriptor: str


@dataclass(frozen=True, slots=True)
class MethodHandleConst:
    ref_kind: int
    ref: MemberRef


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """A bootstrap method: a method handle and its static arguments."""

    handle: MethodHandleConst
    args: tuple[Loadable, ...]


@dataclass(frozen=True, slots=True)
class DynamicConst:
    """CONSTANT_Dynamic."""

    bootstrap: Bootstrap
    name: str
    descriptor: str


@dataclass(frozen=True, slots=True)
class CallSite:
    """The operand of ``invokedynamic`` (CONSTANT_InvokeDynamic)."""

    bootstrap: Bootstrap
    name: str
    descriptor: str


Loadable = Union[
    Int, Long, Float, Double, Str, ClassConst, MethodTypeConst, MethodHandleConst, DynamicConst
]

# --------------------------------------------------------------------------- code


class Label:
    """A position in a method's code.  Compared by identity; ``name`` is only for printing."""

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Label({self.name!r})"


@dataclass(slots=True)
class Insn:
    """One instruction: an exact opcode name and its operands.

    Operands by opcode family (``args``):

    * no operand (``iadd``, ``iload_0``, ``return``, ...): ``()``
    * local variable (``iload``, ``astore_w``, ``ret``, ...): ``(slot,)``
    * ``iinc`` / ``iinc_w``: ``(slot, delta)``
    * ``bipush`` / ``sipush``: ``(value,)``
    * ``ldc`` / ``ldc_w`` / ``ldc2_w``: ``(Loadable,)``
    * branches (``ifeq`` ... ``goto_w``, ``jsr``, ``jsr_w``): ``(Label,)``
    * ``tableswitch``: ``(low, high, default: Label, targets: tuple[Label, ...])``
    * ``lookupswitch``: ``(default: Label, pairs: tuple[tuple[int, Label], ...])``
    * field and method instructions: ``(MemberRef,)``
    * ``invokedynamic``: ``(CallSite,)``
    * ``new``, ``anewarray``, ``checkcast``, ``instanceof``: ``(class name,)``
    * ``newarray``: ``(primitive type name,)`` e.g. ``("int",)``
    * ``multianewarray``: ``(array descriptor, dimensions)``
    """

    op: str
    args: tuple = ()
    # Where it came from: the 1-based line in assembly text (0 = unknown), and the
    # bytecode offset when read from a class file (-1 = unknown).  Not compared.
    line: int = field(default=0, compare=False)
    bci: int = field(default=-1, compare=False)


@dataclass(slots=True)
class LineNumber:
    """A LineNumberTable entry, placed in the instruction stream where its range starts."""

    line: int


@dataclass(slots=True)
class LocalVar:
    """A LocalVariableTable (``signature=False``) or LocalVariableTypeTable entry."""

    slot: int
    name: str
    descriptor: str  # the field descriptor, or the generic signature for a type entry
    start: Label
    end: Label
    signature: bool = False


@dataclass(slots=True)
class Handler:
    """An exception-table entry; ``catch_type`` None catches everything (``finally``)."""

    start: Label
    end: Label
    handler: Label
    catch_type: str | None
    line: int = field(default=0, compare=False)


CodeElement = Union[Insn, Label, LineNumber]


@dataclass(slots=True)
class Code:
    """A Code attribute.  ``max_stack``/``max_locals`` are informative: the JDK recomputes them."""

    elements: list[CodeElement] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    locals: list[LocalVar] = field(default_factory=list)
    # Code-level attributes other than LineNumberTable/LocalVariable(Type)Table/StackMapTable:
    # RuntimeVisible/InvisibleTypeAnnotations (with label-based targets).
    attributes: list[Attribute] = field(default_factory=list)
    max_stack: int | None = None
    max_locals: int | None = None


# --------------------------------------------------------------------------- annotations


@dataclass(frozen=True, slots=True)
class ElementValue:
    """An annotation element value (JVMS 4.7.16.1).

    ``tag`` and ``value``:

    * ``B C D F I J S Z``: an :class:`Int`/:class:`Long`/:class:`Float`/:class:`Double`
    * ``s``: a ``str``
    * ``e``: ``(type descriptor, constant name)``
    * ``c``: a return descriptor (``Ljava/lang/String;``, ``I``, ``V``)
    * ``@``: an :class:`Annotation`
    * ``[``: a tuple of :class:`ElementValue`
    """

    tag: str
    value: object


@dataclass(frozen=True, slots=True)
class Annotation:
    descriptor: str  # Ljava/lang/Deprecated;
    elements: tuple[tuple[str, ElementValue], ...] = ()


@dataclass(frozen=True, slots=True)
class TypeAnnotation:
    """A type annotation (JVMS 4.7.20).

    ``target_info`` depends on ``target_type``:

    * 0x00, 0x01 (type parameter): ``(index,)``
    * 0x10 (supertype): ``(supertype index,)``  (65535 = the superclass)
    * 0x11, 0x12 (type parameter bound): ``(parameter index, bound index)``
    * 0x13, 0x14, 0x15 (field, return, receiver): ``()``
    * 0x16 (formal parameter): ``(index,)``
    * 0x17 (throws): ``(throws index,)``
    * 0x40, 0x41 (local variable): ``(((start, end, slot), ...),)`` with Labels
    * 0x42 (catch): ``(exception table index,)``
    * 0x43-0x46 (instanceof, new, method references): ``(Label,)``
    * 0x47-0x4B (casts and type arguments): ``(Label, type argument index)``

    ``type_path`` is a tuple of ``(kind, argument index)`` pairs.
    """

    target_type: int
    target_info: tuple
    type_path: tuple[tuple[int, int], ...]
    annotation: Annotation


# --------------------------------------------------------------------------- attributes


@dataclass(slots=True)
class Attribute:
    """A class, field, method, record-component or code attribute.

    ``name`` is the attribute name; ``value`` depends on it:

    * ``SourceFile``: str
    * ``Signature``: str
    * ``ConstantValue``: a Loadable (Int, Long, Float, Double, Str)
    * ``Exceptions``: tuple of internal names
    * ``InnerClasses``: tuple of ``(inner, outer or None, simple name or None, flags)``
    * ``EnclosingMethod``: ``(class, method name or None, method descriptor or None)``
    * ``NestHost``: internal name
    * ``NestMembers``, ``PermittedSubclasses``: tuple of internal names
    * ``Record``: tuple of :class:`RecordComponent`
    * ``MethodParameters``: tuple of ``(name or None, flags)``
    * ``RuntimeVisibleAnnotations``, ``RuntimeInvisibleAnnotations``: tuple of Annotation
    * ``RuntimeVisibleParameterAnnotations``, ``RuntimeInvisibleParameterAnnotations``:
      tuple (one per parameter) of tuples of Annotation
    * ``RuntimeVisibleTypeAnnotations``, ``RuntimeInvisibleTypeAnnotations``:
      tuple of TypeAnnotation
    * ``AnnotationDefault``: ElementValue
    * ``Deprecated``, ``Synthetic``: None
    * ``SourceDebugExtension``: bytes
    * ``Module``: :class:`ModuleInfo`
    * ``ModulePackages``: tuple of internal package names (``java/lang``)
    * ``ModuleMainClass``: internal name
    * ``ModuleTarget``: str (the target platform)
    * ``ModuleResolution``: int (flags)
    * ``ModuleHashes``: ``(algorithm, ((module name, bytes), ...))``
    * ``SourceID``, ``CompilationID``: str
    * ``Unknown:<name>``: bytes, the raw content of an attribute the model has no
      place for (an unknown name, or a known name in the wrong place); the
      assembler writes it verbatim when the JDK does not know ``<name>``
    """

    name: str
    value: object = None


@dataclass(frozen=True, slots=True)
class RecordComponent:
    name: str
    descriptor: str
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """The Module attribute.  Package names are internal (``java/lang``)."""

    name: str
    flags: int
    version: str | None
    # (module name, flags, version or None)
    requires: tuple[tuple[str, int, str | None], ...] = ()
    # (package, flags, (target modules...))
    exports: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    opens: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    uses: tuple[str, ...] = ()
    # (service class, (implementation classes...))
    provides: tuple[tuple[str, tuple[str, ...]], ...] = ()


# --------------------------------------------------------------------------- members and class


@dataclass(slots=True)
class FieldDef:
    flags: int
    name: str
    descriptor: str
    attributes: list[Attribute] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class MethodDef:
    flags: int
    name: str
    descriptor: str
    code: Code | None = None
    attributes: list[Attribute] = field(default_factory=list)
    # Parameter names for the text form, when known (MethodParameters or LocalVariableTable).
    # Informative only: nothing is written from it.
    param_names: tuple[str, ...] | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class ClassDef:
    """A whole class file, symbolically."""

    name: str  # internal name
    flags: int
    super_name: str | None
    interfaces: list[str] = field(default_factory=list)
    fields: list[FieldDef] = field(default_factory=list)
    methods: list[MethodDef] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    major: int = 69
    minor: int = 0
    line: int = field(default=0, compare=False)


# --------------------------------------------------------------------------- access flags

ACC_PUBLIC = 0x0001
ACC_PRIVATE = 0x0002
ACC_PROTECTED = 0x0004
ACC_STATIC = 0x0008
ACC_FINAL = 0x0010
ACC_SUPER = 0x0020
ACC_SYNCHRONIZED = 0x0020
ACC_VOLATILE = 0x0040
ACC_BRIDGE = 0x0040
ACC_TRANSIENT = 0x0080
ACC_VARARGS = 0x0080
ACC_NATIVE = 0x0100
ACC_INTERFACE = 0x0200
ACC_ABSTRACT = 0x0400
ACC_STRICT = 0x0800
ACC_SYNTHETIC = 0x1000
ACC_ANNOTATION = 0x2000
ACC_ENUM = 0x4000
ACC_MODULE = 0x8000
ACC_MANDATED = 0x8000

# Flag names per context, in the order javap prints them.
CLASS_FLAGS = (
    ("public", ACC_PUBLIC),
    ("private", ACC_PRIVATE),
    ("protected", ACC_PROTECTED),
    ("static", ACC_STATIC),
    ("final", ACC_FINAL),
    ("super", ACC_SUPER),
    ("abstract", ACC_ABSTRACT),
    ("synthetic", ACC_SYNTHETIC),
    ("annotation", ACC_ANNOTATION),
    ("enum", ACC_ENUM),
    ("interface", ACC_INTERFACE),
    ("module", ACC_MODULE),
)
FIELD_FLAGS = (
    ("public", ACC_PUBLIC),
    ("private", ACC_PRIVATE),
    ("protected", ACC_PROTECTED),
    ("static", ACC_STATIC),
    ("final", ACC_FINAL),
    ("volatile", ACC_VOLATILE),
    ("transient", ACC_TRANSIENT),
    ("synthetic", ACC_SYNTHETIC),
    ("enum", ACC_ENUM),
)
METHOD_FLAGS = (
    ("public", ACC_PUBLIC),
    ("private", ACC_PRIVATE),
    ("protected", ACC_PROTECTED),
    ("static", ACC_STATIC),
    ("final", ACC_FINAL),
    ("synchronized", ACC_SYNCHRONIZED),
    ("bridge", ACC_BRIDGE),
    ("varargs", ACC_VARARGS),
    ("native", ACC_NATIVE),
    ("abstract", ACC_ABSTRACT),
    ("strictfp", ACC_STRICT),
    ("synthetic", ACC_SYNTHETIC),
)
# InnerClasses inner_class_access_flags
INNER_FLAGS = (
    ("public", ACC_PUBLIC),
    ("private", ACC_PRIVATE),
    ("protected", ACC_PROTECTED),
    ("static", ACC_STATIC),
    ("final", ACC_FINAL),
    ("interface", ACC_INTERFACE),
    ("abstract", ACC_ABSTRACT),
    ("synthetic", ACC_SYNTHETIC),
    ("annotation", ACC_ANNOTATION),
    ("enum", ACC_ENUM),
)
PARAM_FLAGS = (("final", ACC_FINAL), ("synthetic", ACC_SYNTHETIC), ("mandated", ACC_MANDATED))
MODULE_FLAGS = (("open", 0x0020), ("synthetic", ACC_SYNTHETIC), ("mandated", ACC_MANDATED))
REQUIRES_FLAGS = (
    ("transitive", 0x0020),
    ("static", 0x0040),
    ("synthetic", ACC_SYNTHETIC),
    ("mandated", ACC_MANDATED),
)
EXPORTS_FLAGS = (("synthetic", ACC_SYNTHETIC), ("mandated", ACC_MANDATED))
