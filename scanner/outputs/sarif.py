"""SARIF 2.1.0 for CI code-scanning pages (GitHub, GitLab, Azure DevOps).

One result per release unit below the target level (`--target-level`, or
`--below N` when that is lower), and one per unit that is not assessed.
Documented in docs/reports.md. A cloud resource is not a file, so each result
names the unit twice: as a logical location (its native id, the SARIF way for
things that are not files) and as an artifact location whose URI is the native
id, because code-scanning pages require a physical location.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Iterator
from typing import Any, TextIO
from urllib.parse import quote

from scanner import __version__
from scanner.model import Assessment, ScanResult
from scanner.outputs import jsonstream
from scanner.outputs.select import is_gap, target_status
from scanner.outputs.text import basis_text, clean, level_text, show_value
from scanner.report import RenderOptions, UnitView, views_of
from scanner.rules import load_rulebook

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
NOT_ASSESSED_RULE = "RELSCAN-NOT-ASSESSED"


def _threshold(opts: RenderOptions) -> int:
    return min(opts.target_level, opts.below) if opts.below else opts.target_level


def _descriptors(units: Iterable[Assessment]) -> list[dict[str, Any]]:
    wanted = {a.rule for a in units if a.rule}
    rules: list[dict[str, Any]] = []
    for kind in load_rulebook().values():
        for r in kind.rules:
            if r.id in wanted:
                wanted.discard(r.id)
                entry: dict[str, Any] = {
                    "id": r.id,
                    "name": r.id.title().replace("-", ""),
                    "shortDescription": {"text": f"{kind.title}: {level_text(r.level)}"},
                    "fullDescription": {"text": r.summary.strip()},
                    "help": {"text": " ".join(r.next_steps) or r.rationale.strip()},
                    "properties": {"level": r.level, "basis": r.basis, "kind": kind.kind},
                    "helpUri": r.sources[0],
                }
                rules.append(entry)
    rules += [{"id": rule_id, "shortDescription": {"text": rule_id}} for rule_id in sorted(wanted)]
    rules.append(
        {
            "id": NOT_ASSESSED_RULE,
            "name": "NotAssessed",
            "shortDescription": {"text": "Release unit not assessed"},
            "fullDescription": {
                "text": "A field that decides the level could not be read, or no rule "
                "matches the configuration: relscan gives no level rather than a guess."
            },
        }
    )
    return rules


def _message(v: UnitView, target: int) -> str:
    a = v.unit
    basis = basis_text(a.basis)
    head = f"{clean(a.name)} ({a.kind}) is at {level_text(a.level)}"
    if a.level is not None:
        head += f", below the target level {target}"
    if basis:
        head += f" [{basis}]"
    text = f"{head}: {clean(a.reason, 1000)}"
    if a.next_steps:
        text += " Next: " + " ".join(clean(s, 500) for s in a.next_steps)
    return text


def _result(v: UnitView, target: int) -> dict[str, Any]:
    a = v.unit
    assessed = a.level is not None
    gap = target - (a.level or 0)
    result: dict[str, Any] = {
        "ruleId": a.rule if assessed and a.rule else NOT_ASSESSED_RULE,
        "kind": "fail" if assessed else "review",
        "level": ("error" if gap >= 2 else "warning") if assessed else "none",
        "message": {"text": _message(v, target)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": quote(a.id, safe=":/@")}},
                "logicalLocations": [
                    {"fullyQualifiedName": a.id, "name": clean(a.name), "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {
            "relscanUnit/v1": hashlib.sha256(f"{a.id}\n{a.kind}".encode()).hexdigest()
        },
        "properties": {
            "provider": a.provider,
            "kind": a.kind,
            "account": a.account,
            "location": a.location,
            "service": a.service,
            "level": a.level,
            "targetLevel": target,
            "status": target_status(v, target),
            "basis": a.basis,
            "evidence": [{"field": e.field, "value": show_value(e.value)} for e in a.evidence],
        },
    }
    if v.waived and v.waiver is not None:
        w = v.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"level {w.level} accepted by {w.approved_by} "
                f"until {w.expires.isoformat()}: {w.reason}",
            }
        ]
    return result


def _gaps(result: ScanResult, opts: RenderOptions) -> Iterator[UnitView]:
    """The units that get a result, each with where it stands."""
    threshold = _threshold(opts)
    return (v for v in views_of(result, opts) if is_gap(v.unit, threshold))


def document(result: ScanResult, opts: RenderOptions) -> dict[str, Any]:
    doc = _frame(result, opts)
    doc["runs"][0]["results"] = [_result(v, opts.target_level) for v in _gaps(result, opts)]
    return doc


def _frame(result: ScanResult, opts: RenderOptions) -> dict[str, Any]:
    """The log without its results (its `results` key holds None, in its place)."""
    gaps = (a for a in result.assessments if is_gap(a, _threshold(opts)))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "relscan",
                "version": result.tool_version or __version__,
                "rules": _descriptors(gaps),
            }
        },
        "invocations": [
            {
                "executionSuccessful": not result.errors,
                "startTimeUtc": result.started.isoformat().replace("+00:00", "Z"),
                **(
                    {"endTimeUtc": result.finished.isoformat().replace("+00:00", "Z")}
                    if result.finished
                    else {}
                ),
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": f"{e.scope} {e.service}: {clean(e.message, 1000)}"},
                    }
                    for e in result.errors
                ],
            }
        ],
        "results": None,
        "properties": {"targetLevel": opts.target_level, "scopes": list(result.scopes)},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, opts: RenderOptions) -> str:
    buf = io.StringIO()
    write(result, opts, buf)
    return buf.getvalue()


def write(result: ScanResult, opts: RenderOptions, out: TextIO) -> None:
    """The log written to `out` one result at a time (scanner/outputs/jsonstream.py):
    the same text as `json.dumps(document(...), indent=2, ensure_ascii=False)`
    and a newline."""
    doc = _frame(result, opts)
    doc["runs"][0]["results"] = mark = jsonstream.placeholder()
    results = (_result(v, opts.target_level) for v in _gaps(result, opts))
    jsonstream.write_document(doc, mark, results, out)


def render_one(a: Assessment, opts: RenderOptions) -> str:
    """`check`: the same log for one unit (no results when it meets the target)."""
    one = ScanResult(started=dt.datetime.now(dt.UTC), assessments=[a])
    one.finished = one.started
    return render(one, opts)
