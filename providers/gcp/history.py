"""The history step of a GCP scan (--history): each unit's deployment records.

After a kind's units are read (and linked: a Cloud Run service a Cloud Deploy
pipeline releases is not a unit, so its revisions are not read), a kind whose
reader module defines `history(ctx, unit, period)` has each unit's records
read side by side (scanner/fanout.py); a kind whose cloud keeps no deployment
records defines `NO_HISTORY` (why, one sentence), and its units say so.

A unit whose records cannot be read keeps its verdict, with `History.error`.
When every unit of a kind in the project is refused (403: the grant lacks the
records' permission), the scope also reports it once, naming the kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from providers.gcp.context import GcpContext
from providers.gcp.faults import GCP_ERRORS, describe
from scanner.fanout import fan_out
from scanner.model import Observation, ScopeError
from scanner.practice.records import History
from scanner.practice.settings import Period

Reader = Callable[[GcpContext, Observation, Period], History]


def readers_by_kind(modules: Iterable[Any]) -> dict[str, Any]:
    return {module.KIND.name: module for module in modules}


def unit_history(ctx: GcpContext, module: Any, unit: Observation, period: Period) -> History:
    """One unit's records, or a History saying why there are none."""
    return _read(ctx, module, unit, period)[0]


def _read(ctx: GcpContext, module: Any, unit: Observation, period: Period) -> tuple[History, bool]:
    """(the unit's History, whether its records were refused: 403, or the API
    is not enabled)."""
    from google.api_core import exceptions

    reader: Reader | None = getattr(module, "history", None)
    if reader is None:
        why = getattr(module, "NO_HISTORY", "relscan reads no deployment records for this kind")
        return History(source=module.KIND.title, unavailable=why), False
    try:
        return reader(ctx, unit, period), False
    except GCP_ERRORS as exc:
        error = f"records not read: {describe(exc)}"
        refused = isinstance(exc, exceptions.Forbidden | exceptions.Unauthorized)
        return History(source=module.KIND.title, error=error), refused


def with_history(
    ctx: GcpContext,
    items: Iterable[Observation | ScopeError],
    modules: dict[str, Any],
    period: Period,
) -> Iterator[Observation | ScopeError]:
    """`items` in their order, each unit with its `history`; a kind's units
    (consecutive in `items`) are read side by side."""
    batch: list[Observation] = []

    def flush() -> Iterator[Observation | ScopeError]:
        if not batch:
            return
        module = modules.get(batch[0].kind)
        units = list(batch)
        batch.clear()
        if module is None:
            yield from units
            return
        found = fan_out(units, lambda unit: _read(ctx, module, unit, period))
        refused = 0
        for unit, (history, was_refused) in zip(units, found, strict=True):
            unit.history = history
            refused += was_refused
            yield unit
        if refused == len(units):
            why = next(u.history.error for u in units if u.history and u.history.error)
            yield ScopeError("gcp", ctx.scope, f"{module.KIND.part} history", str(why))

    for item in items:
        if isinstance(item, Observation) and (not batch or batch[0].kind == item.kind):
            batch.append(item)
            continue
        yield from flush()
        if isinstance(item, Observation):
            batch.append(item)
        else:
            yield item
    yield from flush()
