"""--history, --timezone and --working-hours: one-line errors with exit 2 (on
the command line and in relscan.toml), and the period reaching every
provider's options, a worker process's included, and back as practice."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import click
import pytest

from scanner.cli.practice import practice_settings, with_history
from scanner.config import parse_config
from scanner.errors import UsageError
from scanner.evidence.bundle import read_manifest
from scanner.evidence.recorder import Recorder
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderPlugin, ProviderRun, Scope
from scanner.practice.records import History, Release
from scanner.practice.settings import period_of, settings_from_record
from scanner.session import ScanSession
from tests.aws.estate import CD_ARN
from tests.cli import clean_env, relscan

ARN = "arn:aws:lambda:eu-west-2:123456789012:function:checkout:live"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--history", "0"], "Invalid value for '--history': 0 is not in the range 1<=x<=3650."),
        (["--history", "3651"],
         "Invalid value for '--history': 3651 is not in the range 1<=x<=3650."),
        (["--history", "ninety"],
         "Invalid value for '--history': 'ninety' is not a valid integer range."),
        (["--timezone", "Europe/Lundon"], "Invalid value for '--timezone': unknown time zone "
         "'Europe/Lundon' (an IANA name, e.g. Europe/London)"),
        (["--working-hours", "Mon-Fri"], "Invalid value for '--working-hours': expected days and "
         "hours like 'Mon-Fri 08:00-18:00'"),
        (["--working-hours", "Mon-Fry 08:00-18:00"], "Invalid value for '--working-hours': "
         "unknown days 'mon-fry' (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
        (["--working-hours", "Mon-Fri 8-18"], "Invalid value for '--working-hours': hours "
         "'8-18': '8' is not a time HH:MM"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_and_exit_2(args, line):
    r = relscan("scan", "-p", "aws", "--no-store", *args, env=clean_env("AWS_"))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"relscan: error: {line}"]
    assert r.stdout == ""


def test_check_takes_the_same_options_and_errors():
    for args, line in (
        (["--timezone", "Utopia"], "Invalid value for '--timezone': unknown time zone 'Utopia' "
         "(an IANA name, e.g. Europe/London)"),
        (["--history", "0"], "Invalid value for '--history': 0 is not in the range 1<=x<=3650."),
    ):  # fmt: skip
        r = relscan("check", ARN, *args, env=clean_env("AWS_"))
        assert (r.returncode, r.stderr.splitlines()) == (2, [f"relscan: error: {line}"])


def test_bad_values_in_relscan_toml_are_one_line_and_exit_2(tmp_path):
    cases = {
        "history_days = 0": "scan.history_days: Input should be greater than or equal to 1",
        'timezone = "Mars/Olympus"': "scan.timezone: Value error, unknown time zone "
        "'Mars/Olympus' (an IANA name, e.g. Europe/London)",
        'working_hours = "weekdays"': "scan.working_hours: Value error, expected days and hours "
        "like 'Mon-Fri 08:00-18:00'",
    }
    for key, message in cases.items():
        path = tmp_path / "relscan.toml"
        path.write_text(f'[scan]\nproviders = ["aws"]\n{key}\n', encoding="utf-8")
        r = relscan("scan", "--config", str(path), "--no-store", env=clean_env("AWS_"))
        assert r.returncode == 2
        assert r.stderr.splitlines() == [f"relscan: error: {path}: {message}"]


def test_relscan_toml_gives_the_history_settings(tmp_path):
    path = tmp_path / "relscan.toml"
    text = '[scan]\nhistory_days = 30\ntimezone = "America/New_York"\nworking_hours = "Sun-Thu 09:00-17:00"\n'  # noqa: E501
    settings = parse_config(tomllib.loads(text), path, {})
    o = settings.option_values()
    started = datetime(2026, 11, 29, 14, tzinfo=UTC)
    practice = practice_settings(o, started)
    assert practice is not None
    assert (practice.period.days, practice.period.end) == (30, started)
    assert practice.timezone == "America/New_York"
    assert practice.working_hours.days == frozenset({6, 0, 1, 2, 3})
    assert practice_settings({}, started) is None  # off by default
    with pytest.raises(UsageError, match="--timezone: unknown time zone 'Nowhere'"):
        practice_settings({"timezone": "Nowhere"}, started)


class HistoryRun(ProviderRun):
    """A provider with one unit, whose records say what period it was asked
    for and which process read them."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name = name
        self.period = period_of(options)

    def scopes(self) -> list[Scope]:
        return [Scope(self.name, "acct", "r1")]

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        obs = Observation(f"{self.name}-unit", self.name, f"{self.name}.kind", "u", "acct", "r1")
        if self.period is not None:
            started = self.period.end - timedelta(days=1)
            obs.history = History(
                source=f"pid {os.getpid()}",
                releases=[Release("test:deployment", "d1", started)],
                kept=f"{self.period.days} days to {self.period.end.isoformat()}",
            )
        yield obs

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError


class HistoryPlugin(ProviderPlugin):
    title = "History test"

    def __init__(self, name: str) -> None:
        self.name = name

    def options(self) -> list[click.Option]:
        return []

    def claims(self, resource_id: str) -> bool:
        return False

    def check_id(self, resource_id: str) -> None:
        raise NotImplementedError

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        return HistoryRun(self.name, options)


def test_the_period_reaches_every_provider_a_worker_process_included():
    started = datetime.now(UTC).replace(microsecond=0)
    practice = practice_settings({"history_days": 30, "timezone": "Asia/Tokyo"}, started)
    plugins = [HistoryPlugin("first"), HistoryPlugin("second")]
    options = {p.name: with_history({}, practice) for p in plugins}
    session = ScanSession(plugins, options, workers=2, started=started)
    session.practice = practice
    session.discover(keep_going=False)
    assert session.pool is not None  # the second provider is read by a child
    result = session.execute()
    found = {a.provider: a.practice for a in result.assessments}
    assert set(found) == {"first", "second"}
    pids = set()
    for p in found.values():
        assert p is not None
        assert p.kept == f"30 days to {started.isoformat()}"
        assert (p.period_days, p.period_end, p.timezone) == (30, started, "Asia/Tokyo")
        assert p.release_count == 1
        pids.add(p.source)
    assert f"pid {os.getpid()}" in pids and len(pids) == 2


def test_without_history_no_provider_is_asked_for_records():
    plugins = [HistoryPlugin("first")]
    session = ScanSession(plugins, {"first": with_history({}, None)})
    session.discover(keep_going=False)
    (a,) = session.execute().assessments
    assert a.practice is None


def test_scan_help_names_the_options():
    r = relscan("scan", "--help", env=clean_env())
    assert "--history DAYS" in r.stdout and "--timezone ZONE" in r.stdout
    assert "--working-hours" in r.stdout


def test_an_evidence_bundle_keeps_the_settings_assess_reads_records_with(tmp_path):
    started = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
    practice = practice_settings(
        {"history_days": 45, "timezone": "Europe/Paris", "working_hours": "Mon-Thu 09:00-17:30"},
        started,
    )
    assert practice is not None
    session = ScanSession(
        [HistoryPlugin("first")], {"first": with_history({}, practice)},
        recorder=Recorder(tmp_path / "bundle"), started=started,
    )  # fmt: skip
    session.practice = practice
    session.discover(keep_going=False)
    session.execute()
    session.finish_evidence()
    manifest = read_manifest(tmp_path / "bundle")
    assert manifest["practice"] == {
        "history_days": 45,
        "history_end": "2026-11-29T14:05:00+00:00",
        "timezone": "Europe/Paris",
        "working_hours": "Mon-Thu 09:00-17:30",
    }
    assert settings_from_record(manifest["practice"]) == practice
    with pytest.raises(ValueError, match="practice settings are malformed"):
        settings_from_record({"history_days": "many"})


def test_check_and_scan_with_history_read_and_never_raise_a_level(serve):
    env = serve()
    plain = json.loads(relscan("check", CD_ARN, "-f", "json", env=env).stdout)
    r = relscan("check", CD_ARN, "-f", "json", "--history", "30", "--timezone", "UTC", env=env)
    assert r.returncode == 0, r.stderr
    one = json.loads(r.stdout)
    assert one["level"] <= plain["level"]
    assert "practice" not in plain  # without --history nothing is read
    assert one["practice"]["period"]["days"] == 30
    assert one["practice"]["timezone"] == "UTC"
    assert one["practice"]["source"] == "CodeDeploy deployments"
    s = relscan("scan", "-p", "aws", "--history", "7", "-f", "json", "--no-store", env=env)
    assert s.returncode in (0, 3), s.stderr
    [same] = [u for u in json.loads(s.stdout)["resources"] if u["id"] == CD_ARN]
    assert same["level"] <= plain["level"]
    assert same["practice"]["period"]["days"] == 7


def test_demo_reads_90_days_by_default():
    r = relscan("demo", "--help", env=clean_env())
    text = " ".join(r.stdout.split())
    assert "--history DAYS" in text and "(0: off)" in text and "[default: 90; 0<=x<=3650]" in text
    bad = relscan("demo", "--history", "-1", env=clean_env())
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        "relscan: error: Invalid value for '--history': -1 is not in the range 0<=x<=3650."
    ]
