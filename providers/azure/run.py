"""A configured Azure scan: one scope per subscription."""

from __future__ import annotations

from collections.abc import Iterator

from providers.azure.appservice import AppServiceReader
from providers.azure.clients import AzureClients
from providers.azure.faults import AZURE_ERRORS, describe, is_credentials_error, status_of
from providers.azure.ids import GUID, SITES, parse_resource_id
from providers.azure.trafficmanager import TrafficManagerReader
from providers.azure.values import Unusable
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.status import status

READERS = (
    ("App Service apps", AppServiceReader),
    ("Traffic Manager profiles", TrafficManagerReader),
)
SKIPPED_STATES = {"disabled", "deleted"}  # not scanned unless named with --azure-subscription


class AzureRun(ProviderRun):
    def __init__(self, clients: AzureClients, subscriptions: list[str]) -> None:
        self.clients = clients
        self.requested = subscriptions

    def _visible(self) -> dict[str, str]:
        """Every subscription the credential can list, with its state (one paged call)."""
        status("azure", "listing subscriptions…")
        try:
            listed = self.clients.subscriptions().subscriptions.list()
            found = [s.as_dict() if hasattr(s, "as_dict") else s for s in listed]
        except AZURE_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"Azure credentials: {describe(exc)}") from None
            raise CloudError(f"cannot list Azure subscriptions: {describe(exc)}") from None
        # An entry without a GUID subscriptionId cannot be scanned: it is left out.
        return {
            s["subscriptionId"].lower(): s.get("state") if isinstance(s.get("state"), str) else ""
            for s in found
            if isinstance(s, dict)
            and isinstance(s.get("subscriptionId"), str)
            and GUID.match(s["subscriptionId"])
        }

    def scopes(self) -> list[Scope]:
        visible = self._visible()
        if self.requested:
            for sub in self.requested:
                if sub not in visible:
                    raise UsageError(
                        f"unknown Azure subscription {sub}: the credential cannot see it "
                        f"(it can see {len(visible)}; list them with `az account list`)"
                    )
            return [Scope("azure", sub, "") for sub in self.requested]
        chosen = sorted(s for s, state in visible.items() if state.lower() not in SKIPPED_STATES)
        if not chosen:
            raise CredentialsError(
                "the Azure credential can see no enabled subscription; grant it Reader on "
                "one, or name one with --azure-subscription"
            )
        return [Scope("azure", sub, "") for sub in chosen]

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        for service, reader_class in READERS:
            try:
                yield from reader_class(self.clients, scope.account, scope.label).collect()
            except AZURE_ERRORS as exc:
                yield ScopeError("azure", scope.label, service, describe(exc))

    def check(self, resource_id: str) -> Observation:
        rid = parse_resource_id(resource_id)
        label = Scope("azure", rid.subscription, "").label
        try:
            if rid.kind == SITES:
                return AppServiceReader(self.clients, rid.subscription, label).read(
                    rid.group, rid.name
                )
            return TrafficManagerReader(self.clients, rid.subscription, label).read(
                rid.group, rid.name
            )
        except Unusable as exc:
            raise CloudError(f"cannot read {resource_id}: malformed answer: {exc}") from None
        except AZURE_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"Azure credentials: {describe(exc)}") from None
            if status_of(exc) == 404:
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
