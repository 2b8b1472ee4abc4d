"""The full resource names (as Cloud Asset Inventory writes them) that relscan
uses as ids, parsed strictly, and project, folder and organisation ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

PROJECT = r"(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
ZONE = r"[a-z]+-[a-z]+[0-9]+-[a-z]"
REGION = r"[a-z]+-[a-z]+[0-9]+"
NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"  # RFC 1035, as Compute Engine names
GAE_SERVICE = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
RUN_SERVICE = r"[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?"

MIG = "gcp.compute.instance_group_manager"
URL_MAP = "gcp.compute.url_map"
GAE = "gcp.appengine.service"
RUN = "gcp.run.service"

_PROJECT_ID = re.compile(rf"^{PROJECT}$")
_PARENT_ID = re.compile(r"(?:(?P<collection>folders|organizations)/)?(?P<number>[1-9][0-9]{0,19})")
_SHAPES = {
    MIG: re.compile(
        rf"^//compute\.googleapis\.com/projects/(?P<project>{PROJECT})/"
        rf"(?:zones/(?P<zone>{ZONE})|regions/(?P<region>{REGION}))/"
        rf"instanceGroupManagers/(?P<name>{NAME})$"
    ),
    URL_MAP: re.compile(
        rf"^//compute\.googleapis\.com/projects/(?P<project>{PROJECT})/"
        rf"(?:global|regions/(?P<region>{REGION}))/urlMaps/(?P<name>{NAME})$"
    ),
    GAE: re.compile(
        rf"^//appengine\.googleapis\.com/apps/(?P<project>{PROJECT})/"
        rf"services/(?P<name>{GAE_SERVICE})$"
    ),
    RUN: re.compile(
        rf"^//run\.googleapis\.com/projects/(?P<project>{PROJECT})/"
        rf"locations/(?P<region>{REGION})/services/(?P<name>{RUN_SERVICE})$"
    ),
}
SUPPORTED = (
    "//compute.googleapis.com/projects/P/zones/Z/instanceGroupManagers/N (or regions/R)",
    "//compute.googleapis.com/projects/P/global/urlMaps/N (or regions/R/urlMaps/N)",
    "//appengine.googleapis.com/apps/P/services/S",
    "//run.googleapis.com/projects/P/locations/L/services/S",
)
_HOST = re.compile(r"^//(?P<host>[a-z0-9.-]+\.googleapis\.com)/")


@dataclass(frozen=True)
class ResourceName:
    kind: str
    project: str
    location: str  # zone, region, or "global"; "" for App Engine
    name: str

    @property
    def zonal(self) -> bool:
        return self.location.count("-") == 2


def looks_like_resource_name(text: str) -> bool:
    return bool(_HOST.match(text))


def check_project_id(project: str) -> str:
    if not _PROJECT_ID.fullmatch(project):
        raise UsageError(
            f"malformed GCP project id {project!r}: 6 to 30 lowercase letters, digits and "
            "hyphens, starting with a letter"
        )
    return project


def check_parent_id(text: str, kind: str) -> str:
    """A folder or organisation id, `123456789` or `KINDs/123456789`, as the
    resource name Resource Manager takes (`folders/123456789`)."""
    collection = f"{kind}s"
    m = _PARENT_ID.fullmatch(text.strip())
    if not m or m["collection"] not in (None, collection):
        option = "--gcp-folder" if kind == "folder" else "--gcp-organization"
        raise UsageError(
            f"malformed GCP {kind} id {text!r} ({option}): expected a number such as "
            f"123456789, or {collection}/123456789"
        )
    return f"{collection}/{m['number']}"


def parse_resource_name(text: str) -> ResourceName:
    host = _HOST.match(text)
    if not host:
        raise UsageError(
            f"malformed GCP resource name {text!r}: expected //SERVICE.googleapis.com/..."
        )
    for kind, shape in _SHAPES.items():
        m = shape.fullmatch(text)
        if m:
            groups = m.groupdict()
            location = groups.get("zone") or groups.get("region") or ""
            if kind == URL_MAP and not location:
                location = "global"
            return ResourceName(kind, m["project"], location, m["name"])
    raise UsageError(
        f"unsupported or malformed GCP resource name {text!r}; relscan checks "
        + "; ".join(SUPPORTED)
    )


def mig_id(project: str, location: str, name: str) -> str:
    scope = "zones" if location.count("-") == 2 else "regions"
    base = f"//compute.googleapis.com/projects/{project}/{scope}/{location}"
    return f"{base}/instanceGroupManagers/{name}"


def url_map_id(project: str, location: str, name: str) -> str:
    scope = "global" if location == "global" else f"regions/{location}"
    return f"//compute.googleapis.com/projects/{project}/{scope}/urlMaps/{name}"


def gae_id(project: str, service: str) -> str:
    return f"//appengine.googleapis.com/apps/{project}/services/{service}"


def run_id(project: str, location: str, service: str) -> str:
    return f"//run.googleapis.com/projects/{project}/locations/{location}/services/{service}"


def last_segment(url: str | None) -> str | None:
    """The last path segment of a Compute Engine URL (a zone, a template, a service)."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None
