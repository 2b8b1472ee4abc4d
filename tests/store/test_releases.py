"""The store keeps every release record a scan read, once, on SQLite and on
PostgreSQL (marker `postgres`): deduplicated across scans, updated when the
outcome moves on, read back by unit or service, kept when scans are deleted."""

from __future__ import annotations

from sqlalchemy import func, select

from scanner.practice.records import IN_PROGRESS, ROLLBACK, SUCCEEDED, Release
from scanner.store import Store
from scanner.store.tables import releases
from tests.store.releases_kit import AUTOMATIC, FAILED, SOURCE, at, release, scan_with

A, B = "arn:aws:codedeploy:eu-west-2:111:deploymentgroup:shop/blue", "arn:aws:ecs:svc/api"


def _rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(releases)).scalar_one())


def test_a_record_seen_by_two_scans_is_kept_once(store_url):
    store = Store(store_url)
    shared = release("d-A1B2C3D4E", at(3))
    first = store.save(scan_with(at(10), {A: [shared, release("d-OLD000001", at(1))]}))
    second = store.save(scan_with(at(17), {A: [shared, release("d-NEW000001", at(15))]}))
    assert _rows(store) == 3
    kept = {s.release.id: s for s in store.releases([A])}
    assert sorted(kept) == ["d-A1B2C3D4E", "d-NEW000001", "d-OLD000001"]
    ids = {r.uid: r.id for r in store.scans()}
    both = kept["d-A1B2C3D4E"]
    assert (both.first_scan_id, both.last_scan_id) == (ids[first], ids[second])
    assert (both.first_seen, both.last_seen) == (at(10), at(17))
    assert (kept["d-OLD000001"].first_scan_id, kept["d-OLD000001"].last_scan_id) == (
        ids[first],
        ids[first],
    )
    assert both.release == shared  # every field of the record back, times aware UTC


def test_the_same_record_id_on_two_units_or_two_sources_is_two_records(store_url):
    store = Store(store_url)
    rid = "7c1f0e5a"
    ecs = Release("ecs:service-deployment", rid, at(4))
    store.save(scan_with(at(10), {A: [release(rid, at(4)), ecs], B: [release(rid, at(4))]}))
    assert _rows(store) == 3
    # Equal start times: by unit, then source, newest-first order reversed.
    assert [(s.unit_id, s.release.source) for s in store.releases([A, B])] == [
        (B, SOURCE),
        (A, "ecs:service-deployment"),
        (A, SOURCE),
    ]


def test_a_record_seen_again_with_its_outcome_is_updated_not_duplicated(store_url):
    store = Store(store_url)
    store.save(scan_with(at(10), {A: [release("d-RUNNING01", at(10, 1), IN_PROGRESS)]}))
    [before] = store.releases([A])
    assert (before.release.outcome, before.release.ended) == (IN_PROGRESS, None)
    done = release("d-RUNNING01", at(10, 1), FAILED, rolled_back=AUTOMATIC, restored=at(10, 3))
    store.save(scan_with(at(11), {A: [done]}))
    [after] = store.releases([A])
    assert _rows(store) == 1
    assert after.release == done
    assert (after.release.outcome, after.release.rolled_back) == (FAILED, AUTOMATIC)
    assert after.first_seen == at(10) and after.last_seen == at(11)


def test_an_earlier_scan_saved_late_does_not_overwrite_a_newer_sighting(store_url):
    store = Store(store_url)
    store.save(scan_with(at(11), {A: [release("d-RUNNING01", at(10, 1), SUCCEEDED)]}))
    store.save(scan_with(at(10), {A: [release("d-RUNNING01", at(10, 1), IN_PROGRESS)]}))
    [kept] = store.releases([A])
    assert kept.release.outcome == SUCCEEDED and kept.last_seen == at(11)


def test_records_are_read_back_by_service_or_unit_since_a_time_newest_first(store_url):
    store = Store(store_url)
    store.save(scan_with(at(10), {A: [release("d-1", at(2)), release("d-2", at(6))]}))
    store.save(scan_with(at(10), {B: [release("r-9", at(8), kind=ROLLBACK)]}, service="payments"))
    assert [s.release.id for s in store.releases(service="checkout")] == ["d-2", "d-1"]
    assert [s.release.id for s in store.releases(service="checkout", since=at(5))] == ["d-2"]
    assert [s.release.id for s in store.releases(service="checkout", since=at(6))] == ["d-2"]
    assert [s.release.id for s in store.releases([A, B])] == ["r-9", "d-2", "d-1"]
    assert store.releases(service="nobody") == []
    assert store.release_services() == ["checkout", "payments"]
    grouped = store.releases_by_unit([A, B, "arn:none"], since=at(3))
    assert {k: [s.release.id for s in v] for k, v in grouped.items()} == {
        A: ["d-2"],
        B: ["r-9"],
        "arn:none": [],
    }


def test_many_units_are_asked_for_in_batches(store_url):
    store = Store(store_url)
    units = {f"arn:u{i:04d}": [release(f"d-{i}", at(5))] for i in range(1203)}
    store.save(scan_with(at(10), units))
    assert len(store.releases(list(units))) == 1203


def test_deleting_a_scan_keeps_the_records_it_saw(store_url):
    store = Store(store_url)
    uid = store.save(scan_with(at(10), {A: [release("d-1", at(2))]}))
    store.delete_scan(uid)
    [kept] = store.releases([A])
    assert (kept.release.id, kept.first_scan_id, kept.last_scan_id) == ("d-1", None, None)


def test_a_stored_scan_keeps_each_units_practice_block(store_url):
    store = Store(store_url)
    original = scan_with(at(10), {A: [release("d-1", at(2), FAILED, rolled_back=AUTOMATIC)]})
    store.save(original)
    loaded = store.load(store.find("latest"))
    assert loaded.assessments[0].practice is not None
    assert [a.as_dict() for a in loaded.assessments] == [a.as_dict() for a in original.assessments]


def test_units_without_practice_keep_no_records(store_url):
    store = Store(store_url)
    result = scan_with(at(10), {A: [release("d-1", at(2))]})
    result.assessments[0].practice = None
    store.save(result)
    assert _rows(store) == 0 and store.releases([A]) == []
    assert "practice" not in store.load(store.find("latest")).assessments[0].as_dict()


def test_a_store_made_before_release_records_is_migrated_keeping_its_scans(tmp_path):
    """A history database at the first schema (revision 0001) gains the
    releases table and the practice column, and keeps its scans."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store.__new__(Store)
    old.url, old.engine = url, Store._connect(url)
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("scanner.store").joinpath("migrations"))
    )
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO scans (uid, status, started, tool_version, scope_key, scopes, errors)"
            " VALUES ('u-1', 'complete', '2026-11-01 02:00:00.000000', '0.9', 'k', '[]', '[]')"
        )
    old.engine.dispose()
    store = Store(url)
    assert [r.uid for r in store.scans()] == ["u-1"]
    store.save(scan_with(at(10), {A: [release("d-1", at(2))]}))
    assert [s.release.id for s in store.releases([A])] == ["d-1"]
