"""Managed instance groups, zonal and regional: update policy and versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.context import GcpContext
from providers.gcp.kind import gcp_kind
from providers.gcp.names import last_segment, parse_resource_name
from providers.gcp.reads import COMPUTE, SEGMENT, rest_get
from providers.gcp.templates import template_key
from scanner.facts import dig, read_paths
from scanner.kind import facts
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
SDK = "google.cloud.compute_v1"  # the clients' module, imported on first use
LEFT_SERVING_FIELD = "targetSize - updatePolicy.maxUnavailable.calculated"
LEFT_SERVING = f"{LEFT_SERVING_FIELD} (instances left serving)"

KIND = gcp_kind(
    name="gcp.compute.instance_group_manager",
    title="Compute Engine managed instance group",
    label="managed instance group",
    service="compute",
    templates=(
        "projects/{project}/zones/{zone}/instanceGroupManagers/{name}",
        "projects/{project}/regions/{region}/instanceGroupManagers/{name}",
    ),
    id_form="//compute.googleapis.com/projects/P/zones/Z/instanceGroupManagers/N (or regions/R)",
    url=r"(?:www|compute)\.googleapis\.com/compute/(?:v1|beta|alpha)",
    url_example="https://www.googleapis.com/compute/v1/",
    facts=facts(
        *POLICY_PATHS,
        ("version_count", "versions[]"),
        ("canary_versions", "versions[].targetSize"),
        ("versions", "versions[]"),
        ("instances_left_serving", LEFT_SERVING_FIELD),
    ),
    reads=(
        rest_get(
            "compute",
            "instanceGroupManagers.aggregatedList",
            f"{COMPUTE}/aggregated/instanceGroupManagers",
            "compute.instanceGroupManagers.list",
        ),
        rest_get(
            "compute",
            "instanceGroupManagers.get",
            f"{COMPUTE}/zones/{SEGMENT}/instanceGroupManagers/{SEGMENT}",
            "compute.instanceGroupManagers.get",
        ),
        rest_get(
            "compute",
            "regionInstanceGroupManagers.get",
            f"{COMPUTE}/regions/{SEGMENT}/instanceGroupManagers/{SEGMENT}",
            "compute.instanceGroupManagers.get",
        ),
        # the templates' labels label the groups (templates.py)
        rest_get(
            "compute",
            "instanceTemplates.aggregatedList",
            f"{COMPUTE}/aggregated/instanceTemplates",
            "compute.instanceTemplates.list",
        ),
    ),
    clients={
        "instance_group_managers": f"{SDK}:InstanceGroupManagersClient",
        "region_instance_group_managers": f"{SDK}:RegionInstanceGroupManagersClient",
        "instance_templates": f"{SDK}:InstanceTemplatesClient",
    },
    # Compute Engine answers an aggregated list with 404 only when the project
    # itself is absent or invisible to the credential.
    absent_project_on_404=True,
)


def mig_id(project: str, location: str, name: str) -> str:
    scope = "zones" if location.count("-") == 2 else "regions"
    base = f"//compute.googleapis.com/projects/{project}/{scope}/{location}"
    return f"{base}/instanceGroupManagers/{name}"


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
        kind=KIND.name,
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


def collect(ctx: GcpContext) -> Iterator[Observation | ScopeError]:
    """All of a project's managed instance groups: one aggregated list."""
    from providers.gcp.aggregated import observed_units

    yield from observed_units(
        ctx, KIND.part, "instance_group_managers", lambda: _labels(ctx), observe
    )


def get(ctx: GcpContext, resource_id: str) -> Observation:
    from providers.gcp.facts import api_dict
    from providers.gcp.templates import template_labels

    rn = parse_resource_name(resource_id, (KIND,))
    clients, retry = ctx.clients, ctx.clients.retry
    if rn.zonal:
        msg = clients.get("instance_group_managers").get(
            project=rn.project, zone=rn.location, instance_group_manager=rn.name, retry=retry
        )
    else:
        msg = clients.get("region_instance_group_managers").get(
            project=rn.project, region=rn.location, instance_group_manager=rn.name, retry=retry
        )
    tags = ctx.labels_or_none(template_labels)  # labels only assign services
    return observe(api_dict(msg), rn.project, tags)


def _labels(ctx: GcpContext) -> tuple[dict[str, dict[str, str]], ScopeError | None]:
    from providers.gcp.templates import template_labels

    return ctx.labels(template_labels, "instance template", "compute instance templates")


NO_HISTORY = (
    "a managed instance group keeps no record of its rolling updates (only the "
    "current versions and status); its changes are in Cloud Audit Logs, which "
    "relscan does not read yet"
)
