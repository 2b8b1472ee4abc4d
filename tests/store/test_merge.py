"""merge(history, stored): the store's kept records handed back to a scan.
Union by (source, id), the cloud's copy wins, and `covers_from` moves back
only as far as the kept records' coverage joins up without a gap."""

from __future__ import annotations

import datetime as dt

from scanner.practice.records import FAILED, IN_PROGRESS, SUCCEEDED, History, Release
from scanner.store.merge import merge, reach
from scanner.store.releases import StoredRelease
from tests.store.releases_kit import SOURCE, at, release

UNIT = "arn:aws:ecs:eu-west-2:111:service/shop/api"


def kept(r: Release, covered_from: dt.datetime, last_seen: dt.datetime) -> StoredRelease:
    return StoredRelease(
        unit_id=UNIT,
        unit_name="api",
        provider="aws",
        kind="aws.ecs.service",
        service="shop",
        release=r,
        covered_from=covered_from,
        first_seen=last_seen,
        last_seen=last_seen,
        first_scan_id=1,
        last_scan_id=2,
    )


def cloud(*records: Release, covers_from: dt.datetime | None = None) -> History:
    return History(
        source="ECS service deployments",
        releases=list(records),
        covers_from=covers_from,
        kept="90 days",
    )


def test_kept_records_older_than_the_clouds_retention_are_added():
    # The cloud keeps records from 1 Nov; a scan on 3 Nov read back to 5 Oct.
    now = cloud(release("d-now", at(20)), covers_from=at(1))
    old = kept(release("d-old", at(10, month=10)), at(5, month=10), at(3))
    merged = merge(now, [old])
    assert [r.id for r in merged.releases] == ["d-old", "d-now"]
    assert merged.covers_from == at(5, month=10)
    assert merged.kept == "90 days; 1 more kept by relscan's store from earlier scans"
    assert now.releases == [release("d-now", at(20))]  # the cloud's History is not changed


def test_the_clouds_copy_of_a_record_wins():
    now = cloud(release("d-1", at(9), SUCCEEDED), covers_from=at(1))
    stale = kept(release("d-1", at(9), IN_PROGRESS), at(5, month=10), at(9))
    merged = merge(now, [stale])
    assert merged.releases == [release("d-1", at(9), SUCCEEDED)]
    assert merged.covers_from == at(5, month=10)  # its span still joins up
    assert merged.kept == "90 days"  # nothing added


def test_the_same_id_from_another_source_is_another_record():
    now = cloud(release("7c1f", at(9)), covers_from=at(1))
    other = Release("codedeploy:rollback", "7c1f", at(8))
    merged = merge(now, [kept(other, at(1), at(9))])
    assert [(r.source, r.id) for r in merged.releases] == [
        ("codedeploy:rollback", "7c1f"),
        (SOURCE, "7c1f"),
    ]


def test_a_gap_between_scans_stops_the_reach():
    """Today (20 Nov) the cloud keeps two weeks (from 6 Nov). A scan on
    8 Nov read back to 25 Oct; one on 1 Sep read back to 18 Aug. Nothing saw
    September to late October, so the August record is left out (a release
    count over that stretch would be a guess) and the reach stops at 25 Oct."""
    now = cloud(release("d-now", at(20)), covers_from=at(6))
    joined = kept(release("d-b", at(1)), at(25, month=10), at(8))
    apart = kept(release("d-a", at(25, month=8)), at(18, month=8), at(1, month=9))
    merged = merge(now, [apart, joined])
    assert [r.id for r in merged.releases] == ["d-b", "d-now"]
    assert merged.covers_from == at(25, month=10)
    assert reach(at(6), [apart]) == at(6)  # on its own, the September scan reaches nothing


def test_spans_chain_back_through_several_scans():
    now = cloud(covers_from=at(6))
    spans = [
        kept(release("d-3", at(7)), at(25, month=10), at(8)),  # reaches 25 Oct
        kept(release("d-2", at(27, month=10)), at(12, month=10), at(26, month=10)),
        kept(release("d-1", at(13, month=10)), at(1, month=10), at(12, month=10)),  # touches
    ]
    assert reach(at(6), spans) == at(1, month=10)
    assert [r.id for r in merge(now, spans).releases] == ["d-1", "d-2", "d-3"]


def test_a_history_covering_the_whole_period_gains_kept_records_and_stays_whole():
    now = cloud(release("d-2", at(9)))
    merged = merge(now, [kept(release("d-1", at(4), FAILED), at(1), at(5))])
    assert [r.id for r in merged.releases] == ["d-1", "d-2"]
    assert merged.covers_from is None


def test_a_source_without_records_or_a_failed_read_is_left_as_it_is():
    old = [kept(release("d-1", at(4)), at(1), at(5))]
    unavailable = History(source="Lambda aliases", unavailable="no API records alias moves")
    failed = History(source="ECS", error="AccessDeniedException: not authorized")
    assert merge(unavailable, old) is unavailable
    assert merge(failed, old) is failed


def test_nothing_kept_changes_nothing():
    now = cloud(release("d-1", at(9)), covers_from=at(1))
    assert merge(now, []) is now
