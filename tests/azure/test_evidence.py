"""Evidence bundles: every Resource Manager answer a scan read is recorded,
`relscan assess` re-assesses the bundle offline to the identical result, and
no credential, token or signature is written anywhere in it."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest

from providers.azure.clients import AzureClients, Endpoint
from providers.azure.emulator.app import AzureEmulator, start
from providers.azure.run import AzureRun
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from scanner.evidence import recorder as evidence
from tests.azure.conftest import SUB, SUB2, app, estate, profile
from tests.azure.frontdoor_estate import routed, split
from tests.cli import clean_env, relscan

SECRETS = {
    "AZURE_CLIENT_SECRET": "s3cr3t-Client~Secret.Value-91a7",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD": "cert-pw-4f2d9c",
    "AZURE_PASSWORD": "user-pw-b71e0a",
    "AZURE_ACCESS_TOKEN": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-access-token",
    "IDENTITY_HEADER": "identity-header-8d3c2b",
    "MSI_SECRET": "msi-secret-55e1aa",
}
TOKEN = "eyJhbGciOiJSUzI1NiJ9.relscan-test-bearer-token.c2lnbmF0dXJl"
CALLBACK = "https://tip.example/api/decide?code=FUNCTION-KEY-1234&x=1"


def part():
    apps = [
        app(f"app{i}", tags={"service": "portal"}, slots=[{"name": "staging"}]) for i in range(3)
    ]
    apps[0]["slots"][0]["auto_swap"] = "production"
    apps[1]["routing_rules"] = [
        {
            "name": "staging",
            "reroutePercentage": 5,
            "changeStep": 5,
            "changeIntervalInMinutes": 10,
            "maxReroutePercentage": 50,
            "changeDecisionCallbackUrl": CALLBACK,
        }
    ]
    apps.append(app("hr", subscription=SUB2))
    weighted = {"routing": "Weighted", "endpoints": [{"name": "a", "weight": 9}, {"name": "b"}]}
    front_door = [routed(split("web"), split("api"), split("img"))]
    return estate(
        apps, [profile("tm", **weighted), profile("tm-b", **weighted)], front_door=front_door
    )


def every_file(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_bundle_re_assesses_to_the_identical_result_and_holds_no_secret(tmp_path):
    bundle = tmp_path / "evidence"
    with ExitStack() as stack:
        env = clean_env("AZURE_", "RELSCAN_")
        env.update({k: v for k, v in start(part(), stack).items() if v})
        env.update(SECRETS, AZURE_TENANT_ID=SUB, AZURE_CLIENT_ID=SUB2)
        r = relscan(
            "scan", "-p", "azure", "-f", "json", "--no-store", "--evidence", str(bundle), env=env
        )
    assert r.returncode == 0, r.stderr
    scanned = json.loads(r.stdout)["resources"]
    assert {u["rule"] for u in scanned} >= {
        "AZ-APP-4-AUTO-SWAP",
        "AZ-APP-5-AUTO-RAMP-CALLBACK",
        "AZ-FD-4-WEIGHTED-SPLIT",
    }
    responses = sorted((bundle / "responses").glob("*-azure-*.json"))
    operations = {json.loads(p.read_text("utf-8"))["operation"] for p in responses}
    assert operations == {
        "subscriptions.list",
        "web_apps.list",
        "web_apps.list_slots",
        "web_apps.get_configuration",
        "web_apps.get_configuration_slot",
        "profiles.list_by_subscription",
        "cdn.profiles.list",
        "afd_origin_groups.list_by_profile",
        "afd_origins.list_by_origin_group",
        "afd_endpoints.list_by_profile",
        "routes.list_by_endpoint",
        "container_apps.list_by_subscription",
        "virtual_machine_scale_sets.list_all",
    }
    # the emulator is gone: the replay serves the bundle on another port, and
    # the recorded nextLinks (to the old port) are read from it
    env.pop("RELSCAN_AZURE_ENDPOINT")
    again = relscan("assess", str(bundle), "-f", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert "identical to the scan that wrote it" in again.stderr
    assert json.loads(again.stdout)["resources"] == scanned
    text = every_file(bundle)
    for name, value in SECRETS.items():
        assert value not in text, name
    assert "FUNCTION-KEY-1234" not in text


def test_bearer_tokens_never_reach_the_bundle(tmp_path, monkeypatch):
    """Against a cloud the pipeline sends a bearer token: none is recorded.
    (The emulator stands in for Resource Manager over http, so the SDK's
    https-only check for tokens is switched off in this test alone.)"""
    import azure.core.pipeline.policies._authentication as auth

    monkeypatch.setattr(auth, "_enforce_https", lambda request: None)

    class Credential:
        def get_token(self, *scopes, **kwargs):
            from azure.core.credentials import AccessToken

            return AccessToken(TOKEN, 4102444800)

    recorder = evidence.Recorder(tmp_path)
    with LoopbackServer(AzureEmulator(part(), token=TOKEN)) as server:
        endpoint = Endpoint(server.url, False, f"{server.url}/.default")
        run = AzureRun(AzureClients(endpoint, Credential(), recorder=recorder), [])
        result = run_scan([(run, run.scopes())])
        sent = server.requests
    assert result.errors == [] and len(result.assessments) == 9  # 4 apps, 2 profiles, 3 groups
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sent)
    text = every_file(tmp_path)
    assert len(list(tmp_path.rglob("*.json"))) == len(sent)
    assert TOKEN not in text and "c2lnbmF0dXJl" not in text
    assert "bearer" not in text.lower() and '"authorization"' not in text.lower()


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        (f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Web/sites", ""),
        (f"https://arm.example/arm/subscriptions/{SUB}/providers/Microsoft.Web/sites", "/arm"),
        (f"http://127.0.0.1:1234/SUBSCRIPTIONS/{SUB}/providers/microsoft.web/SITES", ""),
    ],
)
def test_recorded_keys_match_what_the_replay_computes(url, prefix):
    from providers.azure.emulator.app import replay_key
    from providers.azure.permissions import request_key
    from scanner.emulators.server import Request

    query = "api-version=2025-05-01&%24skiptoken=a%2Bb%3D%3D"
    recorded = request_key("get", f"{url}?{query}", prefix)
    served = Request(
        "GET",
        f"/subscriptions/{SUB}/providers/Microsoft.Web/sites",
        {"api-version": ["2025-05-01"], "$skiptoken": ["a+b=="]},
        {},
        b"",
    )
    assert recorded == replay_key(served)
