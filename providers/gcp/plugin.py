"""The GCP provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import click

from providers.gcp.endpoint import endpoint_from_env
from providers.gcp.kind import GcpKind
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

if TYPE_CHECKING:
    from providers.gcp.reads import Read

_SERVICE_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.:-]+\.gserviceaccount\.com$")


class GcpPlugin(ProviderPlugin):
    name = "gcp"
    title = "Google Cloud"
    emulator = "providers.gcp.emulator.app"
    scan_only = frozenset({"gcp_project", "gcp_folder", "gcp_organization"})
    # One module per kind (scanner/kind.py); a scope reads them in this order.
    readers = (
        "providers.gcp.mig",
        "providers.gcp.urlmap",
        "providers.gcp.appengine",
        "providers.gcp.cloudrun",
        "providers.gcp.clouddeploy",
    )
    # Listing projects, and the projects and folders under folders and organisations.
    discovery_reads = ("projects.search", "folders.list", "projects.list")

    def gcp_kinds(self) -> tuple[GcpKind, ...]:
        return cast(tuple[GcpKind, ...], self.kinds())

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
        return looks_like_resource_name(resource_id, self.gcp_kinds())

    def check_id(self, resource_id: str) -> None:
        parse_resource_name(resource_id, self.gcp_kinds())

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
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
        from scanner.practice.settings import period_of

        clients = GcpClients(endpoint, impersonate, timeout_of(options), recorder=recorder)
        return GcpRun(clients, projects, list(dict.fromkeys(parents)), period_of(options))

    def declared_reads(self) -> set[str]:
        return set(_reads())

    def read_permission(self, operation: str) -> str | None:
        read = _reads().get(operation)
        return read.permission if read else None

    def permissions(self, scope: str = "account") -> Grant:
        if scope != "account":
            raise UsageError(
                f"--{scope}: the gcp grant is the same for every scan; leave the option out"
            )
        from providers.gcp.permissions import grant

        return grant()


def _reads() -> dict[str, Read]:
    """The permissions table by operation name (each names one REST method)."""
    from providers.gcp.permissions import READS

    return {read.operation: read for read in READS}


plugin = GcpPlugin()
