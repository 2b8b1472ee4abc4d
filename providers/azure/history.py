"""The release-records step of an Azure scan (`--history`): each unit a kind
yielded gets its `History`, read by the kind module's `history(ctx, unit,
period)` side by side through fan_out, or, for a kind whose cloud keeps no
deployment records, `History(unavailable=NO_HISTORY)`.

A failure to read one unit's records never loses the unit: its History
carries the error (one line, naming the SDK call). Only when every unit of
the kind in the subscription was refused (HTTP 403) on the same call is the
read taken to be refused for the whole subscription, and one scope error
names that call (the role lacks its action); the units keep their History
with the error.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from providers.azure.values import Unusable, shown
from scanner.errors import UsageError, one_line
from scanner.facts import text
from scanner.fanout import fan_out
from scanner.model import Observation, ScopeError
from scanner.practice.records import History
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

NOT_READ = "relscan reads no release records for this kind yet"
REFUSED = "(HTTP 403)"  # how describe() names a refusal


def source_of(reader: Any) -> str:
    return str(getattr(reader, "HISTORY_SOURCE", "") or reader.KIND.titles)


def one(ctx: AzureContext, reader: Any, unit: Observation, period: Period) -> History:
    """One unit's History; whatever escapes the kind's own handling becomes
    the History's error, and the unit is kept."""
    read: Callable[..., History] | None = getattr(reader, "history", None)
    if read is None:
        why = getattr(reader, "NO_HISTORY", None) or NOT_READ
        return History(source=source_of(reader), unavailable=why)
    try:
        return read(ctx, unit, period)
    except ctx.errors as exc:
        return History(source=source_of(reader), error=ctx.describe(exc))
    except (Unusable, UsageError, ValueError, TypeError, AttributeError) as exc:
        return History(source=source_of(reader), error=f"malformed answer: {exc}"[:500])


def read_histories(
    ctx: AzureContext, reader: Any, units: list[Observation], period: Period
) -> list[ScopeError]:
    """Set every unit's History; the scope error when the whole read was refused."""
    if not units:
        return []
    with closing(fan_out(units, lambda unit: one(ctx, reader, unit, period))) as answers:
        for unit, history in zip(units, answers, strict=True):
            unit.history = history
    errors = [u.history.error for u in units if u.history is not None]
    if len(errors) != len(units) or not all(e and REFUSED in e for e in errors):
        return []
    calls = {e.split(":", 1)[0] for e in errors if e}
    if len(calls) != 1:
        return []
    part = f"{reader.KIND.titles}: release records ({calls.pop()})"
    why = (errors[0] or "").split(": ", 1)[-1]  # the call is named in `part`
    return [ScopeError("azure", ctx.scope, part, why)]


def in_period(when: datetime | None, period: Period) -> bool:
    return when is not None and period.start <= when <= period.end


def line(value: Any, limit: int = 200) -> str:
    """A cloud-supplied string for a record: one line, control characters
    shown as escapes, cut at `limit`."""
    return one_line(text(value), limit)


def when(value: Any, field: str) -> datetime | None:
    """A wire timestamp (ISO 8601, ARM's seven fractional digits) as aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        raw = value.strip().replace("Z", "+00:00")
        head, dot, rest = raw.partition(".")
        if dot:  # at most six fractional digits for Python
            digits = "".join(c for c in rest if c.isdigit())
            raw = f"{head}.{digits[:6]}{rest[len(digits) :]}"
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise Unusable(f"{field} is {shown(value)}, not a time") from None
    else:
        raise Unusable(f"{field} is {shown(value)}, not a time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # ARM's times are UTC
    return moment.astimezone(UTC)
