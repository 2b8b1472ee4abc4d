"""Azure test fixtures: the real SDK clients, built by the provider, against
the loopback ARM emulator (RELSCAN_AZURE_ENDPOINT is the only switch)."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from providers.azure.emulator.app import AzureEmulator
from providers.azure.plugin import plugin
from scanner.classify import classify
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from scanner.model import Assessment, ScanResult

SUB = "0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4"
SUB2 = "1c6f2d3e-4a5b-4c6d-9e7f-8091a2b3c4d5"
SITES = f"/subscriptions/{SUB}/resourceGroups/web-rg/providers/Microsoft.Web/sites"
CONTAINER_APPS = (
    f"/subscriptions/{SUB}/resourceGroups/apps-rg/providers/Microsoft.App/containerApps"
)
SCALE_SETS = (
    f"/subscriptions/{SUB}/resourceGroups/vm-rg/providers/Microsoft.Compute/virtualMachineScaleSets"
)


def estate(
    apps: list[dict[str, Any]] | None = None, profiles: list[Any] | None = None, **extra: Any
) -> dict[str, Any]:
    part: dict[str, Any] = {
        "subscriptions": [{"id": SUB, "name": "Test"}, {"id": SUB2, "name": "Test 2"}],
        "apps": apps or [],
        "traffic_manager": profiles or [],
    }
    part.update(extra)
    return part


def app(name: str = "portal", **fields: Any) -> dict[str, Any]:
    return {"subscription": SUB, "resource_group": "web-rg", "name": name, **fields}


def profile(name: str = "portal-tm", **fields: Any) -> dict[str, Any]:
    return {"subscription": SUB, "resource_group": "net-rg", "name": name, **fields}


def container_app(name: str = "portal-api", **fields: Any) -> dict[str, Any]:
    return {"subscription": SUB, "resource_group": "apps-rg", "name": name, **fields}


def scale_set(name: str = "web-vmss", **fields: Any) -> dict[str, Any]:
    return {"subscription": SUB, "resource_group": "vm-rg", "name": name, **fields}


@pytest.fixture(autouse=True)
def _clean_azure_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith(("AZURE_", "RELSCAN_AZURE_", "IDENTITY_", "MSI_")):
            monkeypatch.delenv(key, raising=False)


class Served:
    def __init__(self, emulator: AzureEmulator, server: LoopbackServer) -> None:
        self.emulator = emulator
        self.server = server

    def scan(self, **options: Any) -> ScanResult:
        run = plugin.configure(options)
        return run_scan([(run, run.scopes())], concurrency=4)

    def assess(self, **options: Any) -> dict[str, Assessment]:
        result = self.scan(**options)
        assert result.errors == []
        return {a.name: a for a in result.assessments}

    def check(self, resource_id: str) -> Assessment:
        return classify(plugin.configure({}).check(resource_id))


@pytest.fixture
def serve(monkeypatch):
    """Serve an estate on loopback and point the provider at it."""
    servers: list[LoopbackServer] = []

    def _serve(part: dict[str, Any], page_size: int = 2) -> Served:
        emulator = AzureEmulator(copy.deepcopy(part), page_size=page_size)
        server = LoopbackServer(emulator).start()
        servers.append(server)
        monkeypatch.setenv("RELSCAN_AZURE_ENDPOINT", server.url)
        return Served(emulator, server)

    yield _serve
    for server in servers:
        server.stop()


def evidence(a: Assessment) -> dict[str, Any]:
    return {e.field: e.value for e in a.evidence}
