"""Managed instance groups, zonal and regional: update policy and versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.aggregated import aggregated_pages
from providers.gcp.clients import GcpClients
from providers.gcp.faults import GCP_ERRORS, describe
from providers.gcp.names import MIG, last_segment, mig_id
from providers.gcp.templates import template_key, template_labels
from scanner.facts import dig, read_paths
from scanner.model import Observation, ScopeError

POLICY_PATHS = [
    ("update_type", "updatePolicy.type"),
    ("minimal_action", "updatePolicy.minimalAction"),
    ("most_disruptive_action", "updatePolicy.mostDisruptiveAllowedAction"),
    ("replacement_method", "updatePolicy.replacementMethod"),
    ("max_surge_fixed", "updatePolicy.maxSurge.fixed"),
    ("max_surge_percent", "updatePolicy.maxSurge.percent"),
    ("max_surge_calculated", "updatePolicy.maxSurge.calculated"),
    ("max_unavailable_fixed", "updatePolicy.maxUnavailable.fixed"),
    ("max_unavailable_percent", "updatePolicy.maxUnavailable.percent"),
    ("max_unavailable_calculated", "updatePolicy.maxUnavailable.calculated"),
    ("target_size", "targetSize"),
]
LEFT_SERVING = "targetSize - updatePolicy.maxUnavailable.calculated (instances left serving)"


def _size(value: Any) -> str:
    if not isinstance(value, dict):
        return "the rest"
    if "percent" in value:
        return f"{value['percent']}%"
    return str(value.get("fixed", value.get("calculated", "?")))


def _gives_instances(value: Any) -> bool:
    """A version's targetSize that names at least one instance (a canary)."""
    if not isinstance(value, dict):
        return False
    amount = value.get("calculated", value.get("fixed", value.get("percent", 0)))
    return isinstance(amount, int) and amount > 0


def instances_left_serving(raw: dict[str, Any]) -> int | None:
    """How many instances may stay in service while an update runs:
    the target size less the maximum unavailable (calculated, else fixed)."""
    target = raw.get("targetSize")
    unavailable = dig(raw, "updatePolicy.maxUnavailable.calculated")
    if unavailable is None:
        unavailable = dig(raw, "updatePolicy.maxUnavailable.fixed")
    if not isinstance(target, int) or not isinstance(unavailable, int):
        return None
    return max(target - unavailable, 0)


def base_template(raw: dict[str, Any]) -> str | None:
    """The template most instances run: the version without a target size."""
    for version in raw.get("versions") or []:
        if "targetSize" not in version:
            return version.get("instanceTemplate")
    return raw.get("instanceTemplate")


def observe(
    raw: dict[str, Any], project: str, tags_by_template: dict[str, dict[str, str]]
) -> Observation:
    location = last_segment(raw.get("zone")) or last_segment(raw.get("region")) or ""
    name = str(raw.get("name", ""))
    key = template_key(base_template(raw))
    obs = Observation(
        id=mig_id(project, location, name),
        provider="gcp",
        kind=MIG,
        name=name,
        account=project,
        location=location,
        tags=dict(tags_by_template.get(key or "", {})),
    )
    read_paths(obs, raw, "", POLICY_PATHS, sep="")
    versions = raw.get("versions") or []
    obs.add("version_count", "versions[] (count)", len(versions))
    obs.add(
        "canary_versions",
        "versions[].targetSize (versions given at least one instance)",
        sum(1 for v in versions if _gives_instances(v.get("targetSize"))),
    )
    obs.add(
        "versions",
        "versions[] (name: template, targetSize)",
        [
            f"{v.get('name') or '-'}: {last_segment(v.get('instanceTemplate'))}, "
            f"{_size(v.get('targetSize'))}"
            for v in versions
        ],
    )
    obs.add("instances_left_serving", LEFT_SERVING, instances_left_serving(raw))
    return obs


class MigReader:
    """All of a project's managed instance groups: one aggregated list."""

    kind = MIG

    def __init__(self, clients: GcpClients, project: str, scope: str) -> None:
        self.clients = clients
        self.project = project
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        tags: dict[str, dict[str, str]] | None = None
        kind = "instance_group_managers"
        for migs, unreachable in aggregated_pages(self.clients, kind, self.project, kind):
            for raw in migs:
                if tags is None:
                    tags, error = self.labels()
                    if error:
                        yield error
                yield observe(raw, self.project, tags)
            if unreachable:
                yield ScopeError("gcp", self.scope, MIG, f"unreachable: {', '.join(unreachable)}")

    def labels(self) -> tuple[dict[str, dict[str, str]], ScopeError | None]:
        try:
            return template_labels(self.clients, self.project), None
        except GCP_ERRORS as exc:
            why = f"cannot read instance template labels: {describe(exc)}"
            return {}, ScopeError("gcp", self.scope, "compute instance templates", why)
