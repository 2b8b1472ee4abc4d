"""What kind modules share when they turn an object into facts: a value that
could not be known (with why; objects.add_facts makes its fact unknown), and
the pod template's readiness evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A fact's value that could not be read or decided, and why."""

    why: str


def readiness(spec: dict[str, Any]) -> dict[str, Any]:
    """readiness_probes, containers_without_readiness_probe and
    min_ready_seconds of a workload spec with a pod template."""
    containers = (((spec.get("template") or {}).get("spec") or {}).get("containers")) or []
    blind = [str(c.get("name")) for c in containers if not c.get("readinessProbe")]
    return {
        "readiness_probes": bool(containers) and not blind,
        "containers_without_readiness_probe": blind,
        "min_ready_seconds": int(spec.get("minReadySeconds") or 0),
    }
