"""Parsing the Azure resource ids and subscription ids that relscan accepts.

Azure matches resource ids case-insensitively, and so does relscan: the
provider namespace and type may come in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_DOMAIN = re.compile(
    r"^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63})+$", re.I
)
_RESOURCE = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)"
    r"/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<rest>(?:/[^/]+)*)$",
    re.I,
)
# Resource group names: letters, digits, underscores, hyphens, periods and
# parentheses, 1 to 90 characters, not ending in a period.
_GROUP = re.compile(r"^[\w().-]{0,89}[\w()-]$")
_SITE = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$|^[a-z0-9]$", re.I)
_PROFILE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]$|^[a-z0-9]$", re.I)

SITES = "microsoft.web/sites"
PROFILES = "microsoft.network/trafficmanagerprofiles"
PROFILES_TYPE = "Microsoft.Network/trafficManagerProfiles"
SUPPORTED = (
    "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Microsoft.Web/sites/APP",
    "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
    "Microsoft.Network/trafficManagerProfiles/PROFILE",
)


@dataclass(frozen=True)
class ResourceId:
    subscription: str
    group: str
    kind: str  # SITES or PROFILES
    name: str

    @property
    def text(self) -> str:
        """The id as ARM spells it (parse_resource_id(rid.text) == rid)."""
        kind = "Microsoft.Web/sites" if self.kind == SITES else PROFILES_TYPE
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"
            f"/providers/{kind}/{self.name}"
        )


def looks_like_resource_id(text: str) -> bool:
    return text.lower().startswith("/subscriptions/")


def subscription_id(text: str) -> str:
    """A subscription id is a GUID; returned in lower case, as ARM reports it."""
    value = text.strip()
    if not GUID.match(value):
        raise UsageError(
            f"malformed Azure subscription id {text!r}: expected a GUID such as "
            "00000000-0000-0000-0000-000000000000"
        )
    return value.lower()


def tenant_id(text: str) -> str:
    value = text.strip()
    if not (GUID.match(value) or _DOMAIN.match(value)):
        raise UsageError(
            f"malformed Azure tenant {text!r}: expected a tenant GUID or a domain "
            "such as contoso.onmicrosoft.com"
        )
    return value


def parse_resource_id(text: str) -> ResourceId:
    m = _RESOURCE.match(text)
    if not m:
        raise UsageError(
            f"malformed Azure resource id {text!r}: expected /subscriptions/SUBSCRIPTION/"
            "resourceGroups/GROUP/providers/NAMESPACE/TYPE/NAME"
        )
    kind = f"{m['namespace']}/{m['type']}".lower()
    rest = m["rest"].lower()
    if kind == SITES and rest.startswith("/slots/") and rest.count("/") == 2:
        raise UsageError(
            f"{text} is a deployment slot; relscan assesses the app with its slots: "
            f"check {text[: len(text) - len(m['rest'])]}"
        )
    if kind not in (SITES, PROFILES) or rest:
        sub_types = "".join(f"/{t}" for t in m["rest"].split("/")[1::2])
        shown = f"{m['namespace']}/{m['type']}{sub_types}"
        raise UsageError(
            f"unsupported Azure resource kind {shown}; relscan checks {' and '.join(SUPPORTED)}"
        )
    sub = subscription_id(m["subscription"])
    if not _GROUP.match(m["group"]):
        raise UsageError(f"malformed Azure resource id {text!r}: bad resource group name")
    if not (_SITE if kind == SITES else _PROFILE).match(m["name"]):
        raise UsageError(f"malformed Azure resource id {text!r}: bad resource name")
    return ResourceId(sub, m["group"], kind, m["name"])
