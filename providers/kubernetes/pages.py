"""Every item of a list call, a page (`limit`) at a time, following `continue`.

A 410 Expired means the server no longer holds the snapshot the token came
from. The client's documentation says a consistent list must then start again
without the token; that is done once (a second 410 is reported), and the
pages read before it are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from scanner.model import ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext


def all_items(
    call: Callable[..., Any], page_size: int, timeout: float | None, **kwargs: Any
) -> list[dict[str, Any]]:
    from kubernetes.client.exceptions import ApiException

    restarted = False
    token: str | None = None
    found: list[dict[str, Any]] = []
    while True:
        try:
            resp = call(
                limit=page_size,
                _continue=token,
                _preload_content=False,
                _request_timeout=timeout,
                **kwargs,
            )
        except ApiException as exc:
            if exc.status == 410 and token and not restarted:
                restarted, token = True, None
                found = []  # the pages read so far belong to the expired snapshot
                continue
            raise
        body = json.loads(resp.data or b"{}")
        found.extend(body.get("items") or [])
        token = (body.get("metadata") or {}).get("continue") or None
        if not token:
            return found


def listed(
    ctx: KubeContext,
    part: str,
    everywhere: Callable[..., Any],
    per_namespace: Callable[..., Any],
) -> Iterator[dict[str, Any] | ScopeError]:
    """Every item of one resource: one list across the cluster, or one list per
    namespace given with --k8s-namespace, where a namespace that fails is a
    scope error of its own and the others are still read."""
    from kubernetes.client.exceptions import ApiException

    from providers.kubernetes.faults import describe

    if not ctx.namespaces:
        yield from all_items(everywhere, ctx.page_size, ctx.timeout)
        return
    for namespace in ctx.namespaces:
        try:
            found = all_items(per_namespace, ctx.page_size, ctx.timeout, namespace=namespace)
        except ApiException as exc:
            yield ScopeError("kubernetes", f"{ctx.label}/{namespace}", part, describe(exc))
            continue
        yield from found
