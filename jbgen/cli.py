"""The ``jbgen`` command line: parse options, call :mod:`jbgen.api`, render, exit.

This is the one place where exceptions become exit codes: a
:class:`~jbgen.errors.JbgenError` is rendered to stderr as
``file:line:col: error: message`` blocks and exits with its code; anything
else is an internal error (exit 70) with a "please report" line, and a Python
traceback only with ``-v``.  Data goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Sequence

import click

from jbgen import __version__
from jbgen.errors import Diagnostic, JbgenError, UsageError

EXIT_INTERNAL = 70


def _classpath(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(p for p in v.split(os.pathsep) if p)
    for p in out:
        if not os.path.exists(p):
            raise UsageError(f"--classpath: {p}: no such file or folder")
    return out


def _emit_diags(diags: Sequence[Diagnostic]) -> None:
    for d in diags:
        click.echo(d.render(), err=True)


class _Group(click.Group):
    """Turns jbgen's exceptions into exit codes (click's own usage errors keep theirs)."""

    def invoke(self, ctx: click.Context) -> object:
        verbose = bool(ctx.params.get("verbose"))
        try:
            return super().invoke(ctx)
        except JbgenError as exc:
            click.echo(exc.render(), err=True)
            if verbose:
                traceback.print_exc()
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # `jbgen disasm x.jar | head`: the reader went away; that is not an error.
            sys.stderr.close()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001  (the one place that catches everything)
            click.echo(f"jbgen: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("please report this at the jbgen issue tracker, with the command and input", err=True)
            if verbose:
                traceback.print_exc()
            else:
                click.echo("(run with -v for the Python traceback)", err=True)
            ctx.exit(EXIT_INTERNAL)
        return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jbgen")
@click.option("-v", "--verbose", is_flag=True, help="Show Python tracebacks for errors.")
def main(verbose: bool) -> None:
    """jbgen: JVM class files from contracts, assembled, verified and tested."""


# ----------------------------------------------------------------------------- asm


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default=".", show_default=True,
              help="Folder for the class files (under their package path); `-` writes one class to stdout.")
@click.option("--classpath", "-cp", multiple=True, help="Jars and folders for the class hierarchy (os.pathsep-separated).")
def asm(files: tuple[str, ...], out_dir: str, classpath: tuple[str, ...]) -> None:
    """Assemble .jbasm files (`-` reads stdin) into class files."""
    from jbgen import api
    from jbgen.errors import AssemblyError
    from jbgen.output import atomic_write, class_path

    cp = _classpath(classpath)
    results = []
    errors: list[Diagnostic] = []
    for f in files:
        text = api.read_text(f)
        try:
            results.extend(api.assemble_text(text, "<stdin>" if f == "-" else f, cp))
        except AssemblyError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise AssemblyError(f"{len(errors)} error(s)", errors)
    for r in results:
        _emit_diags(r.warnings)
    if out_dir == "-":
        if len(results) != 1:
            raise UsageError(f"-o - writes one class to stdout, but the input holds {len(results)}")
        sys.stdout.buffer.write(results[0].data)
        sys.stdout.buffer.flush()
        return
    for r in results:
        atomic_write(class_path(out_dir, r.cls.name), r.data)


# ----------------------------------------------------------------------------- disasm


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default=None,
              help="Write one .jbasm per class into this folder (under its package path) instead of stdout.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes (0: one per core); the output is the same for every value.")
@click.option("--flat", is_flag=True,
              help="One instruction per line with its typed javap mnemonic (`iload x`, `ireturn`), as for diffing.")
def disasm(inputs: tuple[str, ...], out_dir: str | None, jobs: int, flat: bool) -> None:
    """Disassemble class files, jars or folders (`-` reads stdin; `jrt:/java.base/java/lang` the JDK)."""
    from jbgen import api
    from jbgen.output import atomic_write, class_path

    if jobs == 0:
        jobs = os.cpu_count() or 1
    out = sys.stdout
    first = True
    failures: list[JbgenError] = []
    for d in api.disassemble_all(api.iter_classes(inputs), jobs, flat=flat):
        if d.error is not None:
            failures.append(d.error)
            click.echo(d.error.render(), err=True)
            continue
        assert d.name is not None and d.text is not None
        if out_dir is not None:
            atomic_write(class_path(out_dir, d.name, ".jbasm"), d.text)
            continue
        if not first:
            out.write("\n")
        first = False
        out.write(f"// {d.display}\n")
        out.write(d.text)
    out.flush()
    if failures:
        sys.exit(failures[0].exit_code)


# ----------------------------------------------------------------------------- verify


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--classpath", "-cp", multiple=True, help="Jars and folders the classes need (os.pathsep-separated).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--no-link", is_flag=True, help="Skip HotSpot link-time verification.")
@click.option("--policy", "with_policy", is_flag=True,
              help="Also check every API the classes use against the default policy (pure computation).")
def verify(inputs: tuple[str, ...], classpath: tuple[str, ...], as_json: bool, no_link: bool, with_policy: bool) -> None:
    """Verify class files, jars, folders or .jbasm files: structure, ClassFile.verify, HotSpot link.

    With --policy, also the policy check (the Policy section of docs/contracts.md).
    Exit 0 when every class passes every check, 3 when any fails.
    """
    from jbgen import api

    policy = None
    if with_policy:
        from jbgen.check.policy import Policy

        policy = Policy()
    reports = api.verify_paths(inputs, _classpath(classpath), link=not no_link, policy=policy)
    bad = [r for r in reports if not r.ok]
    if as_json:
        doc = {"ok": not bad, "classes": [r.to_json() for r in reports],
               "summary": {"classes": len(reports), "failed": len(bad)}}
        click.echo(json.dumps(doc, indent=2))
    else:
        for r in reports:
            name = r.name.replace("/", ".") if r.name else r.display
            checks = ", ".join(f"{k} {v}" for k, v in r.checks.items())
            if r.ok:
                click.echo(f"ok      {name} ({checks})")
            else:
                click.echo(f"FAILED  {name} ({checks})")
                _emit_diags(r.diagnostics)
        click.echo(f"{len(reports) - len(bad)} passed, {len(bad)} failed", err=True)
    if bad:
        sys.exit(3)


# ----------------------------------------------------------------------------- test


@main.command("test")
@click.argument("contract")
@click.option("--class", "class_path", required=True, metavar="PATH|JBASM",
              help="The class under test: a .jbasm (assembled first), a .class, a jar or a folder.")
@click.option("--classpath", "-cp", multiple=True, help="Jars and folders the contract and class need (os.pathsep-separated).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (shape: docs/contracts.md).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice; the same seed gives the same report.")
@click.option("--max-examples", type=click.IntRange(min=1), default=None,
              help="Random inputs per method and stateful sequences (default: the contract's policy.max_examples).")
def test(contract: str, class_path: str, classpath: tuple[str, ...], as_json: bool, seed: int,
         max_examples: int | None) -> None:
    """Test a class against a contract: policy, verification, then examples, properties, oracle, stateful model.

    Exit 0 when everything passes, 3 when the policy check, verification or
    the class's shape refuses it, 4 when a test fails.
    """
    from jbgen.contract import load_contract
    from jbgen.testing import TestOptions, check_and_test
    from jbgen.testing import report as rep

    cp = _classpath(classpath)
    loaded = load_contract(contract, cp)
    verdict = check_and_test(loaded, class_path, classpath=cp,
                             options=TestOptions(seed=seed, max_examples=max_examples))
    if as_json:
        click.echo(json.dumps(rep.to_json(verdict), indent=2))
    else:
        click.echo(rep.render_text(verdict))
        _emit_diags(rep.diagnostics(verdict))
    if verdict.exit_code:
        sys.exit(verdict.exit_code)


# ----------------------------------------------------------------------------- build


@main.command()
@click.argument("inputs", nargs=-1, metavar="[CONTRACT|DIR|-]...")
@click.option("-o", "--out", "out_dir", default="build", show_default=True,
              help="Output folder: classes under their package path, .jbasm, reports, jbgen.lock, provenance.")
@click.option("--jar", "jar", default=None, metavar="FILE", help="Also write the classes as a byte-reproducible jar.")
@click.option("--classpath", "-cp", multiple=True, help="Jars and folders the contracts and classes need (os.pathsep-separated).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Contracts built in parallel (0: one per core).")
@click.option("--synth", type=click.Choice(["auto", "claude", "search", "replay"]), default="auto", show_default=True,
              help="auto: claude when ANTHROPIC_API_KEY is set, else the offline search.")
@click.option("--record", default=None, metavar="DIR", help="Record every synthesizer call into DIR.")
@click.option("--replay", default=None, metavar="DIR",
              help="Recorded sessions: the synthesizer with --synth replay, else the fallback for unsolved contracts.")
@click.option("--model", default=None, metavar="M", help="The model (claude; default: JBGEN_MODEL, then jbgen's default).")
@click.option("--locked", is_flag=True, help="Never synthesize; exit 5 when anything is stale; re-verify and re-test.")
@click.option("--check", is_flag=True, help="Write nothing; report drift from jbgen.lock; exit 5 when there is any.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (shape: docs/build.md).")
@click.option("--max-rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Proposals per contract and synthesizer (the first and the repairs).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=200_000, show_default=True,
              help="Token budget per contract (input, output and cached, over all its rounds).")
@click.option("--search-time", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds the search synthesizer may spend on one contract.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the contract tests.")
@click.option("--max-examples", type=click.IntRange(min=1), default=None,
              help="Random inputs per method in the tests (default: each contract's policy.max_examples).")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when stderr is a terminal).")
def build(inputs: tuple[str, ...], out_dir: str, jar: str | None, classpath: tuple[str, ...], jobs: int, synth: str,
          record: str | None, replay: str | None, model: str | None, locked: bool, check: bool, as_json: bool,
          max_rounds: int, max_tokens: int, search_time: float, seed: int, max_examples: int | None,
          progress: bool | None) -> None:
    """Synthesize, verify and test classes from contracts (default: the contracts/ folder).

    Writes each class under its package path in --out with its .jbasm and a
    report beside it, then provenance.intoto.json, report.md and jbgen.lock
    (last).  An unchanged contract whose locked artifact is intact is only
    re-verified and re-tested.  Exit 0 when every contract is built, 2 when a
    contract does not load, 5 when --locked or --check finds something stale,
    6 when a contract could not be synthesized (the others are still written).
    """
    from jbgen.build import BuildOptions
    from jbgen.build import build as run_build
    from jbgen.build.driver import describe

    if locked and check:
        raise UsageError("--locked and --check exclude each other")
    if jobs == 0:
        jobs = os.cpu_count() or 1
    opts = BuildOptions(
        out_dir=out_dir, jar=jar, classpath=tuple(_classpath(classpath)), jobs=jobs, synth=synth, record=record,
        replay=replay, model=model, mode="locked" if locked else "check" if check else "build",
        max_rounds=max_rounds, max_tokens=max_tokens, search_time=search_time, seed=seed, max_examples=max_examples,
    )
    show = sys.stderr.isatty() if progress is None else progress

    def sink(msg: str) -> None:
        click.echo(msg, err=True)
    result = run_build(list(inputs) or ["contracts"], opts, progress=sink if show else None)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        for o in result.outcomes:
            click.echo(describe(o))
            _emit_diags(o.diagnostics)
            if o.status == "error" and o.evaluation is not None:
                click.echo(o.evaluation.report, err=True)
        parts = [f"{result.count(s)} {s}" for s in ("built", "verified", "up-to-date", "stale", "failed", "error")
                 if result.count(s)]
        where = f"; wrote {out_dir}" + (f" and {jar}" if result.jar else "") if result.written else ""
        click.echo(f"{', '.join(parts)} in {result.seconds:.1f} s{where}", err=True)
    if result.exit_code:
        sys.exit(result.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
