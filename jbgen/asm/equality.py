"""Semantic equality of classes, as the round trip defines it.

Two :class:`~jbgen.asm.model.ClassDef` values are the same class when they have
the same version, flags, names, members, instructions, exception tables and
attributes.  What may differ: label identity and names (compared by position),
attribute order, ``ldc`` versus ``ldc_w`` (the JDK picks the form its constant
pool needs), ``max_stack``/``max_locals`` (recomputed by the JDK), and where a
member came from (line, bci, parameter names for the text).

:func:`canonical` spells that definition out as one hashable value.
:func:`first_difference` decides the same thing without building it: it walks
both classes side by side, compares members and instructions by value where
they hold no labels, and stops at the first difference (the round trip
compares every class of java.base, so this is a hot path).

Must not import a JVM.
"""

from __future__ import annotations

from typing import Any

from jbgen.asm import model as m
from jbgen.asm import ops

__all__ = ["canonical", "first_difference", "same_class"]

# Instructions whose operands hold labels; every other one is compared by value.
_LABEL_OPS = frozenset(
    op for op, fam in ops.FAMILY.items() if fam in (ops.BRANCH, ops.TABLESWITCH, ops.LOOKUPSWITCH)
)
_PART_NAMES = (
    "major",
    "minor",
    "flags",
    "name",
    "super",
    "interfaces",
    "fields",
    "methods",
    "attributes",
)


def canonical(cls: m.ClassDef) -> tuple:
    """A hashable value that is equal for semantically equal classes."""
    return (
        cls.major,
        cls.minor,
        cls.flags,
        cls.name,
        cls.super_name,
        tuple(cls.interfaces),
        tuple(_field(f) for f in cls.fields),
        tuple(_method(meth) for meth in cls.methods),
        _attrs(cls.attributes, {}),
    )


def same_class(a: m.ClassDef, b: m.ClassDef) -> bool:
    return first_difference(a, b) is None


def first_difference(a: m.ClassDef, b: m.ClassDef) -> str | None:
    """A short description of where two classes differ, or None when they are the same."""
    if a is b:
        return None
    head_a: tuple = (a.major, a.minor, a.flags, a.name, a.super_name, tuple(a.interfaces))
    head_b: tuple = (b.major, b.minor, b.flags, b.name, b.super_name, tuple(b.interfaces))
    if head_a != head_b:
        for n, x, y in zip(_PART_NAMES, head_a, head_b, strict=False):
            if x != y:
                return f"{n}: {str(x)[:400]} != {str(y)[:400]}"
    if not _same_fields(a.fields, b.fields):
        fa = tuple(_field(f) for f in a.fields)
        fb = tuple(_field(f) for f in b.fields)
        return f"fields: {str(fa)[:400]} != {str(fb)[:400]}"
    for ma, mb in zip(a.methods, b.methods, strict=False):
        diff = _method_difference(ma, mb)
        if diff is not None:
            return diff
    if len(a.methods) != len(b.methods):
        return f"method count {len(a.methods)} != {len(b.methods)}"
    if a.attributes != b.attributes:
        aa, ab = _attrs(a.attributes, {}), _attrs(b.attributes, {})
        if aa != ab:
            return f"attributes: {str(aa)[:400]} != {str(ab)[:400]}"
    return None


# --------------------------------------------------------------------------- the canonical form


def _field(f: m.FieldDef) -> tuple:
    return (f.flags, f.name, f.descriptor, _attrs(f.attributes, {}))


def _attrs(attrs: list[m.Attribute] | tuple[m.Attribute, ...], labels: dict[m.Label, int]) -> tuple:
    out = []
    for a in attrs:
        v = a.value
        if a.name == "Record":
            v = tuple((rc.name, rc.descriptor, _attrs(rc.attributes, labels)) for rc in v)  # type: ignore[attr-defined]
        elif a.name.endswith("TypeAnnotations"):
            v = tuple(_type_anno(ta, labels) for ta in v)  # type: ignore[attr-defined]
        elif isinstance(v, list):
            v = tuple(v)
        out.append((a.name, v))
    return tuple(sorted(out, key=lambda x: x[0]))


def _type_anno(ta: m.TypeAnnotation, labels: dict[m.Label, int]) -> tuple:
    def lab(x: object) -> object:
        if isinstance(x, m.Label):
            return ("label", labels.get(x, -1))
        if isinstance(x, tuple):
            return tuple(lab(y) for y in x)
        return x

    return (ta.target_type, lab(ta.target_info), ta.type_path, ta.annotation)


def _label_positions(code: m.Code) -> dict[m.Label, int]:
    """Each placed label's position: the number of instructions before it.

    Consecutive labels name one position, so they count as one label.
    """
    labels: dict[m.Label, int] = {}
    pos = 0
    Insn, Label = m.Insn, m.Label
    for e in code.elements:
        t = type(e)
        if t is Insn:
            pos += 1
        elif t is Label:
            labels[e] = pos  # type: ignore[index]
    return labels


def _arg(x: object, labels: dict[m.Label, int]) -> object:
    return ("label", labels.get(x, -1)) if isinstance(x, m.Label) else x


def _insn_key(e: m.Insn, labels: dict[m.Label, int]) -> tuple:
    """An instruction's canonical value: labels by position, ``ldc_w`` as ``ldc``."""
    op = "ldc" if e.op == "ldc_w" else e.op
    args = tuple(
        tuple(
            _arg(y, labels) if not isinstance(y, tuple) else tuple(_arg(z, labels) for z in y)
            for y in a
        )
        if isinstance(a, tuple)
        else _arg(a, labels)
        for a in e.args
    )
    return (op, args)


def _code_key(code: m.Code, labels: dict[m.Label, int]) -> tuple:
    insns = []
    for e in code.elements:
        if isinstance(e, m.Insn):
            insns.append(_insn_key(e, labels))
        elif isinstance(e, m.LineNumber):
            insns.append(("line", e.line))
    return (tuple(insns), *_tables(code, labels))


def _tables(code: m.Code, labels: dict[m.Label, int]) -> tuple:
    """Exception table, local variables (sorted) and code attributes, labels by position."""
    return (
        tuple(
            (_arg(h.start, labels), _arg(h.end, labels), _arg(h.handler, labels), h.catch_type)
            for h in code.handlers
        ),
        tuple(
            sorted(
                (
                    lv.slot,
                    lv.name,
                    lv.descriptor,
                    _arg(lv.start, labels),
                    _arg(lv.end, labels),
                    lv.signature,
                )
                for lv in code.locals
            )
        ),
        _attrs(code.attributes, labels),
    )


def _method(meth: m.MethodDef) -> tuple:
    code = meth.code
    labels: dict[m.Label, int] = {}
    code_t: tuple | None = None
    if code is not None:
        labels = _label_positions(code)
        code_t = _code_key(code, labels)
    return (meth.flags, meth.name, meth.descriptor, code_t, _attrs(meth.attributes, labels))


# --------------------------------------------------------------------------- the fast comparison


def _same_fields(xs: list[m.FieldDef], ys: list[m.FieldDef]) -> bool:
    if len(xs) != len(ys):
        return False
    # Dataclass equality implies canonical equality; only a mismatch needs the
    # canonical form (attribute order, a list where the other has a tuple).
    return all(x == y or _field(x) == _field(y) for x, y in zip(xs, ys, strict=True))


def _method_difference(ma: m.MethodDef, mb: m.MethodDef) -> str | None:
    """Where two methods differ, in the words of the canonical form's parts."""
    where = f"method {ma.name}{ma.descriptor}"
    if (ma.flags, ma.name, ma.descriptor) != (mb.flags, mb.name, mb.descriptor):
        for k, x, y in (
            (0, ma.flags, mb.flags),
            (1, ma.name, mb.name),
            (2, ma.descriptor, mb.descriptor),
        ):
            if x != y:
                return f"{where}: part {k}: {str(x)[:300]} != {str(y)[:300]}"
    ca, cb = ma.code, mb.code
    la: dict[m.Label, int] = {}
    lb: dict[m.Label, int] = {}
    if ca is not None and cb is not None:
        xs, la = _flatten(ca)
        ys, lb = _flatten(cb)
        diff = _code_difference(ca, cb, xs, ys, la, lb)
        if diff is not None:
            return f"{where}: {diff}"
    elif ca is not None or cb is not None:
        ka = None if ca is None else _code_key(ca, _label_positions(ca))
        kb = None if cb is None else _code_key(cb, _label_positions(cb))
        return f"{where}: part 3: {str(ka)[:300]} != {str(kb)[:300]}"
    if ma.attributes != mb.attributes:
        aa, ab = _attrs(ma.attributes, la), _attrs(mb.attributes, lb)
        if aa != ab:
            return f"{where}: part 4: {str(aa)[:300]} != {str(ab)[:300]}"
    return None


def _flatten(code: m.Code) -> tuple[list[Any], dict[m.Label, int]]:
    """The instructions and line numbers of ``code``, and its labels' positions, in one pass."""
    Insn, Label, LineNumber = m.Insn, m.Label, m.LineNumber
    out: list[Any] = []
    append = out.append
    labels: dict[m.Label, int] = {}
    pos = 0
    for e in code.elements:
        t = type(e)
        if t is Insn:
            append(e)
            pos += 1
        elif t is Label:
            labels[e] = pos  # type: ignore[index]
        elif t is LineNumber:
            append(e)
    return out, labels


def _code_difference(
    ca: m.Code,
    cb: m.Code,
    xs: list[Any],
    ys: list[Any],
    la: dict[m.Label, int],
    lb: dict[m.Label, int],
) -> str | None:
    """``xs`` and ``ys``: the instructions and line numbers of each (see _flatten)."""
    Insn = m.Insn
    label_ops = _LABEL_OPS
    for i, (x, y) in enumerate(zip(xs, ys, strict=False)):
        t = type(x)
        if t is not type(y):
            return _insn_difference(i, x, y, la, lb)
        if t is Insn:
            op = x.op
            if op != y.op and not (op in ("ldc", "ldc_w") and y.op in ("ldc", "ldc_w")):
                return _insn_difference(i, x, y, la, lb)
            # Labels compare by position, so only instructions without any compare by value.
            if (op in label_ops or x.args != y.args) and _insn_key(x, la) != _insn_key(y, lb):
                return _insn_difference(i, x, y, la, lb)
        elif x.line != y.line:
            return _insn_difference(i, x, y, la, lb)
    if len(xs) != len(ys):
        return f"instruction count {len(xs)} != {len(ys)}"
    if not (ca.handlers or cb.handlers or ca.locals or cb.locals or ca.attributes or cb.attributes):
        return None
    ta, tb = _tables(ca, la), _tables(cb, lb)
    if ta != tb:
        return f"part 3: {str(((), *ta))[:300]} != {str(((), *tb))[:300]}"
    return None


def _insn_difference(
    i: int, x: object, y: object, la: dict[m.Label, int], lb: dict[m.Label, int]
) -> str:
    def key(e: Any, labels: dict[m.Label, int]) -> tuple:
        return _insn_key(e, labels) if type(e) is m.Insn else ("line", e.line)

    return f"instruction {i}: {key(x, la)!r} != {key(y, lb)!r}"
