"""Every REST call the GCP provider may make, declared once, with the IAM
permission each needs.

The client guard (providers/gcp/guard.py) refuses any request that matches no
declaration here before it is sent, and `relscan permissions gcp` prints the
custom role generated from the same list: what is enforced is what is granted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from scanner.readonly import Grant

_P = r"[^/]+"  # one path segment
_COMPUTE = f"/compute/v1/projects/{_P}"


@dataclass(frozen=True)
class Read:
    """One declared read: an API, its REST method and path, its IAM permission."""

    api: str  # the API's host name, e.g. compute.googleapis.com
    operation: str  # the REST method's name, e.g. instanceGroupManagers.aggregatedList
    method: str
    path: str  # a regular expression over the URL path
    permission: str

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method and re.fullmatch(self.path, path) is not None

    @property
    def service(self) -> str:
        return self.api.split(".", 1)[0]


def _get(api: str, operation: str, path: str, permission: str) -> Read:
    return Read(f"{api}.googleapis.com", operation, "GET", path, permission)


READS: tuple[Read, ...] = (
    _get("compute", "instanceGroupManagers.aggregatedList",
         f"{_COMPUTE}/aggregated/instanceGroupManagers", "compute.instanceGroupManagers.list"),
    _get("compute", "instanceGroupManagers.get",
         f"{_COMPUTE}/zones/{_P}/instanceGroupManagers/{_P}", "compute.instanceGroupManagers.get"),
    _get("compute", "regionInstanceGroupManagers.get",
         f"{_COMPUTE}/regions/{_P}/instanceGroupManagers/{_P}",
         "compute.instanceGroupManagers.get"),
    _get("compute", "instanceTemplates.aggregatedList",
         f"{_COMPUTE}/aggregated/instanceTemplates", "compute.instanceTemplates.list"),
    _get("compute", "urlMaps.aggregatedList", f"{_COMPUTE}/aggregated/urlMaps",
         "compute.urlMaps.list"),
    _get("compute", "urlMaps.get", f"{_COMPUTE}/global/urlMaps/{_P}", "compute.urlMaps.get"),
    _get("compute", "regionUrlMaps.get", f"{_COMPUTE}/regions/{_P}/urlMaps/{_P}",
         "compute.urlMaps.get"),
    _get("compute", "forwardingRules.aggregatedList", f"{_COMPUTE}/aggregated/forwardingRules",
         "compute.forwardingRules.list"),
    _get("compute", "targetHttpProxies.aggregatedList",
         f"{_COMPUTE}/aggregated/targetHttpProxies", "compute.targetHttpProxies.list"),
    _get("compute", "targetHttpsProxies.aggregatedList",
         f"{_COMPUTE}/aggregated/targetHttpsProxies", "compute.targetHttpsProxies.list"),
    _get("appengine", "apps.get", f"/v1/apps/{_P}", "appengine.applications.get"),
    _get("appengine", "apps.services.list", f"/v1/apps/{_P}/services", "appengine.services.list"),
    _get("appengine", "apps.services.get", f"/v1/apps/{_P}/services/{_P}",
         "appengine.services.get"),
    _get("run", "projects.locations.list", f"/v1/projects/{_P}/locations", "run.locations.list"),
    _get("run", "projects.locations.services.list", f"/v2/projects/{_P}/locations/{_P}/services",
         "run.services.list"),
    _get("run", "projects.locations.services.get",
         f"/v2/projects/{_P}/locations/{_P}/services/{_P}", "run.services.get"),
    _get("cloudresourcemanager", "projects.search", "/v3/projects:search",
         "resourcemanager.projects.get"),
    _get("cloudresourcemanager", "folders.list", "/v3/folders", "resourcemanager.folders.list"),
    _get("cloudresourcemanager", "projects.list", "/v3/projects", "resourcemanager.projects.list"),
)  # fmt: skip


def find(method: str, path: str) -> Read | None:
    """The declared read a request is, or None (the guard refuses it)."""
    return next((r for r in READS if r.matches(method, path)), None)


def host_allowed(read: Read, host: str, endpoint_host: str | None) -> bool:
    """A declared read goes to its own API's host (or its mTLS twin), or to the
    RELSCAN_GCP_ENDPOINT override, which stands in for every API."""
    if endpoint_host is not None:
        return host == endpoint_host
    name = read.api.split(".", 1)[0]
    return host in (read.api, f"{name}.mtls.googleapis.com")


def permission_names() -> list[str]:
    return sorted({r.permission for r in READS})


ROLE_ID = "relscanReader"


def grant() -> Grant:
    """A custom role for `gcloud iam roles create relscanReader --project=P
    --file=relscan-role.yaml` (or --organization=ORG)."""
    role = {
        "title": "relscan reader",
        "description": "Read-only access for relscan (from relscan permissions gcp)",
        "stage": "GA",
        "includedPermissions": permission_names(),
    }
    return Grant(
        provider="gcp",
        title="custom IAM role (YAML for gcloud iam roles create)",
        document=yaml.safe_dump(role, sort_keys=False, width=100),
        permissions=permission_names(),
    )
