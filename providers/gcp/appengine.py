"""App Engine services: how each service's traffic is split across versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.clients import GcpClients
from providers.gcp.facts import api_dict, labels
from providers.gcp.faults import is_not_found
from providers.gcp.names import GAE, gae_id
from scanner.model import Observation, ScopeError


def observe(raw: dict[str, Any], project: str, location: str) -> Observation:
    service = str(raw.get("id") or str(raw.get("name", "")).rsplit("/", 1)[-1])
    obs = Observation(
        id=gae_id(project, service),
        provider="gcp",
        kind=GAE,
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


class AppEngineReader:
    """A project's App Engine application (at most one) and its services."""

    kind = GAE

    def __init__(self, clients: GcpClients, project: str, scope: str) -> None:
        self.clients = clients
        self.project = project
        self.scope = scope

    def location(self) -> str | None:
        """The application's region, or None when the project has no App Engine app."""
        client = self.clients.get("appengine_applications")
        try:
            app = client.get_application(name=f"apps/{self.project}", retry=self.clients.retry)
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        return str(api_dict(app).get("locationId") or "")

    def collect(self) -> Iterator[Observation | ScopeError]:
        location = self.location()
        if location is None:
            return
        client = self.clients.get("appengine_services")
        pager = client.list_services(
            request={"parent": f"apps/{self.project}"}, retry=self.clients.retry
        )
        for service in pager:
            yield observe(api_dict(service), self.project, location)
