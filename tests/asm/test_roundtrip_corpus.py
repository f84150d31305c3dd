"""The corpus round trip: every java.base class survives read -> print -> parse -> assemble -> read.

The assembled bytes must read back to the same class (``first_difference`` is
None) and pass ``ClassFile.of().verify``.  The default run takes every 40th
class (a few seconds); ``-m slow`` runs the whole module (``bench/roundtrip.py``
does the same on all cores and times it).
"""

from __future__ import annotations

import functools

import pytest

from tests.conftest import java_base_classes, java_base_sample

pytestmark = pytest.mark.usefixtures("jvm")


@functools.cache
def _verifier() -> object:
    """One ClassFile for the session: a fresh one per class loses its cached class hierarchy."""
    from jbgen.asm._jdk import jdk

    return jdk().ClassFile.of()


def _roundtrip(path: str, data: bytes) -> str | None:
    """None when the class round-trips and verifies, else the stage and reason."""
    from jbgen.asm.assemble import assemble
    from jbgen.asm.equality import first_difference
    from jbgen.asm.parser import parse
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class
    from jbgen.errors import JbgenError

    cls = read_class(data, path)
    text = print_class(cls, path)
    try:
        out = assemble(parse(text, path + ".jbasm"), path=path + ".jbasm")
    except JbgenError as exc:
        return f"parse/assemble: {exc.render()}"
    diff = first_difference(cls, read_class(out, path))
    if diff is not None:
        return f"differs: {diff}"
    errors = _verifier().verify(out)  # type: ignore[attr-defined]
    if len(errors):
        return f"verify: {errors[0].getMessage()}"
    return None


def _check(classes: list[tuple[str, bytes]]) -> None:
    failures = []
    for path, data in classes:
        why = _roundtrip(path, data)
        if why is not None:
            failures.append(f"{path}: {why}")
    assert not failures, f"{len(failures)} of {len(classes)} failed:\n" + "\n".join(failures[:10])


def test_every_40th_class_of_java_base_round_trips() -> None:
    sample = java_base_sample(40)
    assert len(sample) > 150
    _check(sample)


@pytest.mark.slow
def test_all_of_java_base_round_trips() -> None:
    _check(java_base_classes())


def test_parallel_disassembly_prints_the_same_text_in_the_same_order() -> None:
    from jbgen.api import disassemble_all

    sample = java_base_sample(40)
    serial = [(d.display, d.text) for d in disassemble_all(sample, jobs=1)]
    parallel = [(d.display, d.text) for d in disassemble_all(sample, jobs=2)]
    assert parallel == serial
    assert all(text for _, text in serial)
