"""An evidence bundle of all four clouds, written from a scan of the demo
estate, re-assesses offline to the identical result, and verifies; reports
made from it keep the manifest's SHA-256."""

from __future__ import annotations

import json
import os
import subprocess

from scanner.demo.serve import load_estate, serve
from scanner.evidence.bundle import MANIFEST, sha256
from tests.cli import RELSCAN


def test_four_cloud_bundle_round_trip(tmp_path):
    estate = load_estate()
    bundle = tmp_path / "bundle"
    with serve(estate) as env_changes:
        env = {k: v for k, v in os.environ.items()}
        for key, value in env_changes.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        r = subprocess.run(
            [
                RELSCAN,
                "scan",
                "-p",
                "aws",
                "-p",
                "azure",
                "-p",
                "gcp",
                "-p",
                "oci",
                "--workers",
                "2",  # AWS and GCP read here, Azure and OCI by a worker process
                "--no-store",
                "-q",
                "-f",
                "json",
                "-o",
                str(tmp_path / "scan.json"),
                "--evidence",
                str(bundle),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert r.returncode == 3, r.stderr  # the demo has units not assessed on purpose
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "RELSCAN_AZURE", "RELSCAN_GCP", "RELSCAN_OCI", "OCI_"))
    }
    r = subprocess.run(
        [RELSCAN, "assess", str(bundle), "-f", "json"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    assert "re-assessed 127 units" in r.stderr and "identical to the scan that wrote it" in r.stderr
    r = subprocess.run([RELSCAN, "verify", str(bundle)], capture_output=True, text=True)
    assert r.returncode == 0 and "files match the manifest" in r.stdout
    providers = {p.name.split("-")[1] for p in (bundle / "responses").iterdir()}
    assert providers == {"aws", "azure", "gcp", "oci"}
    # each file named by its process: 000001-aws-..., 000001w1-azure-... (the worker's)
    tags = {
        (p.name[6:].split("-")[0], p.name.split("-")[1]) for p in (bundle / "responses").iterdir()
    }
    assert tags == {("", "aws"), ("w1", "azure"), ("", "gcp"), ("w1", "oci")}
    # Reports made from the bundle quote the manifest's SHA-256, as the scan's own report does
    digest = sha256(bundle / MANIFEST)
    html = tmp_path / "assessed.html"
    r = subprocess.run(
        [RELSCAN, "assess", str(bundle), "-o", str(html)],
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    assert f'manifest SHA-256 <span class="mono">{digest}</span>' in html.read_text()
    assert "Re-assessed offline from an evidence bundle" in html.read_text()
    r = subprocess.run(
        [RELSCAN, "report", str(bundle / "scan.json"), "-f", "html"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert f'manifest SHA-256 <span class="mono">{digest}</span>' in r.stdout
    assert "Read from live cloud configuration" in r.stdout
    # a scan.json that is not the one the manifest lists: no claim to the bundle
    changed = json.loads((bundle / "scan.json").read_text())
    changed["resources"][0]["reason"] = "edited by hand"
    (bundle / "scan.json").write_text(json.dumps(changed))
    r = subprocess.run(
        [RELSCAN, "report", str(bundle / "scan.json"), "-f", "html"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and digest not in r.stdout
    assert "none was written for this scan" in r.stdout
    assert "is not the file its evidence manifest lists" in r.stderr
