"""Export for the Cloud Maturity Model assessment tool ("Load a previous report")."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from scanner.report import Report, answer_for

QUESTION = "How do you release updates?"
QUESTION_KEY = hashlib.sha256(QUESTION.encode()).hexdigest()
VERSION = "2.0.0"


def document(report: Report, exported: dt.datetime | None = None) -> dict[str, Any]:
    level = answer_for(report, report.options.service)
    needs = level < report.options.target_level
    created = report.scan.started.isoformat()
    exported_at = (exported or dt.datetime.now(dt.UTC)).isoformat()
    return {
        "exportMetadata": {
            "version": VERSION,
            "createdAt": created,
            "exportedAt": exported_at,
            "improvementCount": int(needs),
            "totalQuestions": 1,
            "categories": {"operations": {"answered": 1, "needsImprovement": int(needs)}},
        },
        "assessmentData": {
            "metadata": {"version": VERSION, "createdAt": created},
            "operations": {QUESTION_KEY: {"answer": level, "needsImprovement": needs}},
        },
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2) + "\n"
