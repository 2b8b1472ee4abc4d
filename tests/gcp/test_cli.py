"""`relscan scan` and `relscan check` as a user runs them: the installed command
in a subprocess, pointed at the loopback emulator by RELSCAN_GCP_ENDPOINT."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack

import pytest

from providers.gcp.emulator.app import start
from tests.cli import relscan
from tests.gcp.conftest import LATEST, REVISION

RUN_ID = "//run.googleapis.com/projects/portal-prod/locations/europe-west2/services/frontend"
MIG_ID = ("//compute.googleapis.com/projects/payments-prod/regions/europe-west2/"
          "instanceGroupManagers/api")  # fmt: skip
ESTATE = {
    "projects": [
        {"id": "portal-prod", "run_services": [
            {"location": "europe-west2", "name": "frontend",
             "labels": {"service": "citizen-portal", "note": "<b>[bold]x[/bold]</b>"},
             "traffic": [{"type": LATEST, "percent": 100}]},
            {"location": "europe-west1", "name": "admin",
             "traffic": [{"type": REVISION, "revision": "admin-00003-abc", "percent": 100}]}]},
        {"id": "payments-prod", "instance_group_managers": [
            {"region": "europe-west2", "name": "api", "targetSize": 3, "instanceTemplate": "t",
             "updatePolicy": {"type": "PROACTIVE", "maxUnavailable": {"percent": 100}}}]},
    ]
}  # fmt: skip


@pytest.fixture
def serve():
    """Serve an estate; return the environment a user's shell would have."""
    with ExitStack() as stack:

        def _serve(estate=ESTATE):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("RELSCAN_", "GOOGLE_"))}
            env["RELSCAN_STORE"] = os.environ["RELSCAN_STORE"]  # the suite's, not the user's
            for key, value in start(json.loads(json.dumps(estate)), stack).items():
                if value is not None:
                    env[key] = value
            return env

        yield _serve


def test_scan_of_named_projects(serve):
    r = relscan("scan", "--provider", "gcp", "--gcp-project", "portal-prod",
                "--gcp-project", "payments-prod", "--format", "json", env=serve())  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scan"]["scopes"] == ["gcp:portal-prod", "gcp:payments-prod"]
    by_id = {u["id"]: u for u in doc["resources"]}
    assert (by_id[RUN_ID]["level"], by_id[RUN_ID]["rule"]) == (4, "GCP-RUN-4-LATEST-AUTO")
    assert by_id[RUN_ID]["tags"]["note"] == "<b>[bold]x[/bold]</b>"  # data, kept as given
    assert (by_id[MIG_ID]["level"], by_id[MIG_ID]["rule"]) == (
        1, "GCP-MIG-1-PROACTIVE-ALL-UNAVAILABLE")  # fmt: skip
    assert {"field": "updatePolicy.maxUnavailable.percent", "value": 100} in (
        by_id[MIG_ID]["evidence"])  # fmt: skip


def test_scan_of_every_visible_project(serve):
    r = relscan("scan", "--provider", "gcp", "--format", "json", env=serve())
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["summary"]["total"] == 3


def test_scan_with_a_refused_project_exits_3_and_keeps_the_rest(serve):
    estate = json.loads(json.dumps(ESTATE))
    estate["faults"] = [{"project": "payments-prod", "status": 403}]
    r = relscan("scan", "--provider", "gcp", "--format", "json", "--gcp-project", "portal-prod",
                "--gcp-project", "payments-prod", env=serve(estate))  # fmt: skip
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert doc["summary"]["total"] == 2
    assert "relscan: scope error: gcp:payments-prod gcp.compute.instance_group_manager" in r.stderr
    assert "Traceback" not in r.stderr


def test_check_one_service(serve):
    r = relscan("check", RUN_ID, "--format", "json", env=serve())
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["level"], unit["rule"]) == (4, "GCP-RUN-4-LATEST-AUTO")


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("projects/portal-prod/locations/europe-west2/services/frontend", RUN_ID),
        ("https://run.googleapis.com/v2/projects/portal-prod/locations/europe-west2/services/"
         "frontend", RUN_ID),
        ("https://www.googleapis.com/compute/v1/projects/payments-prod/regions/europe-west2/"
         "instanceGroupManagers/api", MIG_ID),
        ("projects/payments-prod/regions/europe-west2/instanceGroupManagers/api", MIG_ID),
    ],
)  # fmt: skip
def test_check_takes_self_links_and_relative_names(serve, given, canonical):
    """What `gcloud ... --uri`, a selfLink or a `name` field gives is read as the
    same unit, reported under relscan's full resource name."""
    r = relscan("check", given, "--format", "json", env=serve())
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["id"] == canonical


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "//run.googleapis.com/projects/portal-prod/services/frontend"),
         "malformed GCP Cloud Run service name"),
        (("scan", "--provider", "gcp", "--gcp-project", "Bad_Project"),
         "malformed GCP project id 'Bad_Project'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(serve, args, message):
    r = relscan(*args, env=serve())
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_resource_and_missing_credentials(serve):
    r = relscan("check", RUN_ID.replace("frontend", "nope"), env=serve())
    assert r.returncode == 2 and "no such resource" in r.stderr
    env = serve()
    del env["RELSCAN_GCP_ENDPOINT"]
    env.update(GOOGLE_APPLICATION_CREDENTIALS="/nonexistent.json", NO_GCE_CHECK="True")
    r = relscan("scan", "--provider", "gcp", "--gcp-project", "portal-prod", env=env)
    assert r.returncode == 2 and "no Google Cloud credentials found" in r.stderr
