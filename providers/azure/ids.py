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


_EXPECTED = "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/NAMESPACE/TYPE/NAME"
# The segments of a resource id in order: a literal word, or (what it is) in brackets.
_SEGMENTS = (
    "subscriptions",
    "(subscription id)",
    "resourceGroups",
    "(resource group name)",
    "providers",
    "(provider namespace)",
    "(resource type)",
    "(resource name)",
)


def _id_problem(text: str) -> str:
    """What is wrong with a text that does not have a resource id's form."""
    segments = text.split("/")
    if segments[0]:
        return "it must start with /subscriptions/"
    for i, want in enumerate(_SEGMENTS, start=1):
        word = want.strip("()")
        if i >= len(segments):
            return f"the {word} is missing" if want.startswith("(") else f"it ends before /{want}/"
        segment = segments[i]
        if want.startswith("("):
            if not segment:
                return f"the {word} is empty"
        elif segment.lower() != want.lower():
            return f"expected {want!r} where it has {segment[:60]!r}"
    return "it does not have the form of a resource id"


def parse_resource_id(text: str) -> ResourceId:
    """A resource id as ARM writes it; one trailing '/' (as copied from a URL)
    is allowed."""
    body = text[:-1] if text.endswith("/") and len(text) > 1 else text
    m = _RESOURCE.match(body)
    if not m:
        raise UsageError(
            f"malformed Azure resource id {text!r}: {_id_problem(text)} (expected {_EXPECTED})"
        )
    kind = f"{m['namespace']}/{m['type']}".lower()
    rest = m["rest"].lower()
    base = body[: len(body) - len(m["rest"])]
    if kind == SITES and rest.startswith("/slots/") and rest.count("/") == 2:
        raise UsageError(
            f"{text} is a deployment slot; relscan assesses the app with its slots: check {base}"
        )
    if kind in (SITES, PROFILES) and rest:
        what = "web app" if kind == SITES else "Traffic Manager profile"
        part = m["rest"].split("/")[1]
        raise UsageError(
            f"{text[:300]!r} names a part ({part[:60]}) of a {what}; relscan assesses the "
            f"{what} itself: check {base}"
        )
    if kind not in (SITES, PROFILES):
        raise UsageError(
            f"unsupported Azure resource kind {m['namespace']}/{m['type']}; relscan checks "
            f"{' and '.join(SUPPORTED)}"
        )
    try:
        sub = subscription_id(m["subscription"])
    except UsageError:
        raise UsageError(
            f"malformed Azure resource id {text!r}: subscription {m['subscription']!r} is not "
            "a GUID such as 00000000-0000-0000-0000-000000000000"
        ) from None
    if not _GROUP.match(m["group"]):
        raise UsageError(
            f"malformed Azure resource id {text!r}: resource group name {m['group']!r} is not "
            "1 to 90 letters, digits, '_', '-', '.' and parentheses, not ending in '.'"
        )
    if not (_SITE if kind == SITES else _PROFILE).match(m["name"]):
        rule = (
            "1 to 60 letters, digits and hyphens"
            if kind == SITES
            else "1 to 63 letters, digits, hyphens and periods"
        )
        raise UsageError(
            f"malformed Azure resource id {text!r}: name {m['name']!r} is not {rule}, "
            "starting and ending with a letter or digit"
        )
    return ResourceId(sub, m["group"], kind, m["name"])
