"""Build provenance: an in-toto Statement v1 with a SLSA Provenance v1 predicate.

One statement per build (``<out>/provenance.intoto.json``): the subjects are
the artifacts (class files, and the jar when one is written) with their
SHA-256; the build definition names the contracts (with their hashes), the
synthesizer and model of each artifact, and the jbgen and JDK versions; the
run details name the builder and the start and finish times.

The times make this one file differ from build to build, so it is never put
in the jar or the lock, which stay byte-reproducible.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["BUILD_TYPE", "BUILDER_ID", "PREDICATE_TYPE", "STATEMENT_TYPE", "statement"]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
# jbgen has no web home to name its build type and builder; these URNs name
# them, and docs/build.md (Provenance) says what they mean.
BUILD_TYPE = "urn:jbgen:build-type:jbgen-build:v1"
BUILDER_ID = "urn:jbgen:builder:local"


def _time(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def statement(
    *,
    subjects: Sequence[tuple[str, str]],
    contracts: Sequence[Mapping[str, Any]],
    external: Mapping[str, Any],
    jbgen_version: str,
    jdk_version: str | None,
    started: float,
    finished: float,
    byproducts: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The statement as JSON data.

    ``subjects`` and ``byproducts`` are ``(name, sha256)``; ``contracts``
    are dicts with ``path``, ``sha256``, ``class``, ``synthesizer``,
    ``model`` (the resolved dependencies); ``external`` the build's
    parameters (the command's options).
    """
    deps = []
    for c in contracts:
        deps.append({
            "name": c["path"],
            "digest": {"sha256": c["sha256"]},
            "annotations": {k: c[k] for k in ("class", "synthesizer", "model", "status") if k in c},
        })
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": n, "digest": {"sha256": d}} for n, d in subjects],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": dict(external),
                "internalParameters": {
                    "jbgen": jbgen_version,
                    "jdk": jdk_version,
                    "python": platform.python_version(),
                },
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"jbgen": jbgen_version, "jdk": jdk_version or "unknown"}},
                "metadata": {"startedOn": _time(started), "finishedOn": _time(finished)},
                "byproducts": [{"name": n, "digest": {"sha256": d}} for n, d in byproducts],
            },
        },
    }


def to_text(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
