"""Every REST call the GCP provider may make, with the IAM permission each
needs: each kind's reads, declared in its reader module (`GcpKind.rest`), and
the provider's own, declared here.

The client guard (providers/gcp/guard.py) refuses any request that matches no
declaration here before it is sent, and `relscan permissions gcp` prints the
custom role generated from the same list: what is enforced is what is granted.
"""

from __future__ import annotations

import yaml

from providers.gcp.plugin import plugin
from providers.gcp.reads import Read, rest_get
from scanner.readonly import Grant

# The provider's own reads: the projects a scan covers (plugin.discovery_reads).
DISCOVERY: tuple[Read, ...] = (
    rest_get("cloudresourcemanager", "projects.search", "/v3/projects:search",
             "resourcemanager.projects.get"),
    rest_get("cloudresourcemanager", "folders.list", "/v3/folders",
             "resourcemanager.folders.list"),
    rest_get("cloudresourcemanager", "projects.list", "/v3/projects",
             "resourcemanager.projects.list"),
)  # fmt: skip
# Every read: each kind's (declared beside its reader), then the provider's own.
READS: tuple[Read, ...] = (
    *(read for kind in plugin.gcp_kinds() for read in kind.rest),
    *DISCOVERY,
)


def find(method: str, path: str, host: str = "", endpoint_host: str | None = None) -> Read | None:
    """The declared read a request is, or None (the guard refuses it). Two
    APIs may share a path (Cloud Run's and Cloud Deploy's `/v1/projects/P/
    locations`): given the request's host, the read of the API it goes to."""
    found = [r for r in READS if r.matches(method, path)]
    if host:
        return next((r for r in found if host_allowed(r, host, endpoint_host)), None)
    return found[0] if found else None


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
