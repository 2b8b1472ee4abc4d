"""Scheduled-scan workflows as a user runs them: history, diff, config files,
shards and scan groups, and scans that are interrupted or killed."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import time

import pytest

from scanner.store import Store
from tests.aws.estate import ESTATE, RELSCAN, relscan


def regressed_estate():
    estate = copy.deepcopy(ESTATE)
    estate["beanstalk"][0]["options"]["aws:elasticbeanstalk:command"]["DeploymentPolicy"] = (
        "AllAtOnce"
    )
    return estate


def test_history_diff_and_regression_exit_5(serve, tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    first = relscan("scan", "-p", "aws", "-f", "json", "--store", db, env=serve())
    assert first.returncode == 0, first.stderr
    second = relscan(
        "scan", "-p", "aws", "-f", "json", "--store", db, env=serve(regressed_estate())
    )
    assert second.returncode == 0, second.stderr
    r = relscan("history", "--store", db, "-f", "json", env=serve())
    rows = json.loads(r.stdout)
    assert [row["status"] for row in rows] == ["complete", "complete"]
    r = relscan("diff", "--store", db, "-f", "json", "--fail-on-regression", env=serve())
    assert r.returncode == 5
    [change] = json.loads(r.stdout)["changes"]
    assert (change["change"], change["before"], change["after"], change["name"]) == (
        "down",
        2,
        1,
        "portal/portal-prod",
    )
    assert relscan("diff", "--store", db, env=serve()).returncode == 0  # without the flag
    r = relscan(
        "show", "latest", "--store", db, "-f", "html", "-o", str(tmp_path / "r.html"), env=serve()
    )
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text()
    assert "Over the last 2 scans" in html


def test_config_file_with_outputs_and_a_command_line_override(serve, tmp_path):
    config = tmp_path / "relscan.toml"
    config.write_text(f"""
[scan]
providers = ["aws"]
[aws]
regions = ["eu-west-1", "eu-west-2"]
[store]
url = "sqlite:///{tmp_path / "c.db"}"
[[outputs]]
format = "csv"
path = "{tmp_path}/out-{{date}}.csv"
[[outputs]]
format = "html"
path = "{tmp_path}/out.html"
""")
    r = relscan("scan", "--config", str(config), "-f", "json", env=serve())
    assert r.returncode == 0, r.stderr
    # two regions, and the account's global scope (CloudFront, Route 53)
    assert len(json.loads(r.stdout)["scan"]["scopes"]) == 3
    assert len(list(tmp_path.glob("out-*.csv"))) == 1 and (tmp_path / "out.html").exists()
    r = relscan(
        "scan", "--config", str(config), "--aws-region", "eu-west-2", "-f", "json", env=serve()
    )
    assert json.loads(r.stdout)["scan"]["scopes"] == [
        "aws:210987654321/eu-west-2",
        "aws:210987654321/global",
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text("[scan]\nconcurrency = 'many'\n")
    r = relscan("scan", "--config", str(bad), env=serve())
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"relscan: error: {bad}: scan.concurrency: Input should be a "
        "valid integer, unable to parse string as an integer"
    )


def test_shards_of_a_scan_group_merge_and_report_what_is_missing(serve, tmp_path):
    db = f"sqlite:///{tmp_path / 'g.db'}"
    env = serve()
    base = ("scan", "-p", "aws", "-f", "json", "--store", db, "--scan-group", "nightly-1")
    one = json.loads(relscan(*base, "--shard", "1/2", env=env).stdout)
    r = relscan("report", "--scan-group", "nightly-1", "--store", db, "-f", "csv", env=env)
    assert r.returncode == 3 and "shards not complete: 2/2" in r.stderr
    two = json.loads(relscan(*base, "--shard", "2/2", env=env).stdout)
    assert set(one["scan"]["scopes"]).isdisjoint(two["scan"]["scopes"])
    assert len(one["scan"]["scopes"]) + len(two["scan"]["scopes"]) == 3  # 2 regions, global
    r = relscan("report", "--scan-group", "nightly-1", "--store", db, "-f", "csv", env=env)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 1 + 3  # header and every unit


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_a_stopped_scan_never_looks_complete(serve, tmp_path, sig):
    db = f"sqlite:///{tmp_path / 'i.db'}"
    assert relscan("scan", "-p", "aws", "-f", "json", "--store", db, env=serve()).returncode == 0
    # the scan blocks in its Beanstalk list for a minute: it cannot finish before
    # the signal however busy the machine, and the stop must not wait for the call
    slow = {**ESTATE, "slow": {"DescribeEnvironments": 60_000}}
    proc = subprocess.Popen(
        [RELSCAN, "scan", "-p", "aws", "-f", "json", "--store", db, "--concurrency", "1"],
        env=serve(slow),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # SIGINT as a terminal leaves it: a test run started in the background
        # (a CI job's `&`) has it ignored, and relscan would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    store = Store(db)
    deadline = time.monotonic() + 30
    while store.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(sig)
    stopped_at = time.monotonic()
    _, err = proc.communicate(timeout=20)
    assert time.monotonic() - stopped_at < 5  # promptly
    rows = store.scans()
    assert [r.status for r in rows] == [
        "interrupted" if sig == signal.SIGINT else "running",
        "complete",
    ]
    assert store.load(rows[0]).assessments == []
    assert len(store.load(rows[1]).assessments) == 3  # the earlier scan is untouched
    assert store.find("latest").id == rows[1].id
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "relscan: interrupted after" in err and "nothing was stored as complete" in err
