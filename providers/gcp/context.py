"""What a GCP reader is handed: the scan's clients and the one project it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients


@dataclass(frozen=True)
class GcpContext:
    clients: GcpClients  # built once per scan, shared by every scope and kind
    project: str
    scope: str  # the scope's label, as its scope errors name it ("" for `check`)
