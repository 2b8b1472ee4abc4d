"""What a GCP reader is handed: the scan's clients and the one project it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.model import ScopeError

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

Labels = dict[str, dict[str, str]]


@dataclass(frozen=True)
class GcpContext:
    clients: GcpClients  # built once per scan, shared by every scope and kind
    project: str
    scope: str  # the scope's label, as its scope errors name it ("" for `check`)

    def labels(
        self, load: Callable[[GcpClients, str], Labels], what: str, part: str
    ) -> tuple[Labels, ScopeError | None]:
        """The project's labels by resource, from `load`; when they cannot be
        read, none, and a scope error naming `part` (the units are still
        assessed: labels only assign services)."""
        from providers.gcp.faults import GCP_ERRORS, describe

        try:
            return load(self.clients, self.project), None
        except GCP_ERRORS as exc:
            why = f"cannot read {what} labels: {describe(exc)}"
            return {}, ScopeError("gcp", self.scope, part, why)

    def labels_or_none(self, load: Callable[[GcpClients, str], Labels]) -> Labels:
        """The labels for `check`: none when they cannot be read."""
        return self.labels(load, "", "")[0]
