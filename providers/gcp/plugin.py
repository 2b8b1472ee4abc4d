"""The GCP provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

import re
from typing import Any

import click

from providers.gcp.endpoint import endpoint_from_env
from providers.gcp.names import (
    check_parent_id,
    check_project_id,
    looks_like_resource_name,
    parse_resource_name,
)
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, ProviderRun
from scanner.readonly import Grant

_SERVICE_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.:-]+\.gserviceaccount\.com$")


class GcpPlugin(ProviderPlugin):
    name = "gcp"
    title = "Google Cloud"
    emulator = "providers.gcp.emulator.app"
    scan_only = frozenset({"gcp_project", "gcp_folder", "gcp_organization"})

    def options(self) -> list[click.Option]:
        return [
            click.Option(
                ["--gcp-project"],
                multiple=True,
                help="GCP project id to scan (repeatable); default, without --gcp-folder "
                "or --gcp-organization: every active project the credential can see.",
            ),
            click.Option(
                ["--gcp-folder"],
                multiple=True,
                help="Scan every active project under this folder, sub-folders included "
                "(repeatable; 123456789 or folders/123456789).",
            ),
            click.Option(
                ["--gcp-organization"],
                help="Scan every active project under this organisation, in every folder "
                "(123456789 or organizations/123456789).",
            ),
            click.Option(
                ["--gcp-impersonate"],
                help="Service account email to impersonate, using Application Default "
                "Credentials as the source.",
            ),
        ]

    def claims(self, resource_id: str) -> bool:
        return looks_like_resource_name(resource_id)

    def check_id(self, resource_id: str) -> None:
        parse_resource_name(resource_id)

    def configure(
        self, options: dict[str, Any], recorder: Recorder | None = None
    ) -> ProviderRun:
        projects = list(dict.fromkeys(options.get("gcp_project") or ()))
        for project in projects:
            check_project_id(project)
        parents = [check_parent_id(f, "folder") for f in options.get("gcp_folder") or ()]
        organization = (options.get("gcp_organization") or "").strip()
        if organization:
            parents.insert(0, check_parent_id(organization, "organization"))
        impersonate = (options.get("gcp_impersonate") or "").strip() or None
        if impersonate and not _SERVICE_ACCOUNT.match(impersonate):
            raise UsageError(
                f"--gcp-impersonate {impersonate!r} is not a service account email "
                "(NAME@PROJECT.iam.gserviceaccount.com)"
            )
        endpoint = endpoint_from_env()
        # The Google Cloud SDKs take seconds to import: only when GCP is used.
        from providers.gcp.clients import GcpClients
        from providers.gcp.run import GcpRun
        from scanner.network import timeout_of

        clients = GcpClients(endpoint, impersonate, timeout_of(options))
        return GcpRun(clients, projects, list(dict.fromkeys(parents)))

    def permissions(self, scope: str = "account") -> Grant:
        if scope != "account":
            raise UsageError(
                f"--{scope}: the gcp grant is the same for every scan; leave the option out"
            )
        from providers.gcp.permissions import grant

        return grant()


plugin = GcpPlugin()
