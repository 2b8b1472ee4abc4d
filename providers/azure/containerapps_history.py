"""Container Apps release records: the app's revisions (`--history`).

One paged `container_apps_revisions.list_revisions` per app (the API has no
documented time filter; the `$filter` it takes is not described, so none is
sent). A revision is created by every revision-scope change (the template:
images, environment, scale rules); it records only `createdTime`: no end,
no outcome, no rollback and no caller. Moving traffic between revisions is an
application-scope change and creates no revision, so a rollback by traffic,
or a release made by moving weights, is not in these records
(https://learn.microsoft.com/azure/container-apps/revisions).

A revision whose containers run the same images as the revision created
before it changed configuration only: the template says so, and it is left
out (CONFIG_ONLY). Retention is a count, not days: the app keeps at most
`maxInactiveRevisions` inactive revisions (100 by default); when the list
holds that many, the records cannot reach back past the oldest one listed.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from providers.azure.history import in_period, line, when
from providers.azure.ids import parse_resource_id
from providers.azure.kind import GROUP_PATH, Read
from providers.azure.values import Unusable, as_record, objects, shown, string
from scanner.facts import dig
from scanner.model import Observation
from scanner.practice.records import UNKNOWN, History, Release
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

SOURCE = "Container Apps revisions"
REVISION = "containerapps:revision"
DEFAULT_MAX_INACTIVE = 100  # "By default, you have access to 100 inactive revisions"
CONFIG_ONLY = "configuration-only revision (the same images as the revision before it)"
NO_CREATED = "revision without a createdTime"
NOTE = (
    "Revisions record only when each was created: no end, outcome, rollback or "
    "caller. Moving traffic between revisions creates no revision, so releases "
    "and rollbacks made by moving traffic are not seen."
)
FIELDS = [
    "revisions.value[].properties.createdTime",
    "revisions.value[].properties.active",
    "revisions.value[].properties.template.containers[].image",
    "revisions.value[].properties.provisioningState",
    "revisions.value[].properties.healthState",
]
READS = (
    Read(
        "container_apps_revisions.list_revisions",
        "appcontainers",
        "GET",
        GROUP_PATH + "/providers/Microsoft.App/containerApps/{containerAppName}/revisions",
        "Microsoft.App/containerApps/revisions/read",
        "list",
    ),
)


def read(ctx: AzureContext, client: Any, unit: Observation, period: Period) -> History:
    rid = parse_resource_id(unit.id)
    limit = _max_inactive(unit)
    history = History(
        source=SOURCE,
        kept=f"the last {limit} inactive revisions (maxInactiveRevisions) and the active ones",
        note=NOTE,
        fields=list(FIELDS),
    )
    try:
        items = [
            as_record(r)
            for r in client.container_apps_revisions.list_revisions(rid.group, rid.name)
        ]
        revisions = [_revision(item) for item in items]
    except ctx.errors as exc:
        history.error = f"container_apps_revisions.list_revisions: {ctx.describe(exc)}"[:500]
        return history
    except (Unusable, ValueError, TypeError) as exc:
        history.error = f"container_apps_revisions.list_revisions: malformed answer: {exc}"[:500]
        return history
    left_out: Counter[str] = Counter()
    dated = sorted((r for r in revisions if r[0].started is not None), key=lambda r: r[0].started)
    left_out[NO_CREATED] = sum(1 for r in revisions if r[0].started is None)
    before: tuple[str, ...] | None = None
    for release, images, _active in dated:
        same = before is not None and images == before and bool(images)
        before = images
        if not in_period(release.started, period):
            continue
        if same:
            left_out[CONFIG_ONLY] += 1
        else:
            history.releases.append(release)
    inactive = sum(1 for r in revisions if r[2] is False)
    if inactive >= limit and dated:
        oldest = dated[0][0].started
        if oldest is not None and oldest > period.start:
            history.covers_from = oldest
    history.left_out = {reason: n for reason, n in left_out.items() if n}
    return history


def _max_inactive(unit: Observation) -> int:
    fact = unit.facts.get("max_inactive_revisions")
    value = fact.value if fact is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return DEFAULT_MAX_INACTIVE


def _revision(item: Any) -> tuple[Release, tuple[str, ...], bool | None]:
    """The revision as a record, its sorted images, and whether it is active."""
    if not isinstance(item, dict):
        raise Unusable(f"an item of value is {shown(item)}, not an object")
    props = item.get("properties") or {}
    if not isinstance(props, dict):
        raise Unusable(f"revision properties is {shown(props)}, not an object")
    name = string(item.get("name"), "revisions.value[].name") or ""
    containers = objects(dig(props, "template.containers"), "template.containers[]")
    images = tuple(
        sorted(string(c.get("image"), "template.containers[].image") or "" for c in containers)
    )
    active = props.get("active")
    state = string(props.get("provisioningState"), "properties.provisioningState")
    health = string(props.get("healthState"), "properties.healthState")
    detail = ", ".join(line(i) for i in images if i) or "no image"
    if state:
        detail += f"; provisioningState {line(state)}"
    if health:
        detail += f", healthState {line(health)}"
    started = when(props.get("createdTime"), "properties.createdTime")
    release = Release(
        source=REVISION,
        id=line(name.rsplit("/", 1)[-1]),
        started=started,  # type: ignore[arg-type]  # None is filtered out by the caller
        outcome=UNKNOWN,
        detail=detail[:300],
    )
    return release, images, active if isinstance(active, bool) else None
