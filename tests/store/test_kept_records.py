"""The scan's step that merges the store's kept records into a unit's
History (KeptRecords), and the bundle's copy of what it merged, which
`assess` merges instead of the store (RecordedKept)."""

from __future__ import annotations

import json

import pytest

from scanner.errors import UsageError
from scanner.evidence.bundle import read_manifest, verify
from scanner.evidence.history import KEPT, recorded_kept, write_kept
from scanner.evidence.recorder import Recorder
from scanner.evidence.recording import finish_recording
from scanner.model import Observation, ScanResult
from scanner.practice.records import History
from scanner.practice.settings import Period
from scanner.store import Store
from scanner.store.merge import KeptRecords
from tests.store.releases_kit import at, release, scan_with

UNIT = "arn:aws:codedeploy:eu-west-2:111:deploymentgroup:shop/blue"
PERIOD = Period(90, at(29))


def unit(history: History | None) -> Observation:
    o = Observation(UNIT, "aws", "aws.codedeploy.deployment_group", "shop/blue", "111", "eu-west-2")
    o.history = history
    return o


def clouds_answer() -> History:
    # CodeDeploy keeps records for a while; this answer reaches back to 20 Nov.
    return History("CodeDeploy deployments", [release("d-NOW", at(25))], covers_from=at(20))


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    # An earlier scan (21 Nov) read back to 1 Nov and saw a release on 5 Nov.
    earlier = scan_with(at(21), {UNIT: [release("d-EARLIER", at(5))]})
    earlier.assessments[0].practice.covered_from = at(1)
    s.save(earlier)
    return s


def test_a_unit_gets_the_stored_records_and_the_step_remembers_them(store):
    step = KeptRecords(store, PERIOD)
    u = unit(clouds_answer())
    step(u)
    assert [r.id for r in u.history.releases] == ["d-EARLIER", "d-NOW"]
    assert u.history.covers_from == at(1)
    assert [s.release.id for s in step.used[UNIT]] == ["d-EARLIER"]


def test_records_before_the_period_are_not_offered(store):
    step = KeptRecords(store, Period(20, at(29)))  # from 9 Nov
    u = unit(clouds_answer())
    step(u)
    assert [r.id for r in u.history.releases] == ["d-NOW"] and step.used == {}


@pytest.mark.parametrize(
    "history",
    [
        None,
        History("Lambda aliases", unavailable="no API records alias moves"),
        History("CodeDeploy deployments", error="AccessDeniedException: ListDeployments"),
    ],
)
def test_a_unit_without_records_to_merge_is_left_alone(store, history):
    step = KeptRecords(store, PERIOD)
    u = unit(history)
    step(u)
    assert u.history is history and step.used == {}


def test_the_bundle_records_what_was_merged_and_assess_merges_the_same(store, tmp_path):
    step = KeptRecords(store, PERIOD)
    scanned = unit(clouds_answer())
    step(scanned)
    recorder = Recorder(tmp_path / "bundle")
    result = ScanResult(started=at(29))
    finish_recording(recorder, result, {"aws": {}}, kept=step.used)
    assert KEPT in read_manifest(recorder.folder)["files"] and verify(recorder.folder).ok
    replayed = unit(clouds_answer())
    recorded_kept(recorder.folder)(replayed)
    assert replayed.history == scanned.history
    assert replayed.history.releases[0] == store.releases([UNIT])[0].release


def test_a_bundle_without_kept_records_has_no_file(tmp_path):
    write_kept(tmp_path, {})
    assert not (tmp_path / KEPT).exists() and recorded_kept(tmp_path) is None


def test_a_damaged_kept_file_is_one_line(tmp_path):
    (tmp_path / KEPT).write_text(json.dumps({UNIT: [{"unit_id": UNIT}]}))
    with pytest.raises(UsageError) as err:
        recorded_kept(tmp_path)
    assert str(err.value) == f"{tmp_path / KEPT}: the kept release records cannot be read ('unit')"
