"""Cloud Run services (v2): traffic targets, latest or pinned revisions.

An empty or absent traffic[] is, by the API reference, 100 % to the latest
ready revision: it is read as that default, and the evidence says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.api_core import exceptions
from google.cloud.location import locations_pb2
from google.protobuf import json_format

from providers.gcp.clients import GcpClients
from providers.gcp.facts import api_dict, labels
from providers.gcp.faults import GCP_ERRORS, describe
from providers.gcp.names import RUN, run_id
from scanner.model import Observation, ScopeError

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
        kind=RUN,
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
    return obs


def list_locations(clients: GcpClients, project: str) -> list[str]:
    """The project's Cloud Run locations (Locations.ListLocations over REST: the
    v2 client has no such method, and v2 lists refuse the `-` wildcard)."""
    session = clients.session()
    url = clients.run_locations_url(project)

    def fetch(token: str | None) -> locations_pb2.ListLocationsResponse:
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


class CloudRunReader:
    kind = RUN

    def __init__(self, clients: GcpClients, project: str, scope: str) -> None:
        self.clients = clients
        self.project = project
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        client = self.clients.get("run_services")
        for location in list_locations(self.clients, self.project):
            parent = f"projects/{self.project}/locations/{location}"
            try:
                pager = client.list_services(request={"parent": parent}, retry=self.clients.retry)
                for service in pager:
                    yield observe(api_dict(service), self.project, location)
            except GCP_ERRORS as exc:
                yield ScopeError("gcp", self.scope, f"{RUN} in {location}", describe(exc))
