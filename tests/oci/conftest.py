"""OCI test fixtures: the real SDK clients, built by the provider, against the
loopback OCI emulator (plain http, so nothing is signed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from providers.oci.emulator.app import OciEmulator
from providers.oci.plugin import plugin
from scanner.classify import classify
from scanner.emulators.server import LoopbackServer
from scanner.model import Assessment, Observation, ScopeError

TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy00000000000000000000000000000000000000"
PROD = "ocid1.compartment.oc1..aaaaaaaaprod000000000000000000000000000000000000000000000"
TEAM = "ocid1.compartment.oc1..aaaaaaaateam000000000000000000000000000000000000000000000"
SECRET = "ocid1.compartment.oc1..aaaaaaaasecret0000000000000000000000000000000000000000000"
REGION = "uk-london-1"
COMPARTMENTS = [
    {"id": PROD, "name": "prod"},
    {"id": TEAM, "name": "team", "parent": PROD},
    {"id": SECRET, "name": "secret"},
]


def estate(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tenancy": TENANCY,
        "regions": [REGION, "uk-cardiff-1"],
        "compartments": COMPARTMENTS,
    }
    base.update(parts)
    return base


def lb_entry(
    name: str,
    backend_sets: dict[str, Any],
    listeners: dict[str, Any] | None = None,
    compartment: str = PROD,
    region: str = REGION,
    **extra: Any,
) -> dict[str, Any]:
    if listeners is None:
        listeners = {"https": {"defaultBackendSetName": next(iter(backend_sets)), "port": 443}}
    lb = {"displayName": name, "backendSets": backend_sets, "listeners": listeners, **extra}
    return {"region": region, "compartment": compartment, "lb": lb}


def backends(*specs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"ipAddress": f"10.0.0.{i + 10}", "port": 8080, **s} for i, s in enumerate(specs)]


def pipeline_entry(
    name: str,
    stages: list[dict[str, Any]],
    compartment: str = PROD,
    region: str = REGION,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "region": region,
        "compartment": compartment,
        "pipeline": {"displayName": name, **extra},
        "stages": stages,
    }


class Served:
    def __init__(self, emulator: OciEmulator, server: LoopbackServer) -> None:
        self.emulator = emulator
        self.server = server

    def options(self, **kw: Any) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "oci_compartment": (),
            "oci_region": (),
            "oci_profile": None,
            "oci_config_file": None,
            "oci_auth": None,
        }
        opts.update(kw)
        return opts

    def collect(
        self, recorder: Any = None, **kw: Any
    ) -> tuple[list[Observation], list[ScopeError]]:
        run = plugin.configure(self.options(**kw), recorder=recorder)
        found: list[Observation] = []
        errors: list[ScopeError] = []
        for scope in run.scopes():
            for item in run.collect(scope):
                (errors if isinstance(item, ScopeError) else found).append(item)
        return found, errors

    def scan(self, **kw: Any) -> tuple[dict[str, Assessment], list[ScopeError]]:
        found, errors = self.collect(**kw)
        return {o.name: classify(o) for o in found}, errors

    def check(self, resource_id: str, recorder: Any = None, **kw: Any) -> Assessment:
        run = plugin.configure(self.options(**kw), recorder=recorder)
        return classify(run.check(resource_id))


@pytest.fixture(autouse=True)
def _clean_oci_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for key in ("RELSCAN_OCI_ENDPOINT", "RELSCAN_OCI_TENANCY", "OCI_REGION", "OCI_CLI_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("OCI_CONFIG_FILE", str(tmp_path / "no-such-config"))


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """serve(part) -> Served: the emulator on loopback, the environment pointing at it."""
    with ExitStack() as stack:

        def _serve(part: dict[str, Any], page_size: int = 2, now: Any = None) -> Served:
            emulator = OciEmulator(part, page_size=page_size, now=now)
            server = stack.enter_context(LoopbackServer(emulator))
            monkeypatch.setenv("RELSCAN_OCI_ENDPOINT", server.url + "/{region}")
            monkeypatch.setenv("RELSCAN_OCI_TENANCY", emulator.tenancy)
            monkeypatch.setenv("OCI_REGION", emulator.regions[0])
            return Served(emulator, server)

        yield _serve


def evidence(assessment: Assessment) -> dict[str, Any]:
    return {e.field: e.value for e in assessment.evidence}
