"""Cloud Run services: traffic targets, latest or pinned, in every location."""

from __future__ import annotations

from typing import Any

from tests.gcp.conftest import LATEST, PROJECT, REGION, REVISION, evidence, project

RUN_ID = f"//run.googleapis.com/projects/{PROJECT}/locations/{REGION}/services/frontend"


def estate(*services: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"projects": [project(run_services=list(services), **extra)]}


def service(*traffic: dict[str, Any], name: str = "frontend", location: str = REGION,
            **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"location": location, "name": name, "traffic": list(traffic), **extra}


def latest(percent: int = 100, **extra: Any) -> dict[str, Any]:
    return {"type": LATEST, "percent": percent, **extra}


def pinned(revision: str, percent: int = 100, **extra: Any) -> dict[str, Any]:
    return {"type": REVISION, "revision": revision, "percent": percent, **extra}


def test_split_across_two_revisions_is_level_4(gcp):
    svc = service(pinned("frontend-00041-abc", 90), pinned("frontend-00042-def", 10, tag="canary"))
    a = gcp.scan(estate(svc)).one()
    assert (a.level, a.rule) == (4, "GCP-RUN-4-TRAFFIC-SPLIT")
    ev = evidence(a)
    assert ev["traffic[].percent (targets above 0)"] == 2
    assert ev["traffic[] (revision=percent)"] == [
        "frontend-00041-abc=90", "frontend-00042-def=10 (tag canary)"]  # fmt: skip
    assert any("never show level 5" in step for step in a.next_steps)


def test_latest_with_a_pinned_share_is_a_split(gcp):
    a = gcp.scan(estate(service(latest(95), pinned("frontend-00041-abc", 5)))).one()
    assert (a.level, a.rule) == (4, "GCP-RUN-4-TRAFFIC-SPLIT")


def test_all_traffic_on_latest_is_level_4(gcp):
    a = gcp.scan(estate(service(latest(), labels={"service": "notifications"}))).one()
    assert (a.level, a.rule, a.basis) == (4, "GCP-RUN-4-LATEST-AUTO", "snapshot")
    ev = evidence(a)
    assert ev["traffic[type=LATEST].percent"] == 100
    assert ev["traffic[] (revision=percent)"] == ["LATEST=100"]
    assert ev["traffic[].percent (targets above 0)"] == 1
    assert (a.id, a.tags) == (RUN_ID, {"service": "notifications"})
    assert any("--no-traffic" in step for step in a.next_steps)


def test_tagged_zero_percent_revision_beside_latest_just_misses_a_split(gcp):
    svc = service(latest(), pinned("frontend-00042-def", 0, tag="preview"))
    a = gcp.scan(estate(svc)).one()
    assert (a.level, a.rule) == (4, "GCP-RUN-4-LATEST-AUTO")
    assert evidence(a)["traffic[].percent (targets above 0)"] == 1


def test_all_traffic_pinned_to_a_revision_is_level_3(gcp):
    a = gcp.scan(estate(service(pinned("frontend-00041-abc")))).one()
    assert (a.level, a.rule) == (3, "GCP-RUN-3-PINNED-REVISION")
    ev = evidence(a)
    assert ev["traffic[type=REVISION].percent"] == 100
    assert ev["traffic[type=LATEST].percent"] == 0


# "If traffic is empty or not provided, defaults to 100% traffic to the latest
# Ready Revision." (Service.traffic in the Cloud Run Admin API v2 reference,
# https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services)
def test_empty_traffic_is_all_traffic_on_latest_level_4(gcp):
    a = gcp.scan(estate(service())).one()
    assert (a.level, a.rule, a.basis) == (4, "GCP-RUN-4-LATEST-AUTO", "snapshot")
    ev = evidence(a)
    assert ev["traffic[type=LATEST].percent"] == 100
    assert ev["traffic[].percent (targets above 0)"] == 1
    assert ev["traffic[] (revision=percent)"] == ["LATEST=100 (default: traffic[] is empty)"]


def test_absent_traffic_is_the_same_default(gcp):
    svc = service()
    del svc["traffic"]
    a = gcp.scan(estate(svc)).one()
    assert (a.level, a.rule) == (4, "GCP-RUN-4-LATEST-AUTO")


def test_targets_with_no_traffic_at_all_match_no_rule(gcp):
    a = gcp.scan(estate(service(pinned("frontend-00041-abc", 0)))).one()
    assert a.level is None and a.rule is None
    assert "traffic[] gives no target any traffic" in a.reason


def test_every_location_is_listed_first_and_never_the_wildcard(gcp):
    locations = ["asia-east1", "europe-west1", "europe-west2", "us-central1", "us-east1"]
    services = [service(latest(), name=f"svc-{i}", location=loc)
                for i, loc in enumerate(locations[1:4] * 3)]  # fmt: skip
    result = gcp.scan(estate(*services, run_locations=locations))
    assert len(result.units) == 9
    run_calls = [c for c in result.emulator.calls if c[0] == "run"]
    assert run_calls.count(("run", "locations.list", PROJECT)) == 3  # 5 locations, 2 a page
    assert run_calls.count(("run", "services.list", PROJECT)) == 5 + 3  # a page more in 3
    assert {a.location for a in result.units.values()} == set(locations[1:4])


def test_one_failing_location_keeps_the_others(gcp):
    svc = [service(latest(), location="europe-west1"), service(latest(), name="b")]
    data = estate(*svc)
    data["faults"] = [{"api": "run", "op": "services.list", "status": 403,
                       "reason": "IAM_PERMISSION_DENIED"}]  # fmt: skip
    result = gcp.scan(data)
    assert result.units == {}
    assert {e.service for e in result.errors} == {
        "gcp.run.service in europe-west1", "gcp.run.service in europe-west2"}  # fmt: skip
    assert all("403 Forbidden (IAM_PERMISSION_DENIED)" in e.message for e in result.errors)


def test_check_reads_one_service(gcp):
    a = gcp.check(estate(service(pinned("frontend-00041-abc"))), RUN_ID)
    assert (a.level, a.rule, a.id) == (3, "GCP-RUN-3-PINNED-REVISION", RUN_ID)
