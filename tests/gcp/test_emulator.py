"""The emulator's fixtures are checked by the SDK's own message types (strict:
a misspelt field fails), and it answers in Google's wire format."""

from __future__ import annotations

import copy
import json

import pytest
import requests
from google.api_core import exceptions

from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.emulator.wire import FixtureError
from scanner.demo.serve import load_estate
from scanner.emulators.server import LoopbackServer
from tests.gcp.conftest import LATEST, PROJECT, project

DEMO_PART = load_estate()["gcp"]  # the GCP part of the built-in demo estate


@pytest.mark.parametrize(
    ("resources_", "message"),
    [
        ({"instance_group_managers": [{"zone": "europe-west2-a", "name": "w",
                                       "updatePolicy": {"maxUnavaliable": {"fixed": 1}}}]},
         "maxUnavaliable"),
        ({"instance_group_managers": [{"zone": "europe-west2-a", "name": "w",
                                       "targetSize": "four"}]}, "targetSize"),
        ({"instance_templates": [{"name": "t", "properties": {"label": {"a": "b"}}}]}, "label"),
        ({"url_maps": [{"name": "m", "defaultRouteAction": {"weightedBackendService": []}}]},
         "weightedBackendService"),
        ({"app_engine": {"locationId": "europe-west2"},
          "appengine_services": [{"id": "s", "split": {"shardBy": "HASH"}}]}, "shardBy"),
        ({"app_engine": {"location": "europe-west2"}}, "location"),
        ({"run_services": [{"location": "europe-west2", "name": "s",
                            "traffic": [{"type": "LATEST", "percent": 100}]}]}, "type"),
        ({"run_services": [{"location": "europe-west2", "name": "s",
                            "trafic": []}]}, "trafic"),
    ],
)  # fmt: skip
def test_misspelt_or_mistyped_fixture_fields_fail(resources_, message):
    with pytest.raises(FixtureError, match=message):
        GcpEmulator({"projects": [project(**resources_)]})


def test_the_demo_part_is_valid_and_covers_every_level():
    part = copy.deepcopy(DEMO_PART)
    emulator = GcpEmulator(part)
    assert len(emulator.projects) >= 5


@pytest.fixture
def served():
    estate = {"projects": [project(
        app_engine={"locationId": "europe-west2", "servingStatus": "SERVING"},
        appengine_services=[{"id": "default", "split": {"shardBy": "COOKIE",
                                                        "allocations": {"v1": 1}}}],
        run_services=[{"location": "europe-west2", "name": "s",
                       "traffic": [{"type": LATEST, "percent": 100}]}],
        apis_disabled=["compute.googleapis.com"],
    )]}  # fmt: skip
    with LoopbackServer(GcpEmulator(estate)) as server:
        yield server.url


def test_enums_are_integers_when_the_client_asks(served):
    url = f"{served}/v2/projects/{PROJECT}/locations/europe-west2/services/s"
    as_int = requests.get(url, params={"$alt": "json;enum-encoding=int"}, timeout=5).json()
    as_text = requests.get(url, timeout=5).json()
    assert as_int["traffic"] == [{"type": 1, "percent": 100}]
    assert as_text["traffic"] == [{"type": LATEST, "percent": 100}]
    assert as_int["name"] == f"projects/{PROJECT}/locations/europe-west2/services/s"
    app = requests.get(f"{served}/v1/apps/{PROJECT}", params={"$alt": "json;enum-encoding=int"},
                       timeout=5).json()  # fmt: skip
    assert app["servingStatus"] == 1


def test_service_disabled_body_is_parsed_by_api_core(served):
    resp = requests.get(f"{served}/compute/v1/projects/{PROJECT}/aggregated/urlMaps", timeout=5)
    exc = exceptions.from_http_response(resp)
    assert isinstance(exc, exceptions.Forbidden)
    assert exc.reason == "SERVICE_DISABLED"
    assert exc.metadata["service"] == "compute.googleapis.com"
    body = json.loads(resp.content)["error"]
    assert body["errors"][0]["reason"] == "accessNotConfigured"


def test_writes_and_wildcards_are_refused(served):
    base = f"{served}/v2/projects/{PROJECT}/locations"
    assert requests.delete(f"{base}/europe-west2/services/s", timeout=5).status_code == 405
    listed = requests.get(f"{base}/-/services", timeout=5)
    assert listed.status_code == 400 and listed.json()["error"]["status"] == "INVALID_ARGUMENT"
