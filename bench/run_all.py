"""Run every benchmark, then rewrite the figures section of ``bench/RESULTS.md``.

    python bench/run_all.py [--runs 3] [--only disasm,roundtrip,verify,tokens] [--render-only]

Each benchmark runs as its own process (``python bench/NAME.py``) and leaves its
figures in ``bench/.work/results/NAME.json``; this script renders them between
the ``figures`` markers of RESULTS.md and leaves the rest of the file (the
analysis) alone.  ``--render-only`` skips the runs and renders what is there.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

RESULTS_MD = c.BENCH / "RESULTS.md"
BEGIN = "<!-- figures:begin (written by bench/run_all.py; edit outside the markers) -->"
END = "<!-- figures:end -->"
NAMES = ("disasm", "roundtrip", "verify", "tokens")


def run(name: str, runs: int) -> int:
    args = [sys.executable, str(c.BENCH / f"{name}.py")]
    if name in ("disasm", "verify", "roundtrip"):
        args += ["--runs", str(runs)]
    print(f"\n=== {name}: {' '.join(args[1:])}", flush=True)
    return subprocess.run(args, cwd=c.ROOT).returncode


def _env_line(doc: dict) -> str:
    e = doc["env"]
    load = f"{e['loadavg'][0]:.1f} at the start, {e.get('loadavg_end', [float('nan')])[0]:.1f} at the end"
    return (f"{e['date']}; {e['cores']} cores ({e['cpu']}), 1-minute load average {load}; "
            f"Python {e['python']}; embedded JDK {e['jdk']}; javap {e['javap'] or 'none'}")


def render_disasm(d: dict) -> list[str]:
    f = d["figures"]
    n = d["classes"]
    out = [
        "### Disassembly: `jbgen disasm` against `javap -c -p` (all of java.base)",
        "",
        f"`{d['command']}` — {_env_line(d)}.",
        "",
        f"{n} classes; javap in {d['javap_processes']} process; every figure the median of {d['runs']} interleaved runs, "
        "end to end (JVM or Python start-up included), output written to a file. Throughput is classes per "
        "wall-clock second; CPU efficiency is classes per CPU-second (user+sys of the process and its children), "
        "which other processes on the machine disturb less than the wall clock (javap's JVM spreads its JIT and "
        "GC over both cores, so on idle cores its wall time is below its CPU time).",
        "",
        "| contender | wall s | CPU s (user+sys) | classes/s | throughput vs javap | CPU efficiency vs javap |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "javap": "`javap -c -p` (JDK 17, one process)",
        "jbgen-j1": "`jbgen disasm -j 1` (CLI)",
        f"jbgen-j{d['jobs']}": f"`jbgen disasm -j {d['jobs']}` (CLI, {d['jobs']} worker processes)",
        "jbgen-library": "library in-process: `read_class` + `print_class`",
    }
    for k, v in f.items():
        cpu_ratio = v.get("cpu_ratio_vs_javap", f["javap"]["cpu_s"] / v["cpu_s"])
        out.append(f"| {labels.get(k, k)} | {v['wall_s']:.2f} | {v['cpu_s']:.2f} | {v['classes_per_s']:.0f} | "
                   f"{v['ratio_vs_javap']:.2f}x | {cpu_ratio:.2f}x |")
    lib = f["jbgen-library"]
    out += [
        "",
        f"Library split: `read_class` {lib['read_s']:.2f} s, `print_class` {lib['wall_s'] - lib['read_s']:.2f} s. "
        "Output: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(d["output_bytes"].items())) + ".",
    ]
    if d.get("profile"):
        out += ["", f"cProfile of `read_class` + `print_class` over every {d['profile_step']}th class, by own time:", "",
                "| function | calls | own s | own % | cumulative s |", "| --- | ---: | ---: | ---: | ---: |"]
        for r in d["profile"][:12]:
            out.append(f"| `{r['function']}` | {r['calls']} | {r['own_s']:.3f} | {r['own_pct']:.1f} | {r['cum_s']:.3f} |")
    return out


def render_roundtrip(d: dict) -> list[str]:
    total = sum(d["stage_s"].values())
    out = [
        "### Round trip: read, print, parse, assemble, read, compare, verify (all of java.base)",
        "",
        f"`{d['command']}` — {_env_line(d)}.",
        "",
        f"| classes | worker processes | wall s (median of {d['runs']}) | classes/s | failures | target |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {d['classes']} | {d['jobs']} | {d['wall_s']:.1f} | {d['classes_per_s']:.0f} | {d['failures']} | "
        f"all under 30 s, 0 failures: {'met' if d['wall_s'] < 30 and not d['failures'] else 'missed'} |",
        "",
        "Runs: " + ", ".join(f"{w:.1f} s" for w in d["walls"]) + ". Seconds spent in each stage, summed over "
        "the workers (last run; wall time inside the stage, so it grows with the machine's load): "
        + ", ".join(f"{k} {v:.1f} ({100 * v / total:.0f}%)" for k, v in d["stage_s"].items()) + ".",
    ]
    if d["first_failures"]:
        out += ["", "First failures:", ""]
        out += [f"- `{n}` at {st}: {r[:300]}" for n, st, r in d["first_failures"][:10]]
    return out


def render_verify(d: dict) -> list[str]:
    out = [
        "### Verification: `verify_classes` against a bare `ClassFile.of().verify(bytes)` loop",
        "",
        f"`{d['command']}` — {_env_line(d)}.",
        "",
        f"Same process and classes; medians of {d['runs']} interleaved runs after a warm-up.",
        "",
        "| classes | bare loop s (classes/s) | jbgen s (classes/s) | jbgen / bare | failed: bare, jbgen |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "java_base_nolink": "all of java.base, `link_check=False`",
        "link_sample": "java.base `jdk/internal/` moved to `bench/jdk/internal/`, `link_check=True`",
    }
    for key, label in labels.items():
        r = d[key]
        out.append(f"| {label} ({r['classes']}) | {r['bare_s']:.2f} ({r['bare_classes_per_s']:.0f}) | "
                   f"{r['jbgen_s']:.2f} ({r['jbgen_classes_per_s']:.0f}) | {r['overhead']:.2f}x | "
                   f"{r['bare_failed']}, {r['jbgen_failed']} |")
    ls = d["link_sample"]
    out += [
        "",
        f"On the link sample, jbgen without the link check took {ls['jbgen_nolink_s']:.2f} s, so the HotSpot link "
        f"itself costs {ls['link_s']:.2f} s ({1000 * ls['link_s'] / ls['classes']:.1f} ms a class). "
        f"Link failures, all caused by the move out of java.base: "
        + "; ".join(f"{n} x `{k[:110]}`" for n, k in ls["failure_kinds"]) + ".",
        "",
        f"Classes that the link loader's parent resolves by name (so HotSpot links the JDK's own copy, not the bytes "
        f"under test): {ls['shadowed_unrenamed']} of {ls['classes']} under their own `jdk/internal/` names, "
        f"{ls['shadowed']} after the move.",
    ]
    return out


def render_tokens(d: dict) -> list[str]:
    t = d["total"]
    out = [
        "### Tokens: Java source against jbgen assembly (and `javap -c -p`)",
        "",
        f"`{d['command']}` — {_env_line(d)}; {d['javac']}; tokenizer: {d['tokenizer']}.",
        "",
        "| method | Java | jbgen asm | javap -c -p | asm / Java | javap / Java |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in d["methods"]:
        out.append(f"| `{r['method']}` | {r['java']} | {r['asm']} | {r['javap']} | {r['asm_ratio']:.2f} | {r['javap_ratio']:.2f} |")
    out.append(f"| **total** | **{t['java']}** | **{t['asm']}** | **{t['javap']}** | **{t['asm_ratio']:.2f}** | "
               f"**{t['javap_ratio']:.2f}** |")
    chk = d["check"]
    out += [
        "",
        f"Target: total asm / Java at most {d['target']}: {'met' if t['asm_ratio'] <= d['target'] else 'missed'}. "
        + ("Every counted assembly text assembles (`jbgen asm`) and verifies (`jbgen verify`: structure, "
           f"ClassFile.verify, HotSpot link), as does its flat form ({chk.get('classes')} classes)."
           if chk["ok"] else f"CHECK FAILED at {chk['stage']}."),
        "",
        "Assembly tokens by kind of word (a token goes to the word it starts in; newlines and indentation "
        "to line breaks):",
        "",
        "| kind | tokens | share |",
        "| --- | ---: | ---: |",
    ]
    for r in d["kinds"]:
        out.append(f"| {r['kind']} | {r['tokens']} | {100 * r['share']:.1f}% |")
    out += ["", "Other forms of the same texts:", "",
            "| variant | asm tokens | saved | asm / Java |", "| --- | ---: | ---: | ---: |"]
    for r in d["variants"]:
        out.append(f"| {r['description']} | {r['asm']} | {r['saved']} | {r['asm_ratio']:.2f} |")
    return out


RENDER = {"disasm": render_disasm, "roundtrip": render_roundtrip, "verify": render_verify, "tokens": render_tokens}


def render() -> None:
    lines = [BEGIN, "", "## Figures", ""]
    for name in NAMES:
        doc = c.load(name)
        if doc is None:
            lines += [f"### {name}", "", f"(no figures yet: run `python bench/{name}.py`)", ""]
            continue
        lines += [*RENDER[name](doc), ""]
    lines.append(END)
    block = "\n".join(lines)
    text = RESULTS_MD.read_text() if RESULTS_MD.is_file() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS_MD.write_text(text)
    print(f"wrote {RESULTS_MD.relative_to(c.ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measurement (median reported)")
    ap.add_argument("--only", default=",".join(NAMES), help="comma-separated benchmarks to run")
    ap.add_argument("--render-only", action="store_true", help="only rewrite RESULTS.md from the saved figures")
    args = ap.parse_args()
    failed = []
    if not args.render_only:
        for name in args.only.split(","):
            if name not in NAMES:
                sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(NAMES)}")
            if run(name, args.runs) != 0:
                failed.append(name)
    render()
    if failed:
        print(f"benchmarks that exited non-zero: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
