"""Evidence bundles: every OCI answer recorded, keyed as the replay asks for it,
re-assessed offline to the same result, and no secret anywhere in them."""

from __future__ import annotations

import json
import subprocess
from contextlib import ExitStack
from pathlib import Path

import oci
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from providers.oci.auth import Credentials
from providers.oci.clients import OciClients
from providers.oci.emulator import app as emulator_module
from providers.oci.emulator.app import OciEmulator, endpoint_env, replay_key, start
from providers.oci.guard import CONTEXT_PATH
from providers.oci.run import OciRun
from scanner.demo.serve import load_estate
from scanner.emulators.server import LoopbackServer
from scanner.evidence import recorder as evidence
from scanner.evidence.replay import load_exchanges
from tests.cli import RELSCAN, clean_env
from tests.oci.conftest import PROD, REGION, TENANCY, backends, estate, lb_entry, pipeline_entry

SECRETS = {
    "OCI_CLI_PASS_PHRASE": "pass-phrase-9f3b1c7d2e",
    "OCI_CLI_KEY_CONTENT": "key-content-4a8e6f0b13",
    "OCI_RESOURCE_PRINCIPAL_RPST": "rpst-token-77c2d9e5a1",
    "RELSCAN_OCI_SECRET_TOKEN": "token-value-5d1f8a3c09",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-2b7e151628",
}


def _clean_env() -> dict[str, str]:
    return clean_env("OCI_", "RELSCAN_")


def _bundle_text(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


def test_scan_bundle_reassesses_identically_and_holds_no_secret(tmp_path):
    bundle = tmp_path / "bundle"
    with ExitStack() as stack:
        env = _clean_env()
        env.update({k: v for k, v in start(load_estate()["oci"], stack).items() if v})
        env.update(SECRETS, OCI_CONFIG_FILE="/nonexistent/oci-config")
        r = subprocess.run(
            [RELSCAN, "scan", "-p", "oci", "--evidence", str(bundle), "-f", "json", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert r.returncode == 3, r.stderr  # two demo units are not assessed, by design
    text = _bundle_text(bundle)
    for name, value in SECRETS.items():
        assert value not in text, name
    exchanges = load_exchanges(bundle, "oci")
    assert {e["operation"] for e in exchanges} >= {"ListCompartments", "ListLoadBalancers"}
    assert all(
        e["key"]["path"].startswith(("/2016", "/2017", "/2018", "/2021", CONTEXT_PATH))
        for e in exchanges
    )
    if evidence.secret_name("returnCode"):
        pytest.xfail("core: the recorder masks healthChecker.returnCode as a secret ('code')")
    r = subprocess.run(
        [RELSCAN, "assess", str(bundle), "-f", "json"],
        env=_clean_env(),  # no endpoint, tenancy or region: all from the bundle
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "identical to the scan that wrote it" in r.stderr, r.stderr
    assert r.returncode == 0


def test_recorded_keys_are_what_the_replay_computes(serve, tmp_path):
    part = estate(
        load_balancers=[lb_entry(f"lb{i}", {"web": {"backends": backends({})}}) for i in range(3)],
        deploy_pipelines=[pipeline_entry("release", [{"deployStageType": "OKE_DEPLOYMENT"}])],
    )
    served = serve(part)
    recorder = evidence.Recorder(tmp_path)
    found, _ = served.collect(recorder, oci_region=(REGION, "uk-cardiff-1"))
    served.check(found[0].id, recorder)
    recorded = [e["key"] for e in load_exchanges(tmp_path, "oci") if e["service"] != "relscan"]
    asked = [replay_key(req) for req in served.server.requests]
    assert recorded == asked
    assert {k["region"] for k in recorded} == {REGION, "uk-cardiff-1"}
    assert emulator_module.CONTEXT_PATH == CONTEXT_PATH


def test_endpoint_env_reads_the_recorded_context():
    with LoopbackServer(OciEmulator(estate())) as server:  # no context: nothing to read
        env = endpoint_env(server.url)
    assert env == {
        "RELSCAN_OCI_ENDPOINT": server.url + "/{region}",
        "RELSCAN_OCI_TENANCY": None,
        "OCI_REGION": None,
    }


def _signer(tmp_path: Path) -> Credentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    fingerprint = ":".join(["ab"] * 16)
    user = "ocid1.user.oc1..aaaaaaaasigninguser"
    signer = oci.signer.Signer(TENANCY, user, fingerprint, None, private_key_content=pem)
    config = {"user": user, "fingerprint": fingerprint, "tenancy": TENANCY, "region": REGION}
    return Credentials({**config, "key_content": pem}, signer, TENANCY, REGION, "test key")


def test_signatures_and_keys_never_reach_the_bundle(monkeypatch, tmp_path):
    part = estate(load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})])
    creds = _signer(tmp_path)
    with LoopbackServer(OciEmulator(part)) as server:
        monkeypatch.setenv("RELSCAN_OCI_ENDPOINT", server.url + "/{region}")
        recorder = evidence.Recorder(tmp_path / "bundle")
        run = OciRun(OciClients(creds, recorder=recorder), [PROD], [REGION])
        for scope in run.scopes():
            list(run.collect(scope))
        sent = server.requests
    assert sent and all("signature=" in r.headers["authorization"] for r in sent)
    text = _bundle_text(tmp_path / "bundle")
    for req in sent:
        signature = req.headers["authorization"].split('signature="')[1].rstrip('"')
        assert signature not in text
        assert req.headers["authorization"] not in text
    body = creds.config["key_content"].splitlines()[1]
    assert body not in text
    assert json.dumps(creds.config["fingerprint"]) not in text
