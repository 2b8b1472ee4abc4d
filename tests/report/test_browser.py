"""The HTML report in a real headless Chromium: it renders, runs no injected
script, makes no request while it loads, folds each unit's evidence in
<details>, and fits a 390 px phone and an A4 page without overflowing."""

from __future__ import annotations

import shutil

import pytest

from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from tests.report.conftest import unit
from tests.report.practice_data import with_practice

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LONG_FIELD = (
    "deploymentGroupInfo.blueGreenDeploymentConfiguration."
    "terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes"
)
# Every element whose right edge passes the viewport, and the page's own width.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1)
      wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def long_names(result):
    result.assessments.append(
        unit(
            "arn:aws:codedeploy:eu-west-2:111122223333:deploymentgroup:"
            "very-long-application-name-for-payments/blue-green-group-with-a-long-name",
            3,
            "a-service-with-an-unusually-long-name-that-never-breaks",
        )
    )
    result.assessments[-1].evidence[0] = type(result.assessments[-1].evidence[0])(LONG_FIELD, 60)
    return result


def test_report_renders_without_scripts_or_requests(result, tmp_path, browser):
    path = tmp_path / "report.html"
    path.write_text(SCAN_FORMATS["html"](result, RenderOptions()), encoding="utf-8")
    requests, dialogs = [], []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    text = page.inner_text("body")
    headings = page.locator("h2").all_inner_texts()
    assert requests == [path.as_uri()]
    assert dialogs == []
    assert headings[:2] == ["Summary", "Services"]
    assert "The estate's answer: level 1" in text
    assert "This report is incomplete." in text  # the fixture has a scope error
    assert "payments: level 2" in text  # a service section
    # the evidence is folded away until a unit is opened, with no script
    assert "value-5" not in text
    page.locator("details.unit").nth(0).locator("summary").click()
    assert page.locator("details.unit").nth(0).get_attribute("open") is not None
    opened = page.locator("details.unit").nth(0).inner_text()
    assert "api.field" in opened and "value-5" in opened
    page.locator("details.unit").nth(2).locator("summary").click()
    assert (
        "<script>alert(1)</script>" in page.locator("details.unit").nth(2).inner_text()
    )  # hostile tag as text
    # following a link to a unit opens it
    page.locator('a[href="#unit-3"]').first.click()
    assert page.locator("details.unit").nth(3).get_attribute("open") is not None
    assert page.locator("#unit-3").is_visible()
    page.close()


@pytest.mark.parametrize("history", [False, True], ids=["", "with-history"])
def test_nothing_overflows_a_390px_phone(result, tmp_path, browser, history):
    if history:  # the heat maps, weekly bars and rollback tables too
        with_practice(result)
    path = tmp_path / "report.html"
    path.write_text(SCAN_FORMATS["html"](long_names(result), RenderOptions()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.goto(path.as_uri(), wait_until="load")
    for details in page.locator("details.unit").all():
        details.evaluate("d => d.open = true")
    found = page.evaluate(OVERFLOW)
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.close()
    assert found["scroll"] <= 390 and found["wide"] == [], found


@pytest.mark.parametrize("history", [False, True], ids=["", "with-history"])
def test_nothing_overflows_the_width_of_an_a4_page(result, tmp_path, browser, history):
    # A4 less the report's 15 mm side margins is 180 mm: 680 CSS px
    if history:
        with_practice(result)
    path = tmp_path / "report.html"
    path.write_text(SCAN_FORMATS["html"](long_names(result), RenderOptions()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 680, "height": 1000})
    page.emulate_media(media="print")
    page.goto(path.as_uri(), wait_until="load")
    for details in page.locator("details.unit").all():
        details.evaluate("d => d.open = true")
    found = page.evaluate(OVERFLOW)
    page.close()
    assert found["scroll"] <= 680 and found["wide"] == [], found
