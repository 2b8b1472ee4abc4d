"""A top-level kind read in one paged list per subscription, its configuration
inline, and one `get` for `check` (Traffic Manager profiles, Container Apps,
scale sets): the loop, the malformed-item scope error and the failed-list scope
error each such reader would otherwise repeat."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from providers.azure.ids import parse_resource_id
from providers.azure.values import Unusable, as_record, shown, string, tags, text
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.azure.context import AzureContext
    from providers.azure.kind import AzureKind

Observe = Callable[["AzureContext", Any], Observation]


def collect_listed(
    ctx: AzureContext,
    kind: AzureKind,
    list_call: Callable[[Any], Iterable[Any]],
    observe: Observe,
) -> Iterator[Observation | ScopeError]:
    """Every item of `list_call(client)`, observed; a malformed item is a
    scope error naming it, and a failed list one naming the kind."""
    try:
        for item in list_call(ctx.client(kind)):
            record = as_record(item)
            try:
                yield observe(ctx, record)
            except Unusable as exc:
                label = shown(record.get("id") if isinstance(record, dict) else record)
                why = f"malformed answer: {exc}"
                yield ScopeError("azure", ctx.scope, f"{kind.title} {label}", why)
    except ctx.errors as exc:
        yield ScopeError("azure", ctx.scope, kind.titles, ctx.describe(exc))


def get_one(
    ctx: AzureContext,
    kind: AzureKind,
    get_call: Callable[[Any, str, str], Any],
    resource_id: str,
    observe: Observe,
) -> Observation:
    """One resource by its id, `get_call(client, group, name)` (NotFoundError
    if it does not exist)."""
    rid = parse_resource_id(resource_id)
    client = ctx.client(kind)
    return ctx.read_one(
        resource_id, lambda: observe(ctx, as_record(get_call(client, rid.group, rid.name)))
    )


def resource_observation(ctx: AzureContext, kind: AzureKind, record: Any, what: str) -> Observation:
    """The unit an ARM resource of the list is, before its facts: its id, name,
    location and tags (Unusable when it is not an object or has no id; `what`
    names it in that message, e.g. "the scale set")."""
    if not isinstance(record, dict):
        raise Unusable(f"an item of value is {shown(record)}, not an object")
    resource_id = string(record.get("id"), "id")
    if not resource_id:
        raise Unusable(f"{what} has no id")
    return Observation(
        id=resource_id,
        provider="azure",
        kind=kind.name,
        name=text(record.get("name") or resource_id.rsplit("/", 1)[-1]),
        account=ctx.subscription,
        location=text(record.get("location") or ""),
        tags=tags(record.get("tags")),
    )
