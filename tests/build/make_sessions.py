"""Write the scripted sessions in fixtures/sessions from the hand-written references.

    python -m tests.build.make_sessions

For each contract in contracts/, one recording (round 1) whose reply is the
contract's reference class, fixtures/reference/<Class>.jbasm, written by a
person.  Every file says ``"scripted": true`` with a note saying so: none of
it is a model's output.  Run it again after changing a contract (a recording
is keyed by the contract's SHA-256); stale folders are removed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
REFERENCE = ROOT / "fixtures" / "reference"
SESSIONS = ROOT / "fixtures" / "sessions"


def note(reference: Path) -> str:
    return (f"scripted: the reply is the hand-written reference {reference.relative_to(ROOT).as_posix()}, "
            "recorded with ScriptedSynthesizer for jbgen build --synth replay; not a real model's output")


def main(out: Path = SESSIONS) -> list[Path]:
    from jbgen.contract import find_contracts, load_contract
    from jbgen.synth.protocol import Budget, SynthRequest
    from jbgen.synth.replay import Recorder, ScriptedSynthesizer, recording_path

    written = []
    keep = set()
    for path in find_contracts([str(CONTRACTS)]):
        rel = path.relative_to(ROOT).as_posix()
        contract = load_contract(rel)
        reference = REFERENCE / f"{contract.simple_name}.jbasm"
        text = reference.read_text(encoding="utf-8")
        synth = Recorder(ScriptedSynthesizer({contract.binary_name: [text]}), out, note=note(reference))
        synth.propose(SynthRequest(contract, budget=Budget()))
        target = recording_path(out, contract, 1, synth.model)
        keep.add(target.parent.name)
        written.append(target)
    for d in out.iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d)
    return written


if __name__ == "__main__":
    for p in main():
        print(p.relative_to(ROOT), file=sys.stderr)
