"""Evidence bundles of AWS scans: offline re-assessment, tamper detection, and
no credential, token or signature anywhere in a bundle."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from providers.aws.emulator.app import AwsEmulator, endpoint_env
from scanner.cli import app
from scanner.emulators.server import LoopbackServer
from tests.aws.estate import ACCOUNT, ESTATE, relscan

MEMBER = "333344445555"
SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIARELSCANCALLER01",
    "AWS_SECRET_ACCESS_KEY": "caller-secret-Zq8vX2pL9wKd",
    "AWS_SESSION_TOKEN": "caller-session-token-Hk3nB7rT5yUe",
}


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: v for k, v in endpoint_env(url).items() if v is not None})
    env.update(AWS_EC2_METADATA_DISABLED="true", **extra)
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A bundle of a two-region scan of the CLI estate (written once)."""
    folder = tmp_path_factory.mktemp("evidence") / "bundle"
    with LoopbackServer(AwsEmulator(json.loads(json.dumps(ESTATE)))) as server:
        r = relscan(
            "scan", "-p", "aws", "-f", "json", "--evidence", str(folder), env=_env(server.url)
        )
    assert r.returncode == 0, r.stderr
    return folder, json.loads(r.stdout)


def _copy(bundle, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundle[0], tmp_path / "copy"))


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_a_bundle_re_assesses_offline_to_the_same_result(bundle):
    folder, scanned = bundle
    names = sorted(p.name for p in (folder / "responses").iterdir())
    assert any("-aws-codedeploy-BatchGetDeploymentGroups" in n for n in names)
    assert any("-aws-elasticbeanstalk-DescribeConfigurationSettings" in n for n in names)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    r = relscan("assess", str(folder), "-f", "json", env=env)  # no endpoint, no credentials
    assert r.returncode == 0, r.stderr
    assert "re-assessed 3 units" in r.stderr and "identical to the scan that wrote it" in r.stderr
    again = json.loads(r.stdout)
    keep = ("id", "level", "rule", "status", "reason", "evidence", "tags")
    assert [{k: u[k] for k in keep} for u in again["resources"]] == [
        {k: u[k] for k in keep} for u in scanned["resources"]
    ]


def test_verify_accepts_the_untouched_bundle(bundle):
    result = _cli("verify", str(bundle[0]))
    assert result.exit_code == 0
    assert "files match the manifest" in result.output


def test_verify_prints_the_manifests_sha256(bundle, tmp_path):
    """The digest an auditor compares with the one a report quotes: printed
    whether or not the files match, and it changes with the manifest."""
    import hashlib

    digest = hashlib.sha256((bundle[0] / "manifest.json").read_bytes()).hexdigest()
    result = _cli("verify", str(bundle[0]))
    assert result.output.splitlines()[0] == f"manifest SHA-256: {digest}"
    folder = _copy(bundle, tmp_path)
    manifest = folder / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"tool_version"', '"tool_version" '))
    result = _cli("verify", str(folder))
    changed = hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert changed != digest
    assert result.output.splitlines()[0] == f"manifest SHA-256: {changed}"


def test_verify_names_a_changed_byte(bundle, tmp_path):
    folder = _copy(bundle, tmp_path)
    [target] = [
        p
        for p in (folder / "responses").glob("*BatchGetDeploymentGroups*")
        if b"BLUE_GREEN" in p.read_bytes()
    ]
    data = bytearray(target.read_bytes())
    at = data.index(b"BLUE_GREEN")
    data[at] = ord("b")
    target.write_bytes(bytes(data))
    result = _cli("verify", str(folder))
    assert result.exit_code == 6
    assert f"changed: responses/{target.name}" in result.output


def test_verify_names_an_added_and_a_removed_file(bundle, tmp_path):
    folder = _copy(bundle, tmp_path)
    (folder / "responses" / "999999-aws-extra.json").write_text("{}")
    result = _cli("verify", str(folder))
    assert result.exit_code == 6
    assert "added: responses/999999-aws-extra.json" in result.output
    (folder / "responses" / "999999-aws-extra.json").unlink()
    gone = sorted((folder / "responses").iterdir())[0]
    gone.unlink()
    result = _cli("verify", str(folder))
    assert result.exit_code == 6
    assert f"removed: responses/{gone.name}" in result.output


def test_assess_refuses_a_tampered_bundle(bundle, tmp_path):
    folder = _copy(bundle, tmp_path)
    scan_json = folder / "scan.json"
    scan_json.write_text(scan_json.read_text().replace('"level": 2', '"level": 4'))
    result = _cli("assess", str(folder))
    assert result.exit_code == 6
    assert "does not match its manifest" in result.output


def test_no_credential_token_or_signature_is_written(tmp_path):
    folder = tmp_path / "bundle"
    app_ = AwsEmulator({**json.loads(json.dumps(ESTATE)), "organization": [ACCOUNT, MEMBER]})
    with LoopbackServer(app_) as server:
        r = relscan(
            *("scan", "-p", "aws", "-f", "json", "--evidence", str(folder)),
            *("--aws-organization", "--aws-assume-role", "relscan-read"),
            *("--aws-external-id", "ext-id-Pw4mQ9sJ"),
            env=_env(server.url, **SECRETS),
        )
        authorization = [q.headers.get("authorization", "") for q in server.requests]
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {u["account"] for u in doc["resources"]} == {ACCOUNT, MEMBER}
    [issued] = app_.issued  # the member role, assumed once
    signatures = {a.split("Signature=")[1] for a in authorization if "Signature=" in a}
    assert len(signatures) > 10
    secrets = [*SECRETS.values(), *issued.values(), "ext-id-Pw4mQ9sJ", *signatures]
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}... in {path.name}"
        for marker in ("AWS4-HMAC-SHA256", "Signature=", "X-Amz-Security-Token", "Credential="):
            assert marker.lower() not in text.lower(), f"{marker} in {path.name}"


def test_assess_of_a_bundle_from_a_provider_not_installed_is_a_usage_error(bundle, tmp_path):
    """The manifest names the providers that recorded it; one not installed here
    is a one-line error (exit 2), not a traceback."""
    folder = _copy(bundle, tmp_path)
    manifest = folder / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["providers"] = {"nimbus": {}, **doc["providers"]}
    manifest.write_text(json.dumps(doc))
    r = relscan("assess", str(folder), env=dict(os.environ))
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == (
        f"relscan: error: {folder} was recorded with the nimbus provider, which is not "
        "installed (installed: aws, azure, gcp, kubernetes, oci)"
    )
