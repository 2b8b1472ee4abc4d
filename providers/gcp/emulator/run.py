"""The GCP emulator's Cloud Run and Resource Manager answers (a mixin of
GcpEmulator, which provides the fixtures and paging)."""

from __future__ import annotations

import re
from typing import Any

from providers.gcp.emulator.fixtures import ProjectFixture, project_resource
from providers.gcp.emulator.wire import error, write
from scanner.emulators.server import Request, Response


class GcpFault(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class RunAndProjects:
    projects: dict[str, ProjectFixture]

    def _page(self, req: Request, items: list[Any], size_arg: str) -> tuple[list[Any], str]:
        raise NotImplementedError

    @staticmethod
    def _int_enums(req: Request) -> bool:
        raise NotImplementedError

    def _fixture(self, project: str) -> ProjectFixture:
        raise NotImplementedError

    # -- Cloud Run -------------------------------------------------------------
    def run_locations_list(self, req: Request, a: dict[str, str]) -> Response:
        p = a["project"]
        locations = [
            {
                "name": f"projects/{p}/locations/{loc}",
                "locationId": loc,
                "displayName": loc,
                "labels": {"cloud.googleapis.com/region": loc},
            }
            for loc in self._fixture(p).run_locations
        ]
        page, token = self._page(req, locations, "pageSize")
        body: dict[str, Any] = {"locations": page}
        if token:
            body["nextPageToken"] = token
        return write("ListLocationsResponse", body, self._int_enums(req))

    def run_services_list(self, req: Request, a: dict[str, str]) -> Response:
        location = a["location"]
        if location == "-":
            raise GcpFault(error(400, "The location '-' is not supported: name a location."))
        services = self._fixture(a["project"]).run_services.get(location, [])
        page, token = self._page(req, services, "pageSize")
        body: dict[str, Any] = {"services": page}
        if token:
            body["nextPageToken"] = token
        return write("ListRunServicesResponse", body, self._int_enums(req))

    def run_services_get(self, req: Request, a: dict[str, str]) -> Response:
        for raw in self._fixture(a["project"]).run_services.get(a["location"], []):
            if raw["name"].endswith(f"/services/{a['name']}"):
                return write("RunService", raw, self._int_enums(req))
        name = f"projects/{a['project']}/locations/{a['location']}/services/{a['name']}"
        raise GcpFault(error(404, f"Resource '{name}' was not found"))

    def run_revisions_list(self, req: Request, a: dict[str, str]) -> Response:
        name = f"projects/{a['project']}/locations/{a['location']}/services/{a['service']}"
        found = self._fixture(a["project"]).run_revisions.get(name)
        if found is None:
            raise GcpFault(error(404, f"Resource '{name}' was not found"))
        page, token = self._page(req, found, "pageSize")
        body: dict[str, Any] = {"revisions": page}
        if token:
            body["nextPageToken"] = token
        return write("ListRunRevisionsResponse", body, self._int_enums(req))

    # -- Resource Manager ------------------------------------------------------
    def resourcemanager_projects_search(self, req: Request, a: dict[str, str]) -> Response:
        query = req.arg("query") or ""
        wanted = re.search(r"state:(\w+)", query)
        projects = [
            project_resource(fx)
            for fx in self.projects.values()
            if not wanted or fx.state == wanted.group(1)
        ]
        page, token = self._page(req, projects, "pageSize")
        body: dict[str, Any] = {"projects": page}
        if token:
            body["nextPageToken"] = token
        return write("SearchProjectsResponse", body, self._int_enums(req))
