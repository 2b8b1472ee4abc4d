"""The scan session below the CLI, driven step by step against the GCP
emulator serving the built-in demo estate's GCP part: configure and scopes,
the evidence recorder it is given, executing, services, the outputs and the
store. Nothing of the project is mocked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.demo.serve import load_estate, patched_environ, serve
from scanner.evidence.bundle import MANIFEST, read_manifest, sha256, verify
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, installed_plugins
from scanner.report import RenderOptions
from scanner.services import ServiceConfig
from scanner.session import ScanSession
from scanner.shard import Shard
from scanner.store import Store

SCANNER = Path(__file__).parents[1] / "scanner"
PROJECTS = [
    "gcp:dds-apply-prod",
    "gcp:dds-casework-prod",
    "gcp:dds-corporate-prod",
    "gcp:dds-grants-prod",
    "gcp:dds-licensing-prod",
    "gcp:dds-notify-prod",
    "gcp:dds-payments-prod",
    "gcp:dds-portal-prod",
]
PORTAL_SEARCH = (
    "//compute.googleapis.com/projects/dds-portal-prod/zones/europe-west2-b/"
    "instanceGroupManagers/portal-search"
)


@pytest.fixture
def gcp_estate() -> Iterator[None]:
    with serve({"gcp": load_estate()["gcp"]}) as env, patched_environ(env):
        yield


def _gcp() -> ProviderPlugin:
    return installed_plugins()["gcp"]


def test_a_session_scans_records_assigns_renders_and_stores(gcp_estate, tmp_path):
    recorder = Recorder(tmp_path / "bundle")
    started = dt.datetime.now(dt.UTC)
    session = ScanSession([_gcp()], {"gcp": {}}, recorder=recorder, started=started)
    store = session.open_store(f"sqlite:///{tmp_path / 'history.db'}")

    work = session.discover()
    assert session.labels == PROJECTS and session.scope_count == 8 and len(work) == 1
    uid = session.begin()
    assert uid is not None and store.find(uid).status == "running"

    done: list[str] = []
    result = session.execute(on_scope_done=lambda scope, found: done.append(scope.label))
    assert sorted(done) == PROJECTS and result.started == started
    assert len(result.assessments) == 18 and result.scopes == PROJECTS
    [error] = result.errors
    assert (error.scope, error.service) == ("gcp:dds-licensing-prod", "gcp.run.service")
    assert "SERVICE_DISABLED" in error.message
    unit = next(a for a in result.assessments if a.id == PORTAL_SEARCH)
    assert unit.level == 4 and unit.rule and unit.service is None

    known = session.assign_services(ServiceConfig())
    assert "citizen-portal" in known and unit.service == "citizen-portal"

    digest = session.finish_evidence()
    assert digest == sha256(tmp_path / "bundle" / MANIFEST)
    assert verify(tmp_path / "bundle").ok
    manifest = read_manifest(tmp_path / "bundle")
    assert manifest["scopes"] == PROJECTS and manifest["providers"] == {"gcp": {}}
    responses = sorted((tmp_path / "bundle" / "responses").iterdir())
    assert responses and all("-gcp-" in p.name for p in responses)
    bundled = json.loads((tmp_path / "bundle" / "scan.json").read_text("utf-8"))
    assert len(bundled["resources"]) == 18

    doc = json.loads(session.render("json", RenderOptions(evidence_digest=digest)))
    rendered = {r["id"]: r for r in doc["resources"]}
    assert rendered[PORTAL_SEARCH]["level"] == 4
    assert rendered[PORTAL_SEARCH]["service"] == "citizen-portal"

    assert session.save() and session.stored
    row = store.find(uid)
    assert row.status == "complete" and row.scopes == PROJECTS and len(row.errors) == 1
    assert len(store.load(row).assessments) == 18
    [point] = session.history()
    assert point.levels["4"] == 9 and point.levels["5"] == 1 and point.not_assessed == 1
    session.close()



def test_the_session_hands_its_recorder_to_each_providers_configure(tmp_path):
    """A plugin written to the ProviderPlugin contract, as a third party's
    would be: the session gives it the recorder, with its own options."""
    given: list[tuple[dict[str, object], Recorder | None]] = []

    class Offline(ProviderPlugin):
        name, title = "offline", "Offline"

        def options(self):  # type: ignore[no-untyped-def]
            return []

        def claims(self, resource_id: str) -> bool:
            return False

        def check_id(self, resource_id: str) -> None:
            return None

        def configure(self, options, recorder=None):  # type: ignore[no-untyped-def]
            given.append((options, recorder))
            raise RuntimeError("no cloud here")

    recorder = Recorder(tmp_path / "bundle")
    session = ScanSession([Offline()], {"offline": {"offline_x": 1}}, recorder=recorder)
    session.discover()
    assert given == [({"offline_x": 1}, recorder)]
    [error] = session.discovery_errors  # an unreachable provider is a scope error
    assert (error.provider, error.scope, error.message) == ("offline", "offline", "no cloud here")
    with pytest.raises(RuntimeError, match="no cloud here"):
        session.discover(keep_going=False)  # demo and assess: the failure is raised
    assert given[-1] == ({"offline_x": 1}, recorder)
    result = session.execute()
    assert result.assessments == [] and result.scopes == ["offline"]
    assert session.finish_evidence() is not None


def test_a_shard_of_the_scopes_is_what_is_begun_and_read(gcp_estate, tmp_path):
    shard = Shard.parse("2/3")
    session = ScanSession(
        [_gcp()], {"gcp": {}}, shard=shard, group="g1", started=dt.datetime.now(dt.UTC)
    )
    store = session.open_store(f"sqlite:///{tmp_path / 'h.db'}")
    session.discover()
    mine = [p for p in PROJECTS if shard.owns(p)]
    assert session.labels == mine and 0 < len(mine) < len(PROJECTS)
    row = store.find(session.begin() or "")
    assert (row.shard, row.group_id, row.scopes) == ("2/3", "g1", mine)
    assert session.execute().scopes == mine
    session.close()


def test_a_scan_stopped_before_it_began_is_stored_as_interrupted(tmp_path):
    session = ScanSession([], {}, group="g", started=dt.datetime.now(dt.UTC))
    session.open_store(f"sqlite:///{tmp_path / 'h.db'}")
    session.mark("interrupted")
    [row] = Store(f"sqlite:///{tmp_path / 'h.db'}").scans()
    assert (row.status, row.scopes, row.group_id, row.shard) == ("interrupted", [], "g", None)
    session.close()


def test_a_session_without_a_store_saves_nothing(gcp_estate):
    session = ScanSession([_gcp()], {"gcp": {}})
    session.discover(keep_going=False)
    assert session.begin() is None
    result = session.execute()
    assert len(result.assessments) == 18 and not session.save() and session.history() == []
    assert session.finish_evidence() is None
    session.mark("interrupted")  # nothing to mark: no error either
    session.close()


def test_there_is_no_process_wide_recorder():
    """The recorder reaches providers only through `configure`: nothing in the
    process holds one for a scan to fall back on."""
    from scanner.evidence import recorder

    assert not hasattr(recorder, "set_active") and not hasattr(recorder, "active")
