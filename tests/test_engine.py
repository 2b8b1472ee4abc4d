"""The engine's scheduling: bounded per account, a time budget, and a read-only
violation that stops the scan instead of hiding as a scope error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from scanner.engine import run_scan
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.readonly import ReadOnlyViolation


class SlowRun(ProviderRun):
    """A provider whose every scope takes `seconds` and yields one unit."""

    def __init__(self, seconds: float = 0.05, fail: set[str] | None = None) -> None:
        self.seconds = seconds
        self.fail = fail or set()
        self.running: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.lock = threading.Lock()

    def scopes(self) -> list[Scope]:
        return []

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        with self.lock:
            self.running[scope.account] = self.running.get(scope.account, 0) + 1
            self.peak[scope.account] = max(
                self.peak.get(scope.account, 0), self.running[scope.account]
            )
        try:
            if scope.location in self.fail:
                raise ReadOnlyViolation("refused DeleteApplication: nothing was sent")
            time.sleep(self.seconds)
            yield Observation(f"{scope.label}/u", "t", "t.kind", "u", scope.account, scope.location)
        finally:
            with self.lock:
                self.running[scope.account] -= 1

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError


def scopes(accounts: int, regions: int) -> list[Scope]:
    return [Scope("t", f"a{a}", f"r{r}") for a in range(accounts) for r in range(regions)]


def test_per_account_limit_and_every_scope_done():
    run = SlowRun()
    result = run_scan([(run, scopes(3, 10))], concurrency=8, per_account=2)
    assert len(result.assessments) == 30 and result.errors == []
    assert max(run.peak.values()) == 2


def test_the_busiest_account_starts_first():
    run = SlowRun(seconds=0.1)
    began = time.monotonic()
    run_scan(
        [(run, scopes(1, 8) + [Scope("t", f"small{i}", "r") for i in range(8)])],
        concurrency=4,
        per_account=2,
    )
    # 8 scopes of one account at 2 at a time is the critical path: 4 rounds.
    assert time.monotonic() - began < 0.75


def test_time_budget_reports_unstarted_scopes():
    run = SlowRun(seconds=0.3)
    result = run_scan([(run, scopes(1, 6))], concurrency=1, per_account=1, budget=0.1)
    not_scanned = [e for e in result.errors if "time budget of 0.1 s ran out" in e.message]
    assert len(result.assessments) + len(not_scanned) == 6 and not_scanned


def test_a_read_only_violation_stops_the_scan():
    with pytest.raises(ReadOnlyViolation, match="nothing was sent"):
        run_scan([(SlowRun(fail={"r3"}), scopes(1, 5))], concurrency=2)


class HungRun(SlowRun):
    """Yields one unit, then blocks as a read on a silent network would."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        yield Observation(f"{scope.label}/u", "t", "t.kind", "u", scope.account, scope.location)
        self.release.wait(30)


def test_the_budget_ends_a_scope_that_hangs_and_keeps_what_it_read():
    run = HungRun()
    began = time.monotonic()
    result = run_scan([(run, scopes(1, 3))], concurrency=2, per_account=2, budget=0.5)
    run.release.set()
    assert time.monotonic() - began < 1.5  # the hung threads are not waited for
    messages = sorted(e.message for e in result.errors)
    assert messages == [
        "not finished: the scan's time budget of 0.5 s ran out (1 units read before)",
        "not finished: the scan's time budget of 0.5 s ran out (1 units read before)",
        "not scanned: the scan's time budget of 0.5 s ran out",
    ]
    assert len(result.assessments) == 2  # what the unfinished scopes had read
