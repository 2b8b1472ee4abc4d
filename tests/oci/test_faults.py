"""Faults and throttling: injected at random, answered as OCI answers them, and
retried until the scan is exactly what a clean scan gives."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import Any

import pytest
import requests

from providers.oci.emulator.app import OciEmulator
from providers.oci.plugin import plugin
from providers.oci.retry import retry_after
from scanner.demo.serve import load_estate
from scanner.emulators.faults import KINDS, FaultPlan
from scanner.emulators.server import LoopbackServer, Request
from scanner.engine import run_scan
from scanner.outputs.json_out import scan_document
from tests.oci.conftest import PROD, SECRET, backends, estate, lb_entry, pipeline_entry


def _scan(part: dict[str, Any], monkeypatch, faults: FaultPlan | None = None):
    emulator = OciEmulator(json.loads(json.dumps(part)), page_size=1)  # many pages
    with ExitStack() as stack:
        server = stack.enter_context(LoopbackServer(emulator, faults=faults))
        monkeypatch.setenv("RELSCAN_OCI_ENDPOINT", server.url + "/{region}")
        monkeypatch.setenv("RELSCAN_OCI_TENANCY", emulator.tenancy)
        monkeypatch.setenv("OCI_REGION", emulator.regions[0])
        run = plugin.configure({})
        result = run_scan([(run, run.scopes())], concurrency=4)
        return result, run.clients.retry, len(server.requests)  # type: ignore[attr-defined]


def _units(result) -> list[dict[str, Any]]:
    doc = scan_document(result)
    return sorted(doc["resources"], key=lambda r: r["id"])


def test_twenty_percent_faults_give_the_clean_scan(monkeypatch, capsys):
    part = dict(load_estate()["oci"], retry_after=0)
    clean, _, clean_requests = _scan(part, monkeypatch)
    plan = FaultPlan(rate=0.2, kinds=KINDS, seed=3, slow_seconds=0.1)
    faulty, retry, requests_made = _scan(part, monkeypatch, plan)
    assert faulty.errors == clean.errors == []
    assert _units(faulty) == _units(clean)
    assert len(_units(clean)) == 22  # 15 load balancers and pipelines, 7 steering policies
    assert set(plan.injected) == set(KINDS)  # this seed injects every kind
    retried = plan.injected.get("throttle", 0) + plan.injected.get("500", 0)
    retried += plan.injected.get("503", 0) + plan.injected.get("drop", 0)
    assert retry.total == retried
    assert requests_made == clean_requests + retried
    with capsys.disabled():
        print(
            f"\n[oci faults] {clean_requests} requests clean, {requests_made} with faults; "
            f"injected {dict(sorted(plan.injected.items()))}; retries {retry.retries}"
        )


def test_fault_responses_are_ocis():
    emulator = OciEmulator(estate(retry_after=2))
    req = Request("GET", "/uk-london-1/20170115/loadBalancers", {}, {}, b"")
    throttle = emulator.fault_response("throttle", req)
    assert throttle.status == 429 and throttle.headers["retry-after"] == "2"
    assert json.loads(throttle.body) == {
        "code": "TooManyRequests",
        "message": "Too many requests for the user",
    }
    for kind, code in (("500", "InternalServerError"), ("503", "ServiceUnavailable")):
        resp = emulator.fault_response(kind, req)
        assert (resp.status, json.loads(resp.body)["code"]) == (int(kind), code)
        assert "opc-request-id" in resp.headers


def test_retry_after_is_honoured(serve):
    part = estate(
        load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})],
        faults=[{"operation": "ListLoadBalancers", "status": 429, "times": 1}],
        retry_after=1,
    )
    served = serve(part)
    start = time.monotonic()
    found, errors = served.scan(oci_compartment=(PROD,))
    assert errors == [] and "web" in found
    assert time.monotonic() - start >= 1.0


@pytest.mark.parametrize(
    "headers,wait",
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers, wait):
    exc = requests.HTTPError()
    exc.headers = requests.structures.CaseInsensitiveDict(headers)  # type: ignore[attr-defined]
    assert retry_after(exc) == wait


def test_a_scope_that_always_fails_leaves_the_others_complete(serve):
    part = estate(
        load_balancers=[
            lb_entry("prod-lb", {"web": {"backends": backends({})}}),
            lb_entry("secret-lb", {"web": {"backends": backends({})}}, compartment=SECRET),
        ],
        deploy_pipelines=[pipeline_entry("release", [], compartment=PROD)],
        faults=[{"compartment": SECRET, "status": 429}],  # throttled on every attempt
        retry_after=0,
    )
    found, errors = serve(part).scan()
    assert sorted(found) == ["prod-lb", "release"]
    assert {(e.scope.split("/")[0], e.service) for e in errors} == {
        (f"oci:{SECRET}", "loadbalancer"),
        (f"oci:{SECRET}", "devops"),
        (f"oci:{SECRET}", "dns"),
    }
    assert all("throttled and out of retries: 429 TooManyRequests" in e.message for e in errors)
    assert found["prod-lb"].rule == "OCI-LB-1-SINGLE-BACKEND"
