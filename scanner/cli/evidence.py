"""`--evidence DIR` on scan, `relscan assess DIR` and `relscan verify DIR`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from scanner.cli.common import (
    check_output_path,
    emit,
    format_options,
    render_options,
    report_options,
    resolve_format,
)
from scanner.cli.running import execute
from scanner.demo.serve import patched_environ
from scanner.emulators.server import LoopbackServer
from scanner.errors import EXIT_EVIDENCE_MISMATCH, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.evidence import recorder as evidence
from scanner.evidence.bundle import MANIFEST, read_manifest, sha256, verify, write_manifest
from scanner.evidence.replay import ReplayApp, emulator_module, http_key, load_exchanges
from scanner.model import ScanResult
from scanner.outputs import SCAN_FORMATS
from scanner.outputs.json_out import scan_document
from scanner.plugin import installed_plugins
from scanner.report import EVIDENCE, RenderOptions


def start_recording(folder_text: str) -> evidence.Recorder:
    folder = Path(folder_text)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"--evidence {folder_text}: give a new or empty folder")
    recorder = evidence.Recorder(folder)
    evidence.set_active(recorder)
    return recorder


def provider_options(names: list[str], options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The options each provider was configured with, secrets masked."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        chosen = {}
        for key, value in options.items():
            if key.startswith(f"{name}_") and value not in (None, (), False):
                if evidence.secret_name(key):
                    value = evidence.MASK
                chosen[key] = list(value) if isinstance(value, tuple) else value
        out[name] = chosen
    return out


def finish_recording(
    recorder: evidence.Recorder, result: ScanResult, providers: dict[str, dict[str, Any]]
) -> str:
    evidence.set_active(None)
    doc = scan_document(result)
    (recorder.folder / "scan.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    meta = {
        "tool_version": result.tool_version,
        "started": result.started.isoformat(),
        "finished": result.finished.isoformat() if result.finished else None,
        "scopes": result.scopes,
        "providers": providers,
    }
    return write_manifest(recorder.folder, meta)


@click.command(name="verify")
@click.argument("bundle")
def verify_command(bundle: str) -> None:
    """Check every file of an evidence bundle against its manifest (exit 6 if not),
    and print the manifest's own SHA-256, which reports made from the bundle quote."""
    v = verify(Path(bundle))
    click.echo(f"manifest SHA-256: {sha256(Path(bundle) / MANIFEST)}")
    for label, names in (("changed", v.changed), ("added", v.added), ("removed", v.removed)):
        for name in names:
            click.echo(f"{label}: {name}")
    if v.ok:
        click.echo(f"relscan: {bundle}: all {v.checked} files match the manifest")
        raise click.exceptions.Exit(EXIT_OK)
    click.echo(f"relscan: {bundle}: does not match its manifest", err=True)
    raise click.exceptions.Exit(EXIT_EVIDENCE_MISMATCH)


def _comparable(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((dict(r, service=None) for r in doc["resources"]), key=lambda r: r["id"])


@click.command()
@click.argument("bundle")
@format_options
@report_options
def assess(bundle: str, fmt: str | None, output: str | None, **options: Any) -> None:
    """Rebuild the assessments from an evidence bundle, offline."""
    folder = Path(bundle)
    manifest = read_manifest(folder)
    if not verify(folder).ok:
        click.echo(
            f"relscan: error: {bundle} does not match its manifest (see `relscan verify`)", err=True
        )
        raise click.exceptions.Exit(EXIT_EVIDENCE_MISMATCH)
    fmt = resolve_format(fmt, output)
    check_output_path(output)
    plugins = installed_plugins()
    env: dict[str, str | None] = {}
    servers = []
    for name in manifest["providers"]:
        module = emulator_module(name)
        app = ReplayApp(load_exchanges(folder, name), getattr(module, "replay_key", http_key))
        servers.append(LoopbackServer(app).start())
        env.update(module.endpoint_env(servers[-1].url))
    try:
        with patched_environ(env):
            work = []
            for name, opts in manifest["providers"].items():
                given = {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
                run = plugins[name].configure(given)
                work.append((run, run.scopes()))
            result = execute(work, concurrency=8, quiet=True)
    finally:
        for server in servers:
            server.stop()
    opts = render_options(result, options)
    opts.origin, opts.evidence_digest = EVIDENCE, sha256(folder / MANIFEST)
    emit(SCAN_FORMATS[fmt](result, opts), output)
    recorded = json.loads((folder / "scan.json").read_text(encoding="utf-8"))
    same = _comparable(recorded) == _comparable(scan_document(result))
    verdict = "identical to" if same else "DIFFERENT from"
    click.echo(
        f"relscan: re-assessed {len(result.assessments)} units from {bundle}: "
        f"{verdict} the scan that wrote it",
        err=True,
    )
    raise click.exceptions.Exit(EXIT_OK if same else EXIT_INCOMPLETE)


__all__ = [
    "RenderOptions",
    "assess",
    "finish_recording",
    "provider_options",
    "start_recording",
    "verify_command",
]
