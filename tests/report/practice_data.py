"""Units with release practice (--history), built as the core hands it over:
`Practice` objects set on assessments, with the counts the core derives
written out literally (the outputs only show them)."""

from __future__ import annotations

import datetime as dt

from scanner.practice.practice import (
    NO_RECORDS,
    NOT_EXERCISED,
    OBSERVED,
    WINDOWED,
    Practice,
    Window,
)
from scanner.practice.records import AUTOMATIC, FAILED, MANUAL, ROLLBACK, SUCCEEDED, Release

END = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # the fixture scan's start
START = END - dt.timedelta(days=90)
ZONE = "Europe/London"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A November 2026 UTC time (London is on GMT then: local = UTC)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def practice(status: str = OBSERVED, releases: list[Release] | None = None, **kw) -> Practice:
    grid = [[0] * 24 for _ in range(7)]
    for day, hour, n in kw.pop("cells", []):
        grid[day][hour] = n
    records = releases or []
    return Practice(
        status=status,
        source=kw.pop("source", "CodeDeploy deployments"),
        period_days=90,
        period_start=START,
        period_end=END,
        covered_from=kw.pop("covered_from", START),
        releases=records,
        release_count=kw.pop("release_count", sum(1 for r in records if r.kind == "release")),
        heatmap=grid,
        timezone=ZONE,
        **kw,
    )


def release(rid: str, started: dt.datetime, **kw) -> Release:
    kw.setdefault("outcome", SUCCEEDED)
    return Release(source="codedeploy:deployment", id=rid, started=started,
                   ended=started + dt.timedelta(minutes=10), **kw)  # fmt: skip


SUNDAY_WINDOW = Window(
    kind="weekly", day=6, start="02:00", minutes=240, timezone=ZONE, inside=3, of=3,
    outside_working_hours=True, declared=False,
    text="Sundays 02:00–06:00 Europe/London, 3 of 3 releases",
)  # fmt: skip


def confirmed() -> Practice:
    """Level 5: two releases on Tuesday 10:xx, one rolled back automatically
    (restored 14 minutes after it began), one rollback record."""
    bad = release("d-BAD1", at(17, 10, 5), outcome=FAILED, rolled_back=AUTOMATIC,
                  restored=at(17, 10, 19))  # fmt: skip
    return practice(
        OBSERVED,
        [release("d-OK1", at(10, 10, 30)), bad,
         release("d-RB1", at(17, 10, 12), kind=ROLLBACK, started_by="codeDeployRollback")],
        cells=[(1, 10, 2)], per_week=0.2, last_release=at(17, 10, 5), failed=1,
        rolled_back_automatic=1, failure_rate=0.5, rollback_rate=0.5, configured_level=5,
        confirmed=True,
    )  # fmt: skip


def capped() -> Practice:
    """Set up for level 4, released three Sundays 02:30 in a window: capped at 2,
    and one release rolled back by a person (no restore time recorded)."""
    rs = [release("d-S1", at(1, 2, 30)), release("d-S2", at(8, 2, 30)),
          release("d-S3", at(15, 2, 30), outcome=FAILED, rolled_back=MANUAL)]  # fmt: skip
    return practice(
        WINDOWED, rs, cells=[(6, 2, 3)], per_week=0.2, last_release=at(15, 2, 30), failed=1,
        rolled_back_manual=1, window=SUNDAY_WINDOW, configured_level=4, capped=True,
    )  # fmt: skip


def not_exercised() -> Practice:
    return practice(NOT_EXERCISED, [], per_week=0.0, configured_level=4,
                    source="ECS service deployments", kept="90 days")  # fmt: skip


def no_records() -> Practice:
    return practice(NO_RECORDS, [], source="Lambda alias",
                    unavailable="No Lambda API records an alias's moves.")  # fmt: skip


def with_practice(result):
    """The report fixture's units given practice: payments/a confirmed,
    payments/b capped, portal not exercised, hr-tool with no records; the
    unassigned and the unassessed units without any (their kinds read none)."""
    units = {a.id: a for a in result.assessments}
    units["arn:pay:a"].practice = confirmed()
    units["arn:pay:b"].practice = capped()
    units["arn:portal:a"].practice = not_exercised()
    units["arn:hr:a"].practice = no_records()
    return result
