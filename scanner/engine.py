"""Runs a scan: scopes concurrently, each unit classified as it arrives.

At most `concurrency` scopes run at once, and at most `per_account` of them
belong to the same account (subscription, project, tenancy), so one account's
API limits are never hammered while others wait.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scanner import __version__
from scanner.classify import classify
from scanner.errors import one_line
from scanner.model import Assessment, Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.readonly import ReadOnlyViolation

ProgressHook = Callable[[Scope, int], None]


@dataclass
class ScanResult:
    started: datetime
    finished: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    tool_version: str = __version__
    scopes_done: int = 0

    @property
    def seconds(self) -> float:
        end = self.finished or datetime.now(UTC)
        return (end - self.started).total_seconds()


class ScanInterrupted(Exception):
    """Ctrl-C during a scan; carries what was done so far."""

    def __init__(self, partial: ScanResult) -> None:
        super().__init__("interrupted")
        self.partial = partial


def _scan_scope(run: ProviderRun, scope: Scope) -> tuple[list[Assessment], list[ScopeError]]:
    found: list[Assessment] = []
    errors: list[ScopeError] = []
    try:
        for item in run.collect(scope):
            if isinstance(item, Observation):
                found.append(classify(item))
            else:
                errors.append(item)
    except ReadOnlyViolation:
        raise  # relscan tried to change something: stop the whole scan, loudly
    except Exception as exc:  # a provider bug must not lose the other scopes
        errors.append(ScopeError(scope.provider, scope.label, "*", one_line(exc)))
    return found, errors


def sort_key(a: Assessment) -> tuple[str, str, str, str, str]:
    return (a.provider, a.account, a.location, a.kind, a.id)


def _order(tasks: list[tuple[ProviderRun, Scope]]) -> list[tuple[ProviderRun, Scope]]:
    """Accounts with the most scopes first, each account's scopes together: the
    busiest accounts fill their per-account slots from the start instead of
    becoming the tail, and the free slots go to the many small accounts."""
    by_account: dict[tuple[str, str], list[tuple[ProviderRun, Scope]]] = {}
    for task in tasks:
        by_account.setdefault((task[1].provider, task[1].account), []).append(task)
    queues = sorted(by_account.values(), key=len, reverse=True)
    return [task for queue in queues for task in queue]


def run_scan(
    work: list[tuple[ProviderRun, list[Scope]]],
    concurrency: int = 8,
    on_scope_done: ProgressHook | None = None,
    per_account: int = 4,
    budget: float | None = None,
) -> ScanResult:
    """`budget` (seconds) bounds the scan: once spent, scopes not yet started are
    reported as not scanned, and the ones running finish (each SDK's own retry
    limits bound them)."""
    result = ScanResult(started=datetime.now(UTC))
    deadline = time.monotonic() + budget if budget else None
    tasks = [(run, scope) for run, scopes in work for scope in scopes]
    result.scopes = [scope.label for _, scope in tasks]
    pending = _order(tasks)
    running: dict[Future[tuple[list[Assessment], list[ScopeError]]], Scope] = {}
    busy: Counter[tuple[str, str]] = Counter()
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="scope")
    try:
        while pending or running:
            if deadline is not None and time.monotonic() > deadline and pending:
                result.errors.extend(
                    ScopeError(
                        scope.provider,
                        scope.label,
                        "*",
                        f"not scanned: the scan's time budget of {budget:g} s ran out",
                    )
                    for _, scope in pending
                )
                pending = []
                if not running:
                    break
            for task in list(pending):
                key = (task[1].provider, task[1].account)
                if len(running) >= concurrency:
                    break
                if busy[key] < per_account:
                    pending.remove(task)
                    busy[key] += 1
                    running[pool.submit(_scan_scope, *task)] = task[1]
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                scope = running.pop(future)
                busy[(scope.provider, scope.account)] -= 1
                found, errors = future.result()
                result.assessments.extend(found)
                result.errors.extend(errors)
                result.scopes_done += 1
                if on_scope_done:
                    on_scope_done(scope, len(found))
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        result.finished = datetime.now(UTC)
        raise ScanInterrupted(result) from None
    pool.shutdown()
    result.assessments.sort(key=sort_key)
    result.errors.sort(key=lambda e: (e.provider, e.scope, e.service))
    result.finished = datetime.now(UTC)
    return result
