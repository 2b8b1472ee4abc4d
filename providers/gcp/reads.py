"""One REST read the GCP provider may make: its API, method, path and IAM
permission. Each kind declares its own (in its reader module); the provider's
own reads (projects, folders) are in permissions.py, which assembles the table
the client guard enforces and the grant is made from. Free of SDK imports."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEGMENT = r"[^/]+"  # one path segment
COMPUTE = f"/compute/v1/projects/{SEGMENT}"  # a Compute Engine path, to the project


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


def rest_get(api: str, operation: str, path: str, permission: str) -> Read:
    """A GET of `api`.googleapis.com at `path` (a regular expression)."""
    return Read(f"{api}.googleapis.com", operation, "GET", path, permission)
