"""Faults injected by LoopbackServer(faults=FaultPlan(...)): throttling (429
with Retry-After), 500, 503, slow answers and dropped connections. Retries make
a faulty scan give exactly the clean scan's assessments."""

from __future__ import annotations

import copy
import json
import time

import pytest

from providers.azure.emulator.app import AzureEmulator
from providers.azure.plugin import plugin
from scanner.cli.running import exit_code
from scanner.emulators.faults import FaultPlan
from scanner.emulators.server import LoopbackServer, Request
from scanner.engine import run_scan
from scanner.errors import EXIT_INCOMPLETE
from tests.azure.conftest import SUB, SUB2, app, estate, profile

WEIGHTED = {"routing": "Weighted", "endpoints": [{"name": "a", "weight": 9}, {"name": "b"}]}


def fixture(copies: int = 5):
    apps = []
    for i in range(copies):
        apps += [
            app(f"ramp{i}", slots=[{"name": "staging"}], routing_rules=[{"reroutePercentage": 10}]),
            app(f"swap{i}", slots=[{"name": "staging", "auto_swap": "production"}, {"name": "qa"}]),
            app(f"plain{i}"),
            app(f"manual{i}", slots=[{"name": "staging"}]),
        ]
    apps.append(app("other", subscription=SUB2, slots=[{"name": "blue"}, {"name": "green"}]))
    profiles = [profile(f"tm{i}", **WEIGHTED) for i in range(copies)]
    return estate(apps, [*profiles, profile("tm2", subscription=SUB2)])


def scan(monkeypatch, faults=None, **emulator):
    em = AzureEmulator(copy.deepcopy(fixture()), **emulator)
    with LoopbackServer(em, faults=faults) as server:
        monkeypatch.setenv("RELSCAN_AZURE_ENDPOINT", server.url)
        run = plugin.configure({})
        result = run_scan([(run, run.scopes())], concurrency=4)
        return result, server.requests, run.clients.gate


def units(result):
    return [
        (a.id, a.level, a.rule, a.reason, [e.as_dict() for e in a.evidence])
        for a in result.assessments
    ]


def test_twenty_percent_faults_give_the_clean_result(monkeypatch, capsys):
    clean, clean_requests, _ = scan(monkeypatch)
    plan = FaultPlan(rate=0.2, seed=42, slow_seconds=0.2)
    faulty, requests, gate = scan(monkeypatch, plan, retry_after="0.1")
    assert faulty.errors == [] and clean.errors == []
    assert units(faulty) == units(clean)
    assert len(units(clean)) == 27
    injected = sum(plan.injected.values())
    assert injected >= 8 and set(plan.injected) >= {"throttle", "500", "503"}
    # every injected answer that was no answer at all, or an error, was retried
    retried = len(requests) - len(clean_requests)
    with capsys.disabled():
        print(
            f"\n[azure faults] clean {len(clean_requests)} requests; faulty {len(requests)} "
            f"requests, injected {dict(sorted(plan.injected.items()))}, retries {retried}, "
            f"throttled {gate.throttled}, failed answers seen {gate.faults}"
        )
    assert retried == injected - plan.injected.get("slow", 0)


def test_injected_faults_are_resource_manager_answers():
    em = AzureEmulator(fixture(), retry_after="3")
    sub_path = f"/subscriptions/{SUB}/providers/Microsoft.Web/sites"
    throttle = em.fault_response("throttle", Request("GET", sub_path, {}, {}, b""))
    assert throttle.status == 429 and throttle.headers["Retry-After"] == "3"
    assert throttle.headers["x-ms-ratelimit-remaining-subscription-reads"] == "0"
    error = json.loads(throttle.body)["error"]
    assert error["code"] == "SubscriptionRequestsThrottled"
    assert "https://aka.ms/arm-throttling" in error["message"]
    tenant = em.fault_response("throttle", Request("GET", "/subscriptions", {}, {}, b""))
    assert json.loads(tenant.body)["error"]["code"] == "TenantRequestsThrottled"
    failed = em.fault_response("500", Request("GET", sub_path, {}, {}, b""))
    assert failed.status == 500 and "Retry-After" not in failed.headers
    assert json.loads(failed.body)["error"]["code"] == "InternalServerError"
    busy = em.fault_response("503", Request("GET", sub_path, {}, {}, b""))
    assert (busy.status, busy.headers["Retry-After"]) == (503, "3")
    assert json.loads(busy.body)["error"]["code"] == "ServiceUnavailable"


@pytest.mark.parametrize("status", [503, 429])
def test_a_subscription_that_always_fails_leaves_the_other_complete(serve, status):
    clean = {a.id: a.as_dict() for a in serve(fixture()).scan().assessments}
    part = fixture()
    part["faults"] = [{"subscription": SUB, "status": status, "retry_after": 0.01}]
    result = serve(part).scan()
    assert {(e.scope, e.service) for e in result.errors} == {
        (f"azure:{SUB}", "App Service apps"),
        (f"azure:{SUB}", "Traffic Manager profiles"),
        (f"azure:{SUB}", "Front Door origin groups"),
        (f"azure:{SUB}", "Container Apps"),
        (f"azure:{SUB}", "VM scale sets"),
    }
    got = {a.id: a.as_dict() for a in result.assessments}
    assert got == {k: v for k, v in clean.items() if f"/subscriptions/{SUB2}/" in k}
    assert len(got) == 2
    assert exit_code(result, None) == EXIT_INCOMPLETE


def test_a_throttled_subscription_holds_back_its_other_calls():
    from azure.core.pipeline import PipelineContext, PipelineRequest, PipelineResponse
    from azure.core.rest import HttpRequest

    from providers.azure.policies import ThrottleGate

    def request(sub):
        url = f"https://management.azure.com/subscriptions/{sub}/providers/Microsoft.Web/sites"
        return PipelineRequest(HttpRequest("GET", url), PipelineContext(None))

    class Answer:
        status_code = 429
        headers = {"Retry-After": "0.3"}

    gate = ThrottleGate()
    throttled = request(SUB)
    gate.on_response(
        throttled, PipelineResponse(throttled.http_request, Answer(), throttled.context)
    )
    started = time.monotonic()
    gate.on_request(request(SUB2))  # another subscription is not held back
    assert time.monotonic() - started < 0.1
    gate.on_request(request(SUB))  # the throttled one waits out Retry-After
    assert time.monotonic() - started >= 0.25
    assert (gate.throttled, gate.faults) == (1, 1)
