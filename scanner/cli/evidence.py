"""`--evidence DIR` on scan, `relscan assess DIR` and `relscan verify DIR`.

Closing a bundle (scan.json, the manifest) is in scanner/evidence/recording.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from scanner.cli.common import (
    check_output_path,
    emit,
    format_options,
    options_for,
    report_options,
    resolve_format,
    service_config,
)
from scanner.cli.practice import with_history
from scanner.demo.serve import patched_environ
from scanner.errors import EXIT_EVIDENCE_MISMATCH, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.evidence.bundle import MANIFEST, read_manifest, sha256, verify
from scanner.evidence.history import recorded_kept
from scanner.evidence.recorder import Recorder
from scanner.evidence.replay import replaying
from scanner.outputs.json_out import scan_document
from scanner.plugin import installed_plugins
from scanner.practice.settings import settings_from_record
from scanner.report import EVIDENCE
from scanner.session import ScanSession


def start_recording(folder_text: str) -> Recorder:
    """The recorder of `--evidence DIR`, which must be a new or empty folder."""
    folder = Path(folder_text)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"--evidence {folder_text}: give a new or empty folder")
    return Recorder(folder)


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
def assess(bundle: str, fmt: str | None, output: str | None, **kw: Any) -> None:
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
    names = list(manifest["providers"])
    missing = [n for n in names if n not in plugins]
    if missing:
        raise UsageError(
            f"{bundle} was recorded with the {missing[0]} provider, which is not installed "
            f"(installed: {', '.join(plugins)})"
        )
    options = {
        name: {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
        for name, opts in manifest["providers"].items()
    }
    practice = None
    if manifest.get("practice") is not None:  # the scan read records (--history)
        try:
            practice = settings_from_record(manifest["practice"])
        except ValueError as exc:
            raise UsageError(f"{bundle}: {exc}") from None
        options = {name: with_history(opts, practice) for name, opts in options.items()}
    session = ScanSession([plugins[n] for n in names], options)
    session.practice = practice
    session.kept = recorded_kept(folder)  # the store's records the scan merged, if any
    with replaying(folder, names) as env, patched_environ(env):
        session.discover(keep_going=False)
        result = session.execute(concurrency=8)
    known = session.assign_services(service_config(kw["tag_keys"], kw["assignments"]))
    opts = options_for(known, kw)
    opts.origin, opts.evidence_digest = EVIDENCE, sha256(folder / MANIFEST)
    emit(session.render(fmt, opts), output)
    recorded = json.loads((folder / "scan.json").read_text(encoding="utf-8"))
    same = _comparable(recorded) == _comparable(scan_document(result))
    verdict = "identical to" if same else "DIFFERENT from"
    click.echo(
        f"relscan: re-assessed {len(result.assessments)} units from {bundle}: "
        f"{verdict} the scan that wrote it",
        err=True,
    )
    raise click.exceptions.Exit(EXIT_OK if same else EXIT_INCOMPLETE)


__all__ = ["assess", "start_recording", "verify_command"]
