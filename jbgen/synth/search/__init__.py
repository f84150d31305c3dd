"""Offline search synthesizer: bottom-up enumeration of small pure methods, as jbgen assembly.

Owns the search (``enumerator``, ``unify``, ``loops``, ``cegis``), its
evaluators (``ops`` vectorized with numpy, ``semantics`` scalar), its own
problem type (``problem``) and the lowering to assembly text (``lower``).
Must import without starting a JVM and must not import ``jbgen.asm``'s
assembler, ``jbgen.check`` or ``jbgen.sandbox``: the caller assembles, verifies
and re-checks the answer in the real JVM.

    >>> from jbgen.synth.search import JType, Param, reference_problem, synthesize
    >>> p = reference_problem("max", [Param("a", JType.INT), Param("b", JType.INT)], JType.INT, max)
    >>> r = synthesize(p)
    >>> str(r.program)
    'Math.max(a, b)'
"""

from __future__ import annotations

from jbgen.synth.search.cegis import SearchOptions, SearchResult, SearchStats, synthesize
from jbgen.synth.search.checker import ReferenceChecker, generate_inputs, reference_problem
from jbgen.synth.search.lower import class_text
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem
from jbgen.synth.search.program import Loop, Program, Term
from jbgen.synth.search.semantics import JavaArithmeticException

__all__ = [
    "THROWS",
    "Example",
    "JType",
    "JavaArithmeticException",
    "Loop",
    "Param",
    "Problem",
    "Program",
    "ReferenceChecker",
    "SearchOptions",
    "SearchResult",
    "SearchStats",
    "Term",
    "class_text",
    "generate_inputs",
    "reference_problem",
    "synthesize",
]
