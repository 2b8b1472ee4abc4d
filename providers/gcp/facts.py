"""Reading facts out of SDK messages by their REST (JSON) field paths."""

from __future__ import annotations

from typing import Any

from scanner.model import FactValue, Observation


def api_dict(message: Any) -> dict[str, Any]:
    """A proto-plus message as the REST API writes it: camelCase names, enum
    names as text, fields that were not set left out."""
    return dict(
        type(message).to_dict(
            message,
            preserving_proto_field_name=False,
            use_integers_for_enums=False,
            always_print_fields_with_no_presence=False,
        )
    )


def dig(data: Any, path: str) -> Any:
    """Follow a dotted path through nested dicts; None where any step is absent."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def plain(value: Any) -> FactValue:
    """Keep scalars and lists of strings; anything else is shown as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return str(value)


def read_paths(
    obs: Observation, source: dict[str, Any], prefix: str, paths: list[tuple[str, str]]
) -> None:
    for name, path in paths:
        obs.add(name, f"{prefix}{path}", plain(dig(source, path)))


def labels(source: dict[str, Any], path: str = "labels") -> dict[str, str]:
    found = dig(source, path)
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
