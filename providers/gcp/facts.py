"""Reading facts out of SDK messages by their REST (JSON) field paths."""

from __future__ import annotations

from typing import Any

from scanner.facts import dig


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


def labels(source: dict[str, Any], path: str = "labels") -> dict[str, str]:
    found = dig(source, path)
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
