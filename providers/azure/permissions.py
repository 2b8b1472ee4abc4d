"""Every Resource Manager call relscan may make: the provider's own
(listing subscriptions) and each kind's, as its reader module declares them.

Each read is an HTTP method and a path pattern, with the Azure RBAC action
Resource Manager checks for it and the shape of a good answer. The client
pipeline (providers/azure/policies.py) refuses anything that matches no entry
before it is sent, and `relscan permissions azure` prints a custom role
definition generated from the same entries.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from providers.azure.kind import AzureKind, Read
from scanner.readonly import Grant

__all__ = ["READS", "Read", "actions", "grant", "match", "request_key", "role_definition"]

# The provider's own reads (discovery); each kind declares its own calls.
DISCOVERY: tuple[Read, ...] = (
    Read(
        "subscriptions.list",
        "subscriptions",
        "GET",
        "/subscriptions",
        "Microsoft.Resources/subscriptions/read",
        "list",
    ),
)


def _kinds() -> list[AzureKind]:
    from providers.azure.plugin import plugin

    return [kind for kind in plugin.kinds() if isinstance(kind, AzureKind)]


# Two kinds may make the same call: it is declared once.
READS: tuple[Read, ...] = tuple(
    dict.fromkeys(DISCOVERY + tuple(call for kind in _kinds() for call in kind.calls))
)
ROLE_NAME = "relscan reader"
ASSIGNABLE_SCOPE = "/subscriptions/{subscriptionId}"
_PATTERNS: list[tuple[Read, re.Pattern[str]]] = [(read, read.pattern) for read in READS]


def match(method: str, path: str) -> Read | None:
    """The declared read a request is, or None (then it must not be sent)."""
    for read, pattern in _PATTERNS:
        if read.method == method.upper() and pattern.match(path):
            return read
    return None


def actions() -> list[str]:
    return sorted({read.action for read in READS})


def _description() -> str:
    """What the role reads: subscriptions, then each kind's own note."""
    *first, last = ["subscriptions", *(kind.grant_note or kind.titles for kind in _kinds())]
    return f"Read-only access for relscan: {', '.join(first)}, and {last}."


def role_definition() -> dict[str, object]:
    """An Azure custom role, in the form `az role definition create
    --role-definition @relscan-reader.json` and New-AzRoleDefinition take."""
    return {
        "Name": ROLE_NAME,
        "IsCustom": True,
        "Description": _description(),
        "Actions": actions(),
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": [ASSIGNABLE_SCOPE],
    }


def grant() -> Grant:
    return Grant(
        provider="azure",
        title="Azure custom role definition",
        document=json.dumps(role_definition(), indent=2) + "\n",
        permissions=actions(),
    )


def request_key(method: str, url: str, prefix: str = "") -> dict[str, object]:
    """What an evidence bundle's replay matches a request on: the method, the
    path below the endpoint's own path (decoded, lower case: ARM ignores case)
    and the sorted query. Hosts and ports are left out: a bundle recorded from
    the public cloud or an emulator replays from any loopback port."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if prefix and path.lower().startswith(prefix.lower()):
        path = path[len(prefix) :] or "/"
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return {"method": method.upper(), "path": path.lower(), "query": [list(q) for q in query]}
