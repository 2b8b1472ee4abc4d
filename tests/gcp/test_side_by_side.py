"""Reads of one project made side by side (scanner/fanout.py), under the
project's `per_account` request slots: its kinds after the managed instance
groups, Cloud Run's locations, and the three lists that label URL maps. A
scan with `per_account` N is served by the emulator behind `Held`, which
counts the requests in flight and holds each fanned-out request until two are
in flight at once: read side by side, they meet at once; read one after
another, the first waits out its patience alone and the most in flight stays
1, so the test fails. Nothing is timed. Each result must equal the serial
scan's (per_account 1, nothing held)."""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.emulator.wire import error
from providers.gcp.plugin import plugin
from scanner.emulators.server import LoopbackServer, Request, Response
from scanner.engine import run_scan
from tests.gcp.conftest import LATEST, PROJECT, REVISION, project

# The project's slots in the tests of reads within a kind: the three kinds read
# side by side hold at most three, so the reads within one always find one free.
SLOTS = 6
LOCATIONS = ["asia-east1", "europe-west1", "europe-west2", "us-central1", "us-east1", "us-west1"]
RUN_LIST = re.compile(r"^/v2/projects/[^/]+/locations/[^/]+/services$")
FRONTEND_LISTS = re.compile(
    r"/aggregated/(?:targetHttpProxies|targetHttpsProxies|forwardingRules)$"
)


class Held:
    """The emulator app, counting every request in flight, and holding each
    request whose path matches `held` until `together` are in flight at once
    (then the gate stays open), or until `patience` seconds pass alone."""

    def __init__(
        self,
        app: Callable[[Request], Response],
        held: re.Pattern[str] | None,
        together: int = 2,
        patience: float = 10.0,
        refuse: re.Pattern[str] | None = None,
    ) -> None:
        self.app, self.held, self.together, self.patience = app, held, together, patience
        self.refuse = refuse  # paths answered 403, as a location the credential may not read
        self.now = self.most = self.most_held = self.held_now = 0
        self.open = False
        self.cond = threading.Condition()

    def __call__(self, req: Request) -> Response:
        holding = self.held is not None and bool(self.held.search(req.path))
        with self.cond:
            self.now += 1
            self.most = max(self.most, self.now)
            if holding:
                self.held_now += 1
                self.most_held = max(self.most_held, self.held_now)
                self.cond.notify_all()
                self.cond.wait_for(lambda: self.open or self.held_now >= self.together,
                                   timeout=self.patience)  # fmt: skip
                self.open = True
                self.cond.notify_all()
        try:
            if self.refuse is not None and self.refuse.search(req.path):
                compute = req.path.startswith("/compute/")
                return error(403, f"Permission denied on {req.path}.", compute=compute,
                             reason="" if compute else "IAM_PERMISSION_DENIED")  # fmt: skip
            return self.app(req)
        finally:
            with self.cond:
                self.now -= 1
                self.held_now -= int(holding)


def scan(
    monkeypatch: pytest.MonkeyPatch,
    estate: dict[str, Any],
    per_account: int,
    held: re.Pattern[str] | None,
    refuse: re.Pattern[str] | None = None,
    together: int = 2,
) -> tuple[Any, Held, GcpEmulator]:
    emulator = GcpEmulator(copy.deepcopy(estate), page_size=2)
    app = Held(emulator, held, together, refuse=refuse)
    with LoopbackServer(app) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure({"gcp_project": (PROJECT,)})
        result = run_scan([(run, run.scopes())], per_account=per_account)
    return result, app, emulator


def outcome(result: Any) -> tuple[list[Any], list[tuple[str, str, str]]]:
    """Units in the order reported, with level, rule, tags and evidence; errors
    (each scan's emulator has its own port, which error messages name)."""
    units = [(a.id, a.level, a.rule, a.tags, [(e.field, e.value) for e in a.evidence])
             for a in result.assessments]  # fmt: skip
    errors = [(e.scope, e.service, re.sub(r"127\.0\.0\.1:\d+", "emulator", e.message))
              for e in result.errors]  # fmt: skip
    return units, errors


def run_estate() -> dict[str, Any]:
    services = [
        {"location": loc, "name": f"svc-{i}-{loc}", "labels": {"service": f"s{i}"},
         "traffic": [{"type": LATEST, "percent": 90},
                     {"type": REVISION, "revision": f"svc-{i}-00001-abc", "percent": 10}]}
        for loc in LOCATIONS for i in range(3)  # three a location: two pages each
    ]  # fmt: skip
    return {"projects": [project(run_services=services, run_locations=LOCATIONS)]}


def test_cloud_run_locations_are_listed_side_by_side_within_the_projects_slots(monkeypatch):
    serial, one, _ = scan(monkeypatch, run_estate(), 1, None)
    side, fanned, emulator = scan(monkeypatch, run_estate(), SLOTS, RUN_LIST)
    assert one.most == 1
    assert fanned.most_held > 1 and fanned.most <= SLOTS
    assert outcome(side) == outcome(serial)
    assert [a.location for a in side.assessments if a.id.startswith("//run.")] == [
        loc for loc in LOCATIONS for _ in range(3)]  # fmt: skip
    # one list a location, and a second page for each: no request more than serially
    assert emulator.calls.count(("run", "services.list", PROJECT)) == 2 * len(LOCATIONS)


def test_a_refused_location_is_its_own_scope_error_and_the_others_are_kept(monkeypatch):
    refuse = re.compile(r"/locations/(?:europe-west1|us-east1)/services$")
    serial, _, _ = scan(monkeypatch, run_estate(), 1, None, refuse)
    side, app, _ = scan(monkeypatch, run_estate(), SLOTS, RUN_LIST, refuse)
    assert app.most_held > 1 and app.most <= SLOTS
    assert outcome(side) == outcome(serial)
    assert [e.service for e in side.errors] == [
        "gcp.run.service in europe-west1", "gcp.run.service in us-east1"]  # fmt: skip
    assert all("403 Forbidden (IAM_PERMISSION_DENIED)" in e.message for e in side.errors)
    assert len(side.assessments) == 3 * (len(LOCATIONS) - 2)


def test_a_client_keeps_a_connection_for_each_request_in_flight(monkeypatch, caplog):
    # Twelve Cloud Run lists in flight on the one Cloud Run client: urllib3 keeps
    # 10 connections a host unless told, and says so when it drops one.
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")
    locations = [f"europe-west{n}" for n in range(1, 17)]
    services = [{"location": loc, "name": f"svc-{loc}"} for loc in locations]
    estate = {"projects": [project(run_services=services, run_locations=locations)]}
    result, app, _ = scan(monkeypatch, estate, 16, RUN_LIST, together=12)
    assert app.most_held >= 12 and app.most <= 16
    assert len(result.assessments) == 16
    assert [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()] == []


def frontend_estate() -> dict[str, Any]:
    weighted = {"weightedBackendServices": [{"backendService": "blue", "weight": 90},
                                            {"backendService": "green", "weight": 10}]}  # fmt: skip
    return {"projects": [project(
        url_maps=[{"name": "web-lb", "defaultService": "blue", "defaultRouteAction": weighted},
                  {"name": "api-lb", "defaultService": "blue", "defaultRouteAction": weighted}],
        target_http_proxies=[{"name": "web-http", "urlMap": "web-lb"}],
        target_https_proxies=[{"name": "api-https", "urlMap": "api-lb"}],
        forwarding_rules=[
            {"name": "web-fr", "target": "targetHttpProxies/web-http",
             "labels": {"service": "web"}},
            {"name": "api-fr", "target": "targetHttpsProxies/api-https",
             "labels": {"service": "api"}}],
    )]}  # fmt: skip


def test_the_lists_that_label_url_maps_are_read_side_by_side(monkeypatch):
    serial, one, _ = scan(monkeypatch, frontend_estate(), 1, None)
    side, fanned, emulator = scan(monkeypatch, frontend_estate(), SLOTS, FRONTEND_LISTS)
    assert one.most == 1
    assert fanned.most_held > 1 and fanned.most <= SLOTS
    assert outcome(side) == outcome(serial)
    assert {a.name: a.tags for a in side.assessments} == {
        "web-lb": {"service": "web"}, "api-lb": {"service": "api"}}  # fmt: skip
    for collection in ("targetHttpProxies", "targetHttpsProxies", "forwardingRules"):
        assert emulator.calls.count(("compute", f"{collection}.aggregatedList", PROJECT)) == 1


def test_a_refused_label_list_costs_the_labels_as_before(monkeypatch):
    refuse = re.compile(r"/aggregated/targetHttpsProxies$")
    serial, _, _ = scan(monkeypatch, frontend_estate(), 1, None, refuse)
    side, app, _ = scan(monkeypatch, frontend_estate(), SLOTS, FRONTEND_LISTS, refuse)
    assert app.most_held > 1 and app.most <= SLOTS
    assert outcome(side) == outcome(serial)
    assert [a.tags for a in side.assessments] == [{}, {}]
    assert [e.service for e in side.errors] == ["compute forwarding rules"]
    assert side.errors[0].message.startswith("cannot read forwarding rule labels: 403")


KIND_FIRST_READS = re.compile(
    r"^/compute/v1/projects/[^/]+/aggregated/urlMaps$|^/v1/apps/[^/]+$|^/v1/projects/[^/]+/locations$"
)


def every_kind() -> dict[str, Any]:
    estate = frontend_estate()
    estate["projects"][0].update(
        instance_templates=[{"name": "web-v1", "properties": {"labels": {"service": "web"}}}],
        instance_group_managers=[{"zone": "europe-west2-a", "name": "web", "targetSize": 2,
                                  "instanceTemplate": "web-v1",
                                  "updatePolicy": {"type": "OPPORTUNISTIC"}}],
        app_engine={"locationId": "europe-west2", "servingStatus": "SERVING"},
        appengine_services=[{"id": "default", "split": {"allocations": {"v1": 0.9, "v2": 0.1}}}],
        run_services=run_estate()["projects"][0]["run_services"][:3],
        run_locations=LOCATIONS[:1],
    )  # fmt: skip
    return estate


def test_the_kinds_after_the_groups_are_read_side_by_side(monkeypatch):
    serial, one, alone = scan(monkeypatch, every_kind(), 1, None)
    side, four, emulator = scan(monkeypatch, every_kind(), 4, KIND_FIRST_READS)
    assert one.most == 1
    assert four.most_held > 1 and four.most <= 4
    assert outcome(side) == outcome(serial)
    assert Counter(a.kind for a in side.assessments) == {
        "gcp.compute.instance_group_manager": 1, "gcp.compute.url_map": 2,
        "gcp.appengine.service": 1, "gcp.run.service": 3}  # fmt: skip
    assert Counter(emulator.calls) == Counter(alone.calls)  # the same reads, once each


def test_a_missing_project_is_still_one_list_with_kinds_side_by_side(monkeypatch):
    result, app, emulator = scan(monkeypatch, every_kind() | {"projects": []}, 4, None)
    assert [e.service for e in result.errors] == ["project"]
    assert emulator.calls == [("compute", "instanceGroupManagers.aggregatedList", PROJECT)]
