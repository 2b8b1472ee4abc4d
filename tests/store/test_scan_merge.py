"""A scan with --history and the store on merges the records earlier scans
kept into each unit's records before its practice is derived; its evidence
bundle keeps what it merged, and the replay merges the same. The provider
here is a test provider whose cloud keeps only what each test says (as a
cloud that forgets records after its retention), so the store's part shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import click

from scanner.cli.practice import with_history
from scanner.evidence.bundle import read_manifest
from scanner.evidence.history import KEPT, recorded_kept
from scanner.evidence.recorder import Recorder
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderPlugin, ProviderRun, Scope
from scanner.practice.records import History, Release
from scanner.practice.settings import Period, PracticeSettings, period_of
from scanner.session import ScanSession
from scanner.store import Store
from scanner.store.merge import KeptRecords

UNIT = "deploy:shop/blue"
DAY = dt.timedelta(days=1)


class ForgetfulRun(ProviderRun):
    """One unit whose cloud keeps the records from `keeps_from` on."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.period = period_of(options)
        self.records: list[Release] = options["records"]
        self.keeps_from: dt.datetime = options["keeps_from"]

    def scopes(self) -> list[Scope]:
        return [Scope("forgetful", "acct", "r1")]

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        obs = Observation(UNIT, "forgetful", "forgetful.group", "shop/blue", "acct", "r1")
        if self.period is not None:
            obs.history = History(
                source="test deployments",
                releases=[r for r in self.records if r.started >= self.keeps_from],
                covers_from=self.keeps_from,
                kept="two weeks",
            )
        yield obs

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError


class Forgetful(ProviderPlugin):
    name = "forgetful"
    title = "Forgetful test cloud"

    def options(self) -> list[click.Option]:
        return []

    def claims(self, resource_id: str) -> bool:
        return False

    def check_id(self, resource_id: str) -> None:
        raise NotImplementedError

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        return ForgetfulRun(options)


def _scan(
    end: dt.datetime,
    keeps: dt.timedelta,
    records: list[Release],
    store: Store | None = None,
    recorder: Recorder | None = None,
    kept: Any = None,
):
    practice = PracticeSettings(Period(90, end))
    options = with_history({"records": records, "keeps_from": end - keeps}, practice)
    session = ScanSession([Forgetful()], {"forgetful": options}, recorder=recorder, started=end)
    session.practice = practice
    session.store = store
    session.kept = kept
    session.discover(keep_going=False)
    session.begin()
    result = session.execute()
    if recorder is not None:
        session.finish_evidence()
    session.save()
    [unit] = result.assessments
    return session, unit.practice


END = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
OLD = Release("test:deployment", "d-old", END - 20 * DAY, END - 20 * DAY, "succeeded")
MID = Release("test:deployment", "d-mid", END - 9 * DAY, END - 9 * DAY, "succeeded")
NEW = Release("test:deployment", "d-new", END - 1 * DAY, END - 1 * DAY, "succeeded")


def test_a_second_scan_holds_the_records_the_cloud_has_forgotten(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    everything = [OLD, MID, NEW]
    _, first = _scan(END - 10 * DAY, 14 * DAY, everything, store)  # sees d-old
    assert [r.id for r in first.releases] == ["d-old"]
    _, second = _scan(END, 14 * DAY, everything, store)  # the cloud has forgotten d-old
    assert [r.id for r in second.releases] == ["d-old", "d-mid", "d-new"]
    assert second.covered_from == END - 24 * DAY  # the first scan's two weeks
    assert second.kept == "two weeks; 1 more kept by relscan's store from earlier scans"
    _, alone = _scan(END, 14 * DAY, everything)  # --no-store: what the cloud has
    assert [r.id for r in alone.releases] == ["d-mid", "d-new"]
    assert alone.covered_from == END - 14 * DAY


def test_the_bundle_keeps_what_was_merged_and_the_replay_merges_the_same(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    everything = [OLD, MID, NEW]
    _scan(END - 10 * DAY, 14 * DAY, everything, store)
    folder = tmp_path / "bundle"
    _, scanned = _scan(END, 14 * DAY, everything, store, Recorder(folder))
    assert KEPT in read_manifest(folder)["files"]
    _, replayed = _scan(END, 14 * DAY, everything, kept=recorded_kept(folder))
    assert replayed.as_dict() == scanned.as_dict()
    assert [r.id for r in replayed.releases] == ["d-old", "d-mid", "d-new"]


def test_a_store_that_cannot_be_read_leaves_the_clouds_records_and_says_so(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE releases")
    hook = KeptRecords(store, Period(90, END))
    obs = Observation(UNIT, "forgetful", "forgetful.group", "shop/blue", "acct", "r1")
    obs.history = History("test deployments", [MID], covers_from=END - 14 * DAY)
    hook(obs)
    assert obs.history.releases == [MID]
    assert obs.history.note.startswith("relscan's store could not be read (no such table")
