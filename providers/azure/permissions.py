"""Every Resource Manager call relscan may make, declared once.

Each read is an HTTP method and a path pattern, with the Azure RBAC action
Resource Manager checks for it and the shape of a good answer. The client
pipeline (providers/azure/policies.py) refuses anything that matches no entry
before it is sent, and `relscan permissions azure` prints a custom role
definition generated from the same entries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from scanner.kit.paths import template_regex
from scanner.readonly import Grant


@dataclass(frozen=True)
class Read:
    operation: str  # the SDK call, e.g. web_apps.list
    service: str  # the SDK client: subscriptions, web, trafficmanager
    method: str
    path: str  # ARM path template; {x} is one path segment
    action: str  # the RBAC action Resource Manager checks
    shape: str  # "list" (value[] and nextLink) or "object"

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)


_SUB = "/subscriptions/{subscriptionId}"
_SITE = _SUB + "/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}"
_PROFILE = (
    _SUB + "/resourceGroups/{resourceGroupName}/providers/"
    "Microsoft.Network/trafficmanagerprofiles/{profileName}"
)
READS: tuple[Read, ...] = (
    Read(
        "subscriptions.list",
        "subscriptions",
        "GET",
        "/subscriptions",
        "Microsoft.Resources/subscriptions/read",
        "list",
    ),
    Read(
        "web_apps.list",
        "web",
        "GET",
        _SUB + "/providers/Microsoft.Web/sites",
        "Microsoft.Web/sites/read",
        "list",
    ),
    Read("web_apps.get", "web", "GET", _SITE, "Microsoft.Web/sites/read", "object"),
    Read(
        "web_apps.list_slots",
        "web",
        "GET",
        _SITE + "/slots",
        "Microsoft.Web/sites/slots/read",
        "list",
    ),
    Read(
        "web_apps.get_configuration",
        "web",
        "GET",
        _SITE + "/config/web",
        "Microsoft.Web/sites/config/read",
        "object",
    ),
    Read(
        "web_apps.get_configuration_slot",
        "web",
        "GET",
        _SITE + "/slots/{slot}/config/web",
        "Microsoft.Web/sites/slots/config/read",
        "object",
    ),
    Read(
        "profiles.list_by_subscription",
        "trafficmanager",
        "GET",
        _SUB + "/providers/Microsoft.Network/trafficmanagerprofiles",
        "Microsoft.Network/trafficManagerProfiles/read",
        "list",
    ),
    Read(
        "profiles.get",
        "trafficmanager",
        "GET",
        _PROFILE,
        "Microsoft.Network/trafficManagerProfiles/read",
        "object",
    ),
)
ROLE_NAME = "relscan reader"
ASSIGNABLE_SCOPE = "/subscriptions/{subscriptionId}"


def _compile(template: str) -> re.Pattern[str]:
    # ARM matches paths case-insensitively, with or without a trailing slash
    return template_regex(template, trailing_slash=True, ignore_case=True)


_PATTERNS = [(read, read.pattern) for read in READS]


def match(method: str, path: str) -> Read | None:
    """The declared read a request is, or None (then it must not be sent)."""
    for read, pattern in _PATTERNS:
        if read.method == method.upper() and pattern.match(path):
            return read
    return None


def actions() -> list[str]:
    return sorted({read.action for read in READS})


def role_definition() -> dict[str, object]:
    """An Azure custom role, in the form `az role definition create
    --role-definition @relscan-reader.json` and New-AzRoleDefinition take."""
    return {
        "Name": ROLE_NAME,
        "IsCustom": True,
        "Description": "Read-only access for relscan: subscriptions, App Service apps, "
        "their slots and config/web, and Traffic Manager profiles.",
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
