"""``first_difference`` decides exactly what ``canonical`` defines, on real classes and edits of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jbgen.asm import model as m
from jbgen.asm.equality import canonical, first_difference, same_class
from jbgen.asm.reader import read_class
from tests.conftest import java_base_sample

pytestmark = pytest.mark.usefixtures("jvm")


def _with_code(cls: m.ClassDef) -> list[m.MethodDef]:
    return [md for md in cls.methods if md.code is not None and md.code.elements]


def _first(md: m.MethodDef, pred: Callable[[m.Insn], bool]) -> int | None:
    assert md.code is not None
    for i, e in enumerate(md.code.elements):
        if type(e) is m.Insn and pred(e):
            return i
    return None


# Each edit changes the second read of a class in place; it returns False when it
# does not apply to that class.  Whether the edit matters is canonical's call.


def _edit_op(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        i = _first(md, lambda e: e.op == "aload_0")
        if i is not None:
            md.code.elements[i].op = "aload_1"  # type: ignore[union-attr]
            return True
    return False


def _move_label(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        els = md.code.elements  # type: ignore[union-attr]
        for i in range(len(els) - 1):
            if type(els[i]) is m.Label and type(els[i + 1]) is m.Insn:
                els[i], els[i + 1] = els[i + 1], els[i]
                return True
    return False


def _widen_ldc(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        i = _first(md, lambda e: e.op == "ldc")
        if i is not None:
            md.code.elements[i].op = "ldc_w"  # type: ignore[union-attr]
            return True
    return False


def _reverse_attributes(cls: m.ClassDef) -> bool:
    if len(cls.attributes) < 2:
        return False
    cls.attributes.reverse()
    return True


def _list_attribute(cls: m.ClassDef) -> bool:
    for a in cls.attributes:
        if isinstance(a.value, tuple):
            a.value = list(a.value)
            return True
    return False


def _reverse_locals(cls: m.ClassDef) -> bool:
    # java.base has no LocalVariableTable: give a method two entries, in the
    # opposite order of the ones _add_locals gives the first read.
    md = _with_code(cls)[0] if _with_code(cls) else None
    if md is None:
        return False
    _add_locals(md, reverse=True)
    return True


def _add_locals(md: m.MethodDef, reverse: bool = False) -> None:
    code = md.code
    assert code is not None
    labels = [e for e in code.elements if type(e) is m.Label]
    if not labels:
        labels = [m.Label("S")]
        code.elements.insert(0, labels[0])
    entries = [
        m.LocalVar(0, "a", "I", labels[0], labels[-1]),
        m.LocalVar(1, "b", "J", labels[0], labels[-1]),
    ]
    code.locals.extend(reversed(entries) if reverse else entries)


def _edit_handler(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        if md.code.handlers:  # type: ignore[union-attr]
            h = md.code.handlers[0]  # type: ignore[union-attr]
            h.catch_type = "java/lang/Error" if h.catch_type != "java/lang/Error" else None
            return True
    return False


def _edit_line(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        els = md.code.elements  # type: ignore[union-attr]
        for e in els:
            if type(e) is m.LineNumber:
                e.line += 1
                return True
        els.insert(1, m.LineNumber(7))  # java.base has no LineNumberTable
        return True
    return False


def _retarget_branch(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        els = md.code.elements  # type: ignore[union-attr]
        labels = [e for e in els if type(e) is m.Label]
        i = _first(md, lambda e: e.op == "goto")
        if i is not None and len(labels) > 1:
            target = els[i].args[0]  # type: ignore[union-attr]
            other = next(lab for lab in labels if lab is not target)
            els[i].args = (other,)  # type: ignore[union-attr]
            return True
    return False


def _edit_switch_key(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        i = _first(md, lambda e: e.op == "lookupswitch")
        if i is not None:
            e = md.code.elements[i]  # type: ignore[union-attr]
            dflt, pairs = e.args  # type: ignore[union-attr]
            e.args = (dflt, ((pairs[0][0] - 1, pairs[0][1]), *pairs[1:]))  # type: ignore[union-attr]
            return True
    return False


def _drop_method(cls: m.ClassDef) -> bool:
    if not cls.methods:
        return False
    cls.methods.pop()
    return True


def _edit_field(cls: m.ClassDef) -> bool:
    if not cls.fields:
        return False
    cls.fields[-1].flags ^= m.ACC_FINAL
    return True


def _drop_code(cls: m.ClassDef) -> bool:
    for md in _with_code(cls):
        md.code = None
        return True
    return False


EDITS = [
    _edit_op,
    _move_label,
    _widen_ldc,
    _reverse_attributes,
    _list_attribute,
    _reverse_locals,
    _edit_handler,
    _edit_line,
    _retarget_branch,
    _edit_switch_key,
    _drop_method,
    _edit_field,
    _drop_code,
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__.strip("_"))
def test_first_difference_agrees_with_canonical(edit: Callable[[m.ClassDef], bool]) -> None:
    applied = 0
    for path, data in java_base_sample(97):
        a, b = read_class(data, path), read_class(data, path)
        assert first_difference(a, b) is None
        if not edit(b):
            continue
        if edit is _reverse_locals:
            _add_locals(_with_code(a)[0])
        applied += 1
        diff = first_difference(a, b)
        assert (diff is None) == (canonical(a) == canonical(b)), (path, diff)
        assert same_class(a, b) == (diff is None)
    assert applied, "the edit applied to no class of the sample"


def test_messages_name_the_place() -> None:
    path, data = next((p, d) for p, d in java_base_sample(97) if _with_code(read_class(d, p)))
    a, b = read_class(data, path), read_class(data, path)
    assert _edit_op(b)
    diff = first_difference(a, b)
    assert diff is not None and ": instruction " in diff and "'aload_1'" in diff
    b = read_class(data, path)
    b.methods.pop()
    assert first_difference(a, b) == f"method count {len(a.methods)} != {len(b.methods)}"
    b = read_class(data, path)
    b.major += 1
    assert first_difference(a, b) == f"major: {a.major} != {b.major}"
