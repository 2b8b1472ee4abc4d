"""`relscan demo` from the installed entry point: four clouds, every service and
level in the report, inside its time budget."""

from __future__ import annotations

import json
import subprocess
import time

from tests.cli import RELSCAN

SERVICES = [
    "case-management",
    "citizen-portal",
    "data-platform",
    "grants",
    "hr-tool",
    "licensing",
    "notifications",
    "payments",
]


def test_demo_scans_four_clouds_and_writes_the_report(tmp_path):
    began = time.monotonic()
    r = subprocess.run(
        [RELSCAN, "demo", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - began < 60  # the budget is 30 s; leave room on a loaded CI box
    doc = json.loads((tmp_path / "relscan-demo.json").read_text())
    units = doc["resources"]
    assert {u["provider"] for u in units} == {"aws", "azure", "gcp", "oci"}
    assert 55 <= len(units) <= 70
    assert all(doc["summary"]["levels"][str(lv)] > 0 for lv in range(1, 6))
    not_assessed = [u for u in units if u["status"] == "not_assessed"]
    assert not_assessed and all(u["reason"].startswith("not assessed") for u in not_assessed)
    assert sorted({u["service"] for u in units}) == SERVICES
    html = (tmp_path / "relscan-demo.html").read_text()
    for name in SERVICES:
        assert f">{name}</a>" in html
    for level in range(1, 6):
        assert f"Level {level}</strong>" in html
    assert "In force" in html and "Expired" in html  # one waiver of each
    assert "Summary: " in r.stdout and str(tmp_path / "relscan-demo.html") in r.stderr
