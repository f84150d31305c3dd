"""``jbgen build``: the repair loop, the build driver, and what a build writes.

Owns the main job: for each contract, synthesize (:mod:`.synthesizers`
picks ``claude``, ``search`` or ``replay``), assemble, verify, policy-check
and test, and repair (:mod:`.loop`); then write the artifacts, reports,
jar, provenance and lock in one transaction (:mod:`.commit`, :mod:`.jar`,
:mod:`.provenance`, :mod:`.lock`, :mod:`.report`), driven by
:func:`build` (:mod:`.driver`).  The formats are in ``docs/build.md``.

Imports ``jbgen.contract``, ``jbgen.synth``, ``jbgen.testing``,
``jbgen.sandbox`` and ``jbgen.output``; only ``jbgen.cli`` imports this.
Importing it starts no JVM and no sandbox.
"""

from __future__ import annotations

from jbgen.build.driver import MODES, BuildOptions, BuildResult, ContractOutcome, build

__all__ = ["MODES", "BuildOptions", "BuildResult", "ContractOutcome", "build"]
