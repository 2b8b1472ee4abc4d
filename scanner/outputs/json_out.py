"""The JSON document (schema_version 1), documented in docs/output.md."""

from __future__ import annotations

import json
from typing import Any

from scanner.engine import ScanResult
from scanner.model import Assessment
from scanner.summary import summarise

SCHEMA_VERSION = 1


def scan_document(result: ScanResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "scan": {
            "started": result.started.isoformat(),
            "finished": result.finished.isoformat() if result.finished else None,
            "seconds": round(result.seconds, 3),
            "tool_version": result.tool_version,
            "scopes": list(result.scopes),
            "errors": [e.as_dict() for e in result.errors],
        },
        "summary": summarise(result.assessments),
        "resources": [a.as_dict() for a in result.assessments],
    }


def render_scan(result: ScanResult) -> str:
    return json.dumps(scan_document(result), indent=2, ensure_ascii=False) + "\n"


def render_one(assessment: Assessment) -> str:
    return json.dumps(assessment.as_dict(), indent=2, ensure_ascii=False) + "\n"


def load_scan(text: str, source: str) -> ScanResult:
    """A saved scan document back into a ScanResult (for `relscan report`)."""
    from datetime import datetime

    from scanner.errors import UsageError
    from scanner.model import ScopeError

    try:
        doc = json.loads(text)
        if doc.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {doc.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        scan = doc["scan"]
        result = ScanResult(started=datetime.fromisoformat(scan["started"]))
        result.finished = datetime.fromisoformat(scan["finished"]) if scan.get("finished") else None
        result.tool_version = scan.get("tool_version", "")
        result.scopes = list(scan.get("scopes", []))
        result.errors = [ScopeError(**e) for e in scan.get("errors", [])]
        result.assessments = [Assessment.from_dict(r) for r in doc["resources"]]
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"{source}: not a relscan scan document ({exc})") from None
    return result
