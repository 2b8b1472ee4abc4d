"""Cloud Run services (v2): traffic targets, latest or pinned revisions.

An empty or absent traffic[] is, by the API reference, 100 % to the latest
ready revision: it is read as that default, and the evidence says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.gcp.context import GcpContext
from providers.gcp.facts import api_dict, labels
from providers.gcp.kind import gcp_kind
from providers.gcp.names import parse_resource_name
from providers.gcp.reads import SEGMENT, rest_get
from providers.gcp.run_revisions import READ as REVISIONS_READ
from providers.gcp.run_revisions import history as history  # the kind's records (--history)
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

SERVICE = r"[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?"

KIND = gcp_kind(
    name="gcp.run.service",
    title="Cloud Run service",
    label="Cloud Run service",
    service="run",
    templates=("projects/{project}/locations/{region}/services/{run_service}",),
    parts={
        "run_service": (
            SERVICE,
            "service {!r} is not 1 to 49 lowercase letters, digits and hyphens, "
            "starting with a letter",
        )
    },
    id_form="//run.googleapis.com/projects/P/locations/L/services/S",
    url=r"run\.googleapis\.com/v[12]",
    url_example="https://run.googleapis.com/v2/",
    facts=facts(
        ("targets_with_traffic", "traffic[].percent"),
        ("latest_percent", "traffic[type=LATEST].percent"),
        ("pinned_percent", "traffic[type=REVISION].percent"),
        ("traffic", "traffic[]"),
        ("latest_ready_revision", "latestReadyRevision"),
        ("deploy_pipeline", "labels[deploy.cloud.google.com/*]"),
    ),
    reads=(
        # Locations.ListLocations over the plain session (list_locations)
        rest_get(
            "run",
            "projects.locations.list",
            f"/v1/projects/{SEGMENT}/locations",
            "run.locations.list",
        ),
        rest_get(
            "run",
            "projects.locations.services.list",
            f"/v2/projects/{SEGMENT}/locations/{SEGMENT}/services",
            "run.services.list",
        ),
        rest_get(
            "run",
            "projects.locations.services.get",
            f"/v2/projects/{SEGMENT}/locations/{SEGMENT}/services/{SEGMENT}",
            "run.services.get",
        ),
        REVISIONS_READ,
    ),
    clients={
        "run_services": "google.cloud.run_v2:ServicesClient",
        "run_revisions": "google.cloud.run_v2:RevisionsClient",
    },
)


def run_id(project: str, location: str, service: str) -> str:
    return f"//run.googleapis.com/projects/{project}/locations/{location}/services/{service}"


LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
# "If traffic is empty or not provided, defaults to 100% traffic to the latest
# Ready Revision." (Service.traffic, Cloud Run Admin API v2)
DEFAULT_TRAFFIC = [{"type": LATEST, "percent": 100}]


def _target(t: dict[str, Any]) -> str:
    who = "LATEST" if t.get("type") == LATEST else str(t.get("revision") or "?")
    tag = f" (tag {t['tag']})" if t.get("tag") else ""
    return f"{who}={int(t.get('percent') or 0)}{tag}"


def observe(raw: dict[str, Any], project: str, location: str) -> Observation:
    service = str(raw.get("name", "")).rsplit("/", 1)[-1]
    obs = Observation(
        id=run_id(project, location, service),
        provider="gcp",
        kind=KIND.name,
        name=service,
        account=project,
        location=location,
        tags=labels(raw),
    )
    given = raw.get("traffic") or []
    traffic = given or DEFAULT_TRAFFIC
    live = [t for t in traffic if int(t.get("percent") or 0) > 0]
    obs.add("targets_with_traffic", "traffic[].percent (targets above 0)", len(live))
    obs.add(
        "latest_percent",
        "traffic[type=LATEST].percent",
        sum(int(t.get("percent") or 0) for t in traffic if t.get("type") == LATEST),
    )
    obs.add(
        "pinned_percent",
        "traffic[type=REVISION].percent",
        sum(int(t.get("percent") or 0) for t in traffic if t.get("type") == REVISION),
    )
    shown = [_target(t) for t in given] or ["LATEST=100 (default: traffic[] is empty)"]
    obs.add("traffic", "traffic[] (revision=percent)", shown)
    obs.add("latest_ready_revision", "latestReadyRevision", raw.get("latestReadyRevision"))
    obs.add("deploy_pipeline", "labels[deploy.cloud.google.com/*] (pipeline, target)",
            deployed_by(obs.tags))  # fmt: skip
    return obs


def deployed_by(tags: dict[str, str]) -> str | None:
    """The Cloud Deploy pipeline and target that rendered the service, from the
    labels Cloud Deploy adds to rendered manifests (a standard pipeline's
    service is judged here, and names it; a canary pipeline's is linked to it,
    providers/gcp/links.py)."""
    label = "deploy.cloud.google.com/"
    pipeline = tags.get(f"{label}delivery-pipeline-id")
    if not pipeline:
        return None
    where = "/".join(
        f"{part}/{tags[f'{label}{key}']}"
        for part, key in (("projects", "project-id"), ("locations", "location"))
        if tags.get(f"{label}{key}")
    )
    target = tags.get(f"{label}target-id")
    name = f"{where}/deliveryPipelines/{pipeline}" if where else pipeline
    return f"{name} (target {target})" if target else name


def list_locations(clients: GcpClients, project: str) -> list[str]:
    """The project's Cloud Run locations (Locations.ListLocations over REST: the
    v2 client has no such method, and v2 lists refuse the `-` wildcard)."""
    from google.api_core import exceptions
    from google.cloud.location import locations_pb2
    from google.protobuf import json_format

    session = clients.session()
    url = clients.url("https://run.googleapis.com", f"/v1/projects/{project}/locations")

    def fetch(token: str | None) -> Any:
        params = {"pageToken": token} if token else {}
        resp = session.get(url, params=params)  # the guard sets --timeout
        if resp.status_code >= 400:
            raise exceptions.from_http_response(resp)
        message = locations_pb2.ListLocationsResponse()
        json_format.ParseDict(resp.json(), message, ignore_unknown_fields=True)
        return message

    found: list[str] = []
    token: str | None = None
    while True:
        page = clients.retry(fetch)(token)
        found += [loc.location_id for loc in page.locations if loc.location_id]
        token = page.next_page_token or None
        if not token:
            return sorted(set(found))


def collect(ctx: GcpContext) -> Iterator[Observation | ScopeError]:
    """Every Cloud Run service in every location of the project; a location
    that cannot be listed is a scope error of its own. The locations are
    listed side by side (fan_out, up to the project's free request slots) and
    reported in location order, as if one after another."""
    from providers.gcp.faults import GCP_ERRORS, describe

    client = ctx.clients.get("run_services")

    def services_in(location: str) -> list[Observation | ScopeError]:
        found: list[Observation | ScopeError] = []
        parent = f"projects/{ctx.project}/locations/{location}"
        try:
            pager = client.list_services(request={"parent": parent}, retry=ctx.clients.retry)
            for service in pager:
                found.append(observe(api_dict(service), ctx.project, location))
        except GCP_ERRORS as exc:  # the services of earlier pages are kept
            found.append(ScopeError("gcp", ctx.scope, f"{KIND.part} in {location}", describe(exc)))
        return found

    for found in fan_out(list_locations(ctx.clients, ctx.project), services_in):
        yield from found


def get(ctx: GcpContext, resource_id: str) -> Observation:
    rn = parse_resource_name(resource_id, (KIND,))
    msg = ctx.clients.get("run_services").get_service(
        name=f"projects/{rn.project}/locations/{rn.location}/services/{rn.name}",
        retry=ctx.clients.retry,
    )
    return observe(api_dict(msg), rn.project, rn.location)
