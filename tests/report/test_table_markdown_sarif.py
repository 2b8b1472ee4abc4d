"""The terminal table, the Markdown and the SARIF log, rendered from a small scan
(tests/report/conftest.py: payments at 5 and 2, portal 4, hr-tool 1, data not
assessed, one unassigned unit at 3, one scope error)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest

from scanner.outputs import SCAN_FORMATS, table
from scanner.outputs.text import short_id
from scanner.report import RenderOptions
from scanner.waivers import Waiver
from tests.report.conftest import HOSTILE, unit

SCHEMA_FILE = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
OCID_COMPARTMENT = (
    "ocid1.compartment.oc1..aaaaaaaaq4xk2lzm7yjm3bnu5vgk6cftwzhpl2j5o3pxjrn6ahm4c7hqrsta"
)
TODAY = dt.date(2026, 11, 26)
HR_WAIVER = Waiver(1, "Internal tool", "Board", dt.date(2027, 3, 31), service="hr-tool")


def options(**kw):
    return RenderOptions(today=TODAY, **kw)


def render(fmt, result, **kw):
    return SCAN_FORMATS[fmt](result, options(**kw))


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 100, 140])
def test_table_fits_the_terminal_width(result, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    result.assessments.append(
        unit(
            "ocid1.loadbalancer.oc1.uk-london-1.aaaa",
            2,
            "payments",
            provider="oci",
            account=OCID_COMPARTMENT,
        )  # fmt: skip
    )
    result.assessments[-1].kind = "oci.loadbalancer.load_balancer"
    text = render("table", result)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    if width >= 100:  # kinds are words, and a word is never cut
        for word in ("codedeploy", "deployment", "group", "loadbalancer"):
            assert re.search(rf"\b{word}\b", text), word
    else:  # narrow: the rule id names the kind
        assert " Kind " not in text and "R-5" in text
    assert "Service" in text and "payments" in text
    if width >= 120:
        assert "ocid1.compartment…m4c7hqrsta"[:18] in text
        assert OCID_COMPARTMENT not in text  # shortened, not folded over four lines


def test_short_ids():
    assert short_id(OCID_COMPARTMENT) == "ocid1.compartment…7hqrsta"[:18] + "7hqrsta"[-6:]
    assert short_id("5b1d0c2e-7a43-4c7e-9f0e-3d1a2b4c6e01") == "5b1d0c2e…"
    assert (
        short_id("tenancy/platform/payments/web/api-gateway-prod") == "tenancy/…/api-gateway-prod"
    )
    assert short_id("111122223333") == "111122223333"


def test_table_colours_by_level_only_on_a_terminal(result, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = render("table", result)
    assert not ANSI.search(plain)
    coloured = render("table", result, terminal=True)
    assert "\x1b[31m1" in coloured  # level 1 in red
    assert "\x1b[32m4" in coloured  # level 4 in green
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(render("table", result, terminal=True))


def test_table_says_not_assessed_one_way_and_marks_snapshot_verdicts(result, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    result.assessments[2].basis = "snapshot"
    text = render("table", result)
    assert "n/a" not in text and "│ -" not in text
    assert "not assessed" in text
    assert re.search(r"^ 4\* ", text, re.M)
    assert "* inferred from the current traffic state, not a deployment policy" in text


def test_table_shows_status_against_the_target_and_waivers(result, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    text = render("table", result, waivers=[HR_WAIVER])
    hr = next(line for line in text.splitlines() if " hr-tool " in line)
    assert hr.split()[:2] == ["1", "waived"]
    pay_b = next(line for line in text.splitlines() if line.startswith(" 2 "))
    assert pay_b.split()[:3] == ["2", "below", "payments"]
    portal = next(line for line in text.splitlines() if " portal " in line)
    assert portal.split()[:2] == ["4", "meets"]
    assert "Target 4" in text


def test_table_below(result, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    text = render("table", result, below=3)
    assert "Release units below level 3 (and not assessed)" in text
    units = text.split("Summary:")[0]
    levels = [line.split()[0] for line in units.splitlines() if line[:3].strip().isdigit()]
    assert levels == ["2", "1"]
    assert " data " in units and " portal " not in units and " payments " in units
    none = render("table", dataclasses.replace(result, assessments=result.assessments[:1]),
                  below=3)  # fmt: skip
    assert "No release unit is below level 3, and every one was assessed." in none


def test_summary_row_and_scope_errors(result):
    text = table.summary_text(result)
    assert "not assessed" in text and "scope errors" in text
    assert "this report is incomplete" in text


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_has_the_answer_services_and_target_status(result):
    text = render("markdown", result, waivers=[HR_WAIVER])
    assert "**Answer for the estate: 1, We stop services to update them, then restart.**" in text
    assert "Target level 4: 2 units below it, 1 accepted by a waiver, 1 not assessed." in text
    assert "**This report is incomplete:** 1 scope error (listed below)" in text
    assert "| Service | Level | Status (target 4) | Units | Not assessed |" in text
    assert re.search(r"^\| payments \| 2 \| [^|]+ \| 2 \| 0 \|$", text, re.M)
    assert re.search(r"^\| data \| 0 \(I don't know\) \| [^|]+ \| 1 \| 1 \|$", text, re.M)
    assert "- Target level 4: gap accepted by waiver" in text
    assert "- Waiver: level 1 accepted by Board until 2027-03-31: Internal tool" in text
    assert "- Target level 4: below target" in text
    assert "n/a" not in text and "| - |" not in text
    assert "<script>" not in text


def test_markdown_shows_the_basis_and_below(result):
    result.assessments[1].basis = "snapshot"
    result.assessments[0].basis = "policy"
    text = render("markdown", result, below=2)
    assert "## Release units below level 2 (and not assessed): 2 of 6" in text
    assert "### b" not in text and "### a" in text  # hr-tool's unit 'a' (level 1) is a gap
    full = render("markdown", result)
    assert "- Basis: inferred from the current traffic state" in full
    assert "- Basis: deployment policy" in full


def test_markdown_for_one_service(result):
    text = render("markdown", result, service="payments")
    assert "**Answer for service payments: 2, " in text
    assert "hr\\-tool" not in text and "portal" not in text


# --- SARIF -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the OASIS errata01 schema
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_with_one_result_per_unit_below_the_target(result, validator):
    log = json.loads(render("sarif", result, waivers=[HR_WAIVER]))
    validator.validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    by_id = {x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: x
             for x in run["results"]}  # fmt: skip
    # below target 4: pay:b (2), hr:a (1), loose:a (3); and data:a, not assessed
    assert sorted(by_id) == ["arn:data:a", "arn:hr:a", "arn:loose:a", "arn:pay:b"]
    assert (by_id["arn:hr:a"]["kind"], by_id["arn:hr:a"]["level"]) == ("fail", "error")
    assert by_id["arn:loose:a"]["level"] == "warning"  # one level short
    assert (by_id["arn:data:a"]["kind"], by_id["arn:data:a"]["level"]) == ("review", "none")
    assert by_id["arn:data:a"]["ruleId"] == "RELSCAN-NOT-ASSESSED"
    assert by_id["arn:pay:b"]["ruleId"] == "R-2"
    assert by_id["arn:hr:a"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "level 1 accepted by Board until 2027-03-31: Internal tool",
        }
    ]
    assert "suppressions" not in by_id["arn:pay:b"]
    assert by_id["arn:pay:b"]["properties"]["status"] == "below target"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert notes[0]["message"]["text"] == "aws:222/eu-west-2 elasticbeanstalk: AccessDenied"
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"R-2", "R-1", "R-3", "RELSCAN-NOT-ASSESSED"} <= rule_ids


def test_sarif_fingerprints_are_stable_and_below_narrows(result, validator):
    first = json.loads(render("sarif", result))
    again = json.loads(render("sarif", result))
    prints = [x["partialFingerprints"] for x in first["runs"][0]["results"]]
    assert prints == [x["partialFingerprints"] for x in again["runs"][0]["results"]]
    assert len({json.dumps(p) for p in prints}) == len(prints)
    narrow = json.loads(render("sarif", result, below=2))
    validator.validate(narrow)
    ids = [x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
           for x in narrow["runs"][0]["results"]]  # fmt: skip
    assert sorted(ids) == ["arn:data:a", "arn:hr:a"]
    lower_target = json.loads(render("sarif", result, target_level=2))
    assert [x["ruleId"] for x in lower_target["runs"][0]["results"]] == [
        "R-1",
        "RELSCAN-NOT-ASSESSED",
    ]


def test_sarif_of_a_clean_estate_has_no_results(result, validator):
    clean = dataclasses.replace(result, assessments=result.assessments[:1], errors=[])
    log = json.loads(render("sarif", clean))
    validator.validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_keeps_hostile_strings_as_data(result, validator):
    result.assessments[0].name = HOSTILE
    result.assessments[0].level = 1
    log = json.loads(render("sarif", result))
    validator.validate(log)
    texts = [x["message"]["text"] for x in log["runs"][0]["results"]]
    assert any(HOSTILE in t for t in texts)  # JSON strings: escaped by the encoder
