"""What kind modules share when they turn an object into facts: a value that
could not be known (with why), and the pod template's readiness evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.kubernetes.kind import K8sKind
from scanner.model import Observation


@dataclass(frozen=True)
class Unknown:
    """A fact's value that could not be read or decided, and why."""

    why: str


def add_values(
    obs: Observation,
    kind: K8sKind,
    item: dict[str, Any],
    values_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> Observation:
    """Every fact of the kind from `values_of(item)`; a value that is
    `Unknown` makes that fact unknown, and a malformed object (the function
    raises on a wrong shape) makes every fact unknown, with the reason."""
    try:
        values = values_of(item)
        why = None
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        values, why = {}, f"malformed {kind.title}: {type(exc).__name__}: {exc}"
    for spec in kind.facts:
        value = values.get(spec.name) if why is None else Unknown(str(why))
        if isinstance(value, Unknown):
            obs.unknown(spec.name, spec.field, value.why)
        else:
            obs.add(spec.name, spec.field, value)
    return obs


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
