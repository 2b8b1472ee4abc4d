"""The bundle's manifest: every file with its SHA-256, and checking it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import UsageError

MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(folder: Path, meta: dict[str, Any]) -> str:
    """Write manifest.json (the scan's metadata and every file's digest); return
    the manifest's own SHA-256, which the report quotes."""
    files = {p.relative_to(folder).as_posix(): sha256(p) for p in _files(folder)}
    doc = {"relscan_evidence": 1, **meta, "files": files}
    path = folder / MANIFEST
    path.write_text(json.dumps(doc, indent=1, sort_keys=True), encoding="utf-8")
    return sha256(path)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("relscan_evidence") != 1 or "files" not in doc:
        raise UsageError(f"{path}: not a relscan evidence manifest")
    return doc


@dataclass
class Verification:
    changed: list[str]
    added: list[str]
    removed: list[str]
    checked: int

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed)


def verify(folder: Path) -> Verification:
    listed: dict[str, str] = read_manifest(folder)["files"]
    present = {p.relative_to(folder).as_posix(): p for p in _files(folder)}
    changed = sorted(
        name
        for name, digest in listed.items()
        if name in present and sha256(present[name]) != digest
    )
    added = sorted(set(present) - set(listed))
    removed = sorted(set(listed) - set(present))
    return Verification(changed, added, removed, len(listed))


def digest_for_scan_file(path: Path) -> tuple[str | None, bool]:
    """For a scan file inside an evidence bundle (`bundle/scan.json`): the
    manifest's SHA-256, which a report made from it quotes, and whether the
    file matches its manifest entry. (None, True) where there is no manifest
    beside it; (None, False) where there is one but the file is not the one
    it lists, so the report must not claim the bundle."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return None, True
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        listed = doc["files"].get(path.name) if doc.get("relscan_evidence") == 1 else None
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None, True  # not a relscan manifest: the file is not in a bundle
    if listed is None:
        return None, True
    if listed != sha256(path):
        return None, False
    return sha256(manifest), True
