"""The broken-class corpus: each file in ``fixtures/broken-classes`` must fail to read.

Every ``NAME.class`` there is a valid seed with one deliberate corruption, made
by ``make.py``; ``NAME.err`` holds a substring of the one diagnostic that
``read_class`` must raise.  Regenerate with ``python fixtures/broken-classes/make.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from jbgen.asm.reader import read_class
from jbgen.errors import ClassFormatError

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "broken-classes"
CASES = sorted(CORPUS.glob("*.class"))


def _generator() -> ModuleType:
    name = "broken_classes_make"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, CORPUS / "make.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it runs
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_broken_class_is_refused_with_its_message(path: Path) -> None:
    expected = path.with_suffix(".err").read_text(encoding="utf-8").strip()
    with pytest.raises(ClassFormatError) as info:
        read_class(path.read_bytes(), path.name)
    (diag,) = info.value.diagnostics
    assert expected in diag.message
    assert diag.location is not None and diag.location.path == path.name
    assert diag.location.line is None
    assert not diag.message.startswith("malformed class file"), (
        "a specific message, not the fallback"
    )


def test_every_case_has_an_expectation() -> None:
    assert len(CASES) >= 40
    errs = sorted(CORPUS.glob("*.err"))
    assert [p.stem for p in errs] == [p.stem for p in CASES]
    assert all(p.read_text(encoding="utf-8").strip() for p in errs)


@pytest.mark.parametrize("path", sorted((CORPUS / "seeds").glob("*.class")), ids=lambda p: p.stem)
def test_seeds_are_valid(path: Path) -> None:
    read_class(path.read_bytes(), path.name)


def test_files_match_the_generator() -> None:
    """The committed files are what make.py writes (run it after changing it)."""
    files = _generator().generate()
    on_disk = {
        str(p.relative_to(CORPUS)): p.read_bytes()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".class", ".err")
    }
    assert sorted(on_disk) == sorted(files)
    stale = [name for name, content in files.items() if on_disk[name] != content]
    assert stale == []
