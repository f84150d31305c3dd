"""Contract tests: examples, properties, oracle and stateful model, run in a sandbox, judged in Python.

Owns ``jbgen test``'s library side:

* :func:`check_and_test` (:mod:`.pipeline`): policy, verification, conformance,
  HotSpot link, then the tests, for a ``.jbasm``, ``.class``, jar or folder;
  returns a :class:`Verdict` (exit code 0, 3 or 4);
* :func:`run_contract_tests` (:mod:`.engine`): the tests alone, given a
  linked :class:`jbgen.sandbox.Session`; returns a :class:`TestReport`;
* :mod:`.generate` (inputs from Java types: boundary values, the class's
  constants from :mod:`.constants`, fast seeded batches, Hypothesis
  strategies), :mod:`.shrink` (Hypothesis's shrinker, started from a failing
  input a batch found), :mod:`.stateful` (a ``RuleBasedStateMachine`` over
  the contract's model), :mod:`.checks` (judging one call, Java-style
  messages), :mod:`.report` (text and JSON).

Values are returned, never printed.  Generated code runs only in the
sandbox; the jbgen process evaluates the contract's Python (properties,
oracle, model) and reads the JDK's exception classes from its own JVM.

Imports ``jbgen.contract``, ``jbgen.sandbox``, ``jbgen.check`` and
``jbgen.asm``; nothing here imports ``jbgen.cli`` or ``jbgen.api``'s callers.
"""

from __future__ import annotations

from jbgen.testing.engine import run_contract_tests
from jbgen.testing.model import CheckResult, Failure, TestOptions, TestReport
from jbgen.testing.pipeline import Verdict, check_and_test

__all__ = [
    "CheckResult",
    "Failure",
    "TestOptions",
    "TestReport",
    "Verdict",
    "run_contract_tests",
    "check_and_test",
]
