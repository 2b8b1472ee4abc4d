"""Reading values out of Resource Manager JSON as data, whatever arrives.

Answers are untrusted: a field may be missing, null, of the wrong type, huge,
or full of control characters. Missing and null are "read, and absent"; a
value of the wrong type is `Unusable`, which a reader turns into an unknown
fact (the unit is then not assessed, with the reason), never a crash.
"""

from __future__ import annotations

from typing import Any

from scanner.facts import text
from scanner.model import Observation

SHOWN = 80  # characters of a bad value quoted in a reason


class Unusable(ValueError):
    """A field holds a value of the wrong type."""


def shown(value: Any) -> str:
    """A bad value, quoted briefly for a reason or an error."""
    quoted = repr(value)
    return quoted if len(quoted) <= SHOWN else quoted[:SHOWN] + "...'"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def string(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Unusable(f"{field} is {_kind(value)} ({shown(value)}), not a string")


def number(value: Any, field: str) -> int | float | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise Unusable(f"{field} is {_kind(value)} ({shown(value)}), not a number")


def objects(value: Any, field: str) -> list[dict[str, Any]]:
    """A list of JSON objects (null or missing is empty)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        what = _kind(value) if not isinstance(value, list) else "a list with a non-object item"
        raise Unusable(f"{field} is {what}, not a list of objects")
    return value


def tags(value: Any) -> dict[str, str]:
    """ARM tags as strings; tags are labels, so a malformed set is dropped."""
    if not isinstance(value, dict):
        return {}
    return {text(k): "" if v is None else text(v) for k, v in value.items()}


def add_checked(obs: Observation, name: str, field: str, read: Any) -> None:
    """`obs.add` of read(), or the fact unknown with why it is unusable."""
    try:
        obs.add(name, field, read())
    except Unusable as exc:
        obs.unknown(name, field, f"malformed answer: {exc}")


def as_record(item: Any) -> Any:
    """An SDK model as the API's own dict (camelCase); anything else unchanged."""
    return item.as_dict() if hasattr(item, "as_dict") else item
