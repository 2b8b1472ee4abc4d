"""Paging through an OCI list call with the client's own retry strategy.

The SDK's pagination helpers wrap every page in a second, default retry
strategy of their own: a call that keeps failing would be tried 8 x 8 times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.oci.faults import MalformedAnswer

MAX_PAGES = 10_000


def all_items(call: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
    """Every item of every page, following `opc-next-page`."""
    items: list[Any] = []
    seen: set[str] = set()
    page: str | None = None
    for _ in range(MAX_PAGES):
        if page:
            kwargs["page"] = page
        response = call(*args, **kwargs)
        data = response.data
        found = data if isinstance(data, list) else getattr(data, "items", None)
        items.extend(found or [])
        page = response.headers.get("opc-next-page") or None
        if not page:
            return items
        if page in seen:
            raise MalformedAnswer(f"the page token {page[:40]!r} came back twice")
        seen.add(page)
    raise MalformedAnswer(f"more than {MAX_PAGES} pages")
