"""A GCP emulator for the REST calls relscan makes, serving an estate fixture.

Point relscan at it with RELSCAN_GCP_ENDPOINT: every client (Compute Engine,
App Engine Admin, Cloud Run, Resource Manager) then sends its calls here and
the emulator routes them by path. Lists page after `page_size` items so paging
is always exercised. Only GET is served: relscan is read-only, and anything
else is refused with 405.

The estate part (`gcp:` in an estate file) has `projects` (each with its
resources in API JSON, see gcp_fixtures.py, and an optional `parent`),
`folders` (see gcp_folders.py) and `faults`: `{api?, op?, project?, parent?,
status, reason?, times?, retry_after?}`, where `parent` matches the `parent`
of a Resource Manager list (`folders/N`), `times` counts down and its absence
means always.

`fault_response` answers a LoopbackServer FaultPlan's throttle/500/503 as
Google's front ends do; `endpoint_env` and `replay_key` let `relscan assess`
serve an evidence bundle's GCP answers in the emulator's place.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from providers.gcp.emulator import fixtures as gcp_fixtures
from providers.gcp.emulator import folders as gcp_folders
from providers.gcp.emulator.deploy import CloudDeploy, gapic_call
from providers.gcp.emulator.fixtures import ProjectFixture
from providers.gcp.emulator.folders import Hierarchy
from providers.gcp.emulator.routes import AGGREGATED, APIS, KINDS, ROUTES, TITLES
from providers.gcp.emulator.run import GcpFault, RunAndProjects
from providers.gcp.emulator.wire import error, fault_answer, write
from scanner.emulators.server import LoopbackServer, Request, Response


class GcpEmulator(RunAndProjects, Hierarchy, CloudDeploy):
    """Callable app for LoopbackServer. `estate` is the `gcp` part of a fixture."""

    def __init__(
        self,
        estate: dict[str, Any],
        page_size: int = 2,
        retry_after: int = 1,
        now: datetime | None = None,
    ) -> None:
        """`now`: the moment the estate's `releases:` rhythms are written back
        from (default: the real now)."""
        self.projects = {
            fx.id: fx for fx in (gcp_fixtures.project(p, now) for p in estate.get("projects") or [])
        }
        self.folders = gcp_folders.folders(estate.get("folders") or [], self.projects)
        self.faults = [dict(f) for f in estate.get("faults") or []]
        self.page_size = page_size
        self.retry_after = retry_after  # seconds advertised on injected throttling
        self.calls: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        found = [(api, op, m) for api, op, p in ROUTES if (m := p.match(req.path))]
        if not found:
            return error(404, f"The requested URL {req.path} was not found on this server.")
        api, op, m = found[0]
        if (api, op) == ("run", "locations.list") and gapic_call(req):
            api = "clouddeploy"  # the same path on another host (emulator/deploy.py)
        if req.method != "GET":
            return error(405, f"relscan's emulator serves reads only, not {req.method}")
        args = m.groupdict()
        project = args.get("project", "")
        handler: Callable[[Request, dict[str, str]], Response] = getattr(
            self, f"{api}_{op.replace('.', '_')}"
        )
        if op == "aggregated":
            op = f"{args['collection']}.aggregatedList"
        with self._lock:
            self.calls.append((api, op, project))
        try:
            self._inject(api, op, project, req.arg("parent") or "")
            if project:
                self._check_project(api, project)
            return handler(req, args)
        except GcpFault as fault:
            return fault.response

    def fault_response(self, kind: str, req: Request) -> Response:
        """A LoopbackServer FaultPlan's throttle/500/503, in Google's own form."""
        return fault_answer(kind, req.path, self.retry_after)

    # -- faults, projects, paging ----------------------------------------------
    def _inject(self, api: str, op: str, project: str, parent: str) -> None:
        with self._lock:
            for f in self.faults:
                if f.get("api", api) != api or f.get("op", op) != op:
                    continue
                if f.get("project", project) != project or f.get("parent", parent) != parent:
                    continue
                if f.get("times", 1) <= 0:
                    continue
                if "times" in f:
                    f["times"] -= 1
                status = int(f.get("status", 403))
                where = parent or f"project {project}"
                message = {
                    403: f"Permission denied on resource {where} ({op}).",
                    404: f"Resource {where} not found ({op}).",
                    429: f"Quota exceeded for quota metric 'Read requests' of {APIS[api]}.",
                    503: "The service is currently unavailable.",
                }.get(status, f"injected {status} for {api} {op}")
                raise GcpFault(
                    error(status, message, compute=api == "compute", reason=f.get("reason", ""),
                          retry_after=f.get("retry_after"))
                )  # fmt: skip

    def _check_project(self, api: str, project: str) -> None:
        fx = self.projects.get(project)
        if fx is None or fx.state != "ACTIVE":
            if api == "compute":
                message = f"The resource 'projects/{project}' was not found"
            else:
                message = f"Project '{project}' not found or permission denied."
            raise GcpFault(error(404, message, compute=api == "compute"))
        if APIS[api] in fx.disabled:
            message = (
                f"{TITLES[api]} has not been used in project {fx.number} before or it is "
                f"disabled. Enable it by visiting https://console.developers.google.com/apis/"
                f"api/{APIS[api]}/overview?project={fx.number} then retry."
            )
            meta = {"service": APIS[api], "consumer": f"projects/{fx.number}"}
            raise GcpFault(
                error(403, message, compute=api == "compute", reason="SERVICE_DISABLED",
                      metadata=meta)
            )  # fmt: skip

    def _page(self, req: Request, items: list[Any], size_arg: str) -> tuple[list[Any], str]:
        token = req.arg("pageToken") or "page-0"
        if not re.fullmatch(r"page-\d+", token):
            raise GcpFault(error(400, f"Invalid page token {token!r}.", compute=True))
        size = self.page_size
        if (req.arg(size_arg) or "").isdigit() and int(req.arg(size_arg) or 0) > 0:
            size = min(size, int(req.arg(size_arg) or 0))
        start = int(token.split("-")[1])
        end = start + size
        return items[start:end], (f"page-{end}" if end < len(items) else "")

    @staticmethod
    def _int_enums(req: Request) -> bool:
        return "enum-encoding=int" in (req.arg("$alt") or "")

    def _fixture(self, project: str) -> ProjectFixture:
        return self.projects[project]

    # -- Compute Engine --------------------------------------------------------
    def compute_aggregated(self, req: Request, a: dict[str, str]) -> Response:
        collection = a["collection"]
        attr, type_name = AGGREGATED[collection]
        scoped: list[tuple[str, dict[str, Any]]] = getattr(self._fixture(a["project"]), attr)
        page, token = self._page(req, sorted(scoped, key=lambda s: s[0]), "maxResults")
        items: dict[str, Any] = {}
        for scope, raw in page:
            items.setdefault(scope, {collection: []})[collection].append(raw)
        items["zones/us-central1-a"] = {
            "warning": {
                "code": "NO_RESULTS_ON_PAGE",
                "message": "There are no results for scope 'zones/us-central1-a' on this page.",
                "data": [{"key": "scope", "value": "zones/us-central1-a"}],
            }
        }
        base = f"projects/{a['project']}/aggregated/{collection}"
        body: dict[str, Any] = {
            "kind": KINDS[collection],
            "id": base,
            "items": items,
            "selfLink": f"{gcp_fixtures.COMPUTE}/{base}",
        }
        if token:
            body["nextPageToken"] = token
        return write(type_name, body, self._int_enums(req))

    def compute_instanceGroupManagers_get(self, req: Request, a: dict[str, str]) -> Response:
        return self._compute_get(req, a, "migs", "InstanceGroupManager", "instanceGroupManagers")

    def compute_urlMaps_get(self, req: Request, a: dict[str, str]) -> Response:
        return self._compute_get(req, a, "url_maps", "UrlMap", "urlMaps")

    def _compute_get(
        self, req: Request, a: dict[str, str], attr: str, type_name: str, collection: str
    ) -> Response:
        for scope, raw in getattr(self._fixture(a["project"]), attr):
            if scope == a["scope"] and raw["name"] == a["name"]:
                return write(type_name, raw, self._int_enums(req))
        where = f"projects/{a['project']}/{a['scope']}/{collection}/{a['name']}"
        raise GcpFault(error(404, f"The resource '{where}' was not found", compute=True))

    # -- App Engine Admin ------------------------------------------------------
    def _app(self, project: str) -> dict[str, Any]:
        app = self._fixture(project).app
        if app is None:
            raise GcpFault(error(404, f'Could not find Application "{project}".'))
        return app

    def appengine_apps_get(self, req: Request, a: dict[str, str]) -> Response:
        return write("Application", self._app(a["project"]), self._int_enums(req))

    def appengine_services_list(self, req: Request, a: dict[str, str]) -> Response:
        self._app(a["project"])
        page, token = self._page(req, self._fixture(a["project"]).gae_services, "pageSize")
        body: dict[str, Any] = {"services": page}
        if token:
            body["nextPageToken"] = token
        return write("ListAppEngineServicesResponse", body, self._int_enums(req))

    def appengine_versions_list(self, req: Request, a: dict[str, str]) -> Response:
        self._app(a["project"])
        found = self._fixture(a["project"]).gae_versions.get(a["service"])
        if found is None:
            raise GcpFault(error(404, f'Could not find service "{a["service"]}".'))
        page, token = self._page(req, found, "pageSize")
        body: dict[str, Any] = {"versions": page}
        if token:
            body["nextPageToken"] = token
        return write("ListVersionsResponse", body, self._int_enums(req))

    def appengine_services_get(self, req: Request, a: dict[str, str]) -> Response:
        self._app(a["project"])
        for raw in self._fixture(a["project"]).gae_services:
            if raw["id"] == a["name"]:
                return write("AppEngineService", raw, self._int_enums(req))
        raise GcpFault(error(404, f'Could not find service "{a["name"]}".'))


def start(part: dict[str, Any], stack: ExitStack) -> dict[str, str | None]:
    """Serve `part` until `stack` closes; return the variables that send every
    relscan GCP call there (anonymous credentials, no ADC lookup)."""
    server = stack.enter_context(LoopbackServer(GcpEmulator(part)))
    return endpoint_env(server.url)


def endpoint_env(url: str) -> dict[str, str | None]:
    """The variables that send every relscan GCP call to `url` (an emulator or
    an evidence replay), with anonymous credentials and no ADC lookup."""
    return {
        "RELSCAN_GCP_ENDPOINT": url,
        "GOOGLE_APPLICATION_CREDENTIALS": None,
        "GOOGLE_CLOUD_PROJECT": None,
    }


def replay_key(req: Request) -> dict[str, Any]:
    """What an evidence bundle's GCP answers are matched on, computed as the
    provider's guard records it (providers/gcp/guard.py `evidence_key`): method,
    path (the real APIs' paths are the emulator's; the host is left out) and the
    sorted query without credential parameters."""
    from providers.gcp.guard import evidence_key  # one definition for both ends

    return evidence_key(req.method, req.path, [(k, v) for k, vs in req.query.items() for v in vs])
