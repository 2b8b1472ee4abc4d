"""The OCI provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

from typing import Any, cast

import click

from providers.oci import AUTH_MODES
from providers.oci.kind import OciKind
from providers.oci.ocid import looks_like_ocid, parse_resource, parse_scope
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, ProviderRun
from scanner.readonly import Grant


class OciPlugin(ProviderPlugin):
    name = "oci"
    title = "Oracle Cloud Infrastructure"
    emulator = "providers.oci.emulator.app"
    scan_only = frozenset({"oci_compartment", "oci_region"})
    # One module per kind (providers/oci/kind.py): in this order a scope is read.
    readers = (
        "providers.oci.loadbalancer",
        "providers.oci.devops",
        "providers.oci.dnssteering",
    )
    discovery_reads = ("ListCompartments",)

    def oci_kinds(self) -> tuple[OciKind, ...]:
        """The kinds, with what OCI kinds add: the OCID type and the client."""
        return tuple(cast(OciKind, kind) for kind in self.kinds())

    def declared_reads(self) -> set[str]:
        from providers.oci.permissions import OPERATIONS

        return {op.name for op in OPERATIONS}

    def read_permission(self, operation: str) -> str | None:
        from providers.oci.permissions import OPERATIONS

        return next((op.permission for op in OPERATIONS if op.name == operation), None)

    def options(self) -> list[click.Option]:
        return [
            click.Option(
                ["--oci-compartment"],
                multiple=True,
                help="Compartment OCID to scan with its sub-compartments (repeatable); "
                "default: the tenancy's whole tree.",
            ),
            click.Option(
                ["--oci-region"],
                multiple=True,
                help="OCI region to scan (repeatable); default: the config's region.",
            ),
            click.Option(["--oci-profile"], help="Profile in the OCI config file."),
            click.Option(["--oci-config-file"], help="OCI config file (default: ~/.oci/config)."),
            click.Option(
                ["--oci-auth"],
                type=click.Choice(AUTH_MODES),
                default=None,
                help="How to authenticate (default: config).",
            ),
        ]

    def claims(self, resource_id: str) -> bool:
        return looks_like_ocid(resource_id)

    def check_id(self, resource_id: str) -> None:
        parse_resource(resource_id, self.oci_kinds())

    def permissions(self, scope: str = "account") -> Grant:
        if scope != "account":
            raise UsageError(
                f"--{scope}: the oci grant is the same for every scan; leave the option out"
            )
        from providers.oci.permissions import grant

        return grant()

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        # The SDK is imported here, not at plugin load: `relscan` starts fast.
        from providers.oci.auth import load
        from providers.oci.clients import OciClients
        from providers.oci.run import OciRun, region_name
        from scanner.network import timeout_of
        from scanner.practice.settings import period_of

        compartments = [parse_scope(c.strip()).text for c in options.get("oci_compartment") or ()]
        regions = [region_name(r, "--oci-region") for r in options.get("oci_region") or ()]
        creds = load(options)
        return OciRun(
            OciClients(creds, timeout_of(options), recorder, self.oci_kinds()),
            list(dict.fromkeys(compartments)),
            list(dict.fromkeys(regions)),
            self,
            period_of(options),
        )


plugin = OciPlugin()
