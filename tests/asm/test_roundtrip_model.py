"""Round trip of real classes through the model: read -> assemble -> read, and verify.

For every class of a java.base sample (all of java.base when ``-m slow``):
``read_class`` gives a ClassDef, ``assemble`` writes it with the JDK, the
bytes are read again and must give the same ClassDef, and
``ClassFile.verify`` must find nothing.

"The same" is compared on a canonical form: labels are compared by identity in
the model, so each label is replaced by its index of appearance; max
stack/locals are recomputed by the JDK and ignored; ``bci`` and ``line`` are
not part of a model's value.  One JDK choice is allowed: an ``ldc_w`` whose
constant lands below pool index 256 is written as ``ldc`` (the JDK picks the
form from the index, and our pool is more compact than javac's).  The reverse,
an ``ldc`` widened to ``ldc_w``, is a failure.
"""

from __future__ import annotations

import gc
import time
from collections import Counter

import pytest

from jbgen.asm import model as m
from tests.conftest import java_base_classes, java_base_sample

pytestmark = pytest.mark.usefixtures("jvm")


# --------------------------------------------------------------------------- canonical form


def _value(v: object, labels: dict[m.Label, int]) -> object:
    if type(v) is m.Label:
        return ("label", labels.get(v, "unplaced"))
    if isinstance(v, (tuple, list)):
        return tuple(_value(x, labels) for x in v)
    if isinstance(v, m.TypeAnnotation):
        return ("ta", v.target_type, _value(v.target_info, labels), v.type_path, v.annotation)
    if isinstance(v, m.Attribute):
        return (v.name, _value(v.value, labels))
    if isinstance(v, m.RecordComponent):
        return (v.name, v.descriptor, _value(v.attributes, labels))
    return v


def _code(code: m.Code | None) -> object:
    if code is None:
        return None
    labels: dict[m.Label, int] = {}
    for e in code.elements:
        if type(e) is m.Label:
            labels.setdefault(e, len(labels))
    elements = []
    for e in code.elements:
        if type(e) is m.Insn:
            op = "ldc" if e.op == "ldc_w" else e.op
            elements.append((op, _value(e.args, labels)))
        elif type(e) is m.Label:
            elements.append(("label", labels[e]))
        else:
            elements.append(("line", e.line))  # type: ignore[union-attr]
    return (
        tuple(elements),
        tuple(_value((h.start, h.end, h.handler), labels) + (h.catch_type,) for h in code.handlers),
        tuple(
            (lv.slot, lv.name, lv.descriptor, _value((lv.start, lv.end), labels), lv.signature)
            for lv in code.locals
        ),
        _value(code.attributes, labels),
    )


def canonical(cls: m.ClassDef) -> tuple:
    """A comparable value: labels by index of appearance, no max stack/locals, ldc_w as ldc."""
    return (
        cls.name,
        cls.flags,
        cls.super_name,
        tuple(cls.interfaces),
        cls.major,
        cls.minor,
        tuple((f.flags, f.name, f.descriptor, _value(f.attributes, {})) for f in cls.fields),
        tuple(
            (md.flags, md.name, md.descriptor, _code(md.code), _value(md.attributes, {}))
            for md in cls.methods
        ),
        _value(cls.attributes, {}),
    )


def widened_ldc(before: m.ClassDef, after: m.ClassDef) -> str | None:
    """The first ``ldc`` that came back as ``ldc_w`` (the code is otherwise equal)."""
    for mb, ma in zip(before.methods, after.methods, strict=True):
        if mb.code is None or ma.code is None:
            continue
        ib = [e for e in mb.code.elements if type(e) is m.Insn]
        ia = [e for e in ma.code.elements if type(e) is m.Insn]
        for x, y in zip(ib, ia, strict=True):
            if x.op == "ldc" and y.op == "ldc_w":
                return f"{mb.name}{mb.descriptor}: ldc {x.args[0]!r} became ldc_w"
    return None


def first_difference(a: tuple, b: tuple) -> str:
    """Where two canonical forms differ, briefly."""
    parts = ("name", "flags", "super", "interfaces", "major", "minor", "fields", "methods")
    for name, x, y in zip((*parts, "attributes"), a, b, strict=True):
        if x == y:
            continue
        if name == "methods":
            for mx, my in zip(x, y, strict=False):
                if mx != my and mx[3] != my[3]:
                    for i, (ex, ey) in enumerate(zip(mx[3][0], my[3][0], strict=False)):
                        if ex != ey:
                            return f"{mx[1]}{mx[2]} element {i}: {ex} != {ey}"
                    return f"{mx[1]}{mx[2]} code: {str(mx[3])[:200]} != {str(my[3])[:200]}"
                if mx != my:
                    return f"{mx[1]}{mx[2]}: {str(mx)[:200]} != {str(my)[:200]}"
            return f"method count {len(x)} != {len(y)}"
        return f"{name}: {str(x)[:200]} != {str(y)[:200]}"
    return "equal"


# --------------------------------------------------------------------------- the round trip


def round_trip(items: list[tuple[str, bytes]]) -> tuple[Counter, dict[str, str], dict[str, float]]:
    """Read, assemble, verify and re-read every class; failures by kind, an example of each.

    The times returned are of this thread's CPU (``time.thread_time``: the
    JDK work done through JPype runs on it too), so they do not depend on
    what else the machine runs; ``wall`` is the elapsed time of the three.
    """
    from jbgen.asm._jdk import jdk
    from jbgen.asm.assemble import assemble
    from jbgen.asm.reader import read_class
    from jbgen.errors import AssemblyError

    J = jdk()
    cf = J.ClassFile.of()
    failures: Counter = Counter()
    examples: dict[str, str] = {}
    times = {"read": 0.0, "assemble": 0.0, "verify": 0.0, "wall": 0.0}
    clock = time.thread_time

    def fail(kind: str, path: str, detail: str) -> None:
        failures[kind] += 1
        examples.setdefault(kind, f"{path}: {detail}")

    # The model of a class is thousands of small objects; with thousands of
    # classes alive the cyclic collector would traverse them again and again.
    gc.disable()
    try:
        for path, data in items:
            w0 = time.perf_counter()
            t0 = clock()
            before = read_class(data, path)
            t1 = clock()
            try:
                out = assemble(before, path=path)
            except AssemblyError as exc:
                fail("assemble", path, exc.render())
                continue
            t2 = clock()
            errors = list(cf.verify(J.JArray(J.JByte)(out)))
            t3 = clock()
            times["wall"] += time.perf_counter() - w0
            times["read"] += t1 - t0
            times["assemble"] += t2 - t1
            times["verify"] += t3 - t2
            if errors:
                fail("verify", path, str(errors[0].getMessage()))
            after = read_class(out, path)
            a, b = canonical(before), canonical(after)
            if a != b:
                fail("model differs", path, first_difference(a, b))
            elif (w := widened_ldc(before, after)) is not None:
                fail("ldc widened", path, w)
    finally:
        gc.enable()
    return failures, examples, times


def report(failures: Counter, examples: dict[str, str]) -> str:
    return "\n".join(f"{n} x {kind}, e.g. {examples[kind]}" for kind, n in failures.items())


def test_java_base_sample_round_trips():
    """Every 25th class of java.base (sorted by path): ~300 classes."""
    pytest.importorskip("jbgen.asm.reader")
    sample = java_base_sample(25)
    assert len(sample) > 250
    failures, examples, _ = round_trip(sample)
    assert not failures, report(failures, examples)


@pytest.mark.slow
def test_all_of_java_base_round_trips():
    """All 7392 classes: no failure, and read + assemble + verify well under 30 s of CPU."""
    pytest.importorskip("jbgen.asm.reader")
    items = java_base_classes()
    failures, examples, times = round_trip(items)
    cpu = times["read"] + times["assemble"] + times["verify"]
    figures = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
    rate = len(items) / times["assemble"]
    print(f"\njava.base: {len(items)} classes, {figures}; assembled {rate:.0f} classes/s")
    assert not failures, report(failures, examples)
    assert cpu < 25, f"read + assemble + verify of java.base took {cpu:.1f} s of CPU ({figures})"
