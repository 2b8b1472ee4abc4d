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
