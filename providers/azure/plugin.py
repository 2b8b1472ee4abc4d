"""The Azure provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

from typing import Any

import click

from providers.azure.ids import (
    looks_like_resource_id,
    parse_resource_id,
    subscription_id,
    tenant_id,
)
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, ProviderRun
from scanner.readonly import Grant


class AzurePlugin(ProviderPlugin):
    name = "azure"
    title = "Microsoft Azure"
    # One module per kind (providers/azure/kind.py says what each declares).
    readers = (
        "providers.azure.appservice",
        "providers.azure.trafficmanager",
        "providers.azure.frontdoor",
        "providers.azure.containerapps",
        "providers.azure.scalesets",
    )
    discovery_reads = ("subscriptions.list",)
    emulator = "providers.azure.emulator.app"
    scan_only = frozenset({"azure_subscription"})

    def options(self) -> list[click.Option]:
        return [
            click.Option(
                ["--azure-subscription"],
                multiple=True,
                help="Azure subscription id to scan (repeatable); default: every "
                "subscription the credential can list.",
            ),
            click.Option(
                ["--azure-tenant"],
                help="Microsoft Entra tenant (GUID or domain) to request tokens from.",
            ),
        ]

    def claims(self, resource_id: str) -> bool:
        return looks_like_resource_id(resource_id)

    def check_id(self, resource_id: str) -> None:
        parse_resource_id(resource_id)

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        # The SDK is imported here, not at plugin load: `relscan` starts fast.
        from providers.azure.clients import AzureClients, build_credential, resolve_endpoint
        from providers.azure.run import AzureRun
        from scanner.network import timeout_of
        from scanner.practice.settings import period_of

        subs = [subscription_id(s) for s in options.get("azure_subscription") or ()]
        tenant = options.get("azure_tenant")
        tenant = tenant_id(tenant) if tenant else None
        endpoint = resolve_endpoint()
        credential = build_credential(endpoint, tenant)
        clients = AzureClients(endpoint, credential, timeout_of(options), recorder)
        return AzureRun(clients, list(dict.fromkeys(subs)), period_of(options))

    def declared_reads(self) -> set[str]:
        from providers.azure.permissions import READS

        return {read.operation for read in READS}

    def read_permission(self, operation: str) -> str | None:
        from providers.azure.permissions import READS

        return next((read.action for read in READS if read.operation == operation), None)

    def permissions(self, scope: str = "account") -> Grant:
        """A custom role with exactly the actions of the reads the client guard allows."""
        if scope != "account":
            raise UsageError(
                f"--{scope}: the azure grant is the same for every scan; leave the option out"
            )
        from providers.azure.permissions import grant

        return grant()


plugin = AzurePlugin()
