"""Checks of the Python a contract contains: expressions, oracle functions, stateful models.

Each check compiles the text (without running it) and looks at its syntax
tree; problems come back as :class:`SnippetProblem` values with a line and
column *inside the snippet*, which the loader maps to the contract file.

Must not import a JVM.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import textwrap
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jbgen.contract.values import EXPR_GLOBALS

__all__ = ["ModelInfo", "SnippetProblem", "check_expression", "check_function", "check_model", "is_expression"]

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class SnippetProblem:
    """A problem at a 1-based line and column of the snippet's text."""

    message: str
    line: int = 1
    col: int = 1
    length: int = 1


def _syntax_problem(exc: SyntaxError, what: str) -> SnippetProblem:
    line = exc.lineno or 1
    col = exc.offset or 1
    length = 1
    if exc.end_lineno == exc.lineno and exc.end_offset and exc.end_offset > col:
        length = exc.end_offset - col
    msg = exc.msg
    return SnippetProblem(f"{what} is not valid Python: {msg}", line, max(col, 1), length)


def _parse(source: str, mode: str, what: str) -> ast.AST | SnippetProblem:
    if not source.strip():
        return SnippetProblem(f"{what} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode=mode)
            # ast.parse accepts a few things compile() refuses (`nonlocal` at top level ...).
            compile(source, "<contract>", mode, dont_inherit=True)
    except SyntaxError as exc:
        return _syntax_problem(exc, what)
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return SnippetProblem(f"{what} cannot be compiled: {exc}")
    return tree


def is_expression(source: str) -> bool:
    """True when ``source`` compiles as a single Python expression."""
    return not isinstance(_parse(source, "eval", "it"), SnippetProblem)


def check_expression(source: str, names: Iterable[str], what: str, hints: Mapping[str, str] | None = None) -> list[SnippetProblem]:
    """Problems of an expression whose free names must be ``names``, EXPR_GLOBALS or builtins.

    ``hints`` maps a name that is known but not allowed here (``result`` in an
    ``assume``) to the reason.
    """
    tree = _parse(source, "eval", what)
    if isinstance(tree, SnippetProblem):
        return [tree]
    allowed = set(names) | set(EXPR_GLOBALS) | _BUILTINS
    bound = _bound_names(tree)
    problems = []
    seen: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            n = node.id
            if n in allowed or n in bound or n in seen:
                continue
            seen.add(n)
            if hints and n in hints:
                msg = hints[n]
            else:
                msg = f"{what} uses an unknown name `{n}`"
                close = difflib.get_close_matches(n, sorted(set(names) | set(EXPR_GLOBALS)), n=1, cutoff=0.7)
                if close:
                    msg += f"; did you mean `{close[0]}`?"
                else:
                    known = ", ".join(f"`{x}`" for x in names)
                    msg += f" (known: {known})" if known else ""
            problems.append(SnippetProblem(msg, node.lineno, node.col_offset + 1, len(n)))
    return problems


def _bound_names(tree: ast.AST) -> set[str]:
    """Names an expression binds itself: comprehension targets, lambda parameters, walrus targets."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound


def check_function(source: str, nparams: int, preferred: Iterable[str], what: str) -> tuple[str | None, list[SnippetProblem]]:
    """An oracle given as function source: (the function to call, problems).

    The function is the top-level ``def`` named first in ``preferred`` that exists
    (``oracle``, then the Java method's name), else the only top-level ``def``.
    It must accept exactly ``nparams`` positional arguments.
    """
    tree = _parse(source, "exec", what)
    if isinstance(tree, SnippetProblem):
        return None, [tree]
    assert isinstance(tree, ast.Module)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not defs:
        return None, [SnippetProblem(f"{what} defines no function (write `def oracle(...): ...` or an expression)")]
    by_name = {d.name: d for d in defs}
    chosen = next((by_name[p] for p in preferred if p in by_name), None)
    if chosen is None:
        if len(defs) > 1:
            names = ", ".join(f"`{d.name}`" for d in defs)
            return None, [SnippetProblem(f"{what} defines several functions ({names}): name the one to call `oracle`")]
        chosen = defs[0]
    problem = _arity_problem(chosen.args, nparams, skip_self=False)
    if problem:
        return chosen.name, [SnippetProblem(f"{what} function `{chosen.name}` {problem}", chosen.lineno, chosen.col_offset + 1, 3)]
    return chosen.name, []


def _arity_problem(args: ast.arguments, nparams: int, skip_self: bool) -> str | None:
    """Why ``args`` cannot take ``nparams`` positional arguments (None if it can)."""
    positional = [*args.posonlyargs, *args.args]
    if skip_self:
        if not positional:
            return "takes no `self`"
        positional = positional[1:]
    required = len(positional) - len(args.defaults)
    required_kw = [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if required_kw:
        return f"has keyword-only parameters without defaults (`{required_kw[0].arg}`)"
    if args.vararg is not None:
        return None if required <= nparams else f"needs at least {required} arguments, the Java method takes {nparams}"
    if required <= nparams <= len(positional):
        return None
    takes = f"{required}" if required == len(positional) else f"{required} to {len(positional)}"
    return f"takes {takes} arguments, the Java method takes {nparams}"


@dataclass(frozen=True)
class ModelInfo:
    """What the checks learned from a stateful model: its class and its public methods."""

    class_name: str
    methods: tuple[str, ...]


def check_model(
    source: str, class_name: str | None, instance_methods: Mapping[str, set[int]], what: str = "the model"
) -> tuple[ModelInfo | None, list[SnippetProblem]]:
    """Check a stateful model's source against the contract's instance methods.

    ``instance_methods`` maps each Java instance method name to its possible
    parameter counts (several for overloads).  Every public method of the model
    class (no leading ``_``) must mirror one of them; ``__init__`` must take no
    argument besides ``self``.
    """
    tree = _parse(source, "exec", what)
    if isinstance(tree, SnippetProblem):
        return None, [tree]
    assert isinstance(tree, ast.Module)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    if class_name is not None:
        chosen = next((c for c in classes if c.name == class_name), None)
        if chosen is None:
            msg = f"{what} defines no class `{class_name}`"
            close = difflib.get_close_matches(class_name, [c.name for c in classes], n=1, cutoff=0.6)
            if close:
                msg += f"; did you mean `{close[0]}`?"
            return None, [SnippetProblem(msg)]
    elif not classes:
        return None, [SnippetProblem(f"{what} defines no class (write `class Model: ...`)")]
    elif len(classes) > 1:
        names = ", ".join(f"`{c.name}`" for c in classes)
        return None, [SnippetProblem(f"{what} defines several classes ({names}): choose one with `model_class`")]
    else:
        chosen = classes[0]
    problems: list[SnippetProblem] = []
    methods: list[str] = []
    for node in chosen.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        at = (node.lineno, node.col_offset + 1, len("def"))
        if node.name == "__init__":
            p = _arity_problem(node.args, 0, skip_self=True)
            if p:
                problems.append(SnippetProblem(f"{what}'s `__init__` {p} (a model starts from no arguments)", *at))
            continue
        if node.name.startswith("_") or _is_static_or_class(node):
            continue
        counts = instance_methods.get(node.name)
        if counts is None:
            msg = f"{what} method `{node.name}` mirrors no instance method of the contract"
            close = difflib.get_close_matches(node.name, sorted(instance_methods), n=1, cutoff=0.6)
            if close:
                msg += f"; did you mean `{close[0]}`?"
            elif instance_methods:
                msg += f" ({', '.join(f'`{n}`' for n in sorted(instance_methods))}; prefix helpers with `_`)"
            else:
                msg += " (it has none)"
            problems.append(SnippetProblem(msg, *at))
            continue
        reasons = [_arity_problem(node.args, n, skip_self=True) for n in sorted(counts)]
        if all(reasons):
            problems.append(SnippetProblem(f"{what} method `{node.name}` {reasons[0]}", *at))
        methods.append(node.name)
    return ModelInfo(chosen.name, tuple(methods)), problems


def _is_static_or_class(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in node.decorator_list)


def dedent(source: str) -> tuple[str, int]:
    """``textwrap.dedent`` and the number of columns removed from the first indented line."""
    out = textwrap.dedent(source)
    for a, b in zip(source.splitlines(), out.splitlines(), strict=False):
        if b.strip():
            return out, len(a) - len(b)
    return out, 0
