"""Bad files are one line and exit 2, never a traceback (issue 13, "Tracebacks"):
an impossible waiver date, files that are not UTF-8, a malformed demo estate."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from scanner.waivers import load_waivers
from tests.cli import RELSCAN

WAIVER_YAML = """\
waivers:
  - service: hr-tool
    level: 1
    reason: ok
    approved_by: Board
    expires: {expires}
"""
WAIVER_TOML = """\
[[waivers]]
service = "hr-tool"
level = 1
reason = "ok"
approved_by = "Board"
expires = {expires}
"""


def run(*args, **kw):
    return subprocess.run([RELSCAN, *args], capture_output=True, text=True, timeout=120, **kw)


def one_line(r):
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relscan: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


@pytest.fixture
def scan_file(result, tmp_path):
    path = tmp_path / "scan.json"
    path.write_text(SCAN_FORMATS["json"](result, RenderOptions()))
    return path


def test_an_impossible_waiver_date_is_one_line_naming_the_line(scan_file, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(WAIVER_YAML.format(expires="2026-02-30"))
    r = run("report", str(scan_file), "--waivers", str(waivers), "-f", "json")
    assert r.returncode == 2
    assert one_line(r) == (
        f"relscan: error: waivers file {waivers} line 6: expires '2026-02-30' is not a "
        "date (day is out of range for month)"
    )
    toml = tmp_path / "w.toml"
    toml.write_text(WAIVER_TOML.format(expires="2026-02-30"))
    r = run("report", str(scan_file), "--waivers", str(toml), "-f", "json")
    assert r.returncode == 2
    assert f"waivers file {toml}: Invalid date or datetime (at line 6" in one_line(r)


def test_waiver_dates_still_parse(tmp_path):
    for text in ("2027-03-31", "'2027-03-31'", "2027-03-31T00:00:00"):
        path = tmp_path / "w.yaml"
        path.write_text(WAIVER_YAML.format(expires=text))
        [waiver] = load_waivers(path)
        assert waiver.expires == dt.date(2027, 3, 31)
    path.write_text(WAIVER_YAML.format(expires="next spring"))
    with pytest.raises(UsageError, match=r"line 6: expires 'next spring' is not a date"):
        load_waivers(path)


def test_files_that_are_not_utf8_are_one_line(scan_file, tmp_path):
    latin1 = "# r\u00e9sum\u00e9\n".encode("latin-1")
    config = tmp_path / "relscan.toml"
    config.write_bytes(latin1 + b'[scan]\nproviders = ["aws"]\n')
    r = run("scan", "--config", str(config))
    assert r.returncode == 2
    assert one_line(r) == (
        f"relscan: error: {config}: not UTF-8 text (at byte offset 3); save it as UTF-8"
    )
    waivers = tmp_path / "w.yaml"
    waivers.write_bytes(latin1 + WAIVER_YAML.format(expires="2027-01-01").encode())
    r = run("report", str(scan_file), "--waivers", str(waivers))
    assert r.returncode == 2
    assert f"waivers file {waivers}: not UTF-8 text (at byte offset 3)" in one_line(r)
    raw = subprocess.run([RELSCAN, "report", "-"], input=latin1, capture_output=True, timeout=60)
    assert raw.returncode == 2
    assert raw.stderr.decode().strip() == (
        "relscan: error: standard input: not UTF-8 text (at byte offset 3)"
    )


@pytest.mark.parametrize(
    ("estate", "message"),
    [
        ("aws: 5\n", "aws: expected a mapping (as in the built-in estate), not int 5"),
        ("gcp: [1, 2]\n", "gcp: expected a mapping (as in the built-in estate), not list"),
        ("waivers: nope\n", "waivers: expected a list (as in the built-in estate), not str"),
    ],
)
def test_demo_estate_of_the_wrong_shape_is_one_line(tmp_path, estate, message):
    path = tmp_path / "estate.yaml"
    path.write_text(estate)
    r = run("demo", "--estate", str(path), "--output-dir", str(tmp_path), "-q")
    assert r.returncode == 2
    assert one_line(r).startswith(f"relscan: error: estate file {path}: {message}")
    assert not (tmp_path / "relscan-demo.html").exists()
