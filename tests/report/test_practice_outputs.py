"""Release practice (--history) in every output: the JSON blocks and their
schema, the table, Markdown and CSV columns, and the HTML/PDF section "How
releases actually happened" (heat map, weeks, rollbacks, plain words).
Nothing of it shows when the scan read no records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from scanner.errors import UsageError
from scanner.outputs import ONE_FORMATS, SCAN_FORMATS, html, practice_view
from scanner.outputs.csv_out import PRACTICE_COLUMNS, read_rows
from scanner.outputs.json_out import load_document
from scanner.practice.services import service_practice
from scanner.report import RenderOptions, build_report
from scanner.scan_schema import ScanDocument
from tests.report.conftest import HOSTILE
from tests.report.practice_data import (
    END,
    SUNDAY_WINDOW,
    capped,
    practice,
    release,
    with_practice,
)

TODAY = dt.date(2026, 11, 26)
DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTION = "How releases actually happened"


def render(fmt, result, **kw):
    return SCAN_FORMATS[fmt](result, RenderOptions(today=TODAY, **kw))


def text_of(page: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def practised(result):
    return with_practice(result)


# --- JSON ---------------------------------------------------------------------------------


def test_json_has_each_units_practice_block(practised):
    units = {u["id"]: u for u in json.loads(render("json", practised))["resources"]}
    b = units["arn:pay:b"]["practice"]
    assert b["status"] == "windowed" and b["capped"] is True and b["configured_level"] == 4
    assert b["release_count"] == 3 and b["rolled_back"] == {"automatic": 0, "manual": 1}
    assert b["window"]["text"] == "Sundays 02:00–06:00 Europe/London, 3 of 3 releases"
    assert b["heatmap"][6][2] == 3 and b["period"]["days"] == 90
    assert units["arn:pay:a"]["practice"]["confirmed"] is True
    assert units["arn:portal:a"]["practice"]["status"] == "not_exercised"
    assert "practice" not in units["arn:data:a"]  # its kind reads no records


def test_json_services_carry_the_cores_service_practice(practised):
    services = {s["name"]: s for s in json.loads(render("json", practised))["services"]}
    assert list(services) == ["data", "hr-tool", "payments", "portal", "Unassigned"]
    pay = services["payments"]
    assert pay["level"] == 2 and pay["units"] == 2
    p = pay["practice"]
    assert p == service_practice(practised.assessments[:2])  # the block is the core's
    assert p["release_count"] == 5 and p["rolled_back"] == {"automatic": 1, "manual": 1}
    assert p["heatmap"][6][2] == 3 and p["heatmap"][1][10] == 2
    assert p["capped"] == ["arn:pay:b"] and p["confirmed"] == ["arn:pay:a"]
    assert p["time_to_restore_minutes"] == 14.0
    assert services["portal"]["practice"]["not_exercised"] == ["arn:portal:a"]
    assert services["hr-tool"]["practice"]["no_records"] == ["arn:hr:a"]
    assert services["data"]["practice"] is None and services["Unassigned"]["practice"] is None


def test_weeks_are_counted_back_from_the_scan():
    # 90 days: 13 weeks, the oldest partial (6 days); release records only
    p = with_practice_units()[1]
    starts = practice_view.week_starts(p)
    assert len(starts) == 13 and starts[0] == END - dt.timedelta(days=90)
    assert starts[1] == END - dt.timedelta(days=84) and starts[-1] == END - dt.timedelta(days=7)
    counts = practice_view.weekly_counts(with_practice_units())
    assert counts == [0] * 10 + [1, 2, 2]  # Nov 1; Nov 8, 10; Nov 15, 17 (not the rollback)


def with_practice_units():
    from tests.report.practice_data import confirmed

    return [confirmed(), capped()]


def test_json_services_count_every_unit_even_below_hides_some(practised):
    doc = json.loads(render("json", practised, below=3))
    assert "arn:pay:a" not in {u["id"] for u in doc["resources"]}
    pay = next(s for s in doc["services"] if s["name"] == "payments")
    assert pay["units"] == 2 and pay["practice"]["release_count"] == 5


def test_json_without_history_has_no_practice_and_no_services(result):
    doc = json.loads(render("json", result))
    assert "services" not in doc
    assert all("practice" not in u for u in doc["resources"])


def test_a_scan_with_practice_validates_and_round_trips(practised):
    text = render("json", practised)
    doc = json.loads(text)
    schema = json.loads((DOCS / "scan-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    ScanDocument.model_validate(doc)
    loaded = load_document(text, "scan.json").result
    assert loaded.assessments == practised.assessments
    assert loaded.assessments[1].practice.window == SUNDAY_WINDOW


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("heatmap",), [[0] * 24] * 6, "resources[1].practice.heatmap (unit arn:pay:b): "),
        (("releases", 0, "outcome"), "exploded", "resources[1].practice.releases[0].outcome"),
        (("rolled_back", "manual"), -1, "resources[1].practice.rolled_back.manual"),
        (("window", "start"), "25:00", "resources[1].practice.window.start"),
        (("status",), "great", "resources[1].practice.status"),
    ],
)
def test_a_malformed_practice_block_is_refused_in_one_line(practised, path, value, message):
    doc = json.loads(render("json", practised))
    block = doc["resources"][1]["practice"]
    for key in path[:-1]:
        block = block[key]
    block[path[-1]] = value
    with pytest.raises(UsageError) as caught:
        load_document(json.dumps(doc), "scan.json")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    schema = json.loads((DOCS / "scan-schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


# --- table, Markdown, CSV ------------------------------------------------------------------


def _practice_rows(text: str) -> list[str]:
    part = re.split(r"─ *\n", text.split(SECTION)[1].split("Summary:")[0])[1]
    return [line for line in part.splitlines() if re.match(r"^ \S", line)]


def test_table_columns_at_100_columns(practised, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    text = render("table", practised)
    assert f"{SECTION} (last 90 days, Europe/London)" in text
    assert all(len(line) <= 100 for line in text.splitlines())
    rows = [line.split() for line in _practice_rows(text)]
    assert rows == [  # below 120 columns without the service, as the units table
        ["a", "2", "0.2", "1/0", "confirmed"],
        ["b", "3", "0.2", "0/1", "Sun", "02:00–06:00", "capped", "at", "2"],
        ["a", "0", "0.0", "0/0", "not", "exercised"],
        ["a", "no", "records"],  # no counts where no records were read
    ]
    monkeypatch.setenv("COLUMNS", "140")
    wide = [line.split() for line in _practice_rows(render("table", practised))]
    assert [row[0] for row in wide] == ["payments", "payments", "portal", "hr-tool"]
    assert wide[1][1:] == rows[1]


def test_table_narrower_than_100_leaves_out_the_service(practised, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = render("table", practised)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert _practice_rows(text)[1].split() == [
        "b", "3", "0.2", "0/1", "Sun", "02:00–06:00", "capped", "at", "2"
    ]  # fmt: skip


def test_table_and_markdown_without_history_have_no_columns(result, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert SECTION not in render("table", result)
    assert SECTION not in render("markdown", result)
    assert "Release practice" not in render("markdown", result)


def test_markdown_columns(practised):
    text = render("markdown", practised)
    assert "| Service | Unit | Releases | Per week | Rollbacks | Window | Status |" in text
    assert "| payments | b | 3 | 0.2 | 0/1 | Sun 02:00–06:00 | capped at 2 |" in text
    assert "| payments | a | 2 | 0.2 | 1/0 |  | confirmed |" in text
    assert "| portal | a | 0 | 0.0 | 0/0 |  | not exercised |" in text
    assert (
        "- Release practice: 3 releases in the last 90 days \\(0\\.2 a week\\), rolled back 0 "
        "automatically and 1 by a person; window: Sundays 02:00–06:00 Europe/London, 3 of 3 "
        "releases; capped at 2"
    ) in text


def test_markdown_and_table_escape_cloud_strings_in_the_columns(practised, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    practised.assessments[1].name = "b|<img src=x>"
    practised.assessments[1].service = "pay\x1b[31mments"
    md_text = render("markdown", practised)
    assert "| pay\\[31mments | b\\|\\<img src=x\\> | 3 |" in md_text
    table_text = render("table", practised)
    assert "\x1b" not in table_text and "b|<img src=x>" in table_text


def test_csv_has_the_same_fields_as_columns(practised):
    text = render("csv", practised)
    rows = {r["id"]: r for r in read_rows(text)}
    assert list(rows["arn:pay:b"])[-len(PRACTICE_COLUMNS) :] == PRACTICE_COLUMNS
    b = rows["arn:pay:b"]
    assert (b["practice_status"], b["releases"], b["releases_per_week"]) == (
        "capped at 2",
        "3",
        "0.2",
    )
    assert (b["rollbacks_automatic"], b["rollbacks_manual"]) == ("0", "1")
    assert b["window"] == SUNDAY_WINDOW.text and b["history_days"] == "90"
    assert rows["arn:pay:a"]["practice_status"] == "confirmed"
    assert rows["arn:portal:a"]["practice_status"] == "not exercised"
    assert rows["arn:hr:a"]["releases_per_week"] == ""
    assert rows["arn:data:a"]["practice_status"] == "" and rows["arn:data:a"]["releases"] == ""
    assert "practice_status" not in read_rows(render("csv", with_no_practice(practised)))[0]


def with_no_practice(result):
    for a in result.assessments:
        a.practice = None
    return result


def test_check_shows_the_units_practice(practised):
    unit = practised.assessments[1]
    assert "release practice: 3 releases in the last 90 days (0.2 a week)" in ONE_FORMATS["table"](
        unit, RenderOptions()
    )
    assert "- Release practice: 3 releases" in ONE_FORMATS["markdown"](unit, RenderOptions())
    assert "practice" in json.loads(ONE_FORMATS["json"](unit, RenderOptions()))


# --- HTML and PDF --------------------------------------------------------------------------


def _service_part(page: str, name: str) -> str:
    section = page.split('<section id="practice">')[1].split("</section>")[0]
    return next(p for p in section.split('<div class="service practice-service">')
                if p.startswith(f'\n<h3 class="wrap">{name}'))  # fmt: skip


def test_html_section_only_with_history(result):
    assert SECTION not in render("html", result)
    page = render("html", with_practice(result))
    assert f"<h2>{SECTION}</h2>" in page
    assert page.index('<section id="practice">') < page.index('<section id="units">')


def test_heat_map_cells_hold_the_counts(practised):
    part = _service_part(render("html", practised), "payments")
    svg = re.search(r'<figure class="chart heatmap">(.*?)</figure>', part, re.S).group(1)
    cells = dict(re.findall(r'data-cell="(\d-\d+)"[^>]*>(\d+)</text>', svg))
    assert cells == {"6-2": "3", "1-10": "2"}  # Sunday 02:00, Tuesday 10:00
    assert svg.count("<rect") == 7 * 24 + 3  # every cell, and the legend's three greys
    assert "Hours in Europe/London (BST, then GMT) time." in svg  # 25 Oct: clocks go back
    for label in ("Mon", "Sun", ">00<", ">23<"):
        assert label in svg
    assert "<script" not in svg and "Sun 02:00–03:00: 3 releases" in svg
    # grey only: darkest for the most, the count in white on it
    fill = re.search(r'<rect[^>]*fill="(#[0-9a-f]{6})"[^>]*><title>Sun 02:00', svg).group(1)
    assert fill[1:3] == fill[3:5] == fill[5:7] and int(fill[1:3], 16) < 60
    assert re.search(r'data-cell="6-2"[^>]*fill="#ffffff">3<', svg)


def test_releases_per_week_bars(practised):
    part = _service_part(render("html", practised), "payments")
    svg = re.search(r'<figure class="chart weekly">(.*?)</figure>', part, re.S).group(1)
    counts = [int(n) for n in re.findall(r'class="week"[^>]*>(\d+)</text>', svg)]
    assert counts == [0] * 10 + [1, 2, 2]
    assert ">22 Aug<" in svg and "Week from 13 Nov: 2" in svg


def test_rollbacks_window_and_plain_words(practised):
    page = render("html", practised)
    pay = text_of(_service_part(page, "payments"))
    assert (
        "5 releases in the last 90 days, 0.4 a week; the last on Tue 17 Nov 2026 10:05 GMT." in pay
    )
    assert "Rolled back: 1 automatically, 1 by a person." in pay
    assert "Rollbacks (2) Release unit Release When Rolled back Restored after" in pay
    assert "b d-S3 Sun 15 Nov 2026 02:30 GMT By a person not recorded" in pay
    assert "a d-BAD1 Tue 17 Nov 2026 10:05 GMT Automatic 14 min" in pay
    assert "Maintenance windows b : Sundays 02:00–06:00 Europe/London, 3 of 3 releases" in pay
    assert ("Capped at level 2: it is set up for level 4, but in the last 90 days it was "
            "released in a maintenance window (Sundays 02:00–06:00 Europe/London, 3 of 3 "
            "releases). Releasing in scheduled windows is level 2") in pay  # fmt: skip
    assert "Confirmed: its automatic rollback was used and worked (1 release rolled back" in pay
    portal = text_of(_service_part(page, "portal"))
    assert "Not exercised: no release in the last 90 days" in portal
    assert "No release started in the period." in portal and "<svg" not in _service_part(
        page, "portal"
    )
    hr = text_of(_service_part(page, "hr-tool"))
    assert "No records: No Lambda API records an alias's moves." in hr
    assert "Lambda alias No records:" in hr  # nothing read, so no days covered


def test_a_snapshot_verdict_the_records_agree_with_is_named():
    p = practice("observed", [release("d-1", END - dt.timedelta(days=3))], agrees=True)
    unit = dataclasses.replace(_unit(), basis="snapshot", practice=p)
    assert practice_view.status_words(p) == "snapshot borne out"
    assert practice_view.plain_words(unit).startswith("Borne out: its level was inferred")
    p.agrees = False
    assert practice_view.status_words(p) == ""
    assert practice_view.plain_words(unit) == (
        "Released 1 time in the last 90 days, with no maintenance window."
    )


def test_local_times_follow_the_clock_change():
    summer = release("d-SUMMER", dt.datetime(2026, 9, 1, 10, 5, tzinfo=dt.UTC),
                     rolled_back="manual")  # fmt: skip
    unit = dataclasses.replace(
        _unit(), practice=practice("observed", [summer], per_week=0.1, rolled_back_manual=1)
    )
    rows = practice_view.rollback_rows([unit])
    assert rows[0].started == "Tue 1 Sep 2026 11:05 BST"


def _unit():
    from tests.report.conftest import unit

    return unit("arn:x:y", 4, "svc")


def test_the_covered_days_name_what_the_source_keeps():
    p = practice("observed", [], covered_from=END - dt.timedelta(days=42), kept="six weeks")
    unit = dataclasses.replace(_unit(), practice=p)
    assert practice_view.unit_row(unit).covered == "42 of 90 days (kept: six weeks)"


def test_a_record_at_the_period_start_falls_in_the_first_week_and_one_before_in_none():
    first = release("in", END - dt.timedelta(days=90))
    before = release("out", END - dt.timedelta(days=90, seconds=1))
    assert practice_view.weekly_counts([practice("observed", [first, before])]) == [1] + [0] * 12


def test_each_units_details_carry_its_practice(practised):
    practised.assessments[1].practice.notes.append("Capped: released in a window <b>")
    page = render("html", practised)
    details = page.split('id="unit-1"')[1].split("</dl>")[0]
    assert text_of(details).count("Release practice") == 1
    assert ("3 releases in the last 90 days (0.2 a week), rolled back 0 automatically and 1 by "
            "a person; window: Sundays 02:00–06:00") in text_of(details)  # fmt: skip
    assert "Capped: released in a window &lt;b&gt;" in details
    assert "Release practice" not in page.split('id="unit-4"')[1].split("</dl>")[0]


def test_every_cloud_string_is_escaped_in_the_section(practised):
    p = capped()
    hostile_window = dataclasses.replace(SUNDAY_WINDOW, text=HOSTILE)
    hostile_release = dataclasses.replace(p.releases[2], id=HOSTILE)
    practised.assessments[1].practice = dataclasses.replace(
        p,
        window=hostile_window,
        releases=[*p.releases[:2], hostile_release],
        source=HOSTILE,
        note=HOSTILE,
    )
    practised.assessments[1].name = HOSTILE
    for a in practised.assessments[:2]:
        a.service = HOSTILE
    for page in (render("html", practised), html.render(build_report(practised,
                 RenderOptions(today=TODAY)), print_css=True)):  # fmt: skip
        section = page.split('<section id="practice">')[1].split("</section>")[0]
        assert "<script" not in section
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
        assert 'aria-label="Release starts by day and hour (Europe/London (BST, then GMT)): ' in (
            section
        )


def test_pdf_renders_the_section(practised):
    pdf = SCAN_FORMATS["pdf"](practised, RenderOptions(today=TODAY))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert SECTION in text
    assert "Capped at level 2: it is set up for level 4" in text
    assert "Hours in Europe/London (BST, then GMT) time." in text


def test_the_zone_is_named_alone_where_its_clock_does_not_change():
    p = dataclasses.replace(capped(), timezone="Asia/Tokyo")
    (view,) = practice_view.service_views([("svc", [dataclasses.replace(_unit(), practice=p)])])
    assert view.zone_label == "Asia/Tokyo"
    assert view.weeks[-1] == ("13 Nov", 1)  # from 11:00 on 13 Nov in Tokyo: 15 Nov


def test_short_windows_name_their_days():
    daily = dataclasses.replace(SUNDAY_WINDOW, kind="daily", day=None, start="22:00")
    weekdays = dataclasses.replace(
        SUNDAY_WINDOW, day=None, days=(0, 1, 2, 3, 4), start="19:00", minutes=180, declared=True
    )
    weekend = dataclasses.replace(SUNDAY_WINDOW, day=None, days=(5, 6), declared=True)
    shorts = [
        practice_view.window_short(dataclasses.replace(capped(), window=w))
        for w in (SUNDAY_WINDOW, daily, weekdays, weekend)
    ]
    assert shorts == [
        "Sun 02:00–06:00",
        "daily 22:00–02:00",
        "Mon–Fri 19:00–22:00 declared",
        "Sat,Sun 02:00–06:00 declared",
    ]


def test_a_service_whose_releases_keep_to_a_window_says_so(practised):
    practised.assessments[0].practice = None  # payments is now only the Sunday unit,
    sunday = practised.assessments[1].practice  # with five releases at 02:30 London time
    sunday.releases += [
        release("d-S0", dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.UTC)),  # GMT from 25 Oct
        release("d-S-1", dt.datetime(2026, 10, 18, 1, 30, tzinfo=dt.UTC)),  # BST
    ]
    page = text_of(_service_part(render("html", practised), "payments"))
    assert (
        "Taken together, the service's releases keep to a maintenance window: Sundays "
        "02:30–02:45 Europe/London, 5 of 5 releases"
    ) in page


def test_a_rhythm_in_working_hours_is_shown_as_no_window(practised):
    """The core keeps the busiest window of a unit that is not windowed (every
    Monday 09:00): the outputs show it as a rhythm, never as its window."""
    rhythm = dataclasses.replace(
        SUNDAY_WINDOW, day=0, start="09:00", minutes=15, outside_working_hours=False,
        text="Mondays 09:00–09:15 Europe/London, 10 of 10 releases",
    )  # fmt: skip
    unit = practised.assessments[0]
    unit.practice = dataclasses.replace(
        unit.practice, window=rhythm, confirmed=False, release_count=10
    )
    p = unit.practice
    assert practice_view.window_short(p) == "" and practice_view.window_text(p) == ""
    assert practice_view.plain_words(unit) == (
        "Released 10 times in the last 90 days, in a rhythm in working hours (Mondays "
        "09:00–09:15 Europe/London, 10 of 10 releases): a release rhythm, not a maintenance "
        "window."
    )
    assert read_rows(render("csv", practised))[0]["window"] == ""
    assert "| payments | a | 10 | 0.2 | 1/0 |  |  |" in render("markdown", practised)
    page = text_of(_service_part(render("html", practised), "payments"))
    assert "Maintenance windows b : Sundays" in page and "a : Mondays" not in page
