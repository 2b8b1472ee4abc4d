"""Evidence bundles: every answer the provider reads is recorded where its
clients are built, keyed as the replay matches requests; a bundle re-assesses
offline to the same result, and holds no credential, token or signature."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from google.oauth2.credentials import Credentials

from providers.gcp.clients import GcpClients
from providers.gcp.emulator.app import GcpEmulator, endpoint_env, replay_key, start
from providers.gcp.guard import evidence_key, masked_url
from providers.gcp.run import GcpRun
from scanner.emulators.server import LoopbackServer, Request
from scanner.engine import run_scan
from scanner.evidence import recorder as evidence
from scanner.evidence.recording import finish_recording
from scanner.plugin import Scope
from tests.cli import relscan
from tests.gcp.conftest import PROJECT
from tests.gcp.estates import OTHER, rich

SECRETS = {
    "GOOGLE_API_KEY": "AIzaSyRELSCANSECRETAPIKEY00000000000",
    "CLOUDSDK_AUTH_ACCESS_TOKEN": "ya29.relscan-secret-access-token",
    "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.relscan-secret-oauth-token",
    "AWS_SECRET_ACCESS_KEY": "relscan/secret/aws/key/000000000",
}


def bundle_text(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


def test_a_bundle_re_assesses_to_the_same_result_and_holds_no_secret(tmp_path):
    bundle = tmp_path / "bundle"
    with ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RELSCAN_", "GOOGLE_"))}
        env.update({k: v for k, v in start(rich(), stack).items() if v is not None})
        env.update(SECRETS)
        r = relscan("scan", "--provider", "gcp", "--gcp-project", PROJECT, "--gcp-project", OTHER,
                    "--evidence", str(bundle), "--format", "json", "--no-store", "--quiet",
                    env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["resources"]) == 18
    responses = list((bundle / "responses").glob("*-gcp-*.json"))
    assert len(responses) >= 20
    text = bundle_text(bundle)
    for secret in SECRETS.values():
        assert secret not in text
    records = [json.loads(path.read_text("utf-8")) for path in responses]
    assert all(rec["provider"] == "gcp" and rec["status"] == 200 for rec in records)
    # every answer with a body but an empty list's, which is {} (Cloud Deploy's, here)
    assert all(rec["body"] for rec in records if "deliveryPipelines" not in rec["url"])
    del env["RELSCAN_GCP_ENDPOINT"]  # the emulator is gone: assess needs no network
    again = relscan("assess", str(bundle), "--format", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert "identical to the scan that wrote it" in again.stderr
    assert relscan("verify", str(bundle), env=env).returncode == 0


def test_tokens_and_api_keys_sent_to_the_api_are_never_recorded(tmp_path, monkeypatch):
    token = "ya29.a0-relscan-bearer-token-never-recorded"
    with LoopbackServer(GcpEmulator(rich())) as server:
        recorder = evidence.Recorder(tmp_path)
        clients = GcpClients(server.url, recorder=recorder)
        clients._credentials = Credentials(token=token)  # a live credential's bearer token
        result = run_scan([(GcpRun(clients, [PROJECT]), [Scope("gcp", PROJECT, "")])])
        finish_recording(recorder, result, {"gcp": {"gcp_project": [PROJECT]}})
        sent = server.requests
    assert result.errors == [] and len(result.assessments) == 9
    assert all(r.headers.get("authorization") == f"Bearer {token}" for r in sent)
    assert token not in bundle_text(tmp_path)
    assert len(list((tmp_path / "responses").iterdir())) == len(sent)


def test_the_recorded_key_is_the_replay_key_for_the_cloud_and_the_emulator():
    path = f"/compute/v1/projects/{PROJECT}/aggregated/urlMaps"
    query = "maxResults=500&pageToken=Cg1abc%3D&%24alt=json%3Benum-encoding%3Dint&key=AIzaSECRET"
    for base in ("https://compute.googleapis.com", "http://127.0.0.1:40123"):
        parts = urlsplit(f"{base}{path}?{query}")
        from urllib.parse import parse_qsl

        recorded = evidence_key("GET", parts.path, parse_qsl(parts.query, keep_blank_values=True))
        req = Request("GET", parts.path, parse_qs(parts.query, keep_blank_values=True), {}, b"")
        assert recorded == replay_key(req)
        assert ["key", "AIzaSECRET"] not in recorded["query"]
        assert ["pageToken", "Cg1abc="] in recorded["query"]
        assert "AIzaSECRET" not in masked_url(f"{base}{path}?{query}")


def test_endpoint_env_points_every_client_at_the_url():
    env = endpoint_env("http://127.0.0.1:9")
    assert env["RELSCAN_GCP_ENDPOINT"] == "http://127.0.0.1:9"
    assert env["GOOGLE_APPLICATION_CREDENTIALS"] is None
