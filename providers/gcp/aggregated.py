"""Compute Engine's aggregated lists: one paged call per project that covers
every zone and region (and `global`), each page naming the scopes it could not
reach. Written once for every Compute reader (MIGs, URL maps, instance
templates, proxies, forwarding rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from providers.gcp.facts import api_dict
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients
    from providers.gcp.context import GcpContext, Labels


def aggregated_pages(
    clients: GcpClients, client_name: str, project: str, attr: str
) -> Iterator[tuple[list[dict[str, Any]], list[str]]]:
    """Each page's items (the `attr` list of every scope, as API dicts) and
    the scopes that page reports unreachable (none where the list has no
    such field)."""
    pager = clients.get(client_name).aggregated_list(
        request={"project": project}, retry=clients.retry
    )
    for page in pager.pages:
        items = [api_dict(item) for _scope, scoped in page.items.items()
                 for item in getattr(scoped, attr)]  # fmt: skip
        # Not every aggregated list has `unreachables` (instance templates' has none).
        yield items, list(getattr(page, "unreachables", None) or [])


def aggregated_items(
    clients: GcpClients, client_name: str, project: str, attr: str
) -> list[dict[str, Any]]:
    """Every item of the aggregated list, over all its pages."""
    return [
        item for items, _ in aggregated_pages(clients, client_name, project, attr) for item in items
    ]


def observed_units(
    ctx: GcpContext,
    part: str,
    collection: str,
    labels: Callable[[], tuple[Labels, ScopeError | None]],
    observe: Callable[[dict[str, Any], str, Labels], Observation],
    keep: Callable[[dict[str, Any]], bool] = lambda raw: True,
) -> Iterator[Observation | ScopeError]:
    """A kind's units from its aggregated list (`collection` names both the
    client and the list): every item `keep` accepts, observed with the
    project's labels (read once, and only when there is a unit), and a scope
    error naming `part` for each page's unreachable zones and regions."""
    tags: Labels | None = None
    for items, unreachable in aggregated_pages(ctx.clients, collection, ctx.project, collection):
        for raw in items:
            if not keep(raw):
                continue
            if tags is None:
                tags, error = labels()
                if error:
                    yield error
            yield observe(raw, ctx.project, tags)
        if unreachable:
            yield ScopeError("gcp", ctx.scope, part, f"unreachable: {', '.join(unreachable)}")
