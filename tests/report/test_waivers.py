"""Waivers files: valid, expired, malformed (errors name the line)."""

from __future__ import annotations

import datetime as dt

import pytest

from scanner.errors import UsageError
from scanner.waivers import load_waivers, waiver_for
from tests.report.conftest import unit

TODAY = dt.date(2026, 11, 26)
YAML = """\
waivers:
  - service: hr-tool
    level: 1
    reason: Internal tool, used in office hours only
    approved_by: Assurance Board, 2026-10-01
    expires: 2027-03-31
  - match: "arn:pay:*"
    level: 2
    reason: Migration to blue/green in Q1
    approved_by: J. Smith
    expires: 2026-09-30
"""
TOML = """\
[[waivers]]
service = "hr-tool"
level = 1
reason = "Internal tool"
approved_by = "Board"
expires = 2027-03-31
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_waivers_load_and_apply_until_they_expire(tmp_path):
    w = load_waivers(write(tmp_path, "w.yaml", YAML), {"hr-tool", "payments"})
    assert [(x.service, x.match, x.level, x.expires, x.line) for x in w] == [
        ("hr-tool", None, 1, dt.date(2027, 3, 31), 2),
        (None, "arn:pay:*", 2, dt.date(2026, 9, 30), 7),
    ]
    hr = waiver_for(unit("arn:hr:a", 1, "hr-tool"), w, TODAY)
    assert hr.active is w[0] and hr.expired is None
    pay = waiver_for(unit("arn:pay:b", 2, "payments"), w, TODAY)
    assert pay.active is None and pay.expired is w[1]
    assert waiver_for(unit("arn:hr:a", 1, "hr-tool"), w, dt.date(2027, 4, 1)).active is None


def test_toml_waivers_load(tmp_path):
    [w] = load_waivers(write(tmp_path, "w.toml", TOML), {"hr-tool"})
    assert (w.service, w.level, w.approved_by, w.expires) == (
        "hr-tool",
        1,
        "Board",
        dt.date(2027, 3, 31),
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "w.yaml",
            YAML.replace("expires: 2027-03-31", "expires: next spring"),
            "line 6: expires 'next spring' is not a date (YYYY-MM-DD)",
        ),
        (
            "w.yaml",
            YAML.replace("service: hr-tool", "service: hr-tools"),
            "line 2: unknown service 'hr-tools'",
        ),
        ("w.yaml", YAML.replace("    level: 2", "    level: 7"), "line 8: level must be"),
        (
            "w.yaml",
            YAML.replace("    approved_by: J. Smith\n", ""),
            "line 7: missing 'approved_by'",
        ),
        (
            "w.yaml",
            YAML.replace("    reason: Internal", "    reasn: Internal"),
            "line 4: unknown key 'reasn'",
        ),
        ("w.yaml", "waivers:\n  - service: [unclosed\n", "line 3"),
        ("w.yaml", "- a\n- b\n", "line 1: expected a list named 'waivers'"),
        ("w.toml", TOML.replace("level = 1", 'level = "one"'), "line 3: level must be"),
        (
            "w.toml",
            TOML.replace("expires = 2027-03-31", 'expires = "31/03/2027"'),
            "line 6: expires '31/03/2027' is not a date",
        ),
        ("w.toml", "[[waivers]\n", "line 1"),
    ],
)
def test_malformed_waivers_name_the_line(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(UsageError, match="waivers file") as info:
        load_waivers(path, {"hr-tool", "payments"})
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="waivers file .*nope.yaml: No such file"):
        load_waivers(tmp_path / "nope.yaml")
