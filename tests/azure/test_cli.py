"""`relscan scan` and `relscan check` as a user runs them: the installed
command in a subprocess, pointed at the ARM emulator by RELSCAN_AZURE_ENDPOINT."""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest

from providers.azure.emulator.app import start
from scanner.demo.serve import load_estate
from tests.azure.conftest import SITES, SUB, SUB2, app, estate, profile
from tests.cli import clean_env, relscan

PORTAL = f"{SITES}/portal"
ESTATE = estate(
    [
        app(
            "portal",
            tags={"service": "citizen-portal"},
            slots=[{"name": "staging", "auto_swap": "production"}],
        ),
        app("hr", subscription=SUB2),
    ],
    [
        profile(
            routing="Weighted",
            endpoints=[{"name": "blue", "weight": 9}, {"name": "green", "weight": 1}],
        )
    ],
)


@pytest.fixture
def serve():
    with ExitStack() as stack:

        def _serve(part=ESTATE):
            env = clean_env("AZURE_", "RELSCAN_")
            env.update({k: v for k, v in start(json.loads(json.dumps(part)), stack).items() if v})
            return env

        yield _serve


def test_scan_json(serve):
    r = relscan("scan", "--provider", "azure", "--format", "json", env=serve())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scan"]["scopes"] == [f"azure:{SUB}", f"azure:{SUB2}"]
    by_id = {u["id"]: u for u in doc["resources"]}
    unit = by_id[PORTAL]
    assert (unit["level"], unit["rule"], unit["kind"]) == (
        4,
        "AZ-APP-4-AUTO-SWAP",
        "azure.appservice.app",
    )
    assert {
        "field": "slots[].config/web.properties.autoSwapSlotName",
        "value": ["production"],
    } in unit["evidence"]
    assert sorted(u["rule"] for u in doc["resources"]) == [
        "AZ-APP-1-NO-SLOTS",
        "AZ-APP-4-AUTO-SWAP",
        "AZ-TM-4-WEIGHTED",
    ]


def test_named_subscriptions(serve):
    r = relscan(
        "scan",
        "-p",
        "azure",
        "-f",
        "json",
        "--azure-subscription",
        SUB2,
        "--azure-subscription",
        SUB2.upper(),
        env=serve(),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scan"]["scopes"] == [f"azure:{SUB2}"]
    assert [u["name"] for u in doc["resources"]] == ["hr"]


def test_check_json_is_exactly_the_scan_resource(serve):
    env = serve()
    scan = json.loads(relscan("scan", "-p", "azure", "-f", "json", env=env).stdout)
    r = relscan("check", PORTAL.lower(), "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    [same] = [u for u in scan["resources"] if u["id"] == PORTAL]
    assert json.loads(r.stdout) == same


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["check", f"{SITES}/nope"], 2, "no such resource"),
        (["check", f"{SITES}/portal/slots/staging"], 2, "is a deployment slot"),
        (
            ["check", f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Sql/servers/db"],
            2,
            "unsupported Azure resource kind Microsoft.Sql/servers",
        ),
        (
            ["check", "/subscriptions/0000-1111/resourceGroups/rg/providers/Microsoft.Web/sites/a"],
            2,
            "subscription '0000-1111' is not a GUID",
        ),
        (
            ["scan", "-p", "azure", "--azure-subscription", "99999999-0000-4000-8000-000000000000"],
            2,
            "unknown Azure subscription 99999999-0000-4000-8000-000000000000",
        ),
        (
            ["scan", "-p", "azure", "--azure-subscription", "prod"],
            2,
            "malformed Azure subscription id 'prod'",
        ),
        (["scan", "-p", "azure", "--azure-tenant", "x y"], 2, "malformed Azure tenant 'x y'"),
    ],
)
def test_bad_input_is_one_line(serve, args, code, message):
    r = relscan(*args, env=serve())
    assert r.returncode == code, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relscan: error:"), r.stderr
    assert message in lines[0]


def test_a_refused_subscription_exits_3_and_keeps_the_rest(serve):
    part = {**ESTATE, "faults": [{"subscription": SUB, "status": 403}]}
    r = relscan("scan", "-p", "azure", "-f", "json", env=serve(part))
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert [u["name"] for u in doc["resources"]] == ["hr"]
    assert {e["service"] for e in doc["scan"]["errors"]} == {
        "App Service apps",
        "Traffic Manager profiles",
        "Front Door origin groups",
        "Container Apps",
        "VM scale sets",
    }
    assert f"relscan: scope error: azure:{SUB} App Service apps: AuthorizationFailed" in r.stderr
    assert "Traceback" not in r.stderr


def test_throttled_then_served(serve):
    part = {
        **ESTATE,
        "faults": [{"operation": "sites.list", "status": 429, "times": 1, "retry_after": 0.2}],
    }
    r = relscan("scan", "-p", "azure", "-f", "json", env=serve(part))
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["resources"]) == 3


def test_no_credentials_for_a_real_endpoint(serve):
    env = serve()
    env["RELSCAN_AZURE_ENDPOINT"] = "https://127.0.0.1:9"
    r = relscan("scan", "-p", "azure", env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "relscan: error: Azure credentials: no Azure credentials found (sign in with `az login`, "
        "or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run with a managed "
        "or workload identity)"
    )


def test_tokens_are_never_sent_over_plain_http_elsewhere(serve):
    env = serve()
    env["RELSCAN_AZURE_ENDPOINT"] = "http://management.example:80"
    r = relscan("scan", "-p", "azure", env=env)
    assert r.returncode == 2
    assert "plain http is only for a loopback emulator" in r.stderr


def test_the_demo_part_covers_every_level_the_rules_give(serve):
    r = relscan("scan", "-p", "azure", "-f", "json", env=serve(load_estate()["azure"]))
    assert r.returncode == 3  # four units are not assessed, each for a stated reason
    doc = json.loads(r.stdout)
    assert doc["scan"]["errors"] == []
    rules = {u["name"]: u["rule"] for u in doc["resources"]}
    from scanner.rules import load_rulebook

    every = {r.id for k in load_rulebook().values() if k.provider == "azure" for r in k.rules}
    assert every - set(rules.values()) == {"AZ-TM-NA-DISABLED"}
    assert rules["dds-data-platform-api"] is None
    assert rules["dds-case-management"] == "AZ-APP-3-MANUAL-SWAP"  # Linux: no auto-swap
    levels = {u["level"] for u in doc["resources"]}
    assert levels == {1, 2, 3, 4, 5, None}
    assert (
        30 <= len(rules) <= 36
    )  # 15, 6 Front Door origin groups, 12 Container Apps and scale sets
    assert all(u["tags"].get("service") for u in doc["resources"])
