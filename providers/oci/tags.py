"""OCI tags as relscan tags: freeform tags as they are, defined tags as NAMESPACE.KEY."""

from __future__ import annotations

from typing import Any


def tags_of(resource: Any) -> dict[str, str]:
    """Tags that cannot be read are left out: they assign services, they
    decide no level."""
    try:
        return _tags(resource)
    except (AttributeError, TypeError, ValueError):
        return {}


def _tags(resource: Any) -> dict[str, str]:
    tags: dict[str, str] = {}
    for namespace, values in sorted((getattr(resource, "defined_tags", None) or {}).items()):
        for key, value in sorted((values or {}).items()):
            tags[f"{namespace}.{key}"] = str(value)
    for key, value in sorted((getattr(resource, "freeform_tags", None) or {}).items()):
        tags[str(key)] = str(value)
    return tags
