"""App Engine services: how each service's traffic is split across versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.context import GcpContext
from providers.gcp.facts import api_dict, labels
from providers.gcp.gae_versions import READ as VERSIONS_READ
from providers.gcp.gae_versions import history as history  # the kind's records (--history)
from providers.gcp.kind import gcp_kind
from providers.gcp.names import parse_resource_name
from providers.gcp.reads import SEGMENT, rest_get
from scanner.errors import NotFoundError
from scanner.kind import facts
from scanner.model import Observation, ScopeError

SERVICE = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"

KIND = gcp_kind(
    name="gcp.appengine.service",
    title="App Engine service",
    label="App Engine service",
    service="appengine",
    templates=("apps/{project}/services/{gae_service}",),
    parts={
        "gae_service": (
            SERVICE,
            "service {!r} is not 1 to 63 lowercase letters, digits and hyphens",
        )
    },
    id_form="//appengine.googleapis.com/apps/P/services/S",
    url=r"appengine\.googleapis\.com/v1(?:beta|alpha)?",
    url_example="https://appengine.googleapis.com/v1/",
    facts=facts(
        ("versions_with_traffic", "split.allocations"),
        ("allocations", "split.allocations"),
        ("shard_by", "split.shardBy"),
    ),
    reads=(
        rest_get("appengine", "apps.get", f"/v1/apps/{SEGMENT}", "appengine.applications.get"),
        rest_get(
            "appengine",
            "apps.services.list",
            f"/v1/apps/{SEGMENT}/services",
            "appengine.services.list",
        ),
        rest_get(
            "appengine",
            "apps.services.get",
            f"/v1/apps/{SEGMENT}/services/{SEGMENT}",
            "appengine.services.get",
        ),
        VERSIONS_READ,
    ),
    clients={
        "appengine_versions": "google.cloud.appengine_admin_v1:VersionsClient",
        "appengine_applications": "google.cloud.appengine_admin_v1:ApplicationsClient",
        "appengine_services": "google.cloud.appengine_admin_v1:ServicesClient",
    },
)


def gae_id(project: str, service: str) -> str:
    return f"//appengine.googleapis.com/apps/{project}/services/{service}"


def observe(raw: dict[str, Any], project: str, location: str) -> Observation:
    service = str(raw.get("id") or str(raw.get("name", "")).rsplit("/", 1)[-1])
    obs = Observation(
        id=gae_id(project, service),
        provider="gcp",
        kind=KIND.name,
        name=service,
        account=project,
        location=location,
        tags=labels(raw),
    )
    split = raw.get("split") or {}
    allocations = {str(k): float(v) for k, v in (split.get("allocations") or {}).items()}
    obs.add(
        "versions_with_traffic",
        "split.allocations (versions above 0)",
        sum(1 for share in allocations.values() if share > 0),
    )
    obs.add(
        "allocations",
        "split.allocations (version=share)",
        [f"{version}={share:g}" for version, share in sorted(allocations.items())],
    )
    obs.add("shard_by", "split.shardBy", split.get("shardBy"))
    return obs


def location(ctx: GcpContext, project: str) -> str | None:
    """The application's region, or None when the project has no App Engine app."""
    from providers.gcp.faults import is_not_found

    client = ctx.clients.get("appengine_applications")
    try:
        app = client.get_application(name=f"apps/{project}", retry=ctx.clients.retry)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return str(api_dict(app).get("locationId") or "")


def collect(ctx: GcpContext) -> Iterator[Observation | ScopeError]:
    """A project's App Engine application (at most one) and its services."""
    where = location(ctx, ctx.project)
    if where is None:
        return
    client = ctx.clients.get("appengine_services")
    pager = client.list_services(request={"parent": f"apps/{ctx.project}"}, retry=ctx.clients.retry)
    for service in pager:
        yield observe(api_dict(service), ctx.project, where)


def get(ctx: GcpContext, resource_id: str) -> Observation:
    rn = parse_resource_name(resource_id, (KIND,))
    where = location(ctx, rn.project)
    if where is None:
        raise NotFoundError(f"project {rn.project} has no App Engine application")
    msg = ctx.clients.get("appengine_services").get_service(
        request={"name": f"apps/{rn.project}/services/{rn.name}"}, retry=ctx.clients.retry
    )
    return observe(api_dict(msg), rn.project, where)
