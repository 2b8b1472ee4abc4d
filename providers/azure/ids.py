"""Parsing the Azure resource ids and subscription ids that relscan accepts.

Azure matches resource ids case-insensitively, and so does relscan: the
provider namespace and type may come in any case. Which resource types `check`
takes, how their names are spelt and which of their children are part of the
unit come from the kinds the plugin lists (providers/azure/kind.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from providers.azure.kind import AzureKind
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


def declared_kinds() -> tuple[AzureKind, ...]:
    """The kinds the plugin lists, in its order (imported on first use: the
    plugin imports this module)."""
    from providers.azure.plugin import plugin

    return tuple(kind for kind in plugin.kinds() if isinstance(kind, AzureKind))


def kind_of(type_key: str, kinds: Sequence[AzureKind] | None = None) -> AzureKind | None:
    """The kind of a resource type ("microsoft.web/sites", any case), if one is declared."""
    for kind in declared_kinds() if kinds is None else kinds:
        if kind.type_key == type_key.lower():
            return kind
    return None


@dataclass(frozen=True)
class ResourceId:
    subscription: str
    group: str
    kind: str  # the resource type in lower case, a declared kind's type_key
    name: str
    # A child resource's parents' names, outermost first (a profile's name for
    # an origin group); empty for a top-level resource.
    parents: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The id as ARM spells it (parse_resource_id(rid.text) == rid)."""
        declared = kind_of(self.kind)
        namespace, *types = (declared.resource_type if declared else self.kind).split("/")
        names = (*self.parents, self.name)
        path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=False))
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"
            f"/providers/{namespace}/{path}"
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


def parse_resource_id(text: str, kinds: Sequence[AzureKind] | None = None) -> ResourceId:
    """A resource id as ARM writes it, of a declared kind (default: the
    plugin's); one trailing '/' (as copied from a URL) is allowed."""
    declared = declared_kinds() if kinds is None else tuple(kinds)
    body = text[:-1] if text.endswith("/") and len(text) > 1 else text
    m = _RESOURCE.match(body)
    if not m:
        raise UsageError(
            f"malformed Azure resource id {text!r}: {_id_problem(text)} (expected {_EXPECTED})"
        )
    top = f"{m['namespace']}/{m['type']}"
    rest = m["rest"]
    base = body[: len(body) - len(rest)]
    children = rest.split("/")[1:] if rest else []
    kind = kind_of(top, declared)
    parents: tuple[str, ...] = ()
    if kind is not None and rest:
        folded = kind.folded_message(children[0]) if len(children) == 2 else None
        if folded is not None:
            raise UsageError(folded.format(text=text, base=base))
        raise UsageError(
            f"{text[:300]!r} names a part ({children[0][:60]}) of a {kind.noun}; relscan "
            f"assesses the {kind.noun} itself: check {base}"
        )
    if kind is None:
        kind, parents = _child_of(text, body, top, m["name"], children, declared)
    if kind is None:
        below = any(k.child_types and k.top_type_key == top.lower() for k in declared)
        named = f"{top}/{children[0]}" if below and children else top
        raise UsageError(
            f"unsupported Azure resource kind {named}; relscan checks "
            f"{' and '.join(k.id_form for k in declared)}"
        )
    name = children[-1] if parents else m["name"]
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
    for parent in parents:
        if kind.parent_name_pattern is not None and not kind.parent_name_pattern.match(parent):
            raise UsageError(
                f"malformed Azure resource id {text!r}: {kind.parent_noun} name {parent!r} is "
                f"not {kind.parent_name_rule}, starting and ending with a letter or digit"
            )
    if not kind.name_pattern.match(name):
        raise UsageError(
            f"malformed Azure resource id {text!r}: name {name!r} is not {kind.name_rule}, "
            "starting and ending with a letter or digit"
        )
    return ResourceId(sub, m["group"], kind.type_key, name, parents)


def _child_of(
    text: str,
    body: str,
    top: str,
    first_name: str,
    children: list[str],
    declared: Sequence[AzureKind],
) -> tuple[AzureKind | None, tuple[str, ...]]:
    """The child kind an id names below a top-level type no kind claims, and
    its parents' names; (None, ()) when no child kind lives under `top`. The
    id of a parent, or of a part of the unit, is refused naming the unit."""
    for kind in declared:
        types = kind.child_types
        if not types or kind.top_type_key != top.lower():
            continue
        if not children:
            raise UsageError(
                f"{text[:300]!r} is a {kind.parent_noun}; relscan assesses its "
                f"{kind.titles}: check {body}/{types[0]}/NAME"
            )
        steps = len(types)
        named = [c.lower() for c in children[0 : 2 * steps : 2]]
        if len(children) < 2 * steps or named != [t.lower() for t in types]:
            continue
        if len(children) > 2 * steps:
            unit = body[: len(body) - len("/".join(["", *children[2 * steps :]]))]
            raise UsageError(
                f"{text[:300]!r} names a part ({children[2 * steps][:60]}) of a {kind.noun}; "
                f"relscan assesses the {kind.noun} itself: check {unit}"
            )
        return kind, (first_name, *children[1 : 2 * steps - 1 : 2])
    return None, ()
