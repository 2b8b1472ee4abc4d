"""The projects under folders and organisations, through Resource Manager v3.

From each parent given (`folders/N`, `organizations/N`), every sub-folder is
followed (`folders.list`, recursively) and every project directly under each
parent is listed (`projects.list`); both are paged GETs, and only ACTIVE
folders and projects are kept (the API leaves DELETE_REQUESTED ones out unless
asked; they are filtered here as well). The parents of one level of the tree
are read a few at a time.

A parent that cannot be read (403, 404, any failure) does not stop the others:
it is returned with its cause, and the run turns it into a scope error (or a
CloudError when nothing at all was found). Credentials that do not work stop
discovery at once, as everywhere else.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from google.cloud import resourcemanager_v3

from providers.gcp.clients import GcpClients
from providers.gcp.faults import GCP_ERRORS, describe, is_credentials_error
from scanner.errors import CredentialsError

PARALLEL = 8  # parents of one tree level read at once
ACTIVE_FOLDER = resourcemanager_v3.Folder.State.ACTIVE
ACTIVE_PROJECT = resourcemanager_v3.Project.State.ACTIVE
_LOST = {
    ("folders",): "the projects in its sub-folders are not scanned",
    ("projects",): "they are not scanned",
    ("folders", "projects"): "nothing under it is scanned",
}


@dataclass
class Found:
    projects: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)  # parent -> one-line cause


@dataclass
class _Children:
    folders: list[str]
    projects: list[str]
    failure: str | None


def _list(clients: GcpClients, what: str, parent: str) -> list[str]:
    """The ACTIVE folders (their names) or projects (their ids) directly under `parent`."""
    request = {"parent": parent}
    if what == "folders":
        pager = clients.get("folders").list_folders(request=request, retry=clients.retry)
        return [f.name for f in pager if f.state == ACTIVE_FOLDER and f.name]
    pager = clients.get("projects").list_projects(request=request, retry=clients.retry)
    return [p.project_id for p in pager if p.state == ACTIVE_PROJECT and p.project_id]


def _read(clients: GcpClients, parent: str) -> _Children:
    """One parent's sub-folders and projects, and what could not be listed."""
    listed: dict[str, list[str]] = {"folders": [], "projects": []}
    failed: list[str] = []
    first: BaseException | None = None
    for what in listed:
        try:
            listed[what] = _list(clients, what, parent)
        except GCP_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"Google Cloud credentials: {describe(exc)}") from None
            failed.append(what)
            first = exc if first is None else first
    failure = None
    if first is not None:
        failure = (
            f"cannot list the {' and '.join(failed)} under {parent} ({describe(first)}): "
            f"{_LOST[tuple(failed)]}"
        )
    return _Children(listed["folders"], listed["projects"], failure)


def discover(clients: GcpClients, parents: list[str]) -> Found:
    """Every ACTIVE project under `parents`, sub-folders included."""
    found = Found()
    seen = set(parents)
    level = list(parents)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        while level:
            following: list[str] = []
            read = pool.map(lambda p: _read(clients, p), level)
            for parent, children in zip(level, read, strict=True):
                found.projects.update(children.projects)
                if children.failure:
                    found.failures[parent] = children.failure
                for folder in children.folders:
                    if folder not in seen:  # a folder also given, or met twice
                        seen.add(folder)
                        following.append(folder)
            level = following
    return found
