"""Release records: the step a scan with --history adds after the kinds are read.

Each kind's reader module either defines `history(ctx, unit, period) ->
History` (it reads the unit's deployment records through the cloud's own API)
or `NO_HISTORY = "<why>"` (the cloud keeps no such records); `HISTORY_SOURCE`
names the records for people. `AwsRun.collect` passes every unit it hands on
through `HistoryStep.attach`, side by side in a fan-out, after the link step,
so a unit another unit releases (an ECS service CodeDeploy deploys) costs
nothing: its owner's records hold its releases.

A failure to read one unit's records never loses the unit: it gets
`History(error=...)`. When an operation is refused for lack of permission,
every unit that needed it says so, and the scope gets one error naming the
operation (`HistoryStep.refused`).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scanner.model import Observation, ScopeError
from scanner.practice.records import History

if TYPE_CHECKING:
    from providers.aws.context import AwsContext
    from scanner.practice.settings import Period

DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError")


def history_reads() -> set[str]:
    """The reads only a scan with --history sends ("service:Operation"): each
    kind module's HISTORY_READS (Auto Scaling's instance refreshes and AppConfig's
    deployment list are read for the configuration too)."""
    from providers.aws.plugin import plugin

    return {read for m in plugin.reader_modules() for read in getattr(m, "HISTORY_READS", ())}


def when(value: Any) -> datetime | None:
    """A timestamp botocore parsed (or an ISO string), as aware UTC; None otherwise."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def not_before(ended: datetime | None, started: datetime) -> datetime | None:
    """A record's end, never before its start (servers' clocks can disagree:
    CodeDeploy documents it), so that no duration comes out negative."""
    return ended if ended is None or ended >= started else started


def count(left_out: dict[str, int], reason: str) -> None:
    left_out[reason] = left_out.get(reason, 0) + 1


def batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def source_of(module: Any) -> str:
    return str(getattr(module, "HISTORY_SOURCE", "") or module.KIND.title)


def read_history(module: Any, ctx: AwsContext, unit: Observation, period: Period) -> History:
    """One unit's History from its kind's module: its records, why there are
    none (`NO_HISTORY`), or the one-line reason they could not be read."""
    from providers.aws.faults import AWS_ERRORS, describe

    source = source_of(module)
    unavailable = getattr(module, "NO_HISTORY", None)
    if unavailable:
        return History(source=source, unavailable=str(unavailable))
    reader = getattr(module, "history", None)
    if reader is None:
        return History(source=source, unavailable="relscan reads no deployment records for it")
    try:
        history: History = reader(ctx, unit, period)
    except AWS_ERRORS as exc:
        return History(source=source, error=describe(exc))
    return history


class HistoryStep:
    """The history of every unit of one scope (one account and region)."""

    def __init__(self, ctx: AwsContext, period: Period) -> None:
        from providers.aws.plugin import plugin

        self.ctx = ctx
        self.period = period
        self.modules = {m.KIND.name: m for m in plugin.reader_modules()}
        self._refused: dict[str, str] = {}  # operation -> the first unit's error line
        self._lock = threading.Lock()

    def attach(self, item: Observation | ScopeError) -> Observation | ScopeError:
        if not isinstance(item, Observation):
            return item
        module = self.modules.get(item.kind)
        if module is None:
            return item
        item.history = self._read(module, item)
        return item

    def _read(self, module: Any, unit: Observation) -> History:
        from providers.aws.faults import AWS_ERRORS, describe, error_code

        source = source_of(module)
        unavailable = getattr(module, "NO_HISTORY", None)
        reader = getattr(module, "history", None)
        if unavailable or reader is None:
            return read_history(module, self.ctx, unit, self.period)
        try:
            history: History = reader(self.ctx, unit, self.period)
        except AWS_ERRORS as exc:
            line = describe(exc)
            if error_code(exc) in DENIED:
                operation = f"{module.KIND.client_name}:{getattr(exc, 'operation_name', '?')}"
                with self._lock:
                    self._refused.setdefault(operation, line)
            return History(source=source, error=line)
        return history

    def refused(self) -> list[ScopeError]:
        """One scope error per operation refused for lack of permission."""
        with self._lock:
            found = sorted(self._refused.items())
        return [
            ScopeError("aws", self.ctx.label, f"history {operation}", line)
            for operation, line in found
        ]
