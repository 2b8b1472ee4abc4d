"""The ARM emulator answers like Resource Manager: api-version required,
case-insensitive paths, `value`/`nextLink` paging and ARM error bodies."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from providers.azure.emulator.app import start
from tests.azure.conftest import SUB, app, estate

API = "api-version=2025-05-01"


@pytest.fixture
def url():
    with ExitStack() as stack:
        env = start(estate([app(f"app{i}") for i in range(3)]), stack)
        yield env["RELSCAN_AZURE_ENDPOINT"]


def get(url, method="GET", headers=None):
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_lists_page_through_an_absolute_next_link(url):
    status, body = get(f"{url}/subscriptions/{SUB}/providers/Microsoft.Web/sites?{API}")
    assert status == 200
    assert [s["name"] for s in body["value"]] == ["app0", "app1"]
    assert body["nextLink"].startswith(f"{url}/subscriptions/{SUB}/providers/Microsoft.Web/sites?")
    status, body = get(body["nextLink"])
    assert [s["name"] for s in body["value"]] == ["app2"] and "nextLink" not in body
    assert body["value"][0]["type"] == "Microsoft.Web/sites"
    assert body["value"][0]["properties"]["defaultHostName"] == "app2.azurewebsites.net"


def test_paths_match_case_insensitively(url):
    status, body = get(
        f"{url}/SUBSCRIPTIONS/{SUB.upper()}/resourcegroups/WEB-RG/providers/"
        f"microsoft.web/sites/APP1/config/web?{API}"
    )
    assert status == 200
    assert body["id"].endswith("/providers/Microsoft.Web/sites/app1/config/web")
    assert body["properties"]["experiments"] == {"rampUpRules": []}


@pytest.mark.parametrize(
    ("path", "method", "status", "code"),
    [
        (
            f"/subscriptions/{SUB}/providers/Microsoft.Web/sites",
            "GET",
            400,
            "MissingApiVersionParameter",
        ),
        (
            f"/subscriptions/{SUB}/providers/Microsoft.Web/sites?api-version=latest",
            "GET",
            400,
            "InvalidApiVersionParameter",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/web-rg/providers/Microsoft.Web/sites/app0?{API}",
            "DELETE",
            405,
            "MethodNotAllowed",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/web-rg/providers/Microsoft.Web/sites/nope?{API}",
            "GET",
            404,
            "ResourceNotFound",
        ),
        (
            f"/subscriptions/{SUB}/resourceGroups/no-rg/providers/Microsoft.Web/sites/app0?{API}",
            "GET",
            404,
            "ResourceGroupNotFound",
        ),
        (
            f"/subscriptions/99999999-0000-4000-8000-000000000000/providers/Microsoft.Web/sites?{API}",
            "GET",
            404,
            "SubscriptionNotFound",
        ),
        (
            f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?{API}",
            "GET",
            404,
            "InvalidResourceType",
        ),
    ],
)
def test_errors_are_arm_error_bodies(url, path, method, status, code):
    got, body = get(f"{url}{path}", method=method)
    assert got == status
    assert body["error"]["code"] == code and body["error"]["message"]


def test_a_token_over_plain_http_is_refused(url):
    status, body = get(f"{url}/subscriptions?{API}", headers={"Authorization": "Bearer x"})
    assert (status, body["error"]["code"]) == (400, "TokenOverHttp")
