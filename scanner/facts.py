"""Helpers providers share for reading facts out of API answers (plain data)."""

from __future__ import annotations

import json
from typing import Any

from scanner.model import FactValue, Observation


def dig(data: Any, path: str) -> Any:
    """Follow a dotted path through nested dicts; None where any step is absent."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def plain(value: Any) -> FactValue:
    """Keep scalars and lists of strings; anything else is shown as text (JSON
    where it is JSON data, so an auditor reads the API's own shape)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return text(value)


def text(value: Any) -> str:
    """Any JSON value as one string (strings unchanged)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def read_paths(
    obs: Observation,
    source: dict[str, Any],
    prefix: str,
    paths: list[tuple[str, str]],
    sep: str = ".",
) -> None:
    """Add one fact per (name, dotted path), its field named prefix + sep + path."""
    for name, path in paths:
        obs.add(name, f"{prefix}{sep}{path}", plain(dig(source, path)))
