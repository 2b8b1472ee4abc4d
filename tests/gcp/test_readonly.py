"""Read-only by construction: the guard on every client the provider builds
refuses anything but its declared reads before sending, and the grant that
`relscan permissions gcp` prints covers every request a scan and checks make."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
import requests
import yaml
from google.cloud import compute_v1, resourcemanager_v3

from providers.gcp.clients import GcpClients
from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.emulator.deploy import gapic_call
from providers.gcp.guard import check
from providers.gcp.permissions import READS, find
from providers.gcp.plugin import plugin
from scanner.classify import classify
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from scanner.readonly import ReadOnlyViolation
from tests.cli import RELSCAN
from tests.gcp.conftest import PROJECT, REGION, ZONE
from tests.gcp.estates import CHECK_IDS, DEPLOY_ID, rich, with_deploy

ORG = "organizations/123456789012"  # the emulator's organisation


# Release rhythms (--history) that make every records read: rollouts, a
# repair run (an automatic rollback inside 14 days), and a rollback onto a
# release older than the ones listed (a rollout fetched by name).
RHYTHMS = [
    {"times": "daily 10:00", "count": 1, "offset_days": 60},
    {"times": "daily 10:00", "count": 1, "offset_days": 45, "stopped": [0]},
    {"times": "daily 10:00", "count": 3, "failed": {2: "manual", 0: "automatic"}},
]


def foldered() -> dict:
    """The rich estate with the second project in a folder of the organisation."""
    estate = rich()
    estate["projects"][0] = with_deploy(estate["projects"][0])
    estate["projects"][0]["deploy_pipelines"][0]["releases"] = RHYTHMS
    estate["folders"] = [{"id": "4567", "parent": ORG}]
    estate["projects"][1]["parent"] = "folders/4567"
    return estate


@pytest.fixture
def server():
    with LoopbackServer(GcpEmulator(foldered())) as srv:
        yield srv


MUTATIONS = [
    ("instance_group_managers", lambda c: c.delete(
        project=PROJECT, zone=ZONE, instance_group_manager="web"), "DELETE"),
    ("instance_group_managers", lambda c: c.resize(
        project=PROJECT, zone=ZONE, instance_group_manager="web", size=0), "POST"),
    ("region_instance_group_managers", lambda c: c.patch(
        project=PROJECT, region=REGION, instance_group_manager="api",
        instance_group_manager_resource=compute_v1.InstanceGroupManager(target_size=0)), "PATCH"),
    ("url_maps", lambda c: c.insert(
        project=PROJECT, url_map_resource=compute_v1.UrlMap(name="evil")), "POST"),
    ("instance_group_managers", lambda c: c.list_managed_instances(
        project=PROJECT, zone=ZONE, instance_group_manager="web"), "POST"),
    ("run_services", lambda c: c.delete_service(
        name=f"projects/{PROJECT}/locations/{REGION}/services/frontend"), "DELETE"),
    ("appengine_services", lambda c: c.delete_service(
        request={"name": f"apps/{PROJECT}/services/default"}), "DELETE"),
    ("projects", lambda c: c.delete_project(name="projects/123"), "DELETE"),
    ("folders", lambda c: c.delete_folder(name="folders/4567"), "DELETE"),
    ("folders", lambda c: c.create_folder(folder=resourcemanager_v3.Folder(
        parent=ORG, display_name="evil")), "POST"),
]  # fmt: skip


@pytest.mark.parametrize(("client_name", "call", "method"), MUTATIONS)
def test_a_mutating_call_is_refused_and_nothing_is_sent(server, client_name, call, method):
    clients = GcpClients(server.url)
    with pytest.raises(ReadOnlyViolation) as err:
        call(clients.get(client_name))
    text = str(err.value)
    assert text.startswith(f"refused GCP call {method} 127.0.0.1/") and "\n" not in text
    assert "nothing was sent" in text
    assert server.requests == []


def test_the_plain_session_is_guarded_too(server):
    session = GcpClients(server.url).session()
    with pytest.raises(ReadOnlyViolation, match="refused GCP call POST"):
        session.post(f"{server.url}/v1/projects/{PROJECT}/locations", json={})
    with pytest.raises(ReadOnlyViolation, match="refused GCP call GET .*/instances"):
        session.get(f"{server.url}/compute/v1/projects/{PROJECT}/zones/{ZONE}/instances")
    assert server.requests == []


def _prepared(method: str, url: str) -> requests.PreparedRequest:
    return requests.Request(method, url).prepare()


def test_a_declared_read_to_another_host_is_refused():
    path = f"/compute/v1/projects/{PROJECT}/aggregated/urlMaps"
    assert check(_prepared("GET", f"https://compute.googleapis.com{path}"), None)
    assert check(_prepared("GET", f"https://compute.mtls.googleapis.com{path}"), None)
    for url in (f"https://evil.example.com{path}", f"https://run.googleapis.com{path}"):
        with pytest.raises(ReadOnlyViolation):
            check(_prepared("GET", url), None)
    with pytest.raises(ReadOnlyViolation):  # the override stands in for every host
        check(_prepared("GET", f"https://compute.googleapis.com{path}"), "127.0.0.1")


def test_every_request_of_a_scan_and_checks_is_in_the_grant(server, monkeypatch):
    monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
    # no projects named: they are discovered; --history 30: the records too
    run = plugin.configure({"history_days": 30, "history_end": datetime.now(UTC)})
    result = run_scan([(run, run.scopes())])
    assert result.errors == [] and len(result.assessments) == 18 + 1
    for resource_id in [*CHECK_IDS, DEPLOY_ID]:
        assert classify(run.check(resource_id)).level is not None
    under = plugin.configure({"gcp_organization": ORG})  # folders.list, projects.list
    assert [s.account for s in under.scopes()] == sorted(p["id"] for p in rich()["projects"])
    granted = set(plugin.permissions().permissions)
    used = set()
    def host(req) -> str:  # Cloud Run's and Cloud Deploy's locations share a path
        deploy = req.path.endswith("/locations") and gapic_call(req)
        return "clouddeploy.googleapis.com" if deploy else ""

    for req in server.requests:
        read = find(req.method, req.path, host(req))
        assert read is not None, f"{req.method} {req.path} is not declared"
        assert read.permission in granted
        used.add(read.permission)
    assert used == granted  # least privilege: nothing granted that is not used
    assert {find(r.method, r.path, host(r)).operation for r in server.requests} == {  # type: ignore[union-attr]
        r.operation for r in READS
    }


def test_relscan_permissions_gcp_prints_the_custom_role():
    r = subprocess.run([RELSCAN, "permissions", "gcp"], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert r.returncode == 0, r.stderr
    role = yaml.safe_load(r.stdout)
    assert set(role) == {"title", "description", "stage", "includedPermissions"}
    assert role["stage"] == "GA"
    assert role["includedPermissions"] == sorted({read.permission for read in READS})
    assert all(p.split(".")[-1] in ("get", "list") for p in role["includedPermissions"])
