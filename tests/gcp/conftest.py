"""GCP test fixtures: the real SDK clients, built by the provider, against the
loopback emulator serving a small estate."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest

from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.plugin import plugin
from scanner.classify import classify
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from scanner.model import Assessment, ScopeError

PROJECT = "portal-prod"
ZONE = "europe-west2-a"
REGION = "europe-west2"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"


@dataclass
class Result:
    units: dict[str, Assessment]
    errors: list[ScopeError]
    emulator: GcpEmulator
    scopes: list[str] = field(default_factory=list)

    def one(self) -> Assessment:
        assert len(self.units) == 1, list(self.units)
        return next(iter(self.units.values()))


def evidence(a: Assessment) -> dict[str, Any]:
    return {e.field: e.value for e in a.evidence}


def project(**resources: Any) -> dict[str, Any]:
    return {"id": PROJECT, **resources}


@pytest.fixture(autouse=True)
def _clean_gcp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("RELSCAN_GCP_ENDPOINT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/relscan-test-adc.json")
    monkeypatch.setenv("NO_GCE_CHECK", "True")


@pytest.fixture
def gcp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`gcp.scan(estate, projects)` and `gcp.check(estate, id)` through the plugin."""
    with ExitStack() as stack:

        class Harness:
            def serve(self, estate: dict[str, Any], page_size: int = 2) -> GcpEmulator:
                emulator = GcpEmulator(copy.deepcopy(estate), page_size=page_size)
                server = stack.enter_context(LoopbackServer(emulator))
                self.server = server
                monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
                return emulator

            def scan(
                self, estate: dict[str, Any], projects: list[str] | None = None, **options: Any
            ) -> Result:
                emulator = self.serve(estate)
                run = plugin.configure({"gcp_project": tuple(projects or ()), **options})
                result = run_scan([(run, run.scopes())])
                units = {a.id: a for a in result.assessments}
                return Result(units, result.errors, emulator, result.scopes)

            def run(self, estate: dict[str, Any], **options: Any) -> Any:
                self.serve(estate)
                return plugin.configure(options)

            def check(self, estate: dict[str, Any], resource_id: str) -> Assessment:
                self.serve(estate)
                return classify(plugin.configure({}).check(resource_id))

        yield Harness()
