"""App Engine services: traffic split allocations."""

from __future__ import annotations

from typing import Any

from tests.gcp.conftest import PROJECT, evidence, project

GAE_ID = f"//appengine.googleapis.com/apps/{PROJECT}/services/default"


def estate(*services: dict[str, Any], app: bool = True) -> dict[str, Any]:
    resources: dict[str, Any] = {"appengine_services": list(services)}
    if app:
        resources["app_engine"] = {"locationId": "europe-west2", "servingStatus": "SERVING"}
    return {"projects": [project(**resources)]}


def service(allocations: dict[str, float], shard_by: str = "IP", **extra: Any) -> dict[str, Any]:
    return {"id": "default", "split": {"shardBy": shard_by, "allocations": allocations}, **extra}


def test_split_across_two_versions_is_level_4(gcp):
    svc = service({"v41": 0.9, "v42": 0.1}, "COOKIE", labels={"service": "grants"})
    a = gcp.scan(estate(svc)).one()
    assert (a.level, a.rule) == (4, "GCP-GAE-4-TRAFFIC-SPLIT")
    assert a.basis == "snapshot"
    ev = evidence(a)
    assert ev["split.allocations (versions above 0)"] == 2
    assert ev["split.allocations (version=share)"] == ["v41=0.9", "v42=0.1"]
    assert ev["split.shardBy"] == "COOKIE"  # sent as an integer enum, read back by name
    assert (a.id, a.location, a.tags) == (GAE_ID, "europe-west2", {"service": "grants"})
    assert any("never show level 5" in step for step in a.next_steps)


def test_one_version_with_all_traffic_just_misses_level_4(gcp):
    a = gcp.scan(estate(service({"v41": 1.0}))).one()
    assert (a.level, a.rule) == (3, "GCP-GAE-3-ONE-VERSION-SERVING")
    assert a.basis == "snapshot"
    assert evidence(a)["split.allocations (versions above 0)"] == 1
    assert any("--no-promote" in step for step in a.next_steps)


def test_no_allocation_just_misses_level_3(gcp):
    a = gcp.scan(estate({"id": "default", "split": {}})).one()
    assert a.level is None and a.rule is None
    assert "gives no version any traffic" in a.reason
    assert evidence(a)["split.allocations (versions above 0)"] == 0


def test_services_page_and_a_project_without_app_engine_is_empty(gcp):
    services = [service({"v1": 1.0}, id=f"svc-{i}") for i in range(5)]
    result = gcp.scan(estate(*services))
    assert len(result.units) == 5
    assert result.emulator.calls.count(("appengine", "services.list", PROJECT)) == 3
    empty = gcp.scan(estate(app=False))
    assert empty.units == {} and empty.errors == []


def test_check_reads_one_service(gcp):
    a = gcp.check(estate(service({"a": 0.5, "b": 0.5})), GAE_ID)
    assert (a.level, a.rule) == (4, "GCP-GAE-4-TRAFFIC-SPLIT")
