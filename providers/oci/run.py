"""A configured OCI scan: scopes are (compartment, region) pairs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from oci.regions import REGIONS_SHORT_NAMES

from providers.oci.clients import OciClients
from providers.oci.context import OciContext
from providers.oci.faults import OCI_ERRORS, describe, is_credentials_error, is_not_found
from providers.oci.guard import record_context
from providers.oci.history import unit_history, with_history
from providers.oci.ocid import parse_resource
from providers.oci.plugin import OciPlugin, plugin
from providers.oci.scopes import CompartmentTree, discover
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from scanner.fanout import fan_out
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.practice.settings import Period
from scanner.status import status

REGION_NAME = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+-[0-9]+$")


def region_name(text: str, what: str) -> str:
    """A region name (uk-london-1) or key (lhr), as a region name."""
    value = text.strip().lower()
    if value in REGIONS_SHORT_NAMES:
        return str(REGIONS_SHORT_NAMES[value])
    if not REGION_NAME.match(value):
        raise UsageError(f"{what} {text!r}: not an OCI region name like uk-london-1")
    return value


class OciRun(ProviderRun):
    def __init__(
        self,
        clients: OciClients,
        compartments: list[str],
        regions: list[str],
        owner: OciPlugin = plugin,
        period: Period | None = None,
    ) -> None:
        self.clients = clients
        self.compartments = compartments
        self.regions = regions
        self.plugin = owner  # whose kinds the scan reads and `check` accepts
        self.period = period  # --history: the units' deployment records are read

    @property
    def home_region(self) -> str:
        if self.regions:
            return self.regions[0]
        region = self.clients.creds.region
        if not region:
            raise UsageError(
                f"no OCI region: pass --oci-region, or set region in {self.clients.creds.source}"
            )
        return region_name(region, "configured region")

    @cached_property
    def tree(self) -> CompartmentTree:
        tenancy = self.clients.creds.tenancy
        if not self.compartments and not tenancy:
            raise UsageError(
                "no OCI tenancy is known for these credentials: pass --oci-compartment"
            )
        identity = self.clients.get("identity", self.home_region)
        status("oci", "listing compartments…")
        return discover(identity, tenancy, self.compartments)

    def scopes(self) -> list[Scope]:
        regions = self.regions or [self.home_region]
        record_context(self.clients.creds.tenancy, regions[0], self.clients.recorder)
        tree = self.tree
        return [Scope("oci", c, r) for c in tree.ids for r in regions]

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        why = self.tree.errors.get(scope.account)
        if why and scope.location == (self.regions or [self.home_region])[0]:
            yield ScopeError("oci", scope.label, "identity", why)
        ctx = OciContext(self.clients, scope.location, scope.account)

        def kind(reader: Any) -> list[Observation | ScopeError]:
            found: list[Observation | ScopeError] = []
            try:
                found.extend(reader.collect(ctx))  # what came before a failure is kept
            except OCI_ERRORS as exc:
                found.append(ScopeError("oci", scope.label, reader.KIND.part, describe(exc)))
            if self.period is not None:
                return with_history(ctx, found, reader, self.period)
            return found

        # a global kind (no region in its OCIDs) is read in the first region only
        first = scope.location == (self.regions or [self.home_region])[0]
        readers = [
            r for r in self.plugin.reader_modules() if first or getattr(r.KIND, "regional", True)
        ]
        # the kinds' lists are read side by side, each handed over in its own order
        for found in fan_out(readers, kind):
            yield from found

    def check(self, resource_id: str) -> Observation:
        ocid = parse_resource(resource_id, self.plugin.oci_kinds())
        reader = self.plugin.reader_for(resource_id)
        if reader is None:  # the parser and the kinds' patterns share one grammar
            raise UsageError(f"no OCI kind claims {resource_id!r}")
        region = (
            region_name(ocid.region, f"region of {resource_id}")
            if ocid.region
            else self.home_region
        )
        ctx = OciContext(self.clients, region)
        try:
            unit = reader.get(ctx, resource_id)
        except OCI_ERRORS as exc:
            if is_not_found(exc):
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            if is_credentials_error(exc):
                raise CredentialsError(f"OCI credentials: {describe(exc)}") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
        if self.period is not None:
            unit.history = unit_history(ctx, reader, unit, self.period)
        return unit
