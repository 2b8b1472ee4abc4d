"""`relscan demo` from the installed entry point: four clouds, every service and
level in the report, inside its time budget."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from tests.cli import RELSCAN, clean_env, relscan

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


def test_demo_scans_four_clouds_and_kubernetes_and_writes_the_report(tmp_path):
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
    assert {u["provider"] for u in units} == {"aws", "azure", "gcp", "kubernetes", "oci"}
    assert 55 <= len(units) <= 200  # 162: Kubernetes, Front Door, OCI DNS, issue 19 Azure and GCP
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


def test_demo_creates_its_output_folder_and_says_it_is_the_demo(tmp_path):
    out = tmp_path / "not" / "yet" / "there"
    r = relscan("demo", "-q", "--output-dir", str(out), env=clean_env())
    assert r.returncode == 0, r.stderr
    html = (out / "relscan-demo.html").read_text()
    assert "Read from relscan's built-in demo estate" in html
    assert "Read from live cloud configuration" not in html
    assert json.loads((out / "relscan-demo.json").read_text())["scan"]["origin"] == "demo"
    assert not list(out.glob(".relscan-demo-*"))  # the write probe leaves nothing behind


def test_demo_output_dir_that_cannot_be_written_is_one_line_exit_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cases = [
        (str(blocker), f"relscan: error: --output-dir {blocker}: not a folder"),
        (
            str(blocker / "sub"),
            f"relscan: error: --output-dir {blocker / 'sub'}: cannot write there",
        ),
    ]
    if Path("/sys/kernel").is_dir():  # read-only to everyone, root included
        cases.append(
            ("/sys/kernel", "relscan: error: --output-dir /sys/kernel: cannot write there")
        )
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        cases.append((str(locked), f"relscan: error: --output-dir {locked}: cannot write there"))
    for folder, message in cases:
        began = time.monotonic()
        r = relscan("demo", "-q", "--output-dir", folder, env=clean_env())
        assert r.returncode == 2, (folder, r.stderr)
        assert r.stderr.startswith(message) and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert time.monotonic() - began < 30  # refused before the scan


def test_ctrl_c_while_the_demo_scans_exits_130_at_once_without_a_traceback(tmp_path):
    """Ctrl-C once the progress bar shows scopes read (on a terminal, as
    a person sees it; about 1,200 units, the benchmark's copies of the demo
    estate, so reading lasts long enough): exit 130 within 2 s, one line."""
    import pty
    import select
    import signal

    import yaml

    from benchmarks.estate import scale_estate
    from scanner.demo.serve import load_estate

    big, _ = scale_estate(load_estate(None), 1200)
    estate = tmp_path / "big.yaml"
    estate.write_text(yaml.safe_dump(big), encoding="utf-8")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [RELSCAN, "demo", "--estate", str(estate), "--output-dir", str(tmp_path / "out")],
        env={**clean_env(), "TERM": "xterm"}, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=terminal,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    os.close(terminal)

    def read(until: re.Pattern[bytes] | None, limit: float) -> bytes:
        seen, deadline = b"", time.monotonic() + limit
        while time.monotonic() < deadline and (until is None or not until.search(seen)):
            if select.select([controller], [], [], 0.1)[0]:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        return seen

    try:
        scopes_done = re.compile(rb"scanning\S* \S+ \S*?([1-9][0-9]*)/[0-9]+")
        assert scopes_done.search(read(scopes_done, 90)), "the demo never read a scope"
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        rest = read(None, 10).decode(errors="replace")
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        os.close(controller)
    assert (proc.returncode, took < 2) == (130, True), rest[-800:]
    assert "Traceback" not in rest and "relscan: interrupted" in rest
    assert not (tmp_path / "out" / "relscan-demo.html").exists()
