"""How an Azure kind of release unit is declared: the core's `Kind`, plus
what Resource Manager needs to know about it (its resource type, the name rule
of its ids, the SDK client that reads it, and every call that client makes).

Everything here imports without the Azure SDK: the core loads every kind to
check the rule files, and `relscan check` refuses a malformed id before any
SDK is imported. A reader module declares one `KIND = arm_kind(...)`; the id
parser, the scan loop, `check`, the permissions table (and so the client
guard and the custom role) all read the declarations of the kinds the plugin
lists in `readers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.kind import FactSpec, Kind
from scanner.kit.paths import template_regex

# The start of every ARM resource id, as a person writes it and as a pattern.
ID_PREFIX = "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers"
_ID_PREFIX = r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers"
SUBSCRIPTION_PATH = "/subscriptions/{subscriptionId}"
GROUP_PATH = SUBSCRIPTION_PATH + "/resourceGroups/{resourceGroupName}"


@dataclass(frozen=True)
class Read:
    """One Resource Manager call relscan may make."""

    operation: str  # the SDK call, e.g. web_apps.list
    service: str  # the SDK client: subscriptions, web, trafficmanager
    method: str
    path: str  # ARM path template; {x} is one path segment
    action: str  # the RBAC action Resource Manager checks
    shape: str  # "list" (value[] and nextLink) or "object"

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)


def _compile(template: str) -> re.Pattern[str]:
    # ARM matches paths case-insensitively, with or without a trailing slash
    return template_regex(template, trailing_slash=True, ignore_case=True)


@dataclass(frozen=True, kw_only=True)
class AzureKind(Kind):
    # The ARM resource type as ARM spells it, e.g. Microsoft.Web/sites
    resource_type: str
    # What the resource is called in id errors ("web app"), and the rule its
    # name follows, as a pattern and in words (after "is not ").
    noun: str
    name_pattern: re.Pattern[str]
    name_rule: str
    # A child resource (its resource_type has more than one type segment, as
    # Microsoft.Cdn/profiles/originGroups): the rule its parents' names follow,
    # and what a parent is called (`check` of a parent's id names the unit).
    parent_name_pattern: re.Pattern[str] | None = None
    parent_name_rule: str = ""
    parent_noun: str = ""
    # Child resource types that are part of the unit, each with the message
    # `check` gives for a child's id ({text}: the id given, {base}: the unit's id).
    folded: tuple[tuple[str, str], ...] = ()
    # The SDK client that reads the kind ("module:Class"), and the service
    # name its calls are declared under (also the client's user-agent moniker).
    sdk_client: str
    service: str
    # Every call the reader makes, in full; `reads` names them.
    calls: tuple[Read, ...]
    # How the custom role's description names what is read of the kind.
    grant_note: str = ""

    @property
    def type_key(self) -> str:
        """The resource type as ids are compared: lower case."""
        return self.resource_type.lower()

    @property
    def child_types(self) -> tuple[str, ...]:
        """The type segments after the top-level type (empty for a top-level
        kind): ("originGroups",) for Microsoft.Cdn/profiles/originGroups."""
        return tuple(self.resource_type.split("/")[2:])

    @property
    def top_type_key(self) -> str:
        """The top-level resource type of its ids, lower case (microsoft.cdn/profiles)."""
        return "/".join(self.type_key.split("/")[:2])

    def folded_message(self, child: str) -> str | None:
        for name, message in self.folded:
            if name.lower() == child.lower():
                return message
        return None


def arm_kind(
    *,
    name: str,
    title: str,
    resource_type: str,
    placeholder: str,
    noun: str,
    name_pattern: re.Pattern[str],
    name_rule: str,
    facts: tuple[FactSpec, ...],
    sdk_client: str,
    service: str,
    calls: tuple[Read, ...],
    folded: tuple[tuple[str, str], ...] = (),
    grant_note: str = "",
    parent_placeholders: tuple[str, ...] = (),
    parent_name_pattern: re.Pattern[str] | None = None,
    parent_name_rule: str = "",
    parent_noun: str = "",
) -> AzureKind:
    """An Azure kind whose units are ARM resources of one type in a resource
    group: its id form, id pattern (ARM compares ids case-insensitively; one
    trailing '/', as copied from a URL, is allowed) and reads follow.

    A child resource type (Microsoft.Cdn/profiles/originGroups) names one
    placeholder per parent (`parent_placeholders`, outermost first) and the
    rule its parents' names follow; its ids are
    .../providers/Microsoft.Cdn/profiles/PROFILE/originGroups/GROUP."""
    namespace, *types = resource_type.split("/")
    if len(parent_placeholders) != len(types) - 1:
        raise ValueError(f"{name}: {resource_type} needs {len(types) - 1} parent placeholder(s)")
    names = (*parent_placeholders, placeholder)
    form = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    pattern = "/".join(f"{re.escape(t)}/[^/]+" for t in types)
    return AzureKind(
        name=name,
        title=title,
        provider="azure",
        id_form=f"{ID_PREFIX}/{namespace}/{form}",
        id_pattern=re.compile(rf"{_ID_PREFIX}/{re.escape(namespace)}/{pattern}/?", re.IGNORECASE),
        facts=facts,
        reads=tuple(call.operation for call in calls),
        resource_type=resource_type,
        noun=noun,
        name_pattern=name_pattern,
        name_rule=name_rule,
        folded=folded,
        sdk_client=sdk_client,
        service=service,
        calls=calls,
        grant_note=grant_note,
        parent_name_pattern=parent_name_pattern,
        parent_name_rule=parent_name_rule,
        parent_noun=parent_noun,
    )
