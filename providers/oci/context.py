"""What an OCI reader is handed: the scan's clients and one scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.oci.clients import OciClients


@dataclass(frozen=True)
class OciContext:
    """One compartment in one region (for `check`, the region of the OCID and
    no compartment: the unit names its own). OCI answers carry each unit's
    tags, so there is no per-scope lookup to share."""

    clients: OciClients
    region: str
    compartment: str = ""

    def client(self, service: str) -> Any:
        """The scan's client for a service in this region (built once per scan)."""
        return self.clients.get(service, self.region)

    @property
    def label(self) -> str:
        """The scope as a scope error names it."""
        return f"oci:{self.compartment}/{self.region}"
