"""CSV, the Cloud Maturity Model export, PDF and HTML from one report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from pypdf import PdfReader

from scanner.outputs import SCAN_FORMATS, cddo, pdf
from scanner.outputs.csv_out import read_rows
from scanner.report import ACCEPTED, GREY, INCOMPLETE, RED, RenderOptions, build_report
from scanner.waivers import Waiver
from tests.report.conftest import HOSTILE, unit

TODAY = dt.date(2026, 11, 26)


def options(**kw):
    return RenderOptions(today=TODAY, **kw)


def test_csv_round_trips(result):
    result.assessments[0].name = '=HYPERLINK("http://x")'
    text = SCAN_FORMATS["csv"](result, options())
    assert "'=HYPERLINK" in text  # a spreadsheet shows it as text, not a formula
    rows = read_rows(text)
    assert len(rows) == len(result.assessments)
    for row, a in zip(rows, result.assessments, strict=True):
        assert row["id"] == a.id and row["name"] == a.name
        assert row["level"] == ("" if a.level is None else str(a.level))
        assert row["rule"] == (a.rule or "") and row["status"] == a.status
        assert row["basis"] == (a.basis or "")
        assert row["evidence"] == f"api.field=value-{a.level}"
        assert json.loads(row["tags"]) == a.tags


def test_cddo_export_has_exactly_the_tools_shape(result):
    report = build_report(result, options())
    doc = cddo.document(report, exported=dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC))
    key = hashlib.sha256(b"How do you release updates?").hexdigest()
    assert key == "1fa6cf548727143635f5eb5fe5506b5d209b766688ce5433c66c3e20634776bf"
    assert doc == {
        "exportMetadata": {
            "version": "2.0.0",
            "createdAt": "2026-11-20T02:00:00.000Z",
            "exportedAt": "2026-11-26T09:00:00.000Z",
            "improvementCount": 1,
            "totalQuestions": 1,
            "categories": {"operations": {"answered": 1, "needsImprovement": 1}},
        },
        "assessmentData": {
            "metadata": {
                "version": "2.0.0",
                "createdAt": "2026-11-20T02:00:00.000Z",
                "lastModified": "2026-11-20T02:00:12.000Z",
            },
            "operations": {key: {"answer": 1, "needsImprovement": True}},
        },
    }


def test_cddo_for_one_service_and_for_nothing_known(result):
    doc = cddo.document(build_report(result, options(service="portal")))
    answer = doc["assessmentData"]["operations"][cddo.QUESTION_KEY]
    assert answer == {"answer": 4, "needsImprovement": False}
    assert doc["exportMetadata"]["improvementCount"] == 0
    doc = cddo.document(build_report(result, options(service="data")))
    assert doc["assessmentData"]["operations"][cddo.QUESTION_KEY]["answer"] == 0


def test_rag_against_target_and_waivers(result):
    report = build_report(result, options())
    rag = {s.name: s.rag for s in report.services}
    assert rag["payments"] == RED and rag["data"] == GREY and rag["portal"] == "green"
    waiver = Waiver(
        level=2,
        reason="plan agreed",
        approved_by="Board",
        expires=dt.date(2027, 1, 1),
        match="arn:pay:*",
    )
    rag = {s.name: s.rag for s in build_report(result, options(waivers=[waiver])).services}
    assert rag["payments"] == ACCEPTED
    expired = Waiver(
        level=2, reason="old", approved_by="Board", expires=dt.date(2026, 1, 1), match="arn:pay:*"
    )
    report = build_report(result, options(waivers=[expired]))
    assert {s.name: s.rag for s in report.services}["payments"] == RED
    assert report.waivers[0].expired and report.waivers[0].units == 2


def test_html_escapes_cloud_strings_and_is_self_contained(result):
    html = SCAN_FORMATS["html"](result, options())
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html


def test_pdf_is_a4_with_the_reports_text(result):
    pdf = SCAN_FORMATS["pdf"](result, options())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "How do you release updates?",
        "The estate's answer: level 1",
        "payments",
        "hr-tool",
        "api.field",
        "Method",
        "AccessDenied",
    ):
        assert expected in text


def test_cddo_flags_improvement_only_for_an_answer_below_target(result):
    # answer 0 ("I don't know"): the tool offers no improvement flag on an unanswered question
    doc = cddo.document(build_report(result, options(service="data")))
    assert doc["assessmentData"]["operations"][cddo.QUESTION_KEY] == {
        "answer": 0,
        "needsImprovement": False,
    }
    assert doc["exportMetadata"]["improvementCount"] == 0
    assert doc["exportMetadata"]["categories"]["operations"]["needsImprovement"] == 0
    # 0 < 2 < 4: flagged; at the target: not
    doc = cddo.document(build_report(result, options(service="payments")))
    assert doc["assessmentData"]["operations"][cddo.QUESTION_KEY]["needsImprovement"] is True
    doc = cddo.document(build_report(result, options(service="payments", target_level=2)))
    assert doc["assessmentData"]["operations"][cddo.QUESTION_KEY]["needsImprovement"] is False


def test_cddo_times_are_javascript_iso_strings():
    # Date.prototype.toISOString(): UTC, milliseconds, Z
    stamp = dt.datetime(2026, 11, 20, 3, 4, 5, 678901, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert cddo.iso_time(stamp) == "2026-11-20T02:04:05.678Z"
    assert cddo.iso_time(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"


def test_two_statuses_for_an_accepted_gap_and_missing_evidence(result):
    waiver = Waiver(level=1, reason="r", approved_by="Board", expires=dt.date(2027, 1, 1),
                    service="hr-tool")  # fmt: skip
    result.assessments.append(unit("arn:portal:b", None, "portal"))
    report = build_report(result, options(waivers=[waiver]))
    rag = {s.name: s.rag for s in report.services}
    assert rag["hr-tool"] == ACCEPTED  # level 1 accepted by the board
    assert rag["portal"] == INCOMPLETE  # level 4, but one unit could not be assessed
    assert rag["payments"] == RED and rag["data"] == GREY
    html = SCAN_FORMATS["html"](result, options(waivers=[waiver]))
    assert "Gap accepted by waiver" in html and "Evidence incomplete" in html
    assert "Gap accepted or evidence incomplete" not in html


def test_csv_has_basis_and_status_against_target(result):
    result.assessments[0].basis = "policy"
    result.assessments[2].basis = "snapshot"
    waiver = Waiver(level=1, reason="r", approved_by="Board", expires=dt.date(2027, 1, 1),
                    service="hr-tool")  # fmt: skip
    rows = read_rows(SCAN_FORMATS["csv"](result, options(waivers=[waiver])))
    got = {r["id"]: (r["basis"], r["target_status"], bool(r["waiver"])) for r in rows}
    assert got["arn:pay:a"] == ("policy", "meets_target", False)
    assert got["arn:portal:a"] == ("snapshot", "meets_target", False)
    assert got["arn:pay:b"] == ("", "below_target", False)
    assert got["arn:hr:a"] == ("", "accepted", True)
    assert got["arn:data:a"] == ("", "not_assessed", False)


def test_pdf_shows_each_units_basis_and_reports_progress(result):
    result.assessments[0].basis = "policy"
    result.assessments[2].basis = "snapshot"
    steps: list[str] = []
    report = build_report(result, options())
    pdf_bytes = pdf.render(report, progress=steps.append)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages).split()
    )
    assert "Snapshot: inferred from the current traffic state" in text
    assert "Policy: the deployment tool's own configuration says how every release runs" in text
    assert steps[0] == "building the report"
    assert "laying out page 1" in steps and steps[-1] == "writing the PDF"
