"""History on SQLite and on a real PostgreSQL server (marker `postgres`)."""

from __future__ import annotations

import datetime as dt

import pytest

from scanner.errors import UsageError
from scanner.model import Evidence, ScanResult, ScopeError
from scanner.store import Store
from scanner.store.tables import scans
from tests.report.conftest import unit


def scan_at(day: int, levels: dict[str, int | None]) -> ScanResult:
    r = ScanResult(started=dt.datetime(2026, 11, day, 2, 0, tzinfo=dt.UTC))
    r.finished = r.started + dt.timedelta(seconds=30)
    r.scopes = ["aws:111/eu-west-2"]
    r.errors = [ScopeError("aws", "aws:111/eu-west-2", "tagging", "AccessDenied")]
    r.assessments = [unit(uid, level, "svc") for uid, level in levels.items()]
    return r


def test_a_scan_round_trips(store_url):
    store = Store(store_url)
    original = scan_at(20, {"arn:a": 5, "arn:b": None})
    original.assessments[0].evidence.append(Evidence("api.list", ["x", "y"]))
    uid = store.save(original)
    row = store.find("latest")
    assert (row.uid, row.status, row.scopes) == (uid, "complete", ["aws:111/eu-west-2"])
    assert row.summary["levels"]["5"] == 1 and row.summary["services"] == {"svc": 5}
    loaded = store.load(row)
    assert [a.as_dict() for a in loaded.assessments] == [a.as_dict() for a in original.assessments]
    assert loaded.started == original.started and loaded.errors == original.errors


def test_an_unfinished_scan_never_looks_complete(store_url):
    store = Store(store_url)
    done = store.save(scan_at(20, {"arn:a": 3}))
    running = store.begin_scan(dt.datetime(2026, 11, 21, tzinfo=dt.UTC), "x", ["aws:111/eu-west-2"])
    rows = store.scans()
    assert [(r.uid, r.status) for r in rows] == [(running, "running"), (done, "complete")]
    assert store.find("latest").uid == done


def test_a_failed_write_leaves_nothing_half_written(store_url):
    store = Store(store_url)
    before = store.save(scan_at(20, {"arn:a": 3}))
    broken = scan_at(21, {"arn:a": 4, "arn:b": 2})
    broken.assessments[1].evidence.append(Evidence("api.x", object()))  # type: ignore[arg-type]
    uid = store.begin_scan(broken.started, "x", broken.scopes)
    with pytest.raises(TypeError):
        store.finish_scan(uid, broken)
    assert store.find(uid[:8]).status == "running"
    assert store.load(store.find(uid[:8])).assessments == []
    assert store.find("latest").uid == before
    assert len(store.load(store.find(before)).assessments) == 1


def test_opening_again_keeps_history(store_url):
    Store(store_url).save(scan_at(20, {"arn:a": 3}))
    assert Store(store_url).count() == 1


def test_find_refuses_what_it_cannot_name(store_url):
    store = Store(store_url)
    with pytest.raises(UsageError, match="holds no scan yet; run `relscan scan` to record one"):
        store.find("latest")
    store.begin_scan(dt.datetime(2026, 11, 21, tzinfo=dt.UTC), "x", ["aws:111/eu-west-2"])
    with pytest.raises(UsageError, match=r"holds no complete scan yet \(1 incomplete or int"):
        store.find("latest")
    with pytest.raises(UsageError, match="no single scan matches 'nope'"):
        store.find("nope")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://relscan:s3cret@db/relscan", "unsupported scheme 'mysql'"),
        ("nosuchdb://x", "unsupported scheme 'nosuchdb'"),
        ("history.db", "not a database URL"),
    ],
)
def test_an_unsupported_store_names_the_supported_schemes(url, problem):
    with pytest.raises(UsageError) as err:
        Store(url)
    message = str(err.value)
    assert problem in message and "s3cret" not in message
    assert message.endswith(
        "relscan keeps history in sqlite:///PATH or postgresql://USER@HOST/DATABASE"
    )


def test_an_all_digit_uid_prefix_finds_its_scan(store_url):
    # A scan's uid is hex: its first characters are all digits about 2 % of the
    # time, and such a prefix must still find the scan, not look for scan number N.
    store = Store(store_url)
    uid = store.save(scan_at(20, {"arn:a": 3}))
    digits = "".join(c if c.isdigit() else "7" for c in uid[:8])
    with store.engine.begin() as conn:
        conn.execute(scans.update().where(scans.c.uid == uid).values(uid=digits + uid[8:]))
    assert store.find(digits).uid == digits + uid[8:]
    assert store.find("1").uid == digits + uid[8:]  # scan number 1 still wins for its id


def _stored_rows(store: Store, uid: str) -> list[dict]:
    from sqlalchemy import select

    from scanner.store.tables import assessments

    scan_id = store.find(uid).id
    with store.engine.connect() as conn:
        query = (
            select(assessments).where(assessments.c.scan_id == scan_id).order_by(assessments.c.id)
        )
        return [
            {k: v for k, v in r.items() if k not in ("id", "scan_id")}
            for r in conn.execute(query).mappings()
        ]


def test_rows_written_in_batches_are_the_rows_written_at_once(store_url):
    store = Store(store_url)
    levels = {f"arn:unit-{i:04d}": (None if i % 7 == 0 else 1 + i % 5) for i in range(1201)}
    big = scan_at(20, levels)
    big.assessments[600].evidence.append(Evidence("api.list", ["x", "ü"]))
    at_once = store.begin_scan(big.started, "x", big.scopes)
    store.finish_scan(at_once, big, batch=10_000)
    batched = store.begin_scan(big.started, "x", big.scopes)
    store.finish_scan(batched, big, batch=500)  # 500 + 500 + 201
    rows = _stored_rows(store, batched)
    assert len(rows) == 1201 and rows == _stored_rows(store, at_once)
    assert [r["resource_id"] for r in rows] == [a.id for a in big.assessments]
    loaded = store.load(store.find(batched))
    assert [a.as_dict() for a in loaded.assessments] == [a.as_dict() for a in big.assessments]
    assert store.find(batched).summary == store.find(at_once).summary


def test_a_failure_in_a_later_batch_leaves_none_of_the_earlier_batches(store_url):
    store = Store(store_url)
    broken = scan_at(21, {f"arn:unit-{i:04d}": 3 for i in range(1201)})
    broken.assessments[1100].evidence.append(Evidence("api.x", object()))  # type: ignore[arg-type]
    uid = store.begin_scan(broken.started, "x", broken.scopes)
    with pytest.raises(TypeError):
        store.finish_scan(uid, broken, batch=500)  # batches 1 and 2 were inserted
    assert store.find(uid[:8]).status == "running"
    assert _stored_rows(store, uid) == []
