"""Instance template labels: managed instance groups carry no labels of their
own, so a group is labelled by the instances its template creates."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from providers.gcp.aggregated import aggregated_items
from providers.gcp.facts import labels

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

_PATH = re.compile(r"(projects/[^/]+/(?:global|regions/[^/]+)/instanceTemplates/[^/]+)$")


def template_key(url: str | None) -> str | None:
    """`projects/P/global/instanceTemplates/N` (or regions/R) from a template URL."""
    m = _PATH.search(url or "")
    return m.group(1) if m else None


def template_labels(clients: GcpClients, project: str) -> dict[str, dict[str, str]]:
    """Every global and regional template's instance labels, by template key:
    one aggregated list per project."""
    found: dict[str, dict[str, str]] = {}
    kind = "instance_templates"
    for raw in aggregated_items(clients, kind, project, kind):
        key = template_key(raw.get("selfLink"))
        if key:
            found[key] = labels(raw, "properties.labels")
    return found
