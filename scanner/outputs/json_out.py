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
