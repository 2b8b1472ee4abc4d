"""URL map labels: URL maps carry no labels of their own, so a map is labelled
by the forwarding rules that send traffic to it (through an HTTP or HTTPS
target proxy)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from providers.gcp.aggregated import aggregated_items
from providers.gcp.facts import labels

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

_KEY = re.compile(r"(projects/[^/]+/(?:global|regions/[^/]+)/[A-Za-z]+/[^/]+)$")
PROXIES = (("target_http_proxies", "target_http_proxies"),
           ("target_https_proxies", "target_https_proxies"))  # fmt: skip


def resource_key(url: str | None) -> str | None:
    """`projects/P/global/COLLECTION/NAME` (or regions/R) from a Compute Engine URL."""
    m = _KEY.search(url or "")
    return m.group(1) if m else None


def url_map_labels(clients: GcpClients, project: str) -> dict[str, dict[str, str]]:
    """Labels by URL map key, merged from the forwarding rules in front of each
    map (in rule-name order; the first rule to set a key wins). Three aggregated
    lists per project: HTTP proxies, HTTPS proxies, forwarding rules."""
    proxy_to_map: dict[str, str] = {}
    for client_name, attr in PROXIES:
        for proxy in aggregated_items(clients, client_name, project, attr):
            key, target = resource_key(proxy.get("selfLink")), resource_key(proxy.get("urlMap"))
            if key and target:
                proxy_to_map[key] = target
    found: dict[str, dict[str, str]] = {}
    rules = aggregated_items(clients, "forwarding_rules", project, "forwarding_rules")
    for rule in sorted(rules, key=lambda r: str(r.get("name"))):
        url_map = proxy_to_map.get(resource_key(rule.get("target")) or "")
        if url_map:
            merged = found.setdefault(url_map, {})
            for k, v in labels(rule).items():
                merged.setdefault(k, v)
    return found
