"""`relscan scan`, `check` and `permissions` for Container Apps and VM scale
sets, as a user runs them, against the ARM emulator."""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest

from providers.azure.emulator.app import start
from tests.azure.conftest import CONTAINER_APPS, SCALE_SETS, SUB, container_app, estate, scale_set
from tests.cli import clean_env, relscan

ESTATE = estate(
    container_apps=[
        container_app(
            "orders-api",
            mode="Multiple",
            traffic=[
                {"revisionName": "orders-api--v1", "weight": 90},
                {"revisionName": "orders-api--v2", "weight": 10},
            ],
            tags={"service": "orders\u202e"},  # an RTL override is data
        )
    ],
    scale_sets=[
        scale_set(
            "orders-vmss",
            upgrade={"mode": "Rolling", "rollingUpgradePolicy": {"maxBatchInstancePercent": 20}},
            health_extension="ApplicationHealthLinux",
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


def test_check_of_each_kind_is_exactly_the_scan_resource(serve):
    env = serve()
    scan = json.loads(relscan("scan", "-p", "azure", "-f", "json", env=env).stdout)
    by_id = {u["id"]: u for u in scan["resources"]}
    for rid, rule in (
        (f"{CONTAINER_APPS}/orders-api", "AZ-CA-4-SPLIT"),
        (f"{SCALE_SETS}/orders-vmss", "AZ-VMSS-2-ROLLING"),
    ):
        r = relscan("check", rid.upper().replace(SUB.upper(), SUB), "--format", "json", env=env)
        assert r.returncode == 0, r.stderr
        found = json.loads(r.stdout)
        assert found == by_id[rid]
        assert found["rule"] == rule
    assert by_id[f"{CONTAINER_APPS}/orders-api"]["tags"]["service"] == "orders\u202e"


@pytest.mark.parametrize(
    ("rid", "message"),
    [
        (f"{CONTAINER_APPS}/gone", "no such resource"),
        (f"{CONTAINER_APPS}/orders-api/revisions/orders-api--v2", "is a revision"),
        (f"{CONTAINER_APPS}/-bad-", "is not 2 to 32 letters, digits and hyphens"),
        (f"{SCALE_SETS}/orders-vmss/virtualMachines/3", "is an instance of a scale set"),
        (f"{SCALE_SETS}/gone", "no such resource"),
    ],
)
def test_check_errors_are_one_line_with_exit_2(serve, rid, message):
    r = relscan("check", rid, env=serve())
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_the_grant_holds_both_kinds_reads():
    r = relscan("permissions", "azure", env=clean_env("AZURE_", "RELSCAN_"))
    assert r.returncode == 0, r.stderr
    role = json.loads(r.stdout)
    assert "Microsoft.App/containerApps/read" in role["Actions"]
    assert "Microsoft.Compute/virtualMachineScaleSets/read" in role["Actions"]
    assert role["Description"].endswith("Container Apps and their revisions, and VM scale sets.")
