"""The JSON document (schema_version 2), documented in docs/output.md.

Its schema is scanner/scan_schema.py; `load_scan` reads versions 1 and 2
back, validating every key it uses.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from pydantic import ValidationError

from scanner import target, textfile
from scanner.errors import UsageError
from scanner.model import Assessment, ScanResult, ScopeError
from scanner.outputs import jsonstream
from scanner.outputs.practice_view import has_practice
from scanner.practice.services import service_practice
from scanner.report import LIVE, RenderOptions
from scanner.scan_schema import SCHEMA_VERSIONS, ScanDocument, problem
from scanner.services import rollup
from scanner.summary import summarise

SCHEMA_VERSION = SCHEMA_VERSIONS[-1]


def resource(a: Assessment, options: RenderOptions) -> dict[str, Any]:
    """One unit, with where it stands against the target and the waiver that covers it."""
    stand = target.standing(a, options.target_level, options.waivers, options.today)
    shown = stand.waiver or stand.expired_waiver
    return {
        **a.as_dict(),
        "target_status": stand.status,
        "waiver": target.waiver_dict(shown, options.today) if shown else None,
    }


def scan_document(
    result: ScanResult, options: RenderOptions | None = None, whole: ScanResult | None = None
) -> dict[str, Any]:
    options = options or RenderOptions()
    head = _head(result, options, whole)
    head["resources"] = [resource(a, options) for a in result.assessments]
    return head


def _head(
    result: ScanResult, options: RenderOptions, whole: ScanResult | None = None
) -> dict[str, Any]:
    """The document without its units (their list comes last). With release
    records (--history) it has a `services` list, each service's practice made
    from all of its units (`whole`: the scan before `--below` left some out)."""
    head: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "target_level": options.target_level,
        "scan": {
            "started": result.started.isoformat(),
            "finished": result.finished.isoformat() if result.finished else None,
            "seconds": round(result.seconds, 3),
            "tool_version": result.tool_version,
            "origin": options.origin,
            "scopes": list(result.scopes),
            "errors": [e.as_dict() for e in result.errors],
        },
        "summary": summarise(result.assessments),
    }
    every = (whole or result).assessments
    if has_practice(every):
        head["services"] = [
            {
                "name": r.name,
                "level": r.level,
                "units": len(r.units),
                "practice": service_practice(r.units),
            }
            for r in rollup(every, "service")
        ]
    return head


def render_scan(
    result: ScanResult, options: RenderOptions | None = None, whole: ScanResult | None = None
) -> str:
    """The whole document as one string (for a scan small enough to hold twice)."""
    buf = io.StringIO()
    write_scan(result, options, buf, whole)
    return buf.getvalue()


def write_scan(
    result: ScanResult,
    options: RenderOptions | None,
    out: TextIO,
    whole: ScanResult | None = None,
) -> None:
    """The document written to `out` one unit at a time (scanner/outputs/jsonstream.py):
    the same text as `json.dumps(scan_document(...), indent=2, ensure_ascii=False)`
    and a newline, without ever holding every unit's dict or the whole text.
    `whole` is the scan before `--below` narrowed it, for the services' practice."""
    options = options or RenderOptions()
    head = _head(result, options, whole)
    head["resources"] = mark = jsonstream.placeholder()
    units = (resource(a, options) for a in result.assessments)
    jsonstream.write_document(head, mark, units, out)


def render_one(assessment: Assessment, options: RenderOptions | None = None) -> str:
    """One unit (`relscan check`): the same object as in a scan document written
    with the same target and waivers (by default level 4 and none)."""
    unit = resource(assessment, options or RenderOptions())
    return json.dumps(unit, indent=2, ensure_ascii=False) + "\n"


@dataclass
class LoadedScan:
    result: ScanResult
    origin: str = LIVE
    schema_version: int = SCHEMA_VERSION


def load_document(text: str, source: str) -> LoadedScan:
    """A saved scan document, validated against its schema, back into a ScanResult.
    Every problem is a UsageError of one line naming `source`."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and version not in SCHEMA_VERSIONS:
        if "schema_version" not in doc:
            why = "it has no schema_version (is it `relscan check` output, one unit?)"
        elif type(version) is int and version > SCHEMA_VERSION:  # bool is no version
            why = f"schema_version {version} is newer than this relscan reads; upgrade relscan"
        else:
            known = ", ".join(str(v) for v in SCHEMA_VERSIONS)
            why = f"schema_version {json.dumps(version)} is not one of {known}"
        raise UsageError(f"{source}: not a relscan scan document: {why}")
    try:
        checked = ScanDocument.model_validate(doc)
    except ValidationError as exc:
        raise UsageError(f"{source}: not a relscan scan document: {problem(exc, doc)}") from None
    scan = checked.scan
    result = ScanResult(started=datetime.fromisoformat(scan.started))
    result.finished = datetime.fromisoformat(scan.finished) if scan.finished else None
    result.tool_version = scan.tool_version
    result.scopes = list(scan.scopes)
    result.errors = [ScopeError(**e.model_dump()) for e in scan.errors]
    result.assessments = []
    for r in checked.resources:
        data = r.model_dump(exclude={"target_status", "waiver"})
        if checked.schema_version == 1:
            data["basis"] = None  # version 1 had no basis: absent, never guessed
        result.assessments.append(Assessment.from_dict(data))
    return LoadedScan(result, scan.origin, checked.schema_version)


def load_scan(text: str, source: str) -> ScanResult:
    """A saved scan document back into a ScanResult (for `relscan report`)."""
    return load_document(text, source).result


def read_scan_file(path: str) -> LoadedScan:
    """Read and validate a scan file; unreadable, non-UTF-8 or malformed files
    are one-line UsageErrors."""
    return load_document(textfile.read(path, path, hint=""), path)


def decode_scan(data: bytes, source: str) -> LoadedScan:
    """A scan document's bytes (a file's, or standard input's), decoded and validated."""
    return load_document(textfile.decode(data, source), source)
