"""Contracts: TOML files -> frozen :class:`Contract` values, with precise errors.

Owns the contract format (``docs/contracts.md``): reading the TOML, resolving
the interfaces a class implements from the classpath or the JDK, parsing
method signatures written in Java syntax, checking examples against Java
types, and compiling the Python snippets (properties, preconditions, oracles,
stateful models).  Every problem becomes a :class:`~jbgen.errors.Diagnostic`
at ``file:line:col`` inside one :class:`~jbgen.errors.ContractError`.

Importable from anywhere and must not start a JVM at import time: JDK
interfaces (``java.util.function.IntBinaryOperator``) are read through the
embedded JDK only when a contract names one, once per process.
"""

from __future__ import annotations

from jbgen.contract.loader import find_contracts, load_contract, load_contract_text
from jbgen.contract.model import (
    AllowRule,
    Contract,
    Example,
    Expr,
    JType,
    MethodSpec,
    Oracle,
    Param,
    Policy,
    StatefulSpec,
)
from jbgen.contract.values import (
    EXPR_GLOBALS,
    CoerceError,
    Throws,
    coerce,
    same_value,
    to_java_literal,
)

__all__ = [
    "EXPR_GLOBALS",
    "AllowRule",
    "CoerceError",
    "Contract",
    "Example",
    "Expr",
    "JType",
    "MethodSpec",
    "Oracle",
    "Param",
    "Policy",
    "StatefulSpec",
    "Throws",
    "coerce",
    "find_contracts",
    "load_contract",
    "load_contract_text",
    "same_value",
    "to_java_literal",
]
