"""Every ```jbasm example in the docs assembles, verifies and links."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "docs" / "assembly.md", ROOT / "README.md"]
SNIPPETS = [
    (doc.name, i, m.group(1))
    for doc in DOCS
    for i, m in enumerate(re.finditer(r"```jbasm\n(.*?)```", doc.read_text(), re.S))
]


def test_docs_have_examples() -> None:
    assert len(SNIPPETS) >= 2


@pytest.mark.parametrize(("doc", "index", "text"), SNIPPETS, ids=[f"{d}-{i}" for d, i, _ in SNIPPETS])
def test_doc_example_verifies(doc: str, index: int, text: str, jvm: None) -> None:
    from jbgen.api import assemble_text
    from jbgen.check.verify import ClassInput, verify_classes

    classes = assemble_text(text, f"{doc}#{index}")
    reports = verify_classes([ClassInput(doc, a.data) for a in classes])
    for r in reports:
        assert r.ok, [d.render() for d in r.diagnostics]
