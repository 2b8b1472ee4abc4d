"""Waivers: a board's accepted gaps, each with an approver and an expiry date.

A waivers file (TOML or YAML) holds a list `waivers`; each entry names either a
resource id pattern (`match`) or a `service`, the level the board accepts, the
reason, who approved it, and when it expires. An expired waiver is reported as
expired and no longer applies. Errors name the file and the line.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from scanner import textfile
from scanner.errors import UsageError
from scanner.model import Assessment
from scanner.services import service_name

FIELDS = {"match", "service", "level", "reason", "approved_by", "expires"}


@dataclass(frozen=True)
class Waiver:
    level: int
    reason: str
    approved_by: str
    expires: dt.date
    match: str | None = None
    service: str | None = None
    line: int = 0

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def covers(self, a: Assessment) -> bool:
        if self.match is not None:
            return fnmatchcase(a.id.lower(), self.match.lower())
        return service_name(a) == self.service

    @property
    def target(self) -> str:
        return f"id {self.match}" if self.match is not None else f"service {self.service}"


class _DatesAsText(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text: `expires` is then checked
    here, so an impossible date (2026-02-30) is a one-line error with its line,
    not the loader's exception."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _expiry(value: Any) -> dt.date:
    """A waiver's expiry date: YYYY-MM-DD (a TOML date, or YAML text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError as exc:
        detail = str(exc) if "out of range" in str(exc) else "YYYY-MM-DD"
        raise ValueError(f"expires {value!r} is not a date ({detail})") from None


def _yaml_lines(text: str) -> list[dict[str, int]]:
    """For each waiver entry, the line of each of its keys (1-based)."""
    root = yaml.compose(text)
    out: list[dict[str, int]] = []
    if root is None or not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if key.value == "waivers" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                lines = {"": item.start_mark.line + 1}
                if isinstance(item, yaml.MappingNode):
                    lines.update({k.value: k.start_mark.line + 1 for k, _ in item.value})
                out.append(lines)
    return out


def _toml_lines(text: str) -> list[dict[str, int]]:
    out: list[dict[str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.replace(" ", "") == "[[waivers]]":
            out.append({"": number})
        elif out and "=" in line and not line.startswith("#"):
            out[-1].setdefault(line.split("=", 1)[0].strip(), number)
    return out


def _parse(path: Path) -> tuple[Any, list[dict[str, int]]]:
    text = textfile.read(path, f"waivers file {path}")
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text), _toml_lines(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"waivers file {path}: {exc}") from None
    try:
        return yaml.load(text, Loader=_DatesAsText), _yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise UsageError(f"waivers file {path}{where}: {problem}") from None


def _entry(path: Path, raw: Any, lines: dict[str, int]) -> Waiver:
    def fail(key: str, message: str) -> UsageError:
        return UsageError(f"waivers file {path} line {lines.get(key, lines.get('', 0))}: {message}")

    if not isinstance(raw, dict):
        raise fail("", "each waiver is a table of keys")
    unknown = set(raw) - FIELDS
    if unknown:
        key = sorted(unknown)[0]
        raise fail(key, f"unknown key {key!r} (expected {', '.join(sorted(FIELDS))})")
    if ("match" in raw) == ("service" in raw):
        raise fail("", "a waiver names exactly one of 'match' (an id pattern) or 'service'")
    for key in ("level", "reason", "approved_by", "expires"):
        if key not in raw or raw[key] in (None, ""):
            raise fail("", f"missing {key!r}")
    level = raw["level"]
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        raise fail("level", f"level must be a whole number from 1 to 5, not {level!r}")
    try:
        expires = _expiry(raw["expires"])
    except ValueError as exc:
        raise fail("expires", str(exc)) from None
    return Waiver(
        level=level,
        reason=str(raw["reason"]),
        approved_by=str(raw["approved_by"]),
        expires=expires,
        match=str(raw["match"]) if "match" in raw else None,
        service=str(raw["service"]) if "service" in raw else None,
        line=lines.get("", 0),
    )


def load_waivers(path: str | Path, known_services: set[str] | None = None) -> list[Waiver]:
    path = Path(path)
    data, lines = _parse(path)
    if not isinstance(data, dict) or not isinstance(data.get("waivers"), list):
        raise UsageError(f"waivers file {path} line 1: expected a list named 'waivers'")
    waivers = []
    for index, raw in enumerate(data["waivers"]):
        where = lines[index] if index < len(lines) else {}
        waiver = _entry(path, raw, where)
        if known_services is not None and waiver.service and waiver.service not in known_services:
            line = where.get("service", where.get("", 0))
            raise UsageError(
                f"waivers file {path} line {line}: unknown service {waiver.service!r} "
                "(no unit of the scan belongs to it)"
            )
        waivers.append(waiver)
    return waivers


@dataclass(frozen=True)
class WaiverStatus:
    """How the waivers bear on one unit."""

    active: Waiver | None  # the waiver in force that covers the unit, if any
    expired: Waiver | None  # a covering waiver that has expired


def waiver_for(a: Assessment, waivers: list[Waiver], today: dt.date) -> WaiverStatus:
    active = next((w for w in waivers if w.covers(a) and not w.expired(today)), None)
    expired = next((w for w in waivers if w.covers(a) and w.expired(today)), None)
    return WaiverStatus(active, expired)
