"""The JSON scan document's schema, written once: `relscan report` validates
what it reads against these models, and docs/scan-schema.json is generated
from them (`python -m scanner.scan_schema docs/scan-schema.json`; a test
keeps it in step). docs/output.md describes each key.

Readers ignore keys they do not know (keys are only ever added within a
schema version), but every key they use must have its documented type and
range: a level of 9, "high" or 4.0 is refused, not guessed at.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from scanner.model import FactValue
from scanner.practice.practice import STATUSES
from scanner.practice.records import OUTCOMES, RECORD_KINDS, ROLLBACK_BY

SCHEMA_VERSIONS = (1, 2)  # what `relscan report` reads; the newest is written


def _timestamp(text: str) -> str:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date and time: {text[:60]!r}") from None
    return text


Timestamp = Annotated[str, AfterValidator(_timestamp)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class ScopeErrorDoc(_Model):
    provider: str
    scope: str
    service: str
    message: str


class ScanDoc(_Model):
    started: Timestamp
    finished: Timestamp | None = None
    seconds: float | None = None
    tool_version: str = ""
    scopes: list[str] = Field(default_factory=list)
    errors: list[ScopeErrorDoc] = Field(default_factory=list)
    origin: Literal["live", "demo", "evidence"] = "live"


class EvidenceDoc(_Model):
    field: str
    value: FactValue


class WaiverDoc(_Model):
    match: str | None
    service: str | None
    level: Annotated[int, Field(ge=1, le=5)]
    reason: str
    approved_by: str
    expires: str
    expired: bool
    line: int = 0


Count = Annotated[int, Field(ge=0)]
Rate = Annotated[float, Field(ge=0)]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
# Release starts by local day of the week (0 Monday) and hour: 7 rows of 24.
Heatmap = Annotated[
    list[Annotated[list[Count], Field(min_length=24, max_length=24)]],
    Field(min_length=7, max_length=7),
]


class ReleaseDoc(_Model):
    """One deployment record (scanner/practice/records.py `Release`)."""

    source: Text
    id: Text
    started: Timestamp
    ended: Timestamp | None = None
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    kind: Literal[RECORD_KINDS]  # type: ignore[valid-type]
    rolled_back: Literal[ROLLBACK_BY] | None = None  # type: ignore[valid-type]
    restored: Timestamp | None = None
    started_by: str | None = None
    detail: str = ""


class PeriodDoc(_Model):
    days: Annotated[int, Field(ge=1)]
    start: Timestamp
    end: Timestamp
    covered_from: Timestamp
    covered_days: Annotated[float, Field(ge=0)]


class RolledBackDoc(_Model):
    automatic: Count
    manual: Count


class WindowDoc(_Model):
    kind: Literal["weekly", "daily"]
    day: Annotated[int, Field(ge=0, le=6)] | None
    start: Clock
    minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    timezone: Text
    inside: Count
    of: Count
    outside_working_hours: bool
    declared: bool
    text: str
    field: str | None = None
    days: list[Annotated[int, Field(ge=0, le=6)]] | None = None  # a declared window's days


class PracticeDoc(_Model):
    """A unit's `practice` block (with --history): what its deployment records
    say about the period (scanner/practice/practice.py `Practice`)."""

    status: Literal[STATUSES]  # type: ignore[valid-type]
    source: str
    period: PeriodDoc
    kept: str = ""
    note: str = ""
    unavailable: str | None = None
    error: str | None = None
    left_out: dict[str, Count] = Field(default_factory=dict)
    release_count: Count = 0
    per_week: Rate | None = None
    last_release: Timestamp | None = None
    failed: Count = 0
    stopped: Count = 0
    rolled_back: RolledBackDoc
    failure_rate: Rate | None = None
    rollback_rate: Rate | None = None
    automatic_rollback_rate: Rate | None = None
    manual_rollback_rate: Rate | None = None
    change_failure_rate: Rate | None = None
    time_to_restore_minutes: Rate | None = None
    timezone: Text
    working_hours: str = ""
    heatmap: Heatmap
    window: WindowDoc | None = None
    configured_level: Annotated[int, Field(ge=1, le=5)] | None = None
    capped: bool = False
    confirmed: bool = False
    agrees: bool = False
    notes: list[str] = Field(default_factory=list)
    releases: list[ReleaseDoc] = Field(default_factory=list)


class ServicePracticeDoc(_Model):
    """A service's `practice` block (scanner/practice/services.py): its units'
    records taken together."""

    units: Count
    statuses: dict[str, Count] = Field(default_factory=dict)
    release_count: Count
    per_week: Rate | None = None
    last_release: Timestamp | None = None
    failed: Count
    stopped: Count
    rolled_back: RolledBackDoc
    failure_rate: Rate | None = None
    rollback_rate: Rate | None = None
    change_failure_rate: Rate | None = None
    time_to_restore_minutes: Rate | None = None
    timezone: Text
    working_hours: str = ""
    heatmap: Heatmap
    window: WindowDoc | None = None
    windowed: bool = False
    capped: list[str] = Field(default_factory=list)
    confirmed: list[str] = Field(default_factory=list)
    not_exercised: list[str] = Field(default_factory=list)
    no_records: list[str] = Field(default_factory=list)


class ServiceDoc(_Model):
    """A service (written with --history only): its level and its practice."""

    name: Text
    level: Annotated[int, Field(ge=0, le=5)]  # 0: "I don't know"
    units: Count
    practice: ServicePracticeDoc | None = None


class ResourceDoc(_Model):
    id: Text
    provider: Text
    kind: Text
    name: str
    account: str
    location: str
    tags: dict[str, str] = Field(default_factory=dict)
    service: str | None = None
    level: Annotated[int, Field(ge=1, le=5)] | None
    status: Literal["assessed", "not_assessed"]
    rule: str | None = None
    basis: Literal["policy", "snapshot"] | None = None  # schema_version 2
    reason: str = ""
    evidence: list[EvidenceDoc] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    # schema_version 2, written by the run that rendered the document (with its
    # --target-level and --waivers); `relscan report` works them out again.
    target_status: Literal["meets_target", "accepted", "below_target", "not_assessed"] | None = None
    waiver: WaiverDoc | None = None
    practice: PracticeDoc | None = None  # with --history only

    @model_validator(mode="after")
    def _level_agrees_with_status(self) -> ResourceDoc:
        if (self.level is None) != (self.status == "not_assessed"):
            raise ValueError(
                f"level {self.level} does not agree with status {self.status!r} "
                "(a unit has a level exactly when it was assessed)"
            )
        return self


class SummaryDoc(_Model):
    total: Annotated[int, Field(ge=0)]
    levels: dict[str, Annotated[int, Field(ge=0)]]
    not_assessed: Annotated[int, Field(ge=0)]


class ScanDocument(_Model):
    """A whole scan document (`relscan scan --format json`)."""

    schema_version: Literal[SCHEMA_VERSIONS]  # type: ignore[valid-type]
    target_level: Annotated[int, Field(ge=1, le=5)] | None = None  # schema_version 2
    scan: ScanDoc
    summary: SummaryDoc | None = None  # recomputed from `resources` when read
    services: list[ServiceDoc] | None = None  # with --history only; recomputed when read
    resources: list[ResourceDoc]


def _where(loc: tuple[int | str, ...], doc: object) -> str:
    """A pydantic error location as a path (resources[3].level), naming the unit's id."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    if len(loc) >= 2 and loc[0] == "resources" and isinstance(loc[1], int):
        try:
            uid = doc["resources"][loc[1]]["id"]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            uid = None
        if isinstance(uid, str):
            out += f" (unit {uid[:200]})"
    return out or "the document"


def problem(exc: ValidationError, doc: object) -> str:
    """The first validation error as one line, with how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] not in ("missing", "model_type", "model_attributes_type", "value_error"):
        shown = json.dumps(first.get("input"), ensure_ascii=False, default=str)
        message += f", not {shown[:80]}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    if not first["loc"]:
        return "the document is not a JSON object" + more
    return f"{_where(tuple(first['loc']), doc)}: {message}{more}"


def json_schema() -> dict[str, object]:
    schema = ScanDocument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "relscan scan document"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m scanner.scan_schema [PATH]
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
