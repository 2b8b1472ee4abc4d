"""The HTML report in a real headless Chromium: it renders, runs no injected
script, and makes no request while it loads."""

from __future__ import annotations

import shutil

import pytest

from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions

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


def test_report_renders_without_scripts_or_requests(result, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(SCAN_FORMATS["html"](result, RenderOptions()), encoding="utf-8")
    requests, dialogs = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri(), wait_until="load")
        text = page.inner_text("body")
        headings = page.locator("h2").all_inner_texts()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert requests == [path.as_uri()]
    assert dialogs == []
    assert headings[:2] == ["Summary", "Services"]
    assert "The estate's answer: level 1" in text
    assert "payments: level 2" in text  # a service section
    assert "api.field" in text and "value-5" in text  # a unit's evidence
    assert "<script>alert(1)</script>" in text  # the hostile tag shows as text
