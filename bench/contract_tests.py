"""Contract-test throughput: jbgen's engine (sandboxed, batched) against raw in-process JPype calls.

    python bench/contract_tests.py [--runs 3] [--cases 20000] [--write]

The method under test is the reference ``clamp`` (``contracts/clamp.toml``,
``fixtures/reference/Clamp.jbasm``).  In the same run, on the same inputs:

1. **examples**: the contract's method with ``--cases`` examples (args and
   expected result, from the oracle) and nothing else to check, through
   :func:`jbgen.testing.run_contract_tests` on a warm sandbox session: the
   calls cross to the worker in batches, results are judged in Python;
2. **properties**: the contract as written (two properties and the oracle)
   with ``max_examples = --cases``: inputs generated (boundary values,
   constants, a seeded random batch), run, and every case judged against
   both properties and the oracle;
3. **raw JPype**: the same class loaded in *this* process (trusted code, bench
   only: jbgen itself never runs generated code outside a sandbox worker) and
   ``Clamp.clamp(x, lo, hi)`` called through JPype once per input, alone and
   with the same comparison in Python.

Then, for every reference class in ``fixtures/reference/``: assembling, the
policy check, structure + ``ClassFile.verify``, loading into a warm worker and
HotSpot's link there, each per class.

Every figure is the median of ``--runs`` runs after a warm-up.  Figures go to
``bench/.work/results/contract_tests.json``; ``--write`` also rewrites the
``## Contract tests`` section at the end of ``bench/RESULTS.md`` (and nothing
else in it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

CONTRACT = c.ROOT / "contracts" / "clamp.toml"
REFERENCE = c.ROOT / "fixtures" / "reference"
RESULTS_MD = c.BENCH / "RESULTS.md"
HEADING = "## Contract tests"


def inputs(n: int, seed: int = 1) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        x, lo, hi = rng.randint(-1000, 1000), rng.randint(-(2**31), 2**31 - 1), rng.randint(-(2**31), 2**31 - 1)
        if lo <= hi:
            out.append((x, lo, hi))
    return out


def examples_contract(contract: object, cases: list[tuple[int, int, int]]) -> object:
    """The clamp contract with ``cases`` as examples and no properties or oracle."""
    from jbgen.contract import Example

    spec = contract.methods[0]  # type: ignore[attr-defined]
    examples = tuple(Example(a, max(a[1], min(a[0], a[2])), True, None, 0, i) for i, a in enumerate(cases))
    spec = dataclasses.replace(spec, examples=examples, properties=(), oracle=None)
    return dataclasses.replace(contract, methods=(spec,))  # type: ignore[type-var]


def load_in_process(data: bytes) -> object:
    """The reference class defined in this process's JVM (a URLClassLoader over a temp folder)."""
    from jbgen import jvm

    jvm.start()
    import jpype

    tmp = tempfile.mkdtemp(prefix="jbgen-bench-")
    dest = Path(tmp, "com", "example", "Clamp.class")
    dest.parent.mkdir(parents=True)
    dest.write_bytes(data)
    File = jpype.JClass("java.io.File")
    URL = jpype.JClass("java.net.URL")
    loader = jpype.JClass("java.net.URLClassLoader")(jpype.JArray(URL)([File(tmp).toURI().toURL()]))
    return jpype.JClass(loader.loadClass("com.example.Clamp"))


def raw_calls(cls: object, cases: list[tuple[int, int, int]], check: bool) -> float:
    clamp = cls.clamp  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    if check:
        bad = 0
        for x, lo, hi in cases:
            if int(clamp(x, lo, hi)) != max(lo, min(x, hi)):
                bad += 1
        assert bad == 0
    else:
        for x, lo, hi in cases:
            clamp(x, lo, hi)
    return time.perf_counter() - t0


def engine(contract: object, session: object, options: object) -> tuple[float, object]:
    from jbgen.testing import run_contract_tests

    t0 = time.perf_counter()
    report = run_contract_tests(contract, session, options=options)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    assert report.ok, [f.message for f in report.failures]
    return wall, report


def per_class(pool: object, runs: int) -> list[dict[str, object]]:
    """Assemble, policy, verify, session + link time of each reference class (medians)."""
    from jbgen.check.policy import check_policy
    from jbgen.check.verify import ClassInput, verify_classes
    from jbgen.contract import load_contract
    from jbgen.sandbox import Limits
    from jbgen.testing.pipeline import load_classes

    rows = []
    contracts = {load_contract(str(p)).simple_name: load_contract(str(p)) for p in sorted((c.ROOT / "contracts").glob("*.toml"))}
    for path in sorted(REFERENCE.glob("*.jbasm")):
        contract = contracts[path.stem]
        times: dict[str, list[float]] = {"assemble": [], "policy": [], "verify": [], "session": [], "link": []}
        for _ in range(runs + 1):  # the first run warms up
            t0 = time.perf_counter()
            (cut,) = load_classes(str(path))
            t1 = time.perf_counter()
            assert not check_policy(cut.cls, contract.policy, source=cut.source, path=str(path))  # type: ignore[arg-type]
            t2 = time.perf_counter()
            (rep,) = verify_classes([ClassInput(str(path), cut.data, cut.source)], link_check=False)  # type: ignore[arg-type]
            assert rep.ok
            t3 = time.perf_counter()
            session = pool.session({cut.binary_name: cut.run_data}, Limits())  # type: ignore[attr-defined]
            t4 = time.perf_counter()
            with session:
                assert not session.link()
            t5 = time.perf_counter()
            for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                v_list = times[k]
                v_list.append(v)
        rows.append({"class": cut.binary_name, "instructions": _instructions(cut.cls),
                     **{f"{k}_ms": 1000 * statistics.median(v[1:]) for k, v in times.items()}})
    return rows


def _instructions(cls: object) -> int:
    from jbgen.asm import model as m

    return sum(sum(1 for e in md.code.elements if type(e) is m.Insn)  # type: ignore[union-attr]
               for md in cls.methods if md.code is not None)  # type: ignore[attr-defined]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--write", action="store_true", help="rewrite the Contract tests section of bench/RESULTS.md")
    ap.add_argument("--render-only", action="store_true", help="no runs: render the last figures (with --write, write them)")
    args = ap.parse_args()
    if args.render_only:
        last = c.load("contract_tests")
        if last is None:
            print("no figures yet: run without --render-only first", file=sys.stderr)
            return 1
        text = "\n".join(render(last))
        print(text)
        if args.write:
            write_section(text)
        return 0

    from jbgen.contract import load_contract
    from jbgen.sandbox import Limits, WorkerPool
    from jbgen.testing import TestOptions
    from jbgen.testing.pipeline import load_classes

    contract = load_contract(str(CONTRACT))
    (cut,) = load_classes(str(REFERENCE / "Clamp.jbasm"))
    cases = inputs(args.cases)
    ex_contract = examples_contract(contract, cases)
    cls = load_in_process(cut.data)
    limits = Limits(call_timeout_s=2.0, contract_timeout_s=600.0)

    fig: dict[str, list[float]] = {"examples_s": [], "properties_s": [], "raw_s": [], "raw_check_s": []}
    n_props = 0
    start_s: list[float] = []
    with WorkerPool() as pool:
        for run in range(args.runs + 1):
            t0 = time.perf_counter()
            with pool.session({cut.binary_name: cut.run_data}, limits) as session:
                start_s.append(time.perf_counter() - t0)
                assert not session.link()
                ex_wall, _ = engine(ex_contract, session, TestOptions(max_examples=1))
                pr_wall, report = engine(contract, session, TestOptions(max_examples=args.cases))
            raw = raw_calls(cls, cases, check=False)
            raw_check = raw_calls(cls, cases, check=True)
            n_props = report.cases("runs")  # type: ignore[attr-defined]
            if run == 0:
                continue  # warm-up
            for k, v in zip(fig, (ex_wall, pr_wall, raw, raw_check), strict=True):
                fig[k].append(v)
            print(f"run {run}: examples {ex_wall:.2f} s, properties {pr_wall:.2f} s ({n_props} cases), "
                  f"raw JPype {raw:.2f} s, raw + check {raw_check:.2f} s", flush=True)
        classes = per_class(pool, args.runs)

    med = {k: statistics.median(v) for k, v in fig.items()}
    n_ex = len(cases) + 0
    figures = {
        "runs": args.runs,
        "cases": args.cases,
        "method": "static int clamp(int x, int lo, int hi)",
        "examples": {"cases": n_ex, "wall_s": med["examples_s"], "cases_per_s": c.rate(n_ex, med["examples_s"])},
        "properties": {"cases": n_props, "checks_per_case": 3, "wall_s": med["properties_s"],
                       "cases_per_s": c.rate(n_props, med["properties_s"])},
        "raw_jpype": {"cases": len(cases), "wall_s": med["raw_s"], "cases_per_s": c.rate(len(cases), med["raw_s"])},
        "raw_jpype_check": {"cases": len(cases), "wall_s": med["raw_check_s"],
                            "cases_per_s": c.rate(len(cases), med["raw_check_s"])},
        "session_s": statistics.median(start_s[1:]),
        "classes": classes,
    }
    path = c.save("contract_tests", figures)
    doc = c.load("contract_tests")
    assert doc is not None
    text = "\n".join(render(doc))
    print("\n" + text)
    print(f"\nfigures: {path.relative_to(c.ROOT)}")
    if args.write:
        write_section(text)
        print(f"rewrote the {HEADING!r} section of {RESULTS_MD.relative_to(c.ROOT)}")
    return 0


def render(d: dict) -> list[str]:
    e = d["env"]
    load = ", ".join(f"{x:.1f}" for x in e["loadavg"])
    raw = d["raw_jpype"]["cases_per_s"]
    out = [
        HEADING,
        "",
        f"`{d['command']}` — {e['date']}; {e['cores']} cores ({e['cpu']}), load average at start {load}; "
        f"Python {e['python']}; embedded JDK {e['jdk']}.",
        "",
        f"`{d['method']}` (`fixtures/reference/Clamp.jbasm`) on the same {d['cases']} inputs; medians of "
        f"{d['runs']} runs after a warm-up. jbgen's figures are `run_contract_tests` on a warm sandbox session "
        "(calls cross to the worker process in batches, every result judged in Python); raw JPype calls the "
        "same class loaded in the benchmark's own JVM, one JPype call per input.",
        "",
        "| path | cases | wall s | cases/s | vs raw JPype |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    rows = [
        ("jbgen examples (expected result per case)", d["examples"]),
        ("jbgen properties: 2 properties + oracle per case, inputs generated", d["properties"]),
        ("raw JPype: `Clamp.clamp(x, lo, hi)` in-process", d["raw_jpype"]),
        ("raw JPype + the same comparison in Python", d["raw_jpype_check"]),
    ]
    for label, r in rows:
        out.append(f"| {label} | {r['cases']} | {r['wall_s']:.3f} | {r['cases_per_s']:.0f} | "
                   f"{r['cases_per_s'] / raw:.2f}x |")
    us = {k: 1e6 / d[k]["cases_per_s"] for k in ("examples", "properties", "raw_jpype")}
    out += [
        "",
        f"Per case: {us['examples']:.0f} µs for an example, {us['properties']:.0f} µs for a generated input "
        f"(generating it and judging it against two properties and the oracle included), {us['raw_jpype']:.1f} µs "
        "for a raw JPype call. The difference is the price of never running the class in jbgen's own process: "
        "every call crosses to a sandbox worker (JSON over a pipe, in batches) under a time limit, and every "
        "result comes back to be judged in Python; batching keeps it in the thousands of cases per second.",
        "",
        f"A fresh session on a warm worker (class sent, defined, linked) took {1000 * d['session_s']:.0f} ms.",
        "",
        "Per reference class (`fixtures/reference/`), median ms; policy is the static allowlist scan, verify is "
        "jbgen's structural read + `ClassFile.verify`, session is loading the class into a warm worker and link "
        "is HotSpot's link-time verification there:",
        "",
        "| class | instructions | assemble ms | policy ms | verify ms | session ms | link ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in d["classes"]:
        out.append(f"| `{r['class']}` | {r['instructions']} | {r['assemble_ms']:.1f} | {r['policy_ms']:.2f} | "
                   f"{r['verify_ms']:.1f} | {r['session_ms']:.1f} | {r['link_ms']:.1f} |")
    return out


def write_section(text: str) -> None:
    """Replace (or append) the ``## Contract tests`` section of RESULTS.md, re-reading the file first."""
    current = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else "# Benchmark results\n"
    lines = current.splitlines()
    try:
        start = lines.index(HEADING)
    except ValueError:
        new = current.rstrip("\n") + "\n\n" + text + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")
                    or lines[i].startswith("<!-- figures")), len(lines))
        new = "\n".join(lines[:start] + text.splitlines() + ([""] + lines[end:] if end < len(lines) else [])) + "\n"
    tmp = RESULTS_MD.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(RESULTS_MD)


if __name__ == "__main__":
    sys.exit(main())
