"""The JSON document, version 2: basis, status against the target and waivers
per unit; `relscan report` reads versions 1 and 2 and refuses malformed ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.outputs.json_out import load_document, read_scan_file
from scanner.report import RenderOptions
from scanner.scan_schema import schema_text
from scanner.waivers import Waiver

TODAY = dt.date(2026, 11, 26)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def document(result, **kw):
    return json.loads(SCAN_FORMATS["json"](result, RenderOptions(today=TODAY, **kw)))


def test_units_carry_basis_status_and_waiver(result):
    result.assessments[0].basis = "policy"
    in_force = Waiver(level=1, reason="replacement funded", approved_by="Board",
                      expires=dt.date(2027, 3, 31), service="hr-tool", line=2)  # fmt: skip
    expired = Waiver(level=2, reason="old", approved_by="CTO", expires=dt.date(2026, 1, 1),
                     match="arn:pay:*", line=8)  # fmt: skip
    doc = document(result, waivers=[in_force, expired])
    assert doc["schema_version"] == 2 and doc["target_level"] == 4
    assert doc["scan"]["origin"] == "live"
    units = {u["id"]: u for u in doc["resources"]}
    assert units["arn:pay:a"]["basis"] == "policy" and units["arn:pay:b"]["basis"] is None
    assert units["arn:hr:a"]["target_status"] == "accepted"
    assert units["arn:hr:a"]["waiver"] == {
        "match": None,
        "service": "hr-tool",
        "level": 1,
        "reason": "replacement funded",
        "approved_by": "Board",
        "expires": "2027-03-31",
        "expired": False,
        "line": 2,
    }
    # an expired waiver is shown, and no longer accepts the gap
    assert units["arn:pay:b"]["target_status"] == "below_target"
    assert units["arn:pay:b"]["waiver"]["expired"] is True
    assert units["arn:pay:a"]["target_status"] == "meets_target"
    assert units["arn:data:a"]["target_status"] == "not_assessed"
    assert units["arn:portal:a"]["waiver"] is None


def test_a_unit_worse_than_its_waiver_accepts_is_below_target(result):
    waiver = Waiver(level=3, reason="r", approved_by="b", expires=dt.date(2027, 1, 1),
                    match="arn:pay:*")  # fmt: skip
    units = {u["id"]: u for u in document(result, waivers=[waiver])["resources"]}
    assert units["arn:pay:b"]["target_status"] == "below_target"  # level 2 < accepted 3
    assert units["arn:pay:b"]["waiver"]["level"] == 3


def test_version_2_round_trips(result):
    result.assessments[2].basis = "snapshot"
    text = SCAN_FORMATS["json"](result, RenderOptions())
    loaded = load_document(text, "scan.json")
    assert loaded.schema_version == 2 and loaded.origin == "live"
    assert loaded.result.assessments == result.assessments
    assert loaded.result.errors == result.errors


def test_version_1_is_read_with_basis_absent(result):
    doc = document(result)
    doc["schema_version"] = 1
    for r in doc["resources"]:
        for key in ("basis", "target_status", "waiver"):
            r.pop(key)
    doc.pop("target_level")
    doc["scan"].pop("origin")
    doc["resources"][0]["basis"] = "policy"  # never in a version 1 file: ignored
    loaded = load_document(json.dumps(doc), "old.json")
    assert loaded.schema_version == 1
    assert [a.basis for a in loaded.result.assessments] == [None] * len(result.assessments)
    assert [a.level for a in loaded.result.assessments] == [a.level for a in result.assessments]


def _with(result, change):
    doc = document(result)
    change(doc)
    return json.dumps(doc)


def _set_unit(key, value, index=0):
    return lambda doc: doc["resources"][index].__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _set_unit("level", 9),
            "resources[0].level (unit arn:pay:a): Input should be less than or equal to 5, not 9",
        ),  # fmt: skip
        (
            _set_unit("level", "high"),
            'resources[0].level (unit arn:pay:a): Input should be a valid integer, not "high"',
        ),  # fmt: skip
        (
            _set_unit("level", 4.0),
            "resources[0].level (unit arn:pay:a): Input should be a valid integer, not 4.0",
        ),  # fmt: skip
        (
            _set_unit("level", True),
            "resources[0].level (unit arn:pay:a): Input should be a valid integer, not true",
        ),  # fmt: skip
        (
            _set_unit("level", None),
            "resources[0] (unit arn:pay:a): level None does not agree with status 'assessed'",
        ),  # fmt: skip
        (
            _set_unit("basis", "vibes"),
            "resources[0].basis (unit arn:pay:a): Input should be 'policy' or 'snapshot'",
        ),  # fmt: skip
        (
            _set_unit("evidence", [{"field": "x"}]),
            "resources[0].evidence[0].value (unit arn:pay:a): Field required",
        ),  # fmt: skip
        (
            _set_unit("tags", ["a"]),
            'resources[0].tags (unit arn:pay:a): Input should be a valid dictionary, not ["a"]',
        ),  # fmt: skip
        (lambda d: d.pop("resources"), "resources: Field required"),
        (
            lambda d: d["scan"].__setitem__("started", "yesterday"),
            "scan.started: not an ISO 8601 date and time: 'yesterday'",
        ),
        (
            lambda d: d.__setitem__("schema_version", 3),
            "schema_version 3 is newer than this relscan reads; upgrade relscan",
        ),  # fmt: skip
        (lambda d: d.pop("schema_version"), "it has no schema_version"),
    ],
)
def test_malformed_documents_are_one_line_errors(result, change, message):
    with pytest.raises(UsageError) as caught:
        load_document(_with(result, change), "scan.json")
    text = str(caught.value)
    assert text.startswith("scan.json: not a relscan scan document: ") and "\n" not in text
    assert message in text, text


def test_counts_further_problems():
    doc = {"schema_version": 2, "scan": {"started": "2026-01-01T00:00:00"},
           "resources": [{"id": "a"}]}  # fmt: skip
    with pytest.raises(UsageError, match=r"resources\[0\]\.provider \(unit a\): Field required "
                                          r"\(and \d+ more\)"):  # fmt: skip
        load_document(json.dumps(doc), "x.json")


def test_not_an_object():
    with pytest.raises(UsageError, match="x.json: not a relscan scan document: the document is "
                                         "not a JSON object"):  # fmt: skip
        load_document("[1, 2]", "x.json")


def test_non_utf8_file_is_one_line(tmp_path):
    path = tmp_path / "scan.json"
    path.write_bytes(b'{"schema_version": 2, "x": "caf\xe9"}')
    with pytest.raises(UsageError) as caught:
        read_scan_file(str(path))
    assert str(caught.value) == f"{path}: not UTF-8 text (at byte offset 31)"


def test_a_byte_order_mark_is_accepted(result, tmp_path):
    path = tmp_path / "scan.json"
    path.write_bytes(b"\xef\xbb\xbf" + SCAN_FORMATS["json"](result, RenderOptions()).encode())
    assert len(read_scan_file(str(path)).result.assessments) == len(result.assessments)


def test_the_published_json_schema_is_in_step_with_the_models():
    published = (DOCS / "scan-schema.json").read_text(encoding="utf-8")
    assert published == schema_text(), "run: python -m scanner.scan_schema docs/scan-schema.json"


def test_documents_validate_against_the_published_json_schema(result):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DOCS / "scan-schema.json").read_text(encoding="utf-8"))
    waiver = Waiver(
        level=1, reason="r", approved_by="b", expires=dt.date(2027, 1, 1), service="hr-tool"
    )
    jsonschema.validate(document(result, waivers=[waiver]), schema)
    broken = document(result)
    broken["resources"][0]["level"] = "high"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
