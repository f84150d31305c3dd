"""cvc5 through its PyPI wheel, run by ``bench/sygus.py`` in the bench venv (``bench/.work/venv``).

    python bench/sygus_cvc5.py synth FILE.sl --si none|all    # SyGuS, in-process (cvc5.InputParser)
    python bench/sygus_cvc5.py check --tlimit MS < query.smt2   # SMT-LIB: sat/unsat and the model

It prints ``READY`` once cvc5 is imported (the harness starts its clock
there, as it does for jbgen's child), then one JSON line.  It imports only
cvc5 and the standard library: jbgen is never installed in the bench venv.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def _solver(options: dict[str, str]):  # type: ignore[no-untyped-def]
    import cvc5

    s = cvc5.Solver()
    for k, v in options.items():
        s.setOption(k, v)
    tm = s.getTermManager() if hasattr(s, "getTermManager") else None
    sm = cvc5.SymbolManager(tm if tm is not None else s)
    return cvc5, s, sm


def _run(cvc5, s, sm, lang, *, path: str | None = None, text: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    p = cvc5.InputParser(s, sm)
    if path is not None:
        p.setFileInput(lang, path)
    else:
        p.setStringInput(lang, text, "query")
    outs = []
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(s, sm)
        if out:
            outs.append(out.strip())
    return outs


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("synth")
    a.add_argument("file")
    a.add_argument("--si", default="none")
    c = sub.add_parser("check")
    c.add_argument("--tlimit", type=int, default=60000)
    args = ap.parse_args()
    import cvc5

    print("READY", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.cmd == "synth":
        cvc5_, s, sm = _solver({"sygus": "true", "sygus-si": args.si})
        try:
            outs = _run(cvc5_, s, sm, cvc5.InputLanguage.SYGUS_2_1, path=args.file)
            text = "\n".join(outs)
            status = "solved" if "(define-fun" in text else (text.strip() or "unknown")
        except Exception as exc:  # noqa: BLE001 (any cvc5 error is a result to report)
            text, status = str(exc), "error"
        res = {"status": status, "answer": text}
    else:
        query = sys.stdin.read()
        cvc5_, s, sm = _solver({"tlimit-per": str(args.tlimit)})
        try:
            outs = _run(cvc5_, s, sm, cvc5.InputLanguage.SMT_LIB_2_6, text=query)
            res = {"status": outs[0] if outs else "unknown", "model": "\n".join(outs[1:])}
        except Exception as exc:  # noqa: BLE001
            res = {"status": "error", "model": str(exc)}
    res["seconds"] = time.perf_counter() - t0
    res["cpu"] = time.process_time() - c0
    res["version"] = cvc5.__version__ if hasattr(cvc5, "__version__") else "?"
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
