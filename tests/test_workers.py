"""`--workers N`: providers read by worker processes give the same scan.

End to end, through the installed `relscan` (each test spawns processes, so
there are few of them): the demo estate of all four clouds scanned with 1, 2
and 4 workers gives the same document; a child's usage error, scope error,
unfinished scope and evidence reach the parent as if read there; Ctrl-C ends
the children; and a call a child's guard refuses still stops the scan."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import pytest

from providers.aws.clients import AwsClients
from providers.aws.emulator import app as aws
from providers.aws.plugin import AwsPlugin
from providers.azure.emulator import app as azure
from scanner.demo.serve import load_estate, patched_environ, serve
from scanner.emulators.server import LoopbackServer
from scanner.evidence.bundle import verify
from scanner.evidence.recorder import Recorder
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.readonly import ReadOnlyViolation
from scanner.session import ScanSession
from scanner.status import showing
from scanner.workers import spread
from tests.aws.estate import ESTATE
from tests.aws.inproc import emulated, operation_of
from tests.cli import relscan
from tests.sockets import Hanging
from tests.test_hangs import _aws_scope, _env, _interrupt, _start

CLOUDS = ("aws", "azure", "gcp", "oci")
TIMES = {"started", "finished", "seconds"}  # the only fields that may differ


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in TIMES}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _with(changes: dict[str, str | None]) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_the_result_is_the_same_whatever_the_number_of_workers(tmp_path):
    providers = [a for c in CLOUDS for a in ("-p", c)]
    docs = {}
    with serve(load_estate()) as changes:
        env = _with(changes)
        for workers in (1, 2, 4):
            extra = ["--evidence", str(tmp_path / "bundle")] if workers == 4 else []
            r = relscan("scan", *providers, "--workers", str(workers), "--no-store", "-q",
                        "-f", "json", *extra, env=env)  # fmt: skip
            assert r.returncode == 3, r.stderr  # the demo has units not assessed on purpose
            docs[workers] = json.loads(r.stdout)
    assert len(docs[1]["resources"]) == 127  # 112, 12 Container Apps and scale sets, 3 Cloud Deploy
    assert _timeless(docs[2]) == _timeless(docs[1])
    assert _timeless(docs[4]) == _timeless(docs[1])
    # GCP is the 3rd provider: with 4 workers, read by a child; its scope error came back
    for doc in docs.values():
        assert [(e["provider"], e["service"]) for e in doc["scan"]["errors"]] == [
            ("gcp", "gcp.run.service")
        ]
    # Every child wrote its provider's exchanges under its own tag; the bundle verifies
    bundle = tmp_path / "bundle"
    names = {
        (p.name[6:].split("-")[0], p.name.split("-")[1]) for p in (bundle / "responses").iterdir()
    }
    assert names == {("", "aws"), ("w1", "azure"), ("w2", "gcp"), ("w3", "oci")}
    assert verify(bundle).ok


def test_a_usage_error_in_a_child_exits_2_with_the_same_line():
    with serve(load_estate()) as changes:
        env = _with(changes)
        results = [
            relscan(
                "scan",
                "-p",
                "azure",
                "-p",
                "gcp",
                "--gcp-impersonate",
                "nobody",
                "--workers",
                workers,
                "--no-store",
                "-f",
                "json",
                env=env,
            )  # fmt: skip
            for workers in ("1", "2")
        ]
    for r in results:  # GCP, the 2nd provider, is configured by the child with --workers 2
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().splitlines() == [
            "relscan: error: --gcp-impersonate 'nobody' is not a service account email "
            "(NAME@PROJECT.iam.gserviceaccount.com)"
        ]
        assert r.stdout == ""


def _two_clouds(stack: ExitStack, hang_when: Any) -> tuple[dict[str, str], Hanging]:
    """Azure's demo estate, read by the parent, and AWS's, read by the child,
    whose emulator never answers the requests `hang_when` picks."""
    estate = load_estate()
    app = Hanging(aws.AwsEmulator(estate["aws"]), hang_when)
    aws_server = stack.enter_context(LoopbackServer(app))
    stack.callback(app.release.set)
    azure_server = stack.enter_context(LoopbackServer(azure.AzureEmulator(estate["azure"])))
    env = _env({**aws.endpoint_env(aws_server.url), **azure.endpoint_env(azure_server.url)})
    return env, app


def test_a_childs_scope_not_finished_in_the_budget_keeps_what_it_read():
    """eu-west-1's CodeDeploy groups are read, then its Beanstalk reads hang. (A
    budget of 30 s leaves the child time to start and read on a busy two-core
    machine: the full suite failed it at 20 s once, under load.)"""
    with ExitStack() as stack:
        env, _ = _two_clouds(stack, lambda r: _aws_scope(r) == "/eu-west-1/elasticbeanstalk/")
        r = relscan("scan", "-p", "azure", "-p", "aws", "--aws-region", "eu-west-2",
                    "--aws-region", "eu-west-1", "--workers", "2", "--time-budget", "30",
                    "--no-store", "-f", "json", env=env)  # fmt: skip
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)
    late = [e for e in doc["scan"]["errors"] if e["scope"].endswith("/eu-west-1")]
    assert len(late) == 1
    assert late[0]["message"].startswith("not finished: the scan's time budget of 30 s ran out (")
    read_before = [u for u in doc["resources"] if ":eu-west-1:" in u["id"]]
    assert read_before and all(u["kind"] == "aws.codedeploy.deployment_group" for u in read_before)
    assert late[0]["message"].endswith(f"({len(read_before)} units read before)")
    assert {u["provider"] for u in doc["resources"]} == {"aws", "azure"}
    assert any(":eu-west-2:" in u["id"] and "elasticbeanstalk" in u["id"] for u in doc["resources"])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ctrl_c_while_a_child_reads_ends_the_children(tmp_path):
    with ExitStack() as stack:
        env, app = _two_clouds(stack, lambda req: "/codedeploy/" in _aws_scope(req))
        proc = _start("scan", "-p", "azure", "-p", "aws", "--aws-region", "eu-west-2",
                      "--workers", "2", "-f", "json", "--no-store", env=env)  # fmt: skip
        children: list[int] = []

        def reading() -> bool:
            children[:] = _children(proc.pid)
            return app.hung.is_set()

        _, err = _interrupt(proc, reading)
    assert proc.returncode == 130, err
    assert "relscan: interrupted after" in err and "Traceback" not in err
    assert children  # the child reading AWS was there while it hung
    assert not [pid for pid in children if _alive(pid)]


class MutatingRun(ProviderRun):
    """A provider with a bug: it tries to delete what it reads."""

    def __init__(self, run: ProviderRun, recorder: Recorder | None) -> None:
        self.run = run

    def scopes(self) -> list[Scope]:
        return self.run.scopes()

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        client = AwsClients(boto3.Session()).get("codedeploy", scope.location)
        client.delete_application(applicationName="payments")
        yield from ()

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError


class MutatingPlugin(AwsPlugin):
    name = "aws-mutating"

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        return MutatingRun(super().configure(options, recorder), recorder)


def test_a_call_refused_in_a_child_stops_the_scan():
    real = AwsPlugin()
    with emulated(ESTATE) as (server, _):
        session = ScanSession([real, MutatingPlugin()], {"aws": {}, "aws-mutating": {}},
                              workers=2)  # fmt: skip
        session.discover()
        assert session.pool is not None
        (worker,) = session.pool.workers
        with pytest.raises(ReadOnlyViolation) as refused:
            session.execute()
    assert "refused AWS call codedeploy:DeleteApplication" in str(refused.value)
    assert "nothing was sent" in str(refused.value)
    assert ("codedeploy", "DeleteApplication") not in [operation_of(r) for r in server.requests]
    assert session.pool is None and worker.process.poll() is not None  # ended and reaped


class AwsAgain(AwsPlugin):
    """The AWS provider under a second name, so that a child reads it."""

    name = "aws-again"


def test_a_worker_that_dies_leaves_its_scopes_as_errors_and_the_rest_is_read():
    estate = load_estate()["aws"]
    app = Hanging(aws.AwsEmulator(estate), lambda r: _aws_scope(r) == "/eu-west-1/codedeploy/")
    options = {"aws": {"aws_region": ("eu-west-2",)}, "aws-again": {"aws_region": ("eu-west-1",)}}
    with LoopbackServer(app) as server, patched_environ(aws.endpoint_env(server.url)):
        session = ScanSession([AwsPlugin(), AwsAgain()], options, workers=2)
        said: list[tuple[str, str]] = []
        with showing(lambda provider, text: said.append((provider, text))):
            session.discover()
        # discovery's status lines from both processes reached this one's sink
        assert said.count(("aws", "identifying the AWS account…")) == 2
        assert session.pool is not None
        (worker,) = session.pool.workers

        def kill_when_hung() -> None:  # as the kernel's OOM killer would
            if app.hung.wait(60):
                worker.process.kill()

        threading.Thread(target=kill_when_hung, daemon=True).start()
        try:
            result = session.execute()
        finally:
            app.release.set()
    account = estate["account"]
    # the worker's scopes: its region and its account's global scope (Route 53)
    assert [(e.scope, e.message) for e in result.errors] == [
        (
            f"aws:{account}/{location}",
            "the worker process reading aws-again ended (exit code -9)",
        )
        for location in ("eu-west-1", "global")
    ]
    read = {a.id.split(":")[3] for a in result.assessments}
    assert read == {"eu-west-2", ""}  # "": the parent's Route 53 units, global
    assert worker.process.poll() is not None  # ended and reaped


def test_providers_are_dealt_in_turn_the_parent_first():
    clouds = list(CLOUDS)
    assert spread(clouds, 2) == [["aws", "gcp"], ["azure", "oci"]]
    assert spread(clouds, 3) == [["aws", "oci"], ["azure"], ["gcp"]]
    assert spread(clouds, 64) == [["aws"], ["azure"], ["gcp"], ["oci"]]  # one process each
    assert spread(["aws"], 8) == [["aws"]]  # one provider: no worker
    assert spread(clouds, 1) == [clouds]
