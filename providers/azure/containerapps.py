"""Container Apps: the revision mode and the ingress traffic rules, as facts.

One paged `container_apps.list_by_subscription` call per subscription: each
app arrives whole, with `properties.configuration` (activeRevisionsMode,
ingress.traffic, revisionTransitionThreshold, targetLabel) and the template's
containers (their readiness probes). An absent activeRevisionsMode is the
documented default, Single. With ingress on and no traffic rules, all traffic
goes to the latest ready revision (the documented default), which is read as
one rule `latestRevision: true` at 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.azure import containerapps_history
from providers.azure.kind import GROUP_PATH, SUBSCRIPTION_PATH, Read, arm_kind
from providers.azure.listed import collect_listed, get_one, resource_observation
from providers.azure.values import (
    Unusable,
    add_checked,
    number,
    objects,
    shown,
    string,
    text,
)
from scanner.facts import dig, plain
from scanner.kind import facts
from scanner.model import Observation, ScopeError
from scanner.practice.records import History
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

CONFIG = "properties.configuration"
INGRESS = f"{CONFIG}.ingress"
TRAFFIC = f"{INGRESS}.traffic[]"
CONTAINERS = "properties.template.containers[]"
MODES = ("Single", "Multiple", "Labels")
DEFAULT_MODE = "Single"  # "If no value if provided, this is the default" (REST reference)
CONTEXT_PATHS = [
    ("ingress_external", f"{INGRESS}.external"),
    ("revision_transition_threshold", f"{CONFIG}.revisionTransitionThreshold"),
    ("target_label", f"{CONFIG}.targetLabel"),
    ("max_inactive_revisions", f"{CONFIG}.maxInactiveRevisions"),
    ("latest_revision", "properties.latestRevisionName"),
    ("latest_ready_revision", "properties.latestReadyRevisionName"),
    ("provisioning_state", "properties.provisioningState"),
    ("running_status", "properties.runningStatus"),
]

_APPS = "/providers/Microsoft.App/containerApps"
KIND = arm_kind(
    name="azure.containerapps.app",
    title="Container App",
    resource_type="Microsoft.App/containerApps",
    placeholder="APP",
    noun="container app",
    # 2 to 32 characters: lower-case letters, digits and hyphens, starting with
    # a letter and ending with a letter or digit (ARM compares ids in any case)
    name_pattern=re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$", re.I),
    name_rule="2 to 32 letters, digits and hyphens, starting with a letter",
    folded=(
        (
            "revisions",
            "{text} is a revision; relscan assesses the container app with its "
            "revisions: check {base}",
        ),
    ),
    facts=facts(
        ("revision_mode", f"{CONFIG}.activeRevisionsMode"),
        ("ingress_enabled", INGRESS),
        ("traffic", TRAFFIC),
        ("weighted_entries", f"{TRAFFIC}.weight"),
        ("sole_target", f"{TRAFFIC}.latestRevision"),
        ("labels", f"{TRAFFIC}.label"),
        ("readiness_probes", f"{CONTAINERS}.probes[].type"),
        *CONTEXT_PATHS,
    ),
    sdk_client="azure.mgmt.appcontainers:ContainerAppsAPIClient",
    service="appcontainers",
    calls=(
        Read(
            "container_apps.list_by_subscription",
            "appcontainers",
            "GET",
            SUBSCRIPTION_PATH + _APPS,
            "Microsoft.App/containerApps/read",
            "list",
        ),
        Read(
            "container_apps.get",
            "appcontainers",
            "GET",
            GROUP_PATH + _APPS + "/{containerAppName}",
            "Microsoft.App/containerApps/read",
            "object",
        ),
        *containerapps_history.READS,  # --history only
    ),
    grant_note="Container Apps and their revisions",
)
HISTORY_SOURCE = containerapps_history.SOURCE


def collect(ctx: AzureContext) -> Iterator[Observation | ScopeError]:
    """Every container app of the subscription, configuration inline (one paged list)."""
    return collect_listed(
        ctx, KIND, lambda client: client.container_apps.list_by_subscription(), observe
    )


def get(ctx: AzureContext, resource_id: str) -> Observation:
    """One container app by its id (NotFoundError if it does not exist)."""
    return get_one(
        ctx, KIND, lambda client, g, n: client.container_apps.get(g, n), resource_id, observe
    )


def revision_mode(value: Any) -> str:
    """activeRevisionsMode as Microsoft spells it (the service accepts any case);
    absent is the default, Single; an unknown mode is kept as sent."""
    mode = string(value, f"{CONFIG}.activeRevisionsMode")
    if mode is None or mode == "":
        return DEFAULT_MODE
    return next((known for known in MODES if known.lower() == mode.lower()), mode)


def traffic_rules(app: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The ingress traffic rules, None without ingress; no rules with ingress
    on is the documented default, all traffic to the latest ready revision."""
    ingress = dig(app, INGRESS)
    if ingress is None:
        return None
    if not isinstance(ingress, dict):
        raise Unusable(f"{INGRESS} is {shown(ingress)}, not an object")
    rules = objects(ingress.get("traffic"), TRAFFIC)
    for rule in rules:
        number(rule.get("weight"), f"{TRAFFIC}.weight")
        string(rule.get("revisionName"), f"{TRAFFIC}.revisionName")
        string(rule.get("label"), f"{TRAFFIC}.label")
        latest = rule.get("latestRevision")
        if latest is not None and not isinstance(latest, bool):
            raise Unusable(f"{TRAFFIC}.latestRevision is {shown(latest)}, not a boolean")
    return rules or [{"latestRevision": True, "weight": 100}]


def _weight(rule: dict[str, Any]) -> int | float:
    return rule.get("weight") or 0


def _summary(rule: dict[str, Any]) -> str:
    target = "latest revision" if rule.get("latestRevision") else text(rule.get("revisionName"))
    label = f" (label {text(rule['label'])})" if rule.get("label") else ""
    return f"{target}{label}: {_weight(rule):g}"


def sole_target(rules: list[dict[str, Any]]) -> str | None:
    """ "latest" or "pinned" when one rule takes all the traffic (every other
    at 0), by whether it follows the latest revision; None for a split."""
    serving = [rule for rule in rules if _weight(rule) > 0]
    if len(serving) != 1:
        return None
    return "latest" if serving[0].get("latestRevision") else "pinned"


def _readiness(app: dict[str, Any]) -> list[str] | str:
    """The containers that have a readiness probe (what makes a revision ready),
    or a sentence saying none has one."""
    names = []
    for container in objects(dig(app, "properties.template.containers"), CONTAINERS):
        probes = objects(container.get("probes"), f"{CONTAINERS}.probes[]")
        kinds = [string(p.get("type"), f"{CONTAINERS}.probes[].type") for p in probes]
        if any((kind or "").lower() == "readiness" for kind in kinds):
            names.append(text(container.get("name") or "?"))
    return names or "none (no container has a readiness probe)"


def observe(ctx: AzureContext, app: Any) -> Observation:
    obs = resource_observation(ctx, KIND, app, "the container app")
    mode_path = f"{CONFIG}.activeRevisionsMode"
    add_checked(
        obs,
        "revision_mode",
        f"{mode_path} (absent = Single)",
        lambda: revision_mode(dig(app, mode_path)),
    )
    _traffic_facts(obs, app)
    add_checked(
        obs, "readiness_probes", f"{CONTAINERS}.probes[type Readiness]", lambda: _readiness(app)
    )
    for fact, path in CONTEXT_PATHS:
        obs.add(fact, path, plain(dig(app, path)))
    return obs


def _traffic_facts(obs: Observation, app: dict[str, Any]) -> None:
    weighted_field = f"{TRAFFIC}.weight (count above 0; no rules = latest at 100)"
    sole_field = f"{TRAFFIC}.latestRevision (of the one rule above 0)"
    labels_field = f"{TRAFFIC}.label"
    ingress = dig(app, INGRESS)
    if ingress is not None and not isinstance(ingress, dict):
        obs.unknown("ingress_enabled", INGRESS, f"malformed answer: {INGRESS} is {shown(ingress)}")
    else:  # known even when its traffic rules are malformed (Single mode ignores them)
        obs.add("ingress_enabled", f"{INGRESS} (present)", ingress is not None)
    try:
        rules = traffic_rules(app)
    except Unusable as exc:
        why = f"malformed answer: {exc}"
        for fact, field in (
            ("traffic", TRAFFIC),
            ("weighted_entries", weighted_field),
            ("sole_target", sole_field),
            ("labels", labels_field),
        ):
            obs.unknown(fact, field, why)
        return
    if rules is None:  # no ingress: no traffic rules apply
        return
    obs.add("traffic", TRAFFIC, [_summary(rule) for rule in rules])
    obs.add("weighted_entries", weighted_field, sum(1 for r in rules if _weight(r) > 0))
    obs.add("sole_target", sole_field, sole_target(rules))
    obs.add("labels", labels_field, [text(r["label"]) for r in rules if r.get("label")])


def history(ctx: AzureContext, unit: Observation, period: Period) -> History:
    """The app's revisions in the period (providers/azure/containerapps_history.py)."""
    return containerapps_history.read(ctx, ctx.client(KIND), unit, period)
