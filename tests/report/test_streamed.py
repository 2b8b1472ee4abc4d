"""The streamed formats (json, csv, sarif) write, unit by unit, exactly the
text the whole document gave when it was built at once: for the built-in demo
estate scanned by the real providers, for hostile strings, and for no units."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest

from scanner.demo.serve import emulators, load_estate, patched_environ, serve
from scanner.model import Evidence, ScanResult
from scanner.outputs import SCAN_FORMATS, csv_out, json_out, jsonstream, sarif, scan_output
from scanner.plugin import installed_plugins
from scanner.report import RenderOptions, build_report
from scanner.services import ServiceConfig
from scanner.session import ScanSession
from scanner.waivers import Waiver
from tests.report.conftest import unit

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[ScanResult, list[Waiver]]]:
    """The demo estate as `relscan demo` scans it, with its waivers."""
    estate = load_estate()
    plugins = installed_plugins()
    with serve(estate) as env, patched_environ(env):
        chosen = [plugins[n] for n in plugins if n in estate and n in emulators()]
        session = ScanSession(chosen, {p.name: {} for p in chosen})
        session.discover(keep_going=False)
        result = session.execute(concurrency=8)
    session.assign_services(ServiceConfig())
    waivers = [Waiver(**w, line=i + 1) for i, w in enumerate(estate.get("waivers", []))]
    yield result, waivers


def streamed(write, *args) -> str:
    buf = io.StringIO()
    write(*args, buf)
    return buf.getvalue()


def whole_json(result: ScanResult, opts: RenderOptions) -> str:
    """How the JSON output was made before it was streamed."""
    return json.dumps(json_out.scan_document(result, opts), indent=2, ensure_ascii=False) + "\n"


def whole_sarif(result: ScanResult, opts: RenderOptions) -> str:
    return json.dumps(sarif.document(result, opts), indent=2, ensure_ascii=False) + "\n"


def test_the_demo_estate_streams_to_the_document_built_whole(demo):
    result, waivers = demo
    assert len(result.assessments) > 50 and waivers
    opts = RenderOptions(waivers=waivers, today=TODAY)
    text = streamed(json_out.write_scan, result, opts)
    assert text == whole_json(result, opts)
    assert SCAN_FORMATS["json"](result, opts) == text
    back = json_out.load_scan(text, "streamed")
    assert [a.as_dict() for a in back.assessments] == [a.as_dict() for a in result.assessments]
    doc = json.loads(text)
    assert {u["target_status"] for u in doc["resources"]} == {
        "accepted",
        "not_assessed",
        "meets_target",
        "below_target",
    }


@pytest.mark.parametrize("target", [4, 5])
def test_the_demo_estate_streams_to_the_same_sarif_and_csv(demo, target):
    result, waivers = demo
    opts = RenderOptions(target_level=target, waivers=waivers, today=TODAY)
    text = streamed(sarif.write, result, opts)
    assert text == whole_sarif(result, opts)
    assert json.loads(text)["runs"][0]["results"]  # the streamed list is not empty
    rows = streamed(csv_out.write, result, opts)
    assert rows == csv_out.render(build_report(result, opts))
    assert len(csv_out.read_rows(rows)) == len(result.assessments)


def test_scan_output_streams_the_formats_that_can_and_renders_the_rest(demo):
    result, waivers = demo
    opts = RenderOptions(waivers=waivers, today=TODAY, below=3)
    for fmt in ("json", "csv", "sarif"):
        writer = scan_output(fmt, result, opts)
        assert callable(writer) and streamed(writer) == SCAN_FORMATS[fmt](result, opts), fmt
    assert scan_output("markdown", result, opts) == SCAN_FORMATS["markdown"](result, opts)


HOSTILE = [
    "line one\nline two\r\n\ttab",
    'quote " and backslash \\ and \u2028 separator',
    "ünïcödé ✓ 日本",
    '"relscan-list-0123456789abcdef0123456789abcdef"',
    '\n    ],\n  "injected": [',
]


def test_hostile_strings_stream_exactly(result):
    for i, text in enumerate(HOSTILE):
        a = unit(f"arn:hostile:{i}", 1 + i % 5, tags={"note": text, text: "key"})
        a.name, a.reason = text, text
        a.evidence.append(Evidence(text, [text, text]))
        a.next_steps.append(text)
        result.assessments.append(a)
    opts = RenderOptions(today=TODAY, target_level=5)
    text = streamed(json_out.write_scan, result, opts)
    assert text == whole_json(result, opts)
    assert json.loads(text)["resources"][-1]["name"] == HOSTILE[-1]
    assert streamed(sarif.write, result, opts) == whole_sarif(result, opts)


def test_a_scan_without_units_streams_an_empty_list(result):
    result.assessments = []
    opts = RenderOptions(today=TODAY)
    text = streamed(json_out.write_scan, result, opts)
    assert text == whole_json(result, opts) and '"resources": []\n}\n' in text
    assert streamed(sarif.write, result, opts) == whole_sarif(result, opts)
    assert json.loads(streamed(sarif.write, result, opts))["runs"][0]["results"] == []


def test_a_list_at_any_depth_gets_that_depth():
    mark = jsonstream.placeholder()
    doc = {"a": {"b": [{"c": mark, "d": 1}]}, "z": "end"}
    items = [{"x": [1, 2], "y": {}}, "s", [], None]
    out = io.StringIO()
    jsonstream.write_document(doc, mark, iter(items), out)
    expected = {"a": {"b": [{"c": items, "d": 1}]}, "z": "end"}
    assert out.getvalue() == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
