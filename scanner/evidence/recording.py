"""Closing an evidence bundle: the scan's own document and the manifest, and
the options the providers were configured with (secrets masked)."""

from __future__ import annotations

import json
from typing import Any

from scanner.evidence.bundle import write_manifest
from scanner.evidence.history import write_kept
from scanner.evidence.recorder import MASK, Recorder, secret_name
from scanner.model import ScanResult
from scanner.outputs.json_out import scan_document
from scanner.store.releases import StoredRelease


def provider_options(names: list[str], options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The options each provider was configured with, secrets masked."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        chosen = {}
        for key, value in options.items():
            if key.startswith(f"{name}_") and value not in (None, (), False):
                if secret_name(key):
                    value = MASK
                chosen[key] = list(value) if isinstance(value, tuple) else value
        out[name] = chosen
    return out


def finish_recording(
    recorder: Recorder,
    result: ScanResult,
    providers: dict[str, dict[str, Any]],
    practice: dict[str, Any] | None = None,
    kept: dict[str, list[StoredRelease]] | None = None,
) -> str:
    """Write scan.json and the manifest into the recorder's folder; return the
    manifest's SHA-256, which reports made from the bundle quote. `practice`
    is the scan's --history settings (scanner.practice.settings.settings_record),
    which `assess` reads the recorded records with; `kept` (the store's records
    the scan merged, `KeptRecords.used`) is written to kept-releases.json
    (scanner/evidence/history.py), so `assess` merges the same ones."""
    doc = scan_document(result)
    (recorder.folder / "scan.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    meta = {
        "tool_version": result.tool_version,
        "started": result.started.isoformat(),
        "finished": result.finished.isoformat() if result.finished else None,
        "scopes": result.scopes,
        "providers": providers,
        **({"practice": practice} if practice is not None else {}),
    }
    write_kept(recorder.folder, kept)
    return write_manifest(recorder.folder, meta)
