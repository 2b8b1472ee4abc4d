"""Evidence bundles of scans with --history: the manifest keeps the
history settings (scanner.practice.settings.settings_record) and `assess`
replays them, so the providers send the same requests (the same time
filters) and the practice is derived on the same clock: the same practice
block for every unit."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from scanner.demo.serve import load_estate, serve
from scanner.evidence.bundle import MANIFEST, read_manifest
from tests.cli import RELSCAN

CLOUDS = ("AWS_", "RELSCAN_AZURE", "RELSCAN_GCP", "RELSCAN_OCI", "OCI_")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A four-cloud scan of the demo estate with --history 30, into a bundle."""
    folder = tmp_path_factory.mktemp("history") / "bundle"
    with serve(load_estate()) as changes:
        env = {k: v for k, v in os.environ.items() if k not in changes}
        env.update({k: v for k, v in changes.items() if v is not None})
        args = ["scan", "-p", "aws", "-p", "azure", "-p", "gcp", "-p", "oci", "--history", "30"]
        r = subprocess.run(
            [RELSCAN, *args, "--no-store", "-q", "-f", "json", "--evidence", str(folder)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert r.returncode in (0, 3), r.stderr
    return folder, json.loads(r.stdout)


def _assess(folder) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(CLOUDS)}
    return subprocess.run([RELSCAN, "assess", str(folder), "-f", "json"], env=clean,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_a_demo_bundle_with_history_assesses_again_to_the_same_practice(bundle):
    """The demo estate's release histories, scanned with --history into a
    bundle and re-assessed offline: every unit's practice block is the same,
    releases, rates, window and effect included."""
    folder, scanned_doc = bundle
    scanned = {u["id"]: u.get("practice") for u in scanned_doc["resources"]}
    assert any(p and p["releases"] for p in scanned.values()), "no unit read any release"
    assert read_manifest(folder)["practice"]["history_days"] == 30
    r = _assess(folder)
    assert r.returncode == 0, r.stderr
    assert "identical to the scan that wrote it" in r.stderr
    again = {u["id"]: u.get("practice") for u in json.loads(r.stdout)["resources"]}
    assert again == scanned


def test_a_bundle_whose_history_settings_are_damaged_is_refused_in_one_line(bundle, tmp_path):
    import shutil

    folder = shutil.copytree(bundle[0], tmp_path / "copy")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["practice"]["history_end"] = "last Sunday"
    (folder / MANIFEST).write_text(json.dumps(manifest))
    r = _assess(folder)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"relscan: error: {folder}: practice settings are malformed (")
    assert r.stderr.count("\n") == 1
