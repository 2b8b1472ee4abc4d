"""Export for the Cloud Maturity Model assessment tool ("Load a previous report").

The shape and the timestamps follow the tool's own export (co-cddo/cloudmaturity):
times are JavaScript's `Date.toISOString()`, UTC with milliseconds and `Z`. The
tool offers "needs improvement" only on an answered question, so the flag is
set only when 0 < answer < target.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from scanner.report import Report, answer_for

QUESTION = "How do you release updates?"
QUESTION_KEY = hashlib.sha256(QUESTION.encode()).hexdigest()
VERSION = "2.0.0"


def iso_time(moment: dt.datetime) -> str:
    """As JavaScript's Date.toISOString(): 2026-11-20T02:00:00.000Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # relscan's own times are UTC
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def document(report: Report, exported: dt.datetime | None = None) -> dict[str, Any]:
    level = answer_for(report, report.options.service)
    needs = 0 < level < report.options.target_level
    created = iso_time(report.scan.started)
    modified = iso_time(report.scan.finished or report.scan.started)
    exported_at = iso_time(exported or dt.datetime.now(dt.UTC))
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
            "metadata": {"version": VERSION, "createdAt": created, "lastModified": modified},
            "operations": {QUESTION_KEY: {"answer": level, "needsImprovement": needs}},
        },
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2) + "\n"
