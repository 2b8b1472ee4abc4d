"""Running the AWS provider in this process against the loopback emulator,
for tests that need the emulator's request log or a fault plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from providers.aws.emulator.app import AwsEmulator, endpoint_env, replay_key
from providers.aws.plugin import plugin
from scanner.demo.serve import patched_environ
from scanner.emulators.faults import FaultPlan
from scanner.emulators.server import LoopbackServer, Request
from scanner.engine import run_scan
from scanner.model import ScanResult


@contextmanager
def emulated(
    estate: dict[str, Any], faults: FaultPlan | None = None, **env: str
) -> Iterator[tuple[LoopbackServer, AwsEmulator]]:
    """Serve `estate` (a copy) and point the SDK at it for the block."""
    app = AwsEmulator(json.loads(json.dumps(estate)))
    with (
        LoopbackServer(app, faults=faults) as server,
        patched_environ({**endpoint_env(server.url), **env}),
    ):
        yield server, app


def scan(options: dict[str, Any] | None = None) -> ScanResult:
    run = plugin.configure(options or {})
    return run_scan([(run, run.scopes())], concurrency=8)


def verdicts(result: ScanResult) -> dict[str, dict[str, Any]]:
    """Every unit's verdict: level, rule, status, reason and evidence."""
    keep = ("level", "rule", "status", "reason", "evidence", "tags", "name")
    return {a.id: {k: v for k, v in a.as_dict().items() if k in keep} for a in result.assessments}


def operation_of(req: Request) -> tuple[str, str]:
    """(SigV4 service, operation) of a request the emulator received."""
    key = replay_key(req)
    return key["service"], key["operation"]
