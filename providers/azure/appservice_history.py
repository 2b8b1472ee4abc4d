"""App Service release records: the app's deployment records and its slot
swaps from the Activity Log (`--history`; the swaps are read in slotswaps.py).

Reads per app: one paged `web_apps.list_deployments` (production), one paged
`web_apps.list_deployments_slot` per slot and, when the app has slots, one
paged `activity_logs.list` for the site and one per slot, each filtered
server-side to the period and the resource
(`eventTimestamp ge .. and eventTimestamp le .. and resourceUri eq ..`, the
documented form; the Activity Log cannot filter on the operation, so the swap
events are picked out here by `operationName`).

What counts once: an app and its slots are one unit. A deployment to
production reaches its users and is a release. A deployment to a slot does
not: it reaches users when the slot is swapped into production, and that
swap is the release (so a build deployed to staging and swapped in is
counted once, as the swap); slot deployments are left out under
SLOT_DEPLOYMENT. A swap between two slots, neither of them production, is
left out too. A slot that auto-swaps into production (its config/web's
autoSwapSlotName, on an app where auto-swap runs: not Linux, not containers)
sends every deployment on by itself: there the slot deployment is the
release, and a swap from that slot starting within AUTO_SWAP_AFTER of one of
its deployments' end is that deployment's auto-swap, left out under
AUTO_SWAPPED (a later swap, by a person, still counts). Deployment records
are read whole (the API has no time filter and no documented order) and kept
when they started in the period.

The deployment `status` is an integer the REST reference does not explain;
its values are Kudu's `DeployStatus` enum (Pending 0, Building 1, Deploying 2,
Failed 3, Success 4, Complete 5:
https://github.com/projectkudu/kudu/blob/master/Kudu.Contracts/Deployment/DeployStatus.cs).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from providers.azure.history import in_period, line, when
from providers.azure.ids import parse_resource_id
from providers.azure.kind import GROUP_PATH, SUBSCRIPTION_PATH, Read
from providers.azure.slotswaps import ACTIVITY_LOG_DAYS, ACTIVITY_LOG_REACH, MONITOR, PRODUCTION
from providers.azure.slotswaps import swaps as read_swaps
from providers.azure.values import Unusable, as_record, shown, string
from scanner.model import Observation
from scanner.practice.records import (
    FAILED,
    IN_PROGRESS,
    SUCCEEDED,
    UNKNOWN,
    History,
    Release,
)
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

SOURCE = "App Service deployment records and slot swaps (Activity Log)"
DEPLOYMENT = "appservice:deployment"
SLOT_DEPLOYMENT = "deployment to a slot (it reaches users by a swap, counted as the release)"
SLOT_TO_SLOT = "swap between two slots, neither of them production"
AUTO_SWAPPED = "auto-swap of a slot deployment counted as the release"
# How soon after a deployment to an auto-swap slot ends its swap starts, at
# most, for the swap to be taken as that deployment's auto-swap.
AUTO_SWAP_AFTER = timedelta(minutes=30)
NO_START = "deployment record without a start_time"
# Kudu's DeployStatus, which the deployment record's status holds.
STATUS = {
    0: ("Pending", IN_PROGRESS),
    1: ("Building", IN_PROGRESS),
    2: ("Deploying", IN_PROGRESS),
    3: ("Failed", FAILED),
    4: ("Success", SUCCEEDED),
    5: ("Complete", UNKNOWN),  # Kudu does not say whether a Complete one succeeded
}
FIELDS = [
    "deployments.value[].properties.start_time",
    "deployments.value[].properties.end_time",
    "deployments.value[].properties.status",
    "deployments.value[].properties.author",
    "deployments.value[].properties.deployer",
    "eventtypes/management/values.value[].operationName.value",
    "eventtypes/management/values.value[].status.value",
    "eventtypes/management/values.value[].eventTimestamp",
    "eventtypes/management/values.value[].correlationId",
    "eventtypes/management/values.value[].caller",
    "eventtypes/management/values.value[].properties.requestbody (targetSlot)",
]
KEPT = (
    "deployment records: as long as the app keeps them (no documented limit); "
    f"slot swaps: {ACTIVITY_LOG_DAYS} days (Activity Log)"
)
NOTE = (
    "No rollback is recorded: a swap back is another swap, and a redeployment "
    "of an earlier build another deployment. started_by is the author the "
    "deploying tool wrote (or the tool), or the swap's caller."
)

_SITE = GROUP_PATH + "/providers/Microsoft.Web/sites/{name}"
READS = (
    Read(
        "web_apps.list_deployments",
        "web",
        "GET",
        _SITE + "/deployments",
        "Microsoft.Web/sites/deployments/read",
        "list",
    ),
    Read(
        "web_apps.list_deployments_slot",
        "web",
        "GET",
        _SITE + "/slots/{slot}/deployments",
        "Microsoft.Web/sites/slots/deployments/read",
        "list",
    ),
    Read(
        "activity_logs.list",
        "monitor",
        "GET",
        SUBSCRIPTION_PATH + "/providers/Microsoft.Insights/eventtypes/management/values",
        "Microsoft.Insights/eventtypes/values/read",
        "list",
    ),
)


def read(ctx: AzureContext, web: Any, unit: Observation, period: Period) -> History:
    """The app's History for the period (see the module's docstring)."""
    rid = parse_resource_id(unit.id)
    history = History(source=SOURCE, kept=KEPT, note=NOTE, fields=list(FIELDS))
    left_out: Counter[str] = Counter()
    failures: list[str] = []

    def attempt(operation: str, call: Any) -> Any:
        try:
            return call()
        except ctx.errors as exc:
            failures.append(f"{operation}: {ctx.describe(exc)}")
        except (Unusable, ValueError, TypeError) as exc:  # the SDK's own parsing too
            failures.append(f"{operation}: malformed answer: {exc}")
        return None

    production = attempt(
        "web_apps.list_deployments",
        lambda: _deployments(client_items(web.web_apps.list_deployments(rid.group, rid.name))),
    )
    slots = _slot_names(unit)
    if slots is None:
        slots = attempt("web_apps.list_slots", lambda: _listed_slots(web, rid.group, rid.name))
    for dep in production or []:
        if dep.started is None:
            left_out[NO_START] += 1
        elif in_period(dep.started, period):
            history.releases.append(dep)
    auto = _auto_swapping(unit)
    staged: dict[str, list[datetime]] = {}  # auto-swap slot -> its deployments' ends
    for slot in slots or []:
        found = attempt(
            "web_apps.list_deployments_slot",
            lambda slot=slot: _deployments(
                client_items(web.web_apps.list_deployments_slot(rid.group, rid.name, slot))
            ),
        )
        for dep in found or []:
            if not in_period(dep.started, period):
                continue
            if slot.lower() not in auto:
                left_out[SLOT_DEPLOYMENT] += 1
                continue
            # auto-swap sends it on to production: the deployment is the release
            history.releases.append(
                replace(
                    dep,
                    id=f"{line(slot)}/{dep.id}",
                    detail=f"to slot {line(slot)}, auto-swapped into production; {dep.detail}",
                )
            )
            staged.setdefault(slot.lower(), []).append(dep.ended or dep.started)
    if slots:
        since = max(period.start, period.end - ACTIVITY_LOG_REACH)
        if since > period.start:
            history.covers_from = since
        monitor = ctx.service_client(MONITOR, "monitor")
        resources = [unit.id, *(f"{unit.id}/slots/{slot}" for slot in slots)]
        swapped = attempt(
            "activity_logs.list", lambda: read_swaps(monitor, resources, since, period.end)
        )
        for swap, pair in swapped or []:
            if PRODUCTION not in pair and "?" not in pair:
                left_out[SLOT_TO_SLOT] += 1
            elif not in_period(swap.started, period):
                continue
            elif _auto_swap_of(swap, pair, staged):
                left_out[AUTO_SWAPPED] += 1
            else:
                history.releases.append(swap)
    history.releases.sort(key=lambda r: (r.started, r.id))
    history.left_out = {reason: n for reason, n in left_out.items() if n}
    if failures:
        history.error = failures[0][:500]
    return history


def _auto_swapping(unit: Observation) -> set[str]:
    """The slots (lower case) that auto-swap into production, where auto-swap
    runs: not on a Linux app or Web App for Containers (the unit's kind has
    no linux or container part), as the App Service rules read it."""
    facts = unit.facts
    slots, targets, parts = (
        facts.get(name) for name in ("auto_swap_slots", "auto_swap_targets", "app_kind_parts")
    )
    if slots is None or targets is None or parts is None:
        return set()
    if not all(isinstance(f.value, list) for f in (slots, targets, parts)):
        return set()
    if {"linux", "container"} & {str(p) for p in parts.value}:  # type: ignore[union-attr]
        return set()
    return {
        str(slot).lower()
        for slot, target in zip(slots.value, targets.value, strict=False)  # type: ignore[arg-type]
        if str(target).lower() == PRODUCTION
    }


def _auto_swap_of(swap: Release, pair: tuple[str, str], staged: dict[str, list[datetime]]) -> bool:
    """Whether a swap into production is the auto-swap of a slot deployment
    already counted: from an auto-swap slot, starting within AUTO_SWAP_AFTER
    of the end of one of its deployments."""
    slot = pair[0] if pair[1] == PRODUCTION else pair[1]
    return any(
        timedelta(0) <= swap.started - end <= AUTO_SWAP_AFTER for end in staged.get(slot, [])
    )


def client_items(pages: Any) -> list[Any]:
    return [as_record(item) for item in pages]


def _slot_names(unit: Observation) -> list[str] | None:
    """The slots the scan read (the slot_names fact); None when it could not."""
    fact = unit.facts.get("slot_names")
    if fact is None or fact.error is not None or not isinstance(fact.value, list):
        return None
    return [str(name) for name in fact.value]


def _listed_slots(web: Any, group: str, name: str) -> list[str]:
    names = []
    for item in client_items(web.web_apps.list_slots(group, name)):
        slot = string(item.get("name") if isinstance(item, dict) else None, "slots.value[].name")
        if slot:
            names.append(slot.rsplit("/", 1)[-1])
    return names


def _deployments(items: list[Any]) -> list[Release]:
    return [_deployment(item) for item in items]


def _named(value: str | None) -> str | None:
    """A name the deploying tool wrote; Kudu writes "N/A" when it has none."""
    return value.strip() if value and value.strip() and value.strip() != "N/A" else None


def _deployment(item: Any) -> Release:
    if not isinstance(item, dict):
        raise Unusable(f"an item of value is {shown(item)}, not an object")
    props = item.get("properties") or {}
    if not isinstance(props, dict):
        raise Unusable(f"deployment properties is {shown(props)}, not an object")
    name = string(item.get("name"), "deployments.value[].name") or ""
    status = props.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise Unusable(f"deployments.value[].properties.status is {shown(status)}, not a number")
    label, outcome = STATUS.get(status, ("unknown", UNKNOWN)) if status is not None else ("", "")
    author = _named(string(props.get("author"), "properties.author"))
    deployer = _named(string(props.get("deployer"), "properties.deployer"))
    message = string(props.get("message"), "properties.message") or ""
    detail = f"status {status} ({label})" if status is not None else "no status"
    if deployer:
        detail += f", deployer {line(deployer)}"
    if message.strip():
        detail += f": {line(message.strip().splitlines()[0], 120)}"
    return Release(
        source=DEPLOYMENT,
        id=line(name.rsplit("/", 1)[-1] or string(item.get("id"), "id") or ""),
        started=when(props.get("start_time"), "properties.start_time"),  # type: ignore[arg-type]
        ended=when(props.get("end_time"), "properties.end_time"),
        outcome=outcome or UNKNOWN,
        started_by=line(author or deployer) if (author or deployer) else None,
        detail=detail,
    )
