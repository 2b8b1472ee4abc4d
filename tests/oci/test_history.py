"""DevOps deployment records (--history) through the real SDK against the
emulator: ListDeployments (time filter, paging) and GetDeployment (execution
progress, stage statuses, redeployments).

The rollback shapes follow OCI's "Rolling Back a Deployment"
(https://docs.oracle.com/en-us/iaas/devops/using/deployment_rollback.htm): an
automatic rollback is a stage that fails and deploys the last successful
version (stage status ROLLBACK_*, the deployment Failed); a manual one is a
new deployment, `oci devops deployment create-single-stage-redeployment` of an
earlier deployment (SINGLE_STAGE_REDEPLOYMENT, `previousDeploymentId`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from providers.oci.permissions import statements
from tests.oci.conftest import PROD, backends, estate, lb_entry, pipeline_entry

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAYS = 30
ROLLING = {
    "displayName": "rolling",
    "deployStageType": "COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT",
    "rolloutPolicy": {
        "policyType": "COMPUTE_INSTANCE_GROUP_LINEAR_ROLLOUT_POLICY_BY_PERCENTAGE",
        "batchPercentage": 25,
        "batchDelayInSeconds": 60,
    },
    "rollbackPolicy": {"policyType": "AUTOMATED_STAGE_ROLLBACK_POLICY"},
}
# Daily at 10:00 UTC going back from NOW: occurrence 29 (17 May 10:00) is in
# the 30-day period (from 16 May 12:00), occurrence 30 (16 May 10:00) is not.
DAILY = {
    "times": "daily 10:00",
    "timezone": "UTC",
    "count": 40,
    "minutes": 20,
    "failed": {1: "automatic", 3: "manual"},
    "stopped": [5],
}


def _entry(**extra):
    entry = pipeline_entry("web-release", [ROLLING])
    entry.update(extra)
    return entry


def _history(serve, *, faults=(), page_size=2, **extra):
    part = estate(deploy_pipelines=[_entry(releases=[DAILY], **extra)], faults=list(faults))
    served = serve(part, page_size=page_size, now=NOW)
    found, errors = served.collect(history_days=DAYS, history_end=NOW)
    (unit,) = [u for u in found if u.kind == "oci.devops.deploy_pipeline"]
    return unit, errors, served


def _at(days_back: int, minutes: int = 0) -> datetime:
    return NOW.replace(hour=10) - timedelta(days=days_back) + timedelta(minutes=minutes)


def test_records_of_the_period_with_their_outcomes_and_rollbacks(serve):
    unit, errors, served = _history(serve)
    history = unit.history
    assert errors == []
    assert history.source == "OCI DevOps deployments" and history.error is None
    releases = [r for r in history.releases if r.kind == "release"]
    rollbacks = [r for r in history.releases if r.kind == "rollback"]
    assert len(releases) == 30  # 17 May .. 15 June; 16 May 10:00 is before the period
    assert releases[0].started == _at(29) and releases[-1].started == _at(0)
    assert releases[-1].ended == _at(0, 20) and releases[-1].outcome == "succeeded"
    auto = next(r for r in releases if r.started == _at(1))
    assert (auto.outcome, auto.rolled_back) == ("failed", "automatic")
    assert auto.restored == _at(1, 24)  # the ROLLBACK_SUCCEEDED stage's end
    manual = next(r for r in releases if r.started == _at(3))
    assert (manual.outcome, manual.rolled_back) == ("failed", "manual")
    (rollback,) = rollbacks
    assert rollback.started == _at(3, 21) and manual.restored == rollback.ended == _at(3, 24)
    before = next(r for r in releases if r.started == _at(4))
    assert rollback.detail == f"redeployment of an earlier deployment {before.id}"
    assert next(r for r in releases if r.started == _at(5)).outcome == "stopped"
    assert [r.rolled_back for r in releases].count(None) == 28
    # one list, paged (31 deployments, 2 a page), then one GetDeployment each
    ops = [op for op, _, _ in served.emulator.calls]
    assert ops.count("ListDeployments") == 16 and ops.count("GetDeployment") == 31


def test_a_redeployment_of_the_latest_deployment_is_a_rerun_not_a_rollback(serve):
    from providers.oci.deployments import _rollbacks
    from scanner.practice.records import Release

    class D:  # the SDK model's attributes the pairing reads
        def __init__(self, ident, kind, previous=None):
            self.id, self.deployment_type, self.previous_deployment_id = ident, kind, previous

    def rec(ident, minutes, outcome="succeeded"):
        return Release(
            "devops:deployment", ident, NOW + timedelta(minutes=minutes), outcome=outcome
        )

    out = _rollbacks(
        [
            (D("a", "PIPELINE_DEPLOYMENT"), rec("a", 0)),
            (D("b", "PIPELINE_DEPLOYMENT"), rec("b", 10, "failed")),
            (D("c", "PIPELINE_REDEPLOYMENT", "b"), rec("c", 20)),
        ]
    )
    assert [(r.id, r.kind, r.rolled_back) for r in out] == [
        ("a", "release", None), ("b", "release", None), ("c", "release", None)
    ]  # fmt: skip
    assert out[2].detail == "re-run b"
    out = _rollbacks(
        [
            (D("a", "PIPELINE_DEPLOYMENT"), rec("a", 0)),
            (D("b", "PIPELINE_DEPLOYMENT"), rec("b", 10)),
            (D("c", "PIPELINE_REDEPLOYMENT", "a"), rec("c", 20)),
        ]
    )
    assert [(r.id, r.kind, r.rolled_back) for r in out] == [
        ("a", "release", None), ("b", "release", "manual"), ("c", "rollback", None)
    ]  # fmt: skip


def test_the_time_filter_is_sent_and_honoured(serve):
    unit, _, served = _history(serve, page_size=100)
    ops = [op for op, _, _ in served.emulator.calls]
    assert ops.count("ListDeployments") == 1  # one page: the server filtered by timeCreated
    assert min(r.started for r in unit.history.releases) >= NOW - timedelta(days=DAYS)


def test_a_failing_records_read_keeps_the_unit(serve):
    fault = {"operation": "GetDeployment", "status": 400, "code": "InvalidParameter"}
    unit, errors, _ = _history(serve, faults=[fault])
    assert unit.facts  # the pipeline's own facts are kept
    assert unit.history.releases == []
    assert unit.history.error.startswith("records not read: 400 InvalidParameter")
    assert errors == []  # not refused: the scope has nothing to say


def test_records_refused_for_every_unit_is_the_scopes_error_too(serve):
    fault = {"operation": "ListDeployments", "status": 404}
    unit, errors, _ = _history(serve, faults=[fault])
    assert "404 NotAuthorizedOrNotFound" in unit.history.error
    assert [(e.service, e.message.split(":")[0]) for e in errors] == [
        ("devops history", "records not read")
    ]
    assert "on list_deployments" in errors[0].message  # the operation refused


def test_without_history_nothing_is_read(serve):
    served = serve(estate(deploy_pipelines=[_entry(releases=[DAILY])]), now=NOW)
    found, _ = served.collect()
    assert all(u.history is None for u in found)
    assert "ListDeployments" not in [op for op, _, _ in served.emulator.calls]


def test_load_balancers_keep_no_records(serve):
    lb = lb_entry("web", {"blue": {"backends": backends({})}})
    served = serve(estate(load_balancers=[lb]), now=NOW)
    (unit,) = served.collect(history_days=DAYS, history_end=NOW)[0]
    assert unit.history.releases == [] and unit.history.error is None
    assert unit.history.unavailable.startswith("a load balancer keeps no record")


def test_check_reads_the_units_records(serve):
    from providers.oci.plugin import plugin

    unit, _, served = _history(serve)
    run = plugin.configure(served.options(history_days=DAYS, history_end=NOW))
    checked = run.check(unit.id)
    assert [r.id for r in checked.history.releases] == [r.id for r in unit.history.releases]


def test_permissions_grant_the_records_exactly():
    lines = statements()
    assert "Allow group relscan-readers to read devops-deployment in tenancy" in lines
    from providers.oci.permissions import OPERATIONS

    found = {op.name: (op.verb, op.resource_type) for op in OPERATIONS if "Deployment" in op.name}
    assert found == {
        "ListDeployments": ("inspect", "devops-deployment"),
        "GetDeployment": ("read", "devops-deployment"),
    }


def test_served_deployments_match_the_sdk_models(serve):
    from tests.oci.wire_check import problems

    served = serve(estate(deploy_pipelines=[_entry(releases=[DAILY])]), now=NOW)
    objects = [o for o in served.emulator.wire_objects() if o[1] == "Deployment"]
    assert len(objects) == 41
    assert [p for m, c, d in objects for p in problems(m, c, d)] == []
    assert PROD  # the pipeline's compartment


def test_a_deployment_cancelled_before_it_started_is_left_out_and_counted(serve):
    waiting = {"times": "daily 08:00", "timezone": "UTC", "count": 2, "not_started": True}
    recent = {"times": "daily 10:00", "timezone": "UTC", "count": 3}
    served = serve(estate(deploy_pipelines=[_entry(releases=[recent, waiting])]), now=NOW)
    (unit,) = served.collect(history_days=DAYS, history_end=NOW)[0]
    assert [r.started for r in unit.history.releases] == [_at(2), _at(1), _at(0)]
    assert unit.history.left_out == {"never started (cancelled or still waiting)": 2}
