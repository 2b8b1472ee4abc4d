"""Faults from the cloud: throttling, 500s, 503s, slow answers and dropped
connections are retried (Retry-After honoured), so a scan with 20 % of its
requests failing assesses exactly what a clean scan does; a project that
always fails costs only that project's results."""

from __future__ import annotations

import json

from click.testing import CliRunner

from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.plugin import plugin
from scanner.cli import app
from scanner.emulators.faults import FaultPlan
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from tests.gcp.conftest import PROJECT
from tests.gcp.estates import OTHER, digest, rich, rich_project

PROJECTS = (PROJECT, OTHER, "hr-tool-prod", "data-platform")


def four() -> dict:
    return {"projects": [rich_project(p) for p in PROJECTS]}


def scan(monkeypatch, estate, faults=None, retry_after=0, projects=(PROJECT, OTHER)):
    emulator = GcpEmulator(estate, retry_after=retry_after)
    with LoopbackServer(emulator, faults=faults) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure({"gcp_project": projects})
        result = run_scan([(run, run.scopes())])
        return result, server.requests, run.clients.retry.retries  # type: ignore[attr-defined]


def test_a_scan_with_20_percent_faults_assesses_exactly_as_a_clean_scan(monkeypatch):
    clean, clean_requests, clean_retries = scan(monkeypatch, four(), projects=PROJECTS)
    plan = FaultPlan(rate=0.2, seed=7, slow_seconds=0.2)
    faulty, requests, retries = scan(monkeypatch, four(), plan, projects=PROJECTS)
    assert clean.errors == [] and faulty.errors == []
    assert len(clean.assessments) == 36
    assert digest(faulty.assessments) == digest(clean.assessments)
    assert clean_retries == 0 and set(plan.injected) == {"throttle", "500", "503", "slow", "drop"}
    retried = sum(plan.injected.get(k, 0) for k in ("throttle", "500", "503", "drop"))
    assert retries == retried  # every failed answer was retried once, slow ones waited for
    assert len(requests) == len(clean_requests) + retried


def test_injected_faults_are_in_googles_error_format():
    emulator = GcpEmulator(rich(), retry_after=3)
    from scanner.emulators.server import Request

    compute = Request("GET", f"/compute/v1/projects/{PROJECT}/aggregated/urlMaps", {}, {}, b"")
    run = Request("GET", f"/v2/projects/{PROJECT}/locations/x/services", {}, {}, b"")
    throttle = emulator.fault_response("throttle", run)
    assert throttle.status == 429 and throttle.headers["Retry-After"] == "3"
    err = json.loads(throttle.body)["error"]
    assert (err["code"], err["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert err["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    for kind, status, name in (("500", 500, "INTERNAL"), ("503", 503, "UNAVAILABLE")):
        body = json.loads(emulator.fault_response(kind, run).body)["error"]
        assert (body["code"], body["status"]) == (status, name)
        legacy = json.loads(emulator.fault_response(kind, compute).body)["error"]
        assert legacy["code"] == status and legacy["errors"][0]["reason"] == "backendError"


def test_retry_after_is_honoured_for_every_thread(monkeypatch):
    """One throttling answer with Retry-After: 1 pauses the scan about a second."""
    import time

    plan = FaultPlan(rate=0.05, kinds=("throttle",), seed=3)
    started = time.monotonic()
    result, _, retries = scan(monkeypatch, rich(), plan, retry_after=1)
    took = time.monotonic() - started
    assert result.errors == [] and len(result.assessments) == 18
    assert retries == plan.injected["throttle"] >= 1
    assert took >= 1.0


def test_a_project_that_always_fails_leaves_the_other_complete(monkeypatch):
    clean, _, _ = scan(monkeypatch, rich())
    estate = rich()
    estate["faults"] = [{"project": OTHER, "status": 503, "retry_after": "0"}]
    result, _, _ = scan(monkeypatch, estate)
    kept = {k: v for k, v in digest(clean.assessments).items() if f"/{PROJECT}/" in k}
    assert digest(result.assessments) == kept
    assert result.errors and all(e.scope == f"gcp:{OTHER}" for e in result.errors)
    assert all("throttled and out of retries: 503" in e.message for e in result.errors)


def test_a_project_that_always_fails_exits_3_with_the_rest_reported(monkeypatch):
    estate = rich()
    estate["faults"] = [{"project": OTHER, "status": 403}]
    with LoopbackServer(GcpEmulator(estate)) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        r = CliRunner().invoke(app, ["scan", "--provider", "gcp", "--gcp-project", PROJECT,
                                     "--gcp-project", OTHER, "--format", "json", "--no-store",
                                     "--quiet"])  # fmt: skip
    assert r.exit_code == 3, r.output
    doc = json.loads(r.stdout)
    assert len(doc["resources"]) == 9
    assert {res["account"] for res in doc["resources"]} == {PROJECT}
