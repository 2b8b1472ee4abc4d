"""What the HTML report says: basis, one wording for "not known", an incomplete
scan, evidence folded in <details>, and where the scan came from."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from scanner.model import ScanResult, ScopeError
from scanner.outputs import SCAN_FORMATS, html
from scanner.report import DEMO, EVIDENCE, RenderOptions, build_report
from tests.report.conftest import unit


def render(result, **kw):
    return SCAN_FORMATS["html"](result, RenderOptions(today=dt.date(2026, 11, 26), **kw))


def text_of(page: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_unit_shows_its_basis_and_the_summary_counts_them(result):
    result.assessments[0].basis = "policy"
    result.assessments[1].basis = "policy"
    result.assessments[2].basis = "snapshot"
    page = text_of(render(result))
    assert "Policy: the deployment tool's own configuration says how every release runs" in page
    assert "Snapshot: inferred from the current traffic state" in page
    assert "Not stated by the deciding rule" in page  # assessed, by a rule with no basis
    assert "None: not assessed" in page
    counts = re.search(r"What the verdicts rest on (.*?) Release units per level", page).group(1)
    assert "Policy 2 Policy:" in counts and "Snapshot 1 Snapshot:" in counts
    assert "No basis 3 Not assessed" in counts


def test_level_0_reads_not_known_for_services_clouds_and_accounts(result):
    result.assessments.append(unit("arn:gcp:x", None, "data", provider="gcp", account="proj-1"))
    page = text_of(render(result))
    assert "Level 0" not in page and "level 0" not in page
    assert "GCP Not known 1 1" in page and "gcp:proj-1 Not known 1 1" in page
    assert "data Not known Not known" in page  # the services table: level, then status


def test_scope_errors_make_the_summary_panel_say_incomplete(result):
    panel = re.search(r'<div class="panel.*?</div>', render(result), re.S).group(0)
    assert "This report is incomplete." in panel and "1 scope error" in panel
    result.errors = []
    assert "This report is incomplete" not in render(result)


def test_no_units_and_ten_scope_errors_is_not_just_i_dont_know():
    empty = ScanResult(started=dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC))
    empty.errors = [ScopeError("aws", f"aws:{n}/eu-west-2", "codedeploy", "timed out")
                    for n in range(10)]  # fmt: skip
    panel = text_of(re.search(r'<div class="panel.*?</div>', render(empty), re.S).group(0))
    assert panel.startswith("The estate's answer: not known")
    assert "This report is incomplete. 10 scope errors" in panel
    assert "no release unit could be read" in panel


def test_missing_shards_also_make_it_incomplete(result):
    result.errors = []
    page = text_of(render(result, missing_shards=["2/3"]))
    assert "This report is incomplete. shards not complete: 2/3" in page


def test_evidence_is_folded_in_details_on_screen_and_open_in_print(result):
    screen = render(result)
    assert screen.count('<details class="unit"') == len(result.assessments)
    assert '<details class="unit">' in screen and "<script" not in screen
    assert 'id="unit-0"' in screen  # inside the details: a link to it opens them
    printed = html.render(build_report(result, RenderOptions()), print_css=True)
    assert printed.count('<details class="unit" open>') == len(result.assessments)


def test_the_report_says_where_the_scan_came_from(result):
    assert "Read from live cloud configuration" in render(result)
    demo = text_of(render(result, origin=DEMO))
    assert "Read from relscan's built-in demo estate" in demo
    assert "live cloud" not in demo.lower()
    replay = text_of(render(result, origin=EVIDENCE, evidence_digest="ab" * 32))
    assert "Re-assessed offline from an evidence bundle" in replay
    assert "manifest SHA-256 " + "ab" * 32 in replay


def test_long_names_get_break_opportunities_but_stay_escaped():
    out = str(html.wrap("a.b/c<script>"))
    assert out == "a.<wbr>b/<wbr>c&lt;script&gt;"
