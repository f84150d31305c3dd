"""Fuzzing the parser: whatever the text, only jbgen's own error type escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbgen.asm.parser import parse_all
from jbgen.errors import AssemblyError
from tests.conftest import FIXTURES

SEED = (FIXTURES / "jbasm" / "Everything.jbasm").read_text()
WORDS = SEED.split() + ["{", "}", "(", ")", "[", "]", ":", "=", "@", '"', "'", "\\", ".", ",", "//", "\n"]


def _parse(text: str) -> None:
    try:
        parse_all(text, "fuzz.jbasm")
    except AssemblyError as exc:
        for d in exc.diagnostics:
            assert d.message
            assert d.render()


@given(st.text(max_size=400))
@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_text(text: str) -> None:
    _parse(text)


@given(st.lists(st.sampled_from(WORDS), max_size=120).map(" ".join))
@settings(max_examples=400, derandomize=True, deadline=None)
def test_random_token_soup(text: str) -> None:
    _parse(text)


@given(st.data())
@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_valid_text(data: st.DataObject) -> None:
    text = SEED
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["delete", "insert", "replace", "dupline", "truncate"]))
        i = data.draw(st.integers(0, len(text)))
        if kind == "delete":
            j = data.draw(st.integers(i, min(len(text), i + 20)))
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + data.draw(st.sampled_from(WORDS)) + text[i:]
        elif kind == "replace":
            text = text[:i] + data.draw(st.characters()) + text[i + 1 :]
        elif kind == "dupline":
            lines = text.splitlines()
            k = data.draw(st.integers(0, max(0, len(lines) - 1)))
            lines.insert(k, lines[k] if lines else "")
            text = "\n".join(lines)
        else:
            text = text[:i]
    _parse(text)
