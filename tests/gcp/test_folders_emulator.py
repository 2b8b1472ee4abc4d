"""The GCP emulator's resource hierarchy: folders and projects listed under a
parent exactly as Resource Manager v3 answers, and folder fixtures checked
strictly."""

from __future__ import annotations

import pytest
import requests

from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.emulator.wire import FixtureError
from scanner.emulators.server import LoopbackServer
from tests.gcp.estates import ORG, folder_estate


def test_the_emulator_answers_as_the_api_does():
    with LoopbackServer(GcpEmulator(folder_estate(), page_size=2)) as server:
        url = f"{server.url}/v3"
        first = requests.get(f"{url}/folders", params={"parent": ORG}, timeout=5).json()
        assert [f["name"] for f in first["folders"]] == ["folders/100", "folders/200"]
        assert first["folders"][0] == {
            "name": "folders/100", "parent": ORG, "displayName": "folder-100",
            "state": "ACTIVE", "createTime": "2024-01-15T09:30:00Z",
            "updateTime": "2024-01-15T09:30:00Z"}  # fmt: skip
        assert "nextPageToken" not in first  # the deleted folder is left out
        shown = requests.get(f"{url}/folders", params={"parent": ORG, "showDeleted": "true"},
                             timeout=5).json()  # fmt: skip
        assert shown["nextPageToken"] and len(shown["folders"]) == 2
        deleted = requests.get(
            f"{url}/folders",
            timeout=5,
            params={"parent": ORG, "showDeleted": "true", "pageToken": shown["nextPageToken"]},
        ).json()
        assert deleted["folders"][0]["state"] == "DELETE_REQUESTED"
        query = {"parent": "folders/110", "$alt": "json;enum-encoding=int", "showDeleted": "true"}
        page = requests.get(f"{url}/projects", params=query, timeout=5).json()
        assert [p["projectId"] for p in page["projects"]] == ["web-a1", "web-a2"]
        assert page["projects"][0]["state"] == 1 and page["projects"][0]["name"].startswith(
            "projects/")  # fmt: skip
        query["pageToken"] = page["nextPageToken"]
        rest = requests.get(f"{url}/projects", params=query, timeout=5).json()
        assert [(p["projectId"], p["state"]) for p in rest["projects"]] == [
            ("web-a3", 1), ("web-retired", 2)]  # fmt: skip
        for params, status in (
            ({}, 400),
            ({"parent": "folders/x"}, 400),
            ({"parent": "folders/42"}, 403),
        ):
            answer = requests.get(f"{url}/projects", params=params, timeout=5)
            assert answer.status_code == status, answer.text  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"folders": [{"id": "1", "parent": ORG, "displayNme": "x"}]}, "displayNme"),
        ({"folders": [{"id": "1", "parent": ORG, "state": "GONE"}]}, "state"),
        ({"folders": [{"id": "x1", "parent": ORG}]}, "id must be a number"),
        ({"folders": [{"id": "1", "parent": ORG}, {"id": "1", "parent": ORG}]}, "given twice"),
        ({"folders": [{"id": "1", "parent": "orgs/5"}]}, "parent must be"),
        ({"folders": [{"id": "1"}]}, "parent must be"),
        ({"folders": [{"id": "1", "parent": "folders/2"}]}, "not a folder of the estate"),
        ({"folders": [{"id": "1", "parent": "folders/2"}, {"id": "2", "parent": "folders/1"}]},
         "loop back"),
        ({"projects": [{"id": "web-prod", "parent": "folders/9"}]}, "not a folder of the estate"),
        ({"projects": [{"id": "web-prod", "parent": "projects/9"}]}, "parent must be"),
        ({"projects": [{"id": "web-prod", "state": "DELETED"}]}, "state must be"),
    ],
)  # fmt: skip
def test_folder_fixtures_are_checked_strictly(change, message):
    with pytest.raises(FixtureError, match=message):
        GcpEmulator({**folder_estate(), **change})
