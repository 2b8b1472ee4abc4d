"""A configured Azure scan: one scope per subscription, in which every kind
the plugin lists is read by its reader module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.azure.clients import AzureClients
from providers.azure.context import AzureContext
from providers.azure.faults import AZURE_ERRORS, describe, is_credentials_error
from providers.azure.history import one, read_histories
from providers.azure.ids import GUID, parse_resource_id
from providers.azure.plugin import plugin
from scanner.errors import CloudError, CredentialsError, UsageError
from scanner.fanout import fan_out
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.practice.settings import Period
from scanner.status import status

SKIPPED_STATES = {"disabled", "deleted"}  # not scanned unless named with --azure-subscription


class AzureRun(ProviderRun):
    def __init__(
        self, clients: AzureClients, subscriptions: list[str], period: Period | None = None
    ) -> None:
        self.clients = clients
        self.requested = subscriptions
        self.period = period  # the release records' period (--history); None: not read

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
        ctx = AzureContext(self.clients, scope.account, scope.label)

        def kind(reader: Any) -> list[Observation | ScopeError]:
            found: list[Observation | ScopeError] = []
            try:
                found.extend(reader.collect(ctx))  # what came before a failure is kept
            except AZURE_ERRORS as exc:
                part = reader.KIND.part or reader.KIND.titles
                found.append(ScopeError("azure", scope.label, part, describe(exc)))
            if self.period is not None:  # each unit's release records, side by side
                units = [item for item in found if isinstance(item, Observation)]
                found.extend(read_histories(ctx, reader, units, self.period))
            return found

        # the kinds are read side by side too, each handed over in its own order
        try:
            for found in fan_out(plugin.reader_modules(), kind):
                yield from found
        finally:
            self.clients.release(scope.account)  # one scope per subscription

    def check(self, resource_id: str) -> Observation:
        rid = parse_resource_id(resource_id)  # a malformed or unsupported id stops here
        reader = plugin.reader_for(resource_id)
        if reader is None:  # the parser accepts only ids of declared kinds
            raise UsageError(f"no Azure kind claims {resource_id!r}")
        label = Scope("azure", rid.subscription, "").label
        ctx = AzureContext(self.clients, rid.subscription, label)
        unit: Observation = reader.get(ctx, resource_id)
        if self.period is not None:
            unit.history = one(ctx, reader, unit, self.period)
        return unit
