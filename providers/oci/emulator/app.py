"""An OCI emulator for the REST calls relscan reads, serving an estate part.

Point relscan at it with RELSCAN_OCI_ENDPOINT=http://127.0.0.1:PORT/{region}:
the first path segment is the region, the rest is the service's own path
(`/20160918/compartments`, `/20170115/loadBalancers`, `/20210630/deployPipelines`,
`/20210630/deployStages`). Load balancer lists are bare JSON arrays, DevOps lists
are `{"items": [...]}`, and every list pages after `page_size` items with the
`opc-next-page` header, as on OCI.

The part: `tenancy`, `regions`, `compartments` ({id, name, parent?}),
`load_balancers` ({region, compartment, lb: LoadBalancer JSON}),
`deploy_pipelines` ({region, compartment, pipeline: DeployPipeline JSON,
stages: [DeployStage JSON + optional `after`: [stage displayName]],
releases?: rhythms served as its deployments, emulator/deployments.py}),
`steering_policies` (global DNS steering policies, see emulator/dns.py), and
`faults` ({operation?, compartment?, region?, status?, code?, times?}), and
`retry_after` (seconds advertised on throttling, default 1).

`endpoint_env(url)` and `replay_key(request)` serve an evidence bundle's
recorded OCI answers back to the provider (see scanner/evidence/replay.py).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from providers.oci.emulator import dns, wire
from providers.oci.emulator.deployments import DeploymentHandlers
from providers.oci.guard import key
from scanner.emulators.server import LoopbackServer, Request, Response

DEFAULT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaademotenancy0000000000000000000000000000000000000"
NOT_FOUND = "Authorization failed or requested resource not found."
CONTEXT_PATH = "/relscan/context"  # as providers/oci/guard.py records it


class OciFault(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class OciEmulator(dns.DnsHandlers, DeploymentHandlers):
    """Callable app for LoopbackServer. `estate` is the `oci` part of a fixture;
    `now` is the moment its pipelines' `releases:` rhythms are written back from
    (default: the real now)."""

    def __init__(
        self, estate: dict[str, Any], page_size: int = 2, now: datetime | None = None
    ) -> None:
        self.now = now or datetime.now(UTC)
        self.tenancy = str(estate.get("tenancy", DEFAULT_TENANCY))
        self.regions = list(estate.get("regions", ["uk-london-1"]))
        self.compartments = list(estate.get("compartments", []))
        self.lbs = list(estate.get("load_balancers", []))
        self.pipelines = list(estate.get("deploy_pipelines", []))
        self.steering = list(estate.get("steering_policies", []))
        self.faults = [dict(f) for f in estate.get("faults", [])]
        self.page_size = page_size
        self.retry_after = float(estate.get("retry_after", 1))
        self.calls: list[tuple[str, str, str | None]] = []  # operation, region, compartment
        self._lock = threading.Lock()

    # -- routing ----------------------------------------------------------
    ROUTES = {
        ("20160918", "compartments", False): "ListCompartments",
        ("20170115", "loadBalancers", False): "ListLoadBalancers",
        ("20170115", "loadBalancers", True): "GetLoadBalancer",
        ("20210630", "deployPipelines", False): "ListDeployPipelines",
        ("20210630", "deployPipelines", True): "GetDeployPipeline",
        ("20210630", "deployStages", False): "ListDeployStages",
        ("20210630", "deployments", False): "ListDeployments",
        ("20210630", "deployments", True): "GetDeployment",
        **dns.ROUTES,
    }

    def __call__(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p]
        if req.method != "GET":
            return wire.error(
                405, "NotAllowed", f"{req.method} is not emulated (relscan only reads)"
            )
        if len(parts) not in (3, 4) or parts[0] not in self.regions:
            return wire.error(404, "NotFound", f"no such path {req.path}")
        region, version, collection = parts[0], parts[1], parts[2]
        op = self.ROUTES.get((version, collection, len(parts) == 4))
        if op is None:
            return wire.error(404, "NotFound", f"no such path {req.path}")
        compartment = req.arg("compartmentId")
        with self._lock:
            self.calls.append((op, region, compartment))
        try:
            self._inject(op, region, compartment)
            handler = getattr(self, op)
            if len(parts) == 4:
                return wire.json_response(handler(region, parts[3]))
            items, token = self._page(handler(region, req), req)
            body: Any = {"items": items} if version == "20210630" else items
            return wire.json_response(body, next_page=token)
        except OciFault as fault:
            return wire.error(fault.status, fault.code, fault.message, self.retry_after)

    def fault_response(self, kind: str, req: Request) -> Response:
        """An injected fault (scanner/emulators/faults.py), answered as OCI does."""
        status, code, message = wire.FAULTS[kind]
        return wire.error(status, code, message, self.retry_after)

    def _inject(self, op: str, region: str, compartment: str | None) -> None:
        """Answer with a declared fault; `times` counts down, absent means always."""
        with self._lock:
            for fault in self.faults:
                if fault.get("operation", op) != op or fault.get("region", region) != region:
                    continue
                if fault.get("compartment", compartment) != compartment:
                    continue
                if fault.get("times", 1) <= 0:
                    continue
                if "times" in fault:
                    fault["times"] -= 1
                status = int(fault.get("status", 404))
                code = fault.get("code", "NotAuthorizedOrNotFound" if status == 404 else "Error")
                message = NOT_FOUND if status == 404 else f"injected {code} on {op}"
                if status == 429:
                    code, message = "TooManyRequests", "Too many requests for the user"
                raise OciFault(status, code, message)

    def _page(self, items: list[Any], req: Request) -> tuple[list[Any], str | None]:
        size = min(int(req.arg("limit") or self.page_size), self.page_size)
        start = int(req.arg("page") or 0)
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)

    # -- Identity ---------------------------------------------------------
    def ListCompartments(self, region: str, req: Request) -> list[dict[str, Any]]:
        parent = req.arg("compartmentId")
        subtree = req.arg("compartmentIdInSubtree") == "true"
        if subtree and parent != self.tenancy:
            raise OciFault(
                400,
                "InvalidParameter",
                "compartmentIdInSubtree can only be true when compartmentId is the tenancy",
            )
        known = {self.tenancy} | {c["id"] for c in self.compartments}
        if parent not in known:
            raise OciFault(404, "NotAuthorizedOrNotFound", NOT_FOUND)
        every = [wire.compartment(c, self.tenancy) for c in self.compartments]
        if subtree:
            return every
        return [c for c in every if c.get("compartmentId") == parent]

    # -- Load balancing ---------------------------------------------------
    def _lbs(self, region: str) -> list[dict[str, Any]]:
        return [wire.load_balancer(e, region) for e in self.lbs if e["region"] == region]

    def ListLoadBalancers(self, region: str, req: Request) -> list[dict[str, Any]]:
        compartment = req.arg("compartmentId")
        return [lb for lb in self._lbs(region) if lb.get("compartmentId") == compartment]

    def GetLoadBalancer(self, region: str, lb_id: str) -> dict[str, Any]:
        for lb in self._lbs(region):
            if lb.get("id") == lb_id:
                return lb
        raise OciFault(404, "NotAuthorizedOrNotFound", NOT_FOUND)

    # -- DevOps -----------------------------------------------------------
    def _pipelines(self, region: str) -> list[dict[str, Any]]:
        return [e for e in self.pipelines if e["region"] == region]

    def ListDeployPipelines(self, region: str, req: Request) -> list[dict[str, Any]]:
        compartment = req.arg("compartmentId")
        return [
            wire.pipeline(e, region, summary=True)
            for e in self._pipelines(region)
            if e["compartment"] == compartment
        ]

    def GetDeployPipeline(self, region: str, pipeline_id: str) -> dict[str, Any]:
        for e in self._pipelines(region):
            found = wire.pipeline(e, region, summary=False)
            if found.get("id") == pipeline_id:
                return found
        raise OciFault(404, "NotAuthorizedOrNotFound", NOT_FOUND)

    def ListDeployStages(self, region: str, req: Request) -> list[dict[str, Any]]:
        compartment, pipeline_id = req.arg("compartmentId"), req.arg("deployPipelineId")
        if not compartment and not pipeline_id and not req.arg("id"):
            raise OciFault(400, "InvalidParameter", "one of id, deployPipelineId, compartmentId")
        out = []
        for e in self._pipelines(region):
            for stage in wire.stages(e, region):
                if compartment and stage.get("compartmentId") != compartment:
                    continue
                if pipeline_id and stage.get("deployPipelineId") != pipeline_id:
                    continue
                out.append(stage)
        return out

    # -- every object served, for the strict-fixture test ------------------
    def wire_objects(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(SDK module, model class, JSON) for everything this estate serves."""
        out: list[tuple[str, str, dict[str, Any]]] = [
            ("identity", "Compartment", wire.compartment(c, self.tenancy))
            for c in self.compartments
        ]
        for region in self.regions:
            out += [("load_balancer", "LoadBalancer", lb) for lb in self._lbs(region)]
            for e in self._pipelines(region):
                out.append(("devops", "DeployPipeline", wire.pipeline(e, region, False)))
                out.append(("devops", "DeployPipelineSummary", wire.pipeline(e, region, True)))
                out += [("devops", "DeployStageSummary", s) for s in wire.stages(e, region)]
            out += [("devops", "Deployment", d) for d in self._deployments(region)]
        return out + self.dns_wire_objects()


def start(part: dict[str, Any], stack: ExitStack) -> dict[str, str | None]:
    """Serve `part` until `stack` closes; return the variables that point relscan
    at it: the endpoint (plain http on loopback, so nothing is signed), the
    tenancy whose tree is scanned, and the SDK's region variable."""
    emulator = OciEmulator(part)
    server = stack.enter_context(LoopbackServer(emulator))
    return {
        "RELSCAN_OCI_ENDPOINT": server.url + "/{region}",
        "RELSCAN_OCI_TENANCY": emulator.tenancy,
        "OCI_REGION": emulator.regions[0],
    }


def endpoint_env(url: str) -> dict[str, str | None]:
    """The variables that point relscan at a server replaying a bundle: the
    endpoint, and the tenancy and home region the recorded scan used, which the
    provider put in the bundle (they come from a config file, not an answer)."""
    context: dict[str, Any] = {}
    try:
        with urllib.request.urlopen(url.rstrip("/") + CONTEXT_PATH, timeout=5) as answer:
            found = json.loads(answer.read())
        context = found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        pass  # no context recorded: options given on the command line must do
    tenancy, region = context.get("tenancy"), context.get("home_region")
    return {
        "RELSCAN_OCI_ENDPOINT": url.rstrip("/") + "/{region}",
        "RELSCAN_OCI_TENANCY": tenancy if isinstance(tenancy, str) else None,
        "OCI_REGION": region if isinstance(region, str) else None,
    }


def replay_key(req: Request) -> dict[str, Any]:
    """The key providers/oci/guard.py records (its `key`, one function for both
    ends): method, the region (here the first path segment; on OCI the host),
    the API path, the sorted query."""
    parts = [p for p in req.path.split("/") if p]
    if req.path == CONTEXT_PATH or not parts:
        region, path = "", req.path
    else:
        region, path = parts[0], "/" + "/".join(parts[1:])
    query = [(k, v) for k, vs in req.query.items() for v in vs]
    return key(region, req.method, path, query)
