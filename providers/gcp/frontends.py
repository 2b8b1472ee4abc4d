"""URL map labels: URL maps carry no labels of their own, so a map is labelled
by the forwarding rules that send traffic to it (through an HTTP or HTTPS
target proxy)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from providers.gcp.aggregated import aggregated_items
from providers.gcp.facts import labels
from scanner.fanout import fan_out

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

_KEY = re.compile(r"(projects/[^/]+/(?:global|regions/[^/]+)/[A-Za-z]+/[^/]+)$")
PROXIES = ("target_http_proxies", "target_https_proxies")  # each client's name is its list's


def resource_key(url: str | None) -> str | None:
    """`projects/P/global/COLLECTION/NAME` (or regions/R) from a Compute Engine URL."""
    m = _KEY.search(url or "")
    return m.group(1) if m else None


def url_map_labels(clients: GcpClients, project: str) -> dict[str, dict[str, str]]:
    """Labels by URL map key, merged from the forwarding rules in front of each
    map (in rule-name order; the first rule to set a key wins). Three aggregated
    lists per project, read side by side: HTTP proxies, HTTPS proxies,
    forwarding rules."""

    def listed(client_name: str) -> list[dict[str, Any]]:
        return aggregated_items(clients, client_name, project, client_name)

    # The three lists are read side by side; a failure is raised in list order.
    http, https, rules = fan_out((*PROXIES, "forwarding_rules"), listed)
    proxy_to_map: dict[str, str] = {}
    for proxy in (*http, *https):
        key, target = resource_key(proxy.get("selfLink")), resource_key(proxy.get("urlMap"))
        if key and target:
            proxy_to_map[key] = target
    found: dict[str, dict[str, str]] = {}
    for rule in sorted(rules, key=lambda r: str(r.get("name"))):
        url_map = proxy_to_map.get(resource_key(rule.get("target")) or "")
        if url_map:
            merged = found.setdefault(url_map, {})
            for k, v in labels(rule).items():
                merged.setdefault(k, v)
    return found
