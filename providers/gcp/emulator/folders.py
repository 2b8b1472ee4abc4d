"""The GCP emulator's resource hierarchy: folders, project parents, and the
Resource Manager v3 list calls over them (a mixin of GcpEmulator).

An estate may give `folders: [{id, parent, displayName?, state?}]`, `parent`
being `organizations/N` or `folders/N` (a folder of the estate), and each
project may carry `parent` (by default the estate's one organisation,
organizations/123456789012). Folders are checked strictly: a numeric id given
once, a parent of the right shape that exists, no cycle, and every other key a
field of the API's Folder (a misspelt one fails). The organisations that exist
are those some folder or project names as its parent.

`GET /v3/folders?parent=P` and `GET /v3/projects?parent=P` answer as the API
does: the direct children of P, ACTIVE only unless `showDeleted=true`, paged
after `page_size` items with `nextPageToken`; a malformed or missing parent is
400 INVALID_ARGUMENT, an unknown one 403 PERMISSION_DENIED (Google does not
tell a parent that does not exist from one the caller may not read).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from providers.gcp.emulator.fixtures import CREATED, PARENT, ProjectFixture, project_resource
from providers.gcp.emulator.run import GcpFault
from providers.gcp.emulator.wire import FixtureError, error, parse, write
from scanner.emulators.server import Request, Response

_FOLDER_ID = re.compile(r"[1-9][0-9]{0,19}")


def folders(data: list[dict[str, Any]], projects: dict[str, ProjectFixture]) -> dict[str, Any]:
    """The estate's folders as API resources, by name (`folders/N`), checked."""
    out: dict[str, dict[str, Any]] = {}
    for item in data:
        raw = copy.deepcopy(dict(item))
        fid = str(raw.pop("id", ""))
        where = f"folder {fid or '(no id)'}"
        if not _FOLDER_ID.fullmatch(fid):
            raise FixtureError(f"{where}: id must be a number such as 123456789")
        if f"folders/{fid}" in out:
            raise FixtureError(f"{where}: given twice")
        if not PARENT.fullmatch(str(raw.get("parent", ""))):
            raise FixtureError(f"{where}: parent must be organizations/N or folders/N")
        raw["name"] = f"folders/{fid}"
        raw.setdefault("displayName", f"folder-{fid}")
        raw.setdefault("state", "ACTIVE")
        raw.setdefault("createTime", CREATED)
        raw.setdefault("updateTime", CREATED)
        if raw["state"] == "DELETE_REQUESTED":
            raw.setdefault("deleteTime", CREATED)
        parse("Folder", raw, where)
        out[raw["name"]] = raw
    for name, raw in out.items():
        seen = {name}
        parent = raw["parent"]
        while parent.startswith("folders/"):
            if parent not in out:
                raise FixtureError(f"{name}: parent {parent} is not a folder of the estate")
            if parent in seen:
                raise FixtureError(f"{name}: its parents loop back to {parent}")
            seen.add(parent)
            parent = out[parent]["parent"]
    for fx in projects.values():
        if fx.parent.startswith("folders/") and fx.parent not in out:
            raise FixtureError(f"project {fx.id}: parent {fx.parent} is not a folder of the estate")
    return out


class Hierarchy:
    projects: dict[str, ProjectFixture]
    folders: dict[str, dict[str, Any]]

    def _page(self, req: Request, items: list[Any], size_arg: str) -> tuple[list[Any], str]:
        raise NotImplementedError

    @staticmethod
    def _int_enums(req: Request) -> bool:
        raise NotImplementedError

    def _children_of(self, req: Request, op: str, kind: str) -> list[dict[str, Any]]:
        parent = req.arg("parent") or ""
        if not PARENT.fullmatch(parent):
            message = f"Request contains an invalid argument: parent {parent!r} in {op}."
            raise GcpFault(error(400, message))
        known = set(self.folders) | {f["parent"] for f in self.folders.values()}
        known |= {fx.parent for fx in self.projects.values()}
        if parent not in known:
            raise GcpFault(error(403, "The caller does not have permission"))
        if kind == "folders":
            every = list(self.folders.values())
        else:
            every = [project_resource(fx) for fx in self.projects.values()]
        deleted = (req.arg("showDeleted") or "").lower() == "true"
        return [r for r in every if r["parent"] == parent and (deleted or r["state"] == "ACTIVE")]

    def resourcemanager_folders_list(self, req: Request, a: dict[str, str]) -> Response:
        page, token = self._page(req, self._children_of(req, "folders.list", "folders"), "pageSize")
        body: dict[str, Any] = {"folders": page}
        if token:
            body["nextPageToken"] = token
        return write("ListFoldersResponse", body, self._int_enums(req))

    def resourcemanager_projects_list(self, req: Request, a: dict[str, str]) -> Response:
        items = self._children_of(req, "projects.list", "projects")
        page, token = self._page(req, items, "pageSize")
        body: dict[str, Any] = {"projects": page}
        if token:
            body["nextPageToken"] = token
        return write("ListProjectsResponse", body, self._int_enums(req))
