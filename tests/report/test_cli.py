"""`relscan report` as a user runs it, on a saved scan."""

from __future__ import annotations

import json
import subprocess

from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from tests.cli import RELSCAN


def run(*args):
    return subprocess.run([RELSCAN, *args], capture_output=True, text=True, timeout=120)


def test_report_renders_a_saved_scan_with_waivers(result, tmp_path):
    scan = tmp_path / "scan.json"
    scan.write_text(SCAN_FORMATS["json"](result, RenderOptions()))
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - service: hr-tool\n    level: 1\n    reason: ok\n"
        "    approved_by: Board\n    expires: 2999-01-01\n"
    )
    out = tmp_path / "r.html"
    r = run("report", str(scan), "--waivers", str(waivers), "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "Level 1 accepted by Board until 2999-01-01: ok" in html
    r = run("report", str(scan), "-f", "cddo", "--service", "portal")
    assert r.returncode == 0
    assert json.loads(r.stdout)["assessmentData"]["operations"]
    r = run("report", str(scan), "-f", "csv")
    assert r.stdout.splitlines()[0].startswith("id,provider,kind,name")


def test_report_bad_input_is_one_line_exit_2(result, tmp_path):
    scan = tmp_path / "scan.json"
    scan.write_text(SCAN_FORMATS["json"](result, RenderOptions()))
    bad = tmp_path / "w.yaml"
    bad.write_text(
        "waivers:\n  - service: nobody\n    level: 1\n    reason: r\n"
        "    approved_by: b\n    expires: 2027-01-01\n"
    )
    notjson = tmp_path / "x.json"
    notjson.write_text("{nope")
    cases = [
        (
            ["report", str(scan), "--waivers", str(bad), "-f", "html"],
            f"waivers file {bad} line 2: unknown service 'nobody'",
        ),
        (["report", str(notjson)], f"{notjson}: not JSON"),
        (["report", str(tmp_path / "missing.json")], "missing.json: No such file"),
        (
            ["report", str(scan), "-f", "cddo", "--service", "nobody"],
            "--service 'nobody': no unit of the scan belongs to it",
        ),
    ]
    for args, message in cases:
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr


def test_report_of_a_malformed_or_non_utf8_scan_is_one_line_exit_2(result, tmp_path):
    doc = json.loads(SCAN_FORMATS["json"](result, RenderOptions()))
    cases = []
    for bad_level in (9, "high"):
        broken = json.loads(json.dumps(doc))
        broken["resources"][1]["level"] = bad_level
        path = tmp_path / f"level-{bad_level}.json"
        path.write_text(json.dumps(broken))
        cases.append((path, "resources[1].level (unit arn:pay:b): Input should be"))
    latin = tmp_path / "latin1.json"
    latin.write_bytes(json.dumps(doc).replace("arn:pay:a", "arn:pay:\u00e9").encode("latin-1"))
    cases.append((latin, "not UTF-8 text (at byte offset"))
    for path, message in cases:
        for fmt in ("html", "json", "csv"):
            r = run("report", str(path), "-f", fmt)
            assert r.returncode == 2, r.stderr
            assert r.stderr.startswith(f"relscan: error: {path}: "), r.stderr
            assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
            assert r.stdout == ""


def test_report_reads_a_version_1_scan(result, tmp_path):
    doc = json.loads(SCAN_FORMATS["json"](result, RenderOptions()))
    doc["schema_version"] = 1
    for r in doc["resources"]:
        for key in ("basis", "target_status", "waiver"):
            del r[key]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc))
    r = run("report", str(path), "-f", "json")
    assert r.returncode == 0, r.stderr
    again = json.loads(r.stdout)
    assert again["schema_version"] == 2
    assert [u["basis"] for u in again["resources"]] == [None] * len(result.assessments)
    assert [u["level"] for u in again["resources"]] == [a.level for a in result.assessments]


def test_pdf_progress_shows_on_a_terminal_only(result, tmp_path):
    import os
    import pty

    scan = tmp_path / "scan.json"
    scan.write_text(SCAN_FORMATS["json"](result, RenderOptions()))
    out = tmp_path / "r.pdf"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [RELSCAN, "report", str(scan), "-o", str(out)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the command finished
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0, seen
    os.close(master)
    assert b"relscan: PDF: laying out page" in seen
    assert out.read_bytes().startswith(b"%PDF")
    # not a terminal: nothing on stderr
    r = run("report", str(scan), "-o", str(tmp_path / "quiet.pdf"))
    assert r.returncode == 0 and r.stderr == ""
