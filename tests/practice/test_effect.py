"""A unit's practice (derive) and what it does to the verdict (effect.apply):
the cap at 2, the confirmation of a level-5 unit, a cap over a
confirmation, a unit not exercised, a snapshot verdict the records agree
with, and service rollups reading the capped level."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from scanner.model import ASSESSED, Assessment, Evidence
from scanner.practice import effect
from scanner.practice.derive import derive
from scanner.practice.practice import (
    NO_RECORDS,
    NOT_EXERCISED,
    OBSERVED,
    WINDOWED,
    Practice,
)
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    MANUAL,
    ROLLBACK,
    STOPPED,
    SUCCEEDED,
    UNKNOWN,
    History,
    Release,
)
from scanner.practice.services import service_practice
from scanner.practice.settings import Period, PracticeSettings
from scanner.services import rollup
from tests.practice.test_windows import NOW, local, weekly

SETTINGS = PracticeSettings(Period(90, NOW))
BLUE_GREEN = (
    "Blue/green deployment: CodeDeploy shifts traffic to the new instances on its own "
    "and rolls back when an alarm fires"
)


def unit(level: int | None, basis: str | None = "policy", uid: str = "u1") -> Assessment:
    return Assessment(
        id=uid,
        provider="aws",
        kind="aws.codedeploy.deployment_group",
        name=uid,
        account="123456789012",
        location="eu-west-2",
        tags={},
        level=level,
        status=ASSESSED,
        rule="AWS-CD-5-BLUE-GREEN-AUTO" if level else None,
        reason=BLUE_GREEN,
        evidence=[Evidence("deploymentStyle.deploymentType", "BLUE_GREEN")],
        next_steps=["Keep the alarms in step with the service."],
        basis=basis,
        service="payments",
    )


def rec(started: datetime, n: int, outcome: str = SUCCEEDED, **kw) -> Release:
    return Release("codedeploy:deployment", f"d-{n}", started, started + timedelta(minutes=20),
                   outcome=outcome, **kw)  # fmt: skip


def sunday_nights(count: int = 12, **failed) -> History:
    starts = weekly("Europe/London", 6, time(2, 30), count)
    records = [rec(s, i, **(failed if i == 0 else {})) for i, s in enumerate(starts)]
    return History("CodeDeploy deployments", records, kept="90 days")


def test_derive_counts_rates_and_time_to_restore():
    base = NOW - timedelta(days=30)
    records = [
        rec(base, 1),
        rec(
            base + timedelta(days=1),
            2,
            FAILED,
            rolled_back=AUTOMATIC,
            restored=base + timedelta(days=1, minutes=30),
        ),  # fmt: skip
        rec(base + timedelta(days=2), 3, STOPPED, rolled_back=MANUAL),  # restored by a record:
        rec(base + timedelta(days=2, minutes=25), 4, kind=ROLLBACK),  # ends 45 min in
        rec(base + timedelta(days=3), 5, STOPPED),
        rec(base + timedelta(days=4), 6, UNKNOWN),
    ]
    history = History("CodeDeploy deployments", records, covers_from=NOW - timedelta(days=42),
                      kept="six weeks")  # fmt: skip
    p = derive(history, SETTINGS)
    assert p.covered_from == NOW - timedelta(days=42) and p.covered_days == 42
    assert p.release_count == 5 and p.per_week == round(5 / 6, 2)
    assert (p.failed, p.stopped) == (1, 2)
    assert (p.rolled_back_automatic, p.rolled_back_manual) == (1, 1)
    assert p.failure_rate == 0.25  # 1 failed of 4 with an outcome
    assert p.change_failure_rate == 0.5  # failed or rolled back: 2 of 4
    assert p.rollback_rate == 0.4 and p.automatic_rollback_rate == 0.2
    assert p.manual_rollback_rate == 0.2
    assert p.time_to_restore_minutes == 37.5  # the median of 30 and 45
    assert p.last_release == base + timedelta(days=4)
    assert p.status == OBSERVED
    assert "The records cover only the last 42 of the 90 days asked for (CodeDeploy " \
        "deployments keeps six weeks)." in p.notes  # fmt: skip
    assert p.notes[1].startswith("Released 5 times in 90 days (0.8 a week); last on ")


def test_derive_without_outcomes_has_no_rates():
    history = History("Cloud Run revisions", [rec(NOW - timedelta(days=2), 1, UNKNOWN)])
    p = derive(history, SETTINGS)
    assert p.failure_rate is None and p.change_failure_rate is None
    assert p.time_to_restore_minutes is None and p.rollback_rate == 0.0


def test_no_records_and_not_exercised():
    lambda_alias = History("Lambda alias", unavailable="no API records an alias's moves")
    p = derive(lambda_alias, SETTINGS)
    assert p.status == NO_RECORDS and p.per_week is None and p.rollback_rate is None
    assert p.notes == ["Lambda alias keeps no deployment records: no API records an alias's moves"]
    broken = derive(History("ECS deployments", error="AccessDenied: not allowed"), SETTINGS)
    assert broken.status == NO_RECORDS and broken.per_week is None
    assert broken.notes == ["The deployment records could not be read: AccessDenied: not allowed"]
    quiet = derive(History("ECS deployments"), SETTINGS)
    assert quiet.status == NOT_EXERCISED and quiet.per_week == 0.0
    assert quiet.notes == [
        "No release in the last 90 days: the release mechanism has not been used."
    ]


def test_a_windowed_unit_configured_for_level_3_or_more_is_capped_at_2():
    a = unit(5)
    effect.apply(a, sunday_nights(), SETTINGS)
    assert a.level == 2
    p = a.practice
    assert p is not None and p.capped and p.configured_level == 5 and p.status == WINDOWED
    assert a.reason == (
        f"{BLUE_GREEN} (level 5), but released in a weekly maintenance window "
        "(Sundays 02:30–02:45 Europe/London, 12 of 12 releases): capped at level 2"
    )
    fields = {e.field: e.value for e in a.evidence}
    assert fields["deploymentStyle.deploymentType"] == "BLUE_GREEN"  # the configuration's, kept
    assert fields["practice.window"] == "Sundays 02:30–02:45 Europe/London, 12 of 12 releases"
    assert (fields["practice.window.inside"], fields["practice.window.of"]) == (12, 12)
    assert fields["practice.configured_level"] == 5
    assert a.next_steps[0].startswith("The configuration supports level 5; to be credited")
    assert a.next_steps[1] == "Keep the alarms in step with the service."


@pytest.mark.parametrize("level", [1, 2])
def test_practice_never_raises_a_level(level):
    a = unit(level)
    effect.apply(a, sunday_nights(), SETTINGS)
    assert a.level == level and a.practice is not None and not a.practice.capped
    assert a.reason == BLUE_GREEN


def test_level_3_is_capped_and_a_working_hours_rhythm_is_not():
    a = unit(3)
    effect.apply(a, sunday_nights(), SETTINGS)
    assert a.level == 2
    b = unit(4)
    mondays = weekly("Europe/London", 0, time(9, 0), 12)
    effect.apply(b, History("t", [rec(s, i) for i, s in enumerate(mondays)]), SETTINGS)
    assert b.level == 4 and b.practice is not None and b.practice.status == OBSERVED


def _auto_rollbacks() -> History:
    starts = [NOW - timedelta(days=d, hours=h) for d in range(1, 30) for h in (3, 9)]
    records = [rec(s, i) for i, s in enumerate(starts)]
    records[5] = rec(starts[5], 5, FAILED, rolled_back=AUTOMATIC,
                     restored=starts[5] + timedelta(minutes=12))  # fmt: skip
    return History("ECS service deployments", records)


def test_a_level_5_unit_whose_automatic_rollbacks_worked_is_confirmed():
    a = unit(5)
    effect.apply(a, _auto_rollbacks(), SETTINGS)
    assert a.level == 5 and a.practice is not None and a.practice.confirmed
    assert not a.practice.capped
    assert "Confirmed by the records: 1 automatic rollback restored the earlier version." in (
        a.practice.notes
    )
    # a rollback with no restore on record does not confirm
    history = _auto_rollbacks()
    history.releases[5] = rec(history.releases[5].started, 5, FAILED, rolled_back=AUTOMATIC)
    b = unit(5)
    effect.apply(b, history, SETTINGS)
    assert b.practice is not None and not b.practice.confirmed
    # nor does a level-4 unit's
    c = unit(4)
    effect.apply(c, _auto_rollbacks(), SETTINGS)
    assert c.practice is not None and not c.practice.confirmed


def test_a_cap_wins_over_a_confirmation_and_both_are_shown():
    a = unit(5)
    effect.apply(a, sunday_nights(outcome=FAILED, rolled_back=AUTOMATIC,
                                  restored=NOW - timedelta(days=7)), SETTINGS)  # fmt: skip
    p = a.practice
    assert a.level == 2 and p is not None and p.capped and p.confirmed
    doc = a.as_dict()["practice"]
    assert (doc["capped"], doc["confirmed"], doc["configured_level"]) == (True, True, 5)


def test_a_unit_with_no_release_is_not_exercised_and_its_level_stands():
    a = unit(5)
    effect.apply(a, History("CodeDeploy deployments"), SETTINGS)
    assert a.level == 5 and a.reason == BLUE_GREEN
    assert a.practice is not None and a.practice.status == NOT_EXERCISED
    assert "Level 5 stands, but the mechanism has not been used in the period." in (
        a.practice.notes
    )


def test_a_snapshot_verdict_gains_weight_where_history_agrees():
    a = unit(4, basis="snapshot")
    effect.apply(a, _auto_rollbacks(), SETTINGS)
    assert a.practice is not None and a.practice.agrees
    assert Evidence("practice.release_count", 58) in a.evidence
    policy = unit(4, basis="policy")
    effect.apply(policy, _auto_rollbacks(), SETTINGS)
    assert policy.practice is not None and not policy.practice.agrees
    quiet = unit(4, basis="snapshot")
    effect.apply(quiet, History("t"), SETTINGS)
    assert quiet.practice is not None and not quiet.practice.agrees
    windowed = unit(4, basis="snapshot")
    effect.apply(windowed, sunday_nights(), SETTINGS)
    assert windowed.practice is not None and not windowed.practice.agrees


def test_without_records_asked_nothing_changes():
    a = unit(5)
    effect.apply(a, None, SETTINGS)
    assert a.practice is None and a.level == 5


def test_the_service_rollup_uses_the_capped_level():
    capped, other = unit(5, uid="blue-green"), unit(4, uid="canary")
    effect.apply(capped, sunday_nights(), SETTINGS)
    effect.apply(other, _auto_rollbacks(), SETTINGS)
    (service,) = rollup([capped, other], "service")
    assert service.level == 2 and service.weakest == [capped]


def test_the_service_practice_block():
    capped, other = unit(5, uid="blue-green"), unit(5, uid="canary")
    quiet = unit(3, uid="quiet")
    effect.apply(capped, sunday_nights(), SETTINGS)
    effect.apply(other, _auto_rollbacks(), SETTINGS)
    effect.apply(quiet, History("t"), SETTINGS)
    block = service_practice([capped, other, quiet])
    assert block is not None
    assert block["units"] == 3 and block["release_count"] == 12 + 58
    assert block["capped"] == ["blue-green"] and block["confirmed"] == ["canary"]
    assert block["not_exercised"] == ["quiet"]
    assert block["statuses"] == {"observed": 1, "windowed": 1, "not_exercised": 1,
                                 "no_records": 0}  # fmt: skip
    assert block["rolled_back"] == {"automatic": 1, "manual": 0}
    assert block["time_to_restore_minutes"] == 12.0
    assert sum(map(sum, block["heatmap"])) == 70
    assert block["window"]["inside"] < 56 and block["windowed"] is False
    assert block["per_week"] == round(capped.practice.per_week + other.practice.per_week, 2)  # type: ignore[union-attr]
    assert service_practice([unit(5)]) is None


def test_the_practice_block_round_trips():
    a = unit(5)
    effect.apply(a, sunday_nights(), SETTINGS)
    doc = a.as_dict()
    again = Assessment.from_dict(doc)
    assert again.as_dict() == doc
    assert isinstance(again.practice, Practice) and again.practice.window == a.practice.window  # type: ignore[union-attr]
    assert local("Europe/London", NOW.date(), time(1, 0)).tzinfo is UTC


def test_a_rollback_record_restores_only_the_release_before_it():
    base = NOW - timedelta(days=10)
    records = [
        rec(base, 1, FAILED, rolled_back=MANUAL),  # no restore on record before release 2
        rec(base + timedelta(hours=1), 2),
        rec(base + timedelta(hours=1, minutes=30), 3, kind=ROLLBACK),  # a rollback of release 2?
        rec(base + timedelta(days=1), 4, FAILED, rolled_back=AUTOMATIC,
            restored=base + timedelta(days=1) - timedelta(minutes=3)),  # restored "before" it
    ]  # fmt: skip
    p = derive(History("t", records), SETTINGS)
    assert p.time_to_restore_minutes is None  # neither has a usable restore
    assert p.rolled_back_manual == 1 and p.rolled_back_automatic == 1
