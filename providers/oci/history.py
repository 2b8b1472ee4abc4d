"""The history step of an OCI scan (--history): each unit's deployment records.

A kind whose reader module defines `history(ctx, unit, period)` has each of
its units' records read after the kind's list, side by side
(scanner/fanout.py); a kind whose cloud keeps no deployment records defines
`NO_HISTORY` (why, one sentence), and its units say so. A unit whose records
cannot be read keeps its verdict, with `History.error`; when every unit of the
kind in the scope is refused (401/403/404 on the records: the policy lacks
them), the scope also reports it once, naming the kind.
"""

from __future__ import annotations

from typing import Any

from providers.oci.context import OciContext
from providers.oci.faults import OCI_ERRORS, describe, status_of
from scanner.fanout import fan_out
from scanner.model import Observation, ScopeError
from scanner.practice.records import History
from scanner.practice.settings import Period

MALFORMED = (AttributeError, TypeError, ValueError, KeyError)
REFUSED = (401, 403, 404)


def unit_history(ctx: OciContext, module: Any, unit: Observation, period: Period) -> History:
    """One unit's records, or a History saying why there are none."""
    return _read(ctx, module, unit, period)[0]


def _read(ctx: OciContext, module: Any, unit: Observation, period: Period) -> tuple[History, bool]:
    """(the unit's History, whether its records were refused)."""
    reader = getattr(module, "history", None)
    if reader is None:
        why = getattr(module, "NO_HISTORY", "relscan reads no deployment records for this kind")
        return History(source=module.KIND.title, unavailable=why), False
    try:
        return reader(ctx, unit, period), False
    except OCI_ERRORS as exc:
        error = f"records not read: {describe(exc)}"
        return History(source=module.KIND.title, error=error), status_of(exc) in REFUSED
    except MALFORMED as exc:
        error = f"records not read: malformed answer: {type(exc).__name__}: {exc}"
        return History(source=module.KIND.title, error=error[:300]), False


def with_history(
    ctx: OciContext, found: list[Observation | ScopeError], module: Any, period: Period
) -> list[Observation | ScopeError]:
    """`found` with every unit's history set; a scope error after them when
    every unit's records were refused."""
    units = [item for item in found if isinstance(item, Observation)]
    read = list(fan_out(units, lambda unit: _read(ctx, module, unit, period)))
    for unit, (history, _) in zip(units, read, strict=True):
        unit.history = history
    if units and all(refused for _, refused in read):
        why = str(read[0][0].error)
        return [*found, ScopeError("oci", ctx.label, f"{module.KIND.part} history", why)]
    return found
