"""Runs a scan: scopes concurrently, each unit classified as it arrives.

At most `concurrency` scopes run at once. Each account (subscription,
project, tenancy) has `per_account` slots: a scope being read holds one, and
its reader's per-unit reads (`scanner.fanout`) take the account's free ones,
so at most `per_account` of one account's requests are in flight at once and
its API limits are never hammered while other accounts wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from scanner.classify import classify
from scanner.errors import one_line
from scanner.fanout import AccountSlots, reading_for
from scanner.model import Assessment, Observation, ScanResult, ScopeError, sort_key
from scanner.plugin import ProviderRun, Scope
from scanner.practice import effect
from scanner.practice.settings import PracticeSettings
from scanner.readonly import ReadOnlyViolation

T = TypeVar("T")

# Called with each unit before its practice is derived, to merge the store's
# kept records into its History (scanner/store/merge.py, KeptRecords).
KeptHook = Callable[[Observation], None]
ProgressHook = Callable[[Scope, int], None]
TICK = 0.2  # seconds between looks at the clock while scopes run


class ScanInterrupted(KeyboardInterrupt):
    """Ctrl-C during a scan; carries what was done so far. A KeyboardInterrupt, so
    a command that does not handle it (demo, assess) still exits 130 through the
    CLI's own Ctrl-C handling, never with a traceback."""

    def __init__(self, partial: ScanResult) -> None:
        super().__init__("interrupted")
        self.partial = partial


def in_background(func: Callable[..., T], *args: Any) -> Future[T]:
    """Run `func` in a daemon thread. Nothing ever waits for it to end: a thread
    blocked in an SDK call on a silent network must not hold up Ctrl-C, the
    time budget or the process's exit (ThreadPoolExecutor threads would)."""
    future: Future[T] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(func(*args))
        except BaseException as exc:  # handed to whoever reads the future
            future.set_exception(exc)

    threading.Thread(target=work, daemon=True, name=f"relscan-{func.__name__}").start()
    return future


@dataclass
class _Scope:
    """One scope's reading, shared with the thread that reads it: what it found
    so far stays readable if the scope is abandoned (time budget, Ctrl-C)."""

    scope: Scope
    found: list[Assessment] = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)


def _scan_scope(
    run: ProviderRun,
    state: _Scope,
    slots: AccountSlots,
    practice: PracticeSettings | None,
    kept: KeptHook | None = None,
) -> _Scope:
    scope = state.scope
    reading_for(slots, (scope.provider, scope.account))  # this thread's own context
    try:
        for item in run.collect(scope):
            if isinstance(item, Observation):
                assessment = classify(item)
                if practice is not None:
                    if kept is not None:
                        kept(item)  # the store's kept records join the cloud's
                    effect.apply(assessment, item.history, practice)
                state.found.append(assessment)
            else:
                state.errors.append(item)
    except ReadOnlyViolation:
        raise  # relscan tried to change something: stop the whole scan, loudly
    except Exception as exc:  # a provider bug must not lose the other scopes
        state.errors.append(ScopeError(scope.provider, scope.label, "*", one_line(exc)))
    return state


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
    per_account: int = 16,
    budget: float | None = None,
    started: datetime | None = None,
    deadline: float | None = None,
    practice: PracticeSettings | None = None,
    kept: KeptHook | None = None,
) -> ScanResult:
    """`budget` (seconds from now) or `deadline` (a time.monotonic() value)
    bounds the scan: once reached, scopes not yet started are reported as not
    scanned, and scopes still running as not finished (with the units they had
    read), and the scan ends without waiting for them. `started` is when the
    scan began, discovery included (default: now). `practice`, with
    --history, derives each unit's practice from the records its provider
    read (scanner/practice); `kept` first merges into each unit's records
    those the store kept from earlier scans (scanner/store/merge.py)."""
    result = ScanResult(started=started or datetime.now(UTC))
    if deadline is None and budget:
        deadline = time.monotonic() + budget
    if budget is None and deadline is not None:
        budget = max(0.0, deadline - time.monotonic())
    tasks = [(run, scope) for run, scopes in work for scope in scopes]
    result.scopes = [scope.label for _, scope in tasks]
    pending = _order(tasks)
    running: dict[Future[_Scope], _Scope] = {}
    slots = AccountSlots(per_account)
    try:
        while pending or running:
            if deadline is not None and time.monotonic() > deadline:
                _out_of_time(result, pending, running, budget or 0.0)
                break
            for task in list(pending):
                key = (task[1].provider, task[1].account)
                if len(running) >= concurrency:
                    break
                if slots.try_take(key):
                    pending.remove(task)
                    state = _Scope(task[1])
                    running[in_background(_scan_scope, task[0], state, slots, practice, kept)] = (
                        state
                    )
            tick = TICK if deadline is None else max(0.0, min(TICK, deadline - time.monotonic()))
            done, _ = wait(running, timeout=tick, return_when=FIRST_COMPLETED)
            for future in done:
                state = running.pop(future)
                scope = state.scope
                slots.give_back((scope.provider, scope.account))
                future.result()  # a ReadOnlyViolation stops the scan here
                result.assessments.extend(state.found)
                result.errors.extend(state.errors)
                result.scopes_done += 1
                if on_scope_done:
                    on_scope_done(scope, len(state.found))
    except KeyboardInterrupt:
        for state in running.values():  # what the running scopes had read
            result.assessments.extend(list(state.found))
        result.finished = datetime.now(UTC)
        raise ScanInterrupted(result) from None
    result.assessments.sort(key=sort_key)
    result.errors.sort(key=lambda e: (e.provider, e.scope, e.service))
    result.finished = datetime.now(UTC)
    return result


def _out_of_time(
    result: ScanResult,
    pending: list[tuple[ProviderRun, Scope]],
    running: dict[Future[_Scope], _Scope],
    budget: float,
) -> None:
    """The budget is spent: every scope not done becomes a scope error; the
    running ones keep the units they had read (their threads are left behind)."""
    spent = f"the scan's time budget of {budget:g} s ran out"
    for state in running.values():
        found = list(state.found)
        result.assessments.extend(found)
        result.errors.extend(list(state.errors))
        result.errors.append(
            ScopeError(
                state.scope.provider,
                state.scope.label,
                "*",
                f"not finished: {spent} ({len(found)} units read before)",
            )
        )
    result.errors.extend(
        ScopeError(scope.provider, scope.label, "*", f"not scanned: {spent}")
        for _, scope in pending
    )
    pending.clear()
    running.clear()
