"""`relscan history --service NAME`: a service's releases kept in the store,
as a user runs it (the installed command, on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from scanner.practice.records import AUTOMATIC, FAILED, IN_PROGRESS, MANUAL, ROLLBACK, Release
from scanner.store import Store
from tests.cli import relscan
from tests.store.releases_kit import release, scan_with

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BLUE = "arn:aws:codedeploy:eu-west-2:111:deploymentgroup:shop/blue"
API = "arn:aws:ecs:eu-west-2:111:service/shop/api"


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def env():
    return dict(os.environ)


def filled(url: str) -> Store:
    """Two scans of the shop: a release that failed and was rolled back by
    CodeDeploy, a person's rollback, one still running, one 100 days ago."""
    store = Store(url)
    hostile = "\x1b[31mci[bold]\u202e"
    first = {
        BLUE: [
            release("d-OLD000001", days_ago(100)),
            release("d-FAIL00001", days_ago(3), FAILED, rolled_back=AUTOMATIC),
        ],
        API: [Release("ecs:service-deployment", "ecs-svc/1", days_ago(1), outcome=IN_PROGRESS)],
    }
    store.save(scan_with(days_ago(0.5), first, service="shop"))
    later = {
        BLUE: [
            Release("codedeploy:deployment", "d-ROLLBACK1", days_ago(0.2), kind=ROLLBACK,
                    outcome="succeeded", started_by=hostile),
            release("d-FINE00001", days_ago(0.3), rolled_back=MANUAL),
        ]
    }  # fmt: skip
    store.save(scan_with(days_ago(0.1), later, service="shop"))
    store.save(scan_with(days_ago(0.1), {"arn:x": [release("d-X", days_ago(1))]}, "payments"))
    store.engine.dispose()
    return store


def test_a_services_releases_newest_first_as_json(store_url, env):
    filled(store_url)
    r = relscan("history", "--store", store_url, "--service", "shop", "-f", "json", env=env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["service"], doc["days"], doc["timezone"]) == ("shop", 90, "Europe/London")
    rows = doc["releases"]
    assert [x["id"] for x in rows] == ["d-ROLLBACK1", "d-FINE00001", "ecs-svc/1", "d-FAIL00001"]
    fail = rows[3]
    assert (fail["unit"], fail["outcome"]) == ("shop/blue", "failed")
    assert fail["rolled_back"] == AUTOMATIC
    assert fail["started"] == days_ago(3).isoformat().replace("+00:00", "Z")
    assert dt.datetime.fromisoformat(fail["started_local"]) == days_ago(3)
    assert rows[2]["outcome"] == IN_PROGRESS and rows[0]["kind"] == ROLLBACK


def test_the_table_shows_local_times_and_escapes_cloud_strings(store_url, env):
    filled(store_url)
    args = ("history", "--store", store_url, "--service", "shop", "--timezone", "Asia/Tokyo")
    r = relscan(*args, "--days", "2", env={**env, "COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Releases of shop in the last 2 days: 3" in out
    assert "Started (Asia/Tokyo)" in out
    local = days_ago(0.3).astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert local.strftime("%Y-%m-%d %H:%M %a") in out
    assert "succeeded (a rollback)" in out and "in progress" in out
    assert "by a person" in out
    assert "d-FAIL" not in out and "failed" not in out  # 3 days ago: outside --days 2
    assert "\x1b" not in out and "\u202e" not in out
    assert "ci[bold]" in out  # Rich markup in a cloud string is printed, not obeyed


def test_none_to_show_is_one_line_saying_why(store_url, env):
    r = relscan("history", "--store", store_url, "--service", "shop", env=env)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.startswith("No release records in the store ")
    assert r.stdout.count("\n") == 1
    filled(store_url)
    r = relscan("history", "--store", store_url, "--service", "shoe", env=env)
    assert "keeps no releases of 'shoe'; it keeps 'payments', 'shop'." in r.stdout
    r = relscan("history", "--store", store_url, "--service", "payments", "--days", "1", env=env)
    assert r.stdout.startswith("No releases of 'payments' started in the last 1 days")
    r = relscan("history", "--store", store_url, "--service", "shoe", "-f", "json", env=env)
    assert json.loads(r.stdout)["releases"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--days", "7"), "--days needs --service NAME (it chooses releases, not scans)"),
        (("--timezone", "UTC"), "--timezone needs --service NAME"),
        (("--service", "shop", "--limit", "5"), "--limit counts scans; with --service"),
        (("--service", "shop", "--timezone", "Mars/Olympus"), "--timezone 'Mars/Olympus': not"),
        (("--service", "shop", "--days", "0"), "0 is not in the range 1<=x<=36500"),
        (("--service", " "), "--service: give a service name"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args, message, tmp_path, env):
    r = relscan("history", "--store", f"sqlite:///{tmp_path / 'h.db'}", *args, env=env)
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1 and r.stdout == ""


def test_without_service_the_scans_are_listed_as_before(tmp_path, env):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    filled(url)
    r = relscan("history", "--store", url, "-f", "json", env=env)
    assert [row["status"] for row in json.loads(r.stdout)] == ["complete"] * 3
