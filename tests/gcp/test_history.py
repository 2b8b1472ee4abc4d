"""GCP deployment records (--history) through the real SDK clients against the
emulator: Cloud Deploy rollouts (releases newest first, rollouts per release,
rollbacks, repair automation runs), Cloud Run revisions and App Engine
versions; MIGs and URL maps keep none.

The Cloud Deploy shapes follow the API reference: a rollback rollout names the
rollout it rolls back in `rollbackOfRollout`, which lists it in
`rolledBackByRollouts`; a repair automation run's rollback attempt names the
rollout it created (`repairRolloutOperation.repairPhases[].rollback.rolloutId`)
and "expires after 14 days from its creation date" (AutomationRun.expireTime,
https://cloud.google.com/deploy/docs/api/reference/rest/v1/projects.locations.deliveryPipelines.automationRuns);
the timed promotion is the one of "Use automation rules"
(https://cloud.google.com/deploy/docs/automation-rules: `timedPromoteReleaseRule
{destinationTargetId: "@next", schedule, timeZone}`).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from providers.gcp.deploy_windows import windows_of
from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.permissions import permission_names
from providers.gcp.plugin import plugin
from scanner.emulators.server import LoopbackServer
from scanner.model import Observation, ScopeError
from tests.gcp.conftest import LATEST, PROJECT, REGION, project
from tests.gcp.test_cloud_deploy import (
    ADVANCE,
    REPAIR,
    automation,
    canary,
    pipeline,
    target,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAYS = 30
PIPE = f"projects/{PROJECT}/locations/{REGION}/deliveryPipelines/web-app"
# Daily at 10:00 UTC going back from NOW: occurrence 29 (17 May) is in the
# 30-day period (from 16 May 12:00), occurrence 30 (16 May) is not. The
# repair run of occurrence 1 is kept; that of occurrence 20 expired (14 days).
DAILY = {
    "times": "daily 10:00",
    "timezone": "UTC",
    "count": 40,
    "minutes": 30,
    "failed": {1: "automatic", 3: "manual", 20: "automatic"},
    "stopped": [5],
}


def _at(days_back: int, minutes: int = 0) -> datetime:
    return NOW.replace(hour=10) - timedelta(days=days_back) + timedelta(minutes=minutes)


def _collect(
    monkeypatch: pytest.MonkeyPatch, estate: dict[str, Any], now: datetime = NOW, **options: Any
) -> tuple[list[Observation], list[ScopeError], GcpEmulator]:
    emulator = GcpEmulator(copy.deepcopy(estate), now=now)
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure(
            {"gcp_project": (PROJECT,), "history_days": DAYS, "history_end": now, **options}
        )
        found: list[Observation] = []
        errors: list[ScopeError] = []
        for scope in run.scopes():
            for item in run.collect(scope):
                (errors if isinstance(item, ScopeError) else found).append(item)
    return found, errors, emulator


def _deploy_estate(*specs: dict[str, Any], faults: list[Any] | None = None, **extra: Any):
    return {
        "projects": [
            project(
                deploy_targets=[target("staging"), target("prod")],
                deploy_pipelines=[pipeline(canary(), releases=list(specs))],
                deploy_automations=[automation(ADVANCE, REPAIR)],
                **extra,
            )
        ],
        "faults": faults or [],
    }


def _pipeline(found: list[Observation]) -> Observation:
    (unit,) = [u for u in found if u.kind == "gcp.deploy.pipeline"]
    return unit


def test_cloud_deploy_rollouts_on_the_last_target_with_rollbacks(monkeypatch):
    found, errors, emulator = _collect(monkeypatch, _deploy_estate(DAILY))
    history = _pipeline(found).history
    assert errors == [] and history.error is None
    assert history.source == "Cloud Deploy rollouts"
    releases = [r for r in history.releases if r.kind == "release"]
    rollbacks = {r.started: r for r in history.releases if r.kind == "rollback"}
    # the prod rollouts of 17 May .. 15 June; staging's are another target's
    assert [r.started for r in releases] == [_at(k) for k in range(29, -1, -1)]
    assert all(r.id.split("/rollouts/")[1].endswith("-to-prod-0001") for r in releases)
    by_day = {k: next(r for r in releases if r.started == _at(k)) for k in range(30)}
    assert by_day[0].ended == _at(0, 30) and by_day[0].outcome == "succeeded"
    assert by_day[5].outcome == "stopped" and by_day[5].rolled_back is None
    # automatic, its repair run still kept: the run names the rollback
    assert (by_day[1].outcome, by_day[1].rolled_back) == ("failed", "automatic")
    assert by_day[1].restored == _at(1, 34)
    assert rollbacks[_at(1, 31)].started_by == "repair rule repair/repair-verify"
    # automatic, its run expired: the rolled-back rollout still names it
    assert by_day[20].rolled_back == "automatic"
    assert rollbacks[_at(20, 31)].started_by == "repair automation run (expired)"
    # a person's
    assert by_day[3].rolled_back == "manual" and by_day[3].restored == _at(3, 34)
    assert rollbacks[_at(3, 31)].started_by is None
    assert rollbacks[_at(3, 31)].id.split("/releases/")[1].startswith("web-app-0036/")
    assert len(rollbacks) == 3 and history.left_out == {}
    assert "expire after 14 days" in history.note
    # releases newest first: the 30 of the period and the one before, then stop
    calls = [op for api, op, _ in emulator.calls if api == "clouddeploy"]
    # one page each (2 a page), and a second for the 3 releases with a rollback on them
    assert calls.count("rollouts.list") == 31 + 3
    assert calls.count("releases.list") == 16  # 2 a page
    assert calls.count("automationRuns.list") == 1 and "rollouts.get" not in calls


def test_a_rollback_onto_an_older_release_is_fetched_by_name(monkeypatch):
    old_good = {"times": "daily 10:00", "timezone": "UTC", "count": 1, "offset_days": 60}
    old_stopped = {"times": "daily 10:00", "timezone": "UTC", "count": 1, "offset_days": 45,
                   "stopped": [0]}  # fmt: skip
    recent = {"times": "daily 10:00", "timezone": "UTC", "count": 3, "failed": {2: "manual"}}
    found, _, emulator = _collect(monkeypatch, _deploy_estate(old_good, old_stopped, recent))
    history = _pipeline(found).history
    (rollback,) = [r for r in history.releases if r.kind == "rollback"]
    assert rollback.id.split("/releases/")[1].startswith("web-app-0001/")  # 60 days back
    failed = next(r for r in history.releases if r.started == _at(2))
    assert failed.rolled_back == "manual" and failed.restored == rollback.ended
    calls = [op for api, op, _ in emulator.calls if api == "clouddeploy"]
    assert calls.count("rollouts.get") == 1
    assert calls.count("rollouts.list") == 4  # 3 in the period, the 45-day-old one


def test_a_failing_records_read_keeps_the_pipeline(monkeypatch):
    fault = {"api": "clouddeploy", "op": "releases.list", "status": 400}
    found, errors, _ = _collect(monkeypatch, _deploy_estate(DAILY, faults=[fault]))
    unit = _pipeline(found)
    assert unit.facts["auto_rollback"].value is True  # its configuration stands
    assert unit.history.releases == []
    assert unit.history.error.startswith("records not read: 400 ")
    assert errors == []


def test_records_refused_everywhere_is_the_scopes_error(monkeypatch):
    fault = {"api": "clouddeploy", "op": "releases.list", "status": 403}
    found, errors, _ = _collect(monkeypatch, _deploy_estate(DAILY, faults=[fault]))
    assert "403" in _pipeline(found).history.error
    assert [e.service for e in errors] == ["gcp.deploy.pipeline history"]
    assert "releases.list" in errors[0].message


def test_timed_promotion_to_the_last_target_is_a_declared_window(monkeypatch):
    timed = {
        "timedPromoteReleaseRule": {
            "id": "sunday-night",
            "destinationTargetId": "@next",
            "schedule": "0 2 * * 0",
            "timeZone": "Europe/London",
        }
    }
    estate = _deploy_estate(DAILY)
    estate["projects"][0]["deploy_automations"].append(
        automation(timed, name="promote-staging", selector="staging")
    )
    history = _pipeline(_collect(monkeypatch, estate)[0]).history
    (window,) = history.declared_windows
    assert (window.days, window.start, window.end, window.timezone) == (
        (6,), "02:00", "03:00", "Europe/London"
    )  # fmt: skip
    assert "promote-staging/sunday-night" in window.description


def test_timed_promotion_that_stops_short_of_the_last_target_declares_nothing(monkeypatch):
    timed = {
        "timedPromoteReleaseRule": {
            "id": "nightly",
            "destinationTargetId": "@next",
            "schedule": "0 2 * * *",
            "timeZone": "UTC",
        }
    }
    estate = _deploy_estate(DAILY)  # selects prod: @next of the last target is nothing
    estate["projects"][0]["deploy_automations"].append(automation(timed, name="promote-prod"))
    assert _pipeline(_collect(monkeypatch, estate)[0]).history.declared_windows == []


@pytest.mark.parametrize(
    "cron,days,starts",
    [
        ("0 2 * * 0", (6,), ["02:00"]),
        ("30 22 * * MON-FRI", (0, 1, 2, 3, 4), ["22:30"]),
        ("0 1,13 * * *", (0, 1, 2, 3, 4, 5, 6), ["01:00", "13:00"]),
        ("0 3 * * 7", (6,), ["03:00"]),
        ("*/15 * * * *", None, []),  # a step: not a window
        ("0 2 1 * *", None, []),  # monthly: not weekly
    ],
)
def test_cron_schedules_as_windows(cron, days, starts):
    found = windows_of(cron, "Europe/London", "x")
    assert [w.start for w in found] == starts
    if days is not None:
        assert {w.days for w in found} == {days}


def test_cloud_run_revisions_are_the_services_records(monkeypatch):
    spec = {"times": "daily 10:00", "timezone": "UTC", "count": 35}
    estate = {"projects": [project(run_services=[
        {"location": REGION, "name": "api", "traffic": [{"type": LATEST, "percent": 100}],
         "releases": [spec]},
    ])]}  # fmt: skip
    found, errors, emulator = _collect(monkeypatch, estate)
    (unit,) = found
    history = unit.history
    assert errors == [] and history.source == "Cloud Run revisions"
    assert [r.started for r in history.releases] == [_at(k) for k in range(29, -1, -1)]
    assert {r.outcome for r in history.releases} == {"unknown"}
    assert history.kept.startswith("the last 1000 revisions") and history.covers_from is None
    assert "configuration-only revisions cannot be told apart" in history.note
    calls = [op for api, op, _ in emulator.calls if api == "run"]
    assert calls.count("revisions.list") == 18  # every page (2 a page): no documented order


def test_a_cloud_run_service_a_pipeline_releases_is_not_read(monkeypatch):
    labels = {f"deploy.cloud.google.com/{k}": v for k, v in (
        ("project-id", PROJECT), ("location", REGION), ("delivery-pipeline-id", "web-app"),
        ("target-id", "prod"))}  # fmt: skip
    service = {"location": REGION, "name": "web-app", "labels": labels,
               "releases": [{"times": "daily 10:00", "count": 3}]}  # fmt: skip
    found, _, emulator = _collect(monkeypatch, _deploy_estate(DAILY, run_services=[service]))
    assert [u.kind for u in found] == ["gcp.deploy.pipeline"]
    assert ("run", "revisions.list", PROJECT) not in emulator.calls


def test_app_engine_versions_name_their_deployer(monkeypatch):
    weekly = {"times": "weekly Mon 09:00", "timezone": "UTC", "count": 6}
    quiet = {"times": "weekly Mon 09:00", "timezone": "UTC", "count": 3, "offset_days": 100}
    estate = {"projects": [project(
        app_engine={"locationId": "europe-west2"},
        appengine_services=[{"id": "default", "releases": [weekly]},
                            {"id": "admin", "releases": [quiet]}],
    )]}  # fmt: skip
    found, _, _ = _collect(monkeypatch, estate)
    units = {u.name: u.history for u in found}
    assert len(units["default"].releases) == 5  # the sixth Monday is before the period
    first = units["default"].releases[0]
    assert first.started_by == f"ci-deployer@{PROJECT}.iam.gserviceaccount.com"
    assert first.id.startswith(f"apps/{PROJECT}/services/default/versions/")
    assert units["admin"].releases == [] and units["admin"].error is None  # not exercised


def test_migs_and_url_maps_keep_no_records(monkeypatch):
    estate = {
        "projects": [
            project(
                url_maps=[
                    {
                        "name": "lb",
                        "defaultService": "blue",
                        "defaultRouteAction": {
                            "weightedBackendServices": [
                                {"backendService": "blue", "weight": 90},
                                {"backendService": "green", "weight": 10},
                            ]
                        },
                    }
                ]
            )
        ]
    }
    found, _, _ = _collect(monkeypatch, estate)
    (unit,) = found
    assert unit.history.unavailable.startswith("a URL map keeps no record")
    from providers.gcp import mig

    assert mig.NO_HISTORY.startswith("a managed instance group keeps no record")


def test_check_reads_the_units_records(monkeypatch):
    emulator = GcpEmulator(copy.deepcopy(_deploy_estate(DAILY)), now=NOW)
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure({"history_days": DAYS, "history_end": NOW})
        unit = run.check(f"//clouddeploy.googleapis.com/{PIPE}")
    assert len([r for r in unit.history.releases if r.kind == "release"]) == 30


def test_without_history_no_record_is_read(monkeypatch):
    emulator = GcpEmulator(copy.deepcopy(_deploy_estate(DAILY)), now=NOW)
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure({"gcp_project": (PROJECT,)})
        found = [i for s in run.scopes() for i in run.collect(s)]
    assert all(getattr(i, "history", None) is None for i in found)
    assert not [op for _, op, _ in emulator.calls if op in ("releases.list", "rollouts.list")]


def test_permissions_grant_the_records_exactly():
    wanted = {
        "clouddeploy.releases.list",
        "clouddeploy.rollouts.list",
        "clouddeploy.rollouts.get",
        "clouddeploy.automationRuns.list",
        "run.revisions.list",
        "appengine.versions.list",
    }
    assert wanted <= set(permission_names())
    from providers.gcp.permissions import READS

    history = {r.operation: r.permission for r in READS if r.permission in wanted}
    assert history == {
        "projects.locations.deliveryPipelines.releases.list": "clouddeploy.releases.list",
        "projects.locations.deliveryPipelines.releases.rollouts.list": "clouddeploy.rollouts.list",
        "projects.locations.deliveryPipelines.releases.rollouts.get": "clouddeploy.rollouts.get",
        "projects.locations.deliveryPipelines.automationRuns.list":
            "clouddeploy.automationRuns.list",
        "projects.locations.services.revisions.list": "run.revisions.list",
        "apps.services.versions.list": "appengine.versions.list",
    }  # fmt: skip


def test_a_rollout_refused_at_approval_is_left_out_and_counted(monkeypatch):
    refused = {"times": "daily 08:00", "timezone": "UTC", "count": 2, "not_started": True}
    recent = {"times": "daily 10:00", "timezone": "UTC", "count": 3}
    found, _, _ = _collect(monkeypatch, _deploy_estate(recent, refused))
    history = _pipeline(found).history
    assert [r.started for r in history.releases] == [_at(2), _at(1), _at(0)]
    assert history.left_out == {
        "never started deploying (approval pending or refused, or cancelled before it began)": 2
    }


@pytest.mark.parametrize(
    "after,first",
    [
        (timedelta(0), 30),  # the period starts at a release's very second: it is in
        (timedelta(seconds=1), 29),  # that release is one second before the period: out
    ],
)
def test_the_periods_first_second(monkeypatch, after, first):
    now = NOW.replace(hour=10) + after
    spec = {"times": "daily 10:00", "timezone": "UTC", "count": 40}
    estate = {"projects": [project(run_services=[
        {"location": REGION, "name": "api", "releases": [spec]}])]}  # fmt: skip
    (unit,) = _collect(monkeypatch, estate, now=now)[0]
    started = [r.started for r in unit.history.releases]
    assert started[0] == NOW.replace(hour=10) - timedelta(days=first)
    assert len(started) == 30
