"""Semantic equality of classes, as the round trip defines it.

Two :class:`~jbgen.asm.model.ClassDef` values are the same class when they have
the same version, flags, names, members, instructions, exception tables and
attributes.  What may differ: label identity and names (compared by position),
attribute order, ``ldc`` versus ``ldc_w`` (the JDK picks the form its constant
pool needs), ``max_stack``/``max_locals`` (recomputed by the JDK), and where a
member came from (line, bci, parameter names for the text).

Must not import a JVM.
"""

from __future__ import annotations

from jbgen.asm import model as m


def canonical(cls: m.ClassDef) -> tuple:
    """A hashable value that is equal for semantically equal classes."""
    return (
        cls.major,
        cls.minor,
        cls.flags,
        cls.name,
        cls.super_name,
        tuple(cls.interfaces),
        tuple((f.flags, f.name, f.descriptor, _attrs(f.attributes, {})) for f in cls.fields),
        tuple(_method(meth) for meth in cls.methods),
        _attrs(cls.attributes, {}),
    )


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


def _method(meth: m.MethodDef) -> tuple:
    code = meth.code
    labels: dict[m.Label, int] = {}
    code_t: tuple | None = None
    if code is not None:
        # Labels by position: consecutive labels name one position, so they are one label.
        pos = 0
        for e in code.elements:
            if type(e) is m.Label:
                labels[e] = pos  # type: ignore[index]
            elif type(e) is m.Insn:
                pos += 1

        def lab(x: object) -> object:
            return ("label", labels.get(x, -1)) if isinstance(x, m.Label) else x  # type: ignore[arg-type]

        insns = []
        for e in code.elements:
            if type(e) is m.Insn:
                op = "ldc" if e.op == "ldc_w" else e.op  # type: ignore[union-attr]
                args = tuple(
                    tuple(lab(y) if not isinstance(y, tuple) else tuple(lab(z) for z in y) for y in a)
                    if isinstance(a, tuple)
                    else lab(a)
                    for a in e.args  # type: ignore[union-attr]
                )
                insns.append((op, args))
            elif type(e) is m.LineNumber:
                insns.append(("line", e.line))  # type: ignore[union-attr]
        code_t = (
            tuple(insns),
            tuple((lab(h.start), lab(h.end), lab(h.handler), h.catch_type) for h in code.handlers),
            tuple(
                sorted(
                    (lv.slot, lv.name, lv.descriptor, lab(lv.start), lab(lv.end), lv.signature)
                    for lv in code.locals
                )
            ),
            _attrs(code.attributes, labels),
        )
    return (meth.flags, meth.name, meth.descriptor, code_t, _attrs(meth.attributes, labels))


def same_class(a: m.ClassDef, b: m.ClassDef) -> bool:
    return canonical(a) == canonical(b)


def first_difference(a: m.ClassDef, b: m.ClassDef) -> str | None:
    """A short description of where two classes differ, or None when they are the same."""
    ca, cb = canonical(a), canonical(b)
    if ca == cb:
        return None
    names = ["major", "minor", "flags", "name", "super", "interfaces", "fields", "methods", "attributes"]
    for n, x, y in zip(names, ca, cb, strict=True):
        if x == y:
            continue
        if n == "methods":
            for mx, my in zip(x, y, strict=False):
                if mx != my:
                    where = f"method {mx[1]}{mx[2]}"
                    if mx[3] and my[3] and mx[3][0] != my[3][0]:
                        for i, (ix, iy) in enumerate(zip(mx[3][0], my[3][0], strict=False)):
                            if ix != iy:
                                return f"{where}: instruction {i}: {ix!r} != {iy!r}"
                        return f"{where}: instruction count {len(mx[3][0])} != {len(my[3][0])}"
                    for k, (px, py) in enumerate(zip(mx, my, strict=True)):
                        if px != py:
                            return f"{where}: part {k}: {str(px)[:300]} != {str(py)[:300]}"
            return f"method count {len(x)} != {len(y)}"
        return f"{n}: {str(x)[:400]} != {str(y)[:400]}"
    return "differs"
