"""Scans whose units carry practice (their release records), for the store's tests."""

from __future__ import annotations

import datetime as dt

from scanner.model import ScanResult
from scanner.practice.practice import OBSERVED, Practice
from scanner.practice.records import AUTOMATIC, FAILED, SUCCEEDED, Release
from tests.report.conftest import unit

SOURCE = "codedeploy:deployment"
UTC = dt.UTC


def at(day: int, hour: int = 2, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


def release(rid: str, started: dt.datetime, outcome: str = SUCCEEDED, **kw) -> Release:
    ended = started + dt.timedelta(minutes=12) if outcome != "in_progress" else None
    return Release(SOURCE, rid, started, ended, outcome, started_by="user", **kw)


def practice(end: dt.datetime, records: list[Release], days: int = 30, reach: int | None = None):
    """A unit's practice as the core derives it, holding `records`; its
    records reach `reach` days back (the cloud's retention), else the period."""
    start = end - dt.timedelta(days=days)
    covered = end - dt.timedelta(days=reach) if reach is not None else start
    return Practice(
        status=OBSERVED,
        source="CodeDeploy deployments",
        period_days=days,
        period_start=start,
        period_end=end,
        covered_from=max(start, covered),
        releases=list(records),
        release_count=len(records),
    )


def scan_with(end: dt.datetime, units: dict[str, list[Release]], service: str = "checkout"):
    """A finished scan at `end` whose units (id -> records) all have practice."""
    r = ScanResult(started=end)
    r.finished = end + dt.timedelta(seconds=30)
    r.scopes = ["aws:111/eu-west-2"]
    for uid, records in units.items():
        a = unit(uid, 4, service)
        a.practice = practice(end, records)
        r.assessments.append(a)
    return r


__all__ = ["AUTOMATIC", "FAILED", "SOURCE", "at", "practice", "release", "scan_with"]
