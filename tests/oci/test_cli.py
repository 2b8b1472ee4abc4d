"""`relscan scan` and `relscan check` as a user runs them: the installed command
in a subprocess, against the OCI emulator started by its `start()`."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from providers.oci.emulator.app import start
from scanner.demo.serve import load_estate
from tests.cli import RELSCAN, clean_env, relscan
from tests.oci.conftest import SECRET, backends, estate, lb_entry

DEMO = load_estate()["oci"]  # the OCI part of the built-in demo estate


@pytest.fixture
def env():
    with ExitStack() as stack:

        def _env(part):
            out = clean_env("OCI_", "RELSCAN_")
            out["OCI_CONFIG_FILE"] = "/nonexistent/oci-config"
            for key, value in start(json.loads(json.dumps(part)), stack).items():
                if value is not None:
                    out[key] = value
            return out

        yield _env


def test_demo_scan_covers_every_level(env):
    e = env(DEMO)
    r = relscan("scan", "--provider", "oci", "--format", "json", "--quiet", env=e)
    assert r.returncode == 3, r.stderr  # eight units are not assessed, by design
    units = json.loads(r.stdout)["resources"]
    assert len(units) == 22  # 15 load balancers and pipelines, 7 DNS steering policies
    levels = Counter(u["level"] for u in units)
    assert set(levels) == {1, 2, 3, 4, 5, None}
    assert levels[None] == 8
    services = {u["service"] for u in units}
    assert {"citizen-portal", "payments", "case-management", "hr-tool"} <= services
    rules = {u["rule"] for u in units} - {None}
    book = yaml.safe_load(Path("mappings/oci_load_balancer.yaml").read_text())["rules"]
    book += yaml.safe_load(Path("mappings/oci_devops.yaml").read_text())["rules"]
    book += yaml.safe_load(Path("mappings/oci_dns_steering.yaml").read_text())["rules"]
    assert rules == {r["id"] for r in book}


def test_check_load_balancer_and_pipeline(env):
    e = env(DEMO)
    r = relscan("scan", "--provider", "oci", "--format", "json", "--quiet", env=e)
    ids = {u["name"]: u["id"] for u in json.loads(r.stdout)["resources"]}
    r = relscan("check", ids["payments-lb"], "--format", "json", env=e)
    assert r.returncode == 3, r.stderr  # a backup backend is failover: not assessed
    assert json.loads(r.stdout)["rule"] == "OCI-LB-NA-BACKUP-FAILOVER"
    r = relscan("check", ids["payments-release"], "--format", "json", env=e)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rule"] == "OCI-DEVOPS-4-PARTIAL-SHIFT"
    r = relscan(
        "check", ids["citizen-portal-release"], "--format", "json", "--fail-under", "5", env=e
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["level"] == 5
    r = relscan("check", ids["grants-lb"], "--format", "json", env=e)
    assert r.returncode == 3
    assert json.loads(r.stdout)["status"] == "not_assessed"


def test_unreadable_compartment_exits_3_and_keeps_the_rest(env):
    part = estate(
        load_balancers=[lb_entry("kept", {"web": {"backends": backends({})}})],
        faults=[{"compartment": SECRET, "status": 404}],
    )
    r = relscan("scan", "--provider", "oci", "--format", "json", env=env(part))
    assert r.returncode == 3
    assert [u["name"] for u in json.loads(r.stdout)["resources"]] == ["kept"]
    assert f"relscan: scope error: oci:{SECRET}/uk-london-1 loadbalancer: 404" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["check", "ocid1.loadbalancer.oc1.uk-london-1.BAD"], "malformed OCID"),
        (["check", "ocid1.bucket.oc1.uk-london-1.aaaaaaaaexample"], "unsupported OCID kind"),
        (["check", "ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaanotthere"], "no such resource"),
        (["scan", "-p", "oci", "--oci-compartment", "nope"], "malformed OCID 'nope'"),
        (["scan", "-p", "oci", "--oci-region", "mars"], "not an OCI region name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(env, args, message):
    r = relscan(*args, env=env(estate()))
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_config_file_is_one_line_and_exit_2(tmp_path):
    e = clean_env("OCI_", "RELSCAN_")
    r = subprocess.run(
        [RELSCAN, "scan", "-p", "oci", "--oci-config-file", str(tmp_path / "cfg")],
        env=e,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert f"OCI config file {tmp_path / 'cfg'}: no such file" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
