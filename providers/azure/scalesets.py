"""Virtual Machine Scale Sets: the upgrade policy and the health signals a
rolling upgrade watches, as facts.

One paged `virtual_machine_scale_sets.list_all` call per subscription: each
scale set arrives whole, with `properties.upgradePolicy` (mode,
rollingUpgradePolicy, automaticOSUpgradePolicy) and the VM profile's
extensions and network profile. An absent upgradePolicy (or mode) is the
documented default, Manual. Automatic OS image upgrades are platform
patching, not an application release: they are evidence only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

POLICY = "properties.upgradePolicy"
ROLLING = f"{POLICY}.rollingUpgradePolicy"
OS_UPGRADE = f"{POLICY}.automaticOSUpgradePolicy"
PROFILE = "properties.virtualMachineProfile"
EXTENSIONS = f"{PROFILE}.extensionProfile.extensions[]"
PROBE = f"{PROFILE}.networkProfile.healthProbe.id"
MODES = ("Automatic", "Manual", "Rolling")
# The application health extension's types (publisher Microsoft.ManagedServices)
HEALTH_EXTENSION_TYPES = ("applicationhealthlinux", "applicationhealthwindows")
# Deciding values: checked for type (a wrong type makes the fact unknown)
NUMBERS = [("max_batch_instance_percent", f"{ROLLING}.maxBatchInstancePercent")]
FLAGS = [("max_surge", f"{ROLLING}.maxSurge")]
CONTEXT_PATHS = [
    ("orchestration_mode", "properties.orchestrationMode"),
    ("max_unhealthy_instance_percent", f"{ROLLING}.maxUnhealthyInstancePercent"),
    (
        "max_unhealthy_upgraded_instance_percent",
        f"{ROLLING}.maxUnhealthyUpgradedInstancePercent",
    ),
    ("pause_time_between_batches", f"{ROLLING}.pauseTimeBetweenBatches"),
    ("prioritize_unhealthy_instances", f"{ROLLING}.prioritizeUnhealthyInstances"),
    (
        "rollback_failed_instances_on_policy_breach",
        f"{ROLLING}.rollbackFailedInstancesOnPolicyBreach",
    ),
    ("enable_cross_zone_upgrade", f"{ROLLING}.enableCrossZoneUpgrade"),
    ("automatic_os_upgrade", f"{OS_UPGRADE}.enableAutomaticOSUpgrade"),
    ("disable_automatic_rollback", f"{OS_UPGRADE}.disableAutomaticRollback"),
    ("capacity", "sku.capacity"),
    ("health_probe", PROBE),
]

_SETS = "/providers/Microsoft.Compute/virtualMachineScaleSets"
KIND = arm_kind(
    name="azure.compute.scale_set",
    title="VM scale set",
    resource_type="Microsoft.Compute/virtualMachineScaleSets",
    placeholder="SCALESET",
    noun="virtual machine scale set",
    # 1 to 64 characters: letters, digits, underscores, periods and hyphens,
    # starting with a letter or digit and ending with a letter, digit or underscore
    name_pattern=re.compile(r"^[a-z0-9]$|^[a-z0-9][\w.-]{0,62}\w$", re.I),
    name_rule="1 to 64 letters, digits, underscores, periods and hyphens",
    folded=(
        (
            "virtualMachines",
            "{text} is an instance of a scale set; relscan assesses the scale set: check {base}",
        ),
        (
            "extensions",
            "{text} is an extension of a scale set; relscan assesses the scale set: check {base}",
        ),
    ),
    facts=facts(
        ("upgrade_mode", f"{POLICY}.mode"),
        *NUMBERS,
        *FLAGS,
        ("health_extensions", f"{EXTENSIONS}.properties.type"),
        ("health_monitoring", f"{EXTENSIONS}.properties.type"),
        *CONTEXT_PATHS,
    ),
    sdk_client="azure.mgmt.compute:ComputeManagementClient",
    service="compute",
    calls=(
        Read(
            "virtual_machine_scale_sets.list_all",
            "compute",
            "GET",
            SUBSCRIPTION_PATH + _SETS,
            "Microsoft.Compute/virtualMachineScaleSets/read",
            "list",
        ),
        Read(
            "virtual_machine_scale_sets.get",
            "compute",
            "GET",
            GROUP_PATH + _SETS + "/{vmScaleSetName}",
            "Microsoft.Compute/virtualMachineScaleSets/read",
            "object",
        ),
    ),
    grant_note="VM scale sets",
)
# No history: Azure keeps only a scale set's latest rolling upgrade
# (virtualMachineScaleSets/{name}/rollingUpgrades/latest), not a record of
# each one; model changes are in the Activity Log, which a later version reads.
NO_HISTORY = (
    "Azure keeps only the latest rolling upgrade of a scale set "
    "(rollingUpgrades/latest), not a history of its upgrades"
)


def collect(ctx: AzureContext) -> Iterator[Observation | ScopeError]:
    """Every scale set of the subscription, upgrade policy inline (one paged list)."""
    return collect_listed(
        ctx, KIND, lambda client: client.virtual_machine_scale_sets.list_all(), observe
    )


def get(ctx: AzureContext, resource_id: str) -> Observation:
    """One scale set by its id (NotFoundError if it does not exist)."""
    return get_one(
        ctx,
        KIND,
        lambda client, g, n: client.virtual_machine_scale_sets.get(g, n),
        resource_id,
        observe,
    )


def upgrade_mode(value: Any) -> str | None:
    """upgradePolicy.mode as Microsoft spells it (any case is accepted); None
    when absent (the default, Manual, which a rule names as such)."""
    mode = string(value, f"{POLICY}.mode")
    if not mode:
        return None
    return next((known for known in MODES if known.lower() == mode.lower()), mode)


def _flag(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise Unusable(f"{field} is {shown(value)}, not a boolean")


def health_extensions(scale_set: dict[str, Any]) -> list[str]:
    """The extensions that are the application health extension, as `name (type)`."""
    found = []
    for ext in objects(dig(scale_set, f"{PROFILE}.extensionProfile.extensions"), EXTENSIONS):
        kind = string(dig(ext, "properties.type"), f"{EXTENSIONS}.properties.type")
        if (kind or "").lower() in HEALTH_EXTENSION_TYPES:
            found.append(f"{text(ext.get('name') or '?')} ({kind})")
    return found


def observe(ctx: AzureContext, scale_set: Any) -> Observation:
    obs = resource_observation(ctx, KIND, scale_set, "the scale set")
    policy = dig(scale_set, POLICY)
    if policy is not None and not isinstance(policy, dict):
        why = f"malformed answer: {POLICY} is {shown(policy)}, not an object"
        obs.unknown("upgrade_mode", f"{POLICY}.mode", why)
    else:
        add_checked(
            obs,
            "upgrade_mode",
            f"{POLICY}.mode (absent = Manual)",
            lambda: upgrade_mode(dig(scale_set, f"{POLICY}.mode")),
        )
    for fact, path in NUMBERS:
        add_checked(obs, fact, path, lambda p=path: number(dig(scale_set, p), p))
    for fact, path in FLAGS:
        add_checked(obs, fact, path, lambda p=path: _flag(dig(scale_set, p), p))
    extensions_field = f"{EXTENSIONS} (type ApplicationHealthLinux or ApplicationHealthWindows)"
    monitoring_field = f"{EXTENSIONS}.properties.type and {PROBE}"
    try:
        extensions = health_extensions(scale_set)
    except Unusable as exc:
        obs.unknown("health_extensions", extensions_field, f"malformed answer: {exc}")
        obs.unknown("health_monitoring", monitoring_field, f"malformed answer: {exc}")
    else:
        obs.add("health_extensions", extensions_field, extensions)
        probe = dig(scale_set, PROBE)
        flexible = str(dig(scale_set, "properties.orchestrationMode") or "").lower() == "flexible"
        monitoring = health_monitoring(bool(extensions), probe, flexible)
        obs.add("health_monitoring", monitoring_field, monitoring)
    for fact, path in CONTEXT_PATHS:
        obs.add(fact, path, plain(dig(scale_set, path)))
    return obs


def health_monitoring(extension: bool, probe: Any, flexible: bool = False) -> str:
    """What tells a rolling upgrade that an instance is healthy, in words. On a
    Flexible scale set rolling upgrades need the application health extension:
    a load balancer probe alone is not what they watch."""
    found = ["application health extension"] if extension else []
    if isinstance(probe, str) and probe:
        found.append("load balancer health probe")
        if flexible and not extension:
            found[-1] += " (rolling upgrades of Flexible scale sets need the extension)"
    return " and ".join(found) or "none (no application health extension or load balancer probe)"
