"""Runs a scan: scopes concurrently, each unit classified as it arrives."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scanner import __version__
from scanner.classify import classify
from scanner.errors import one_line
from scanner.model import Assessment, Observation, ScopeError
from scanner.plugin import ProviderRun, Scope

ProgressHook = Callable[[Scope, int], None]


@dataclass
class ScanResult:
    started: datetime
    finished: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    tool_version: str = __version__

    @property
    def seconds(self) -> float:
        end = self.finished or datetime.now(UTC)
        return (end - self.started).total_seconds()


def _scan_scope(run: ProviderRun, scope: Scope) -> tuple[list[Assessment], list[ScopeError]]:
    found: list[Assessment] = []
    errors: list[ScopeError] = []
    try:
        for item in run.collect(scope):
            if isinstance(item, Observation):
                found.append(classify(item))
            else:
                errors.append(item)
    except Exception as exc:  # a provider bug must not lose the other scopes
        errors.append(ScopeError(scope.provider, scope.label, "*", one_line(exc)))
    return found, errors


def sort_key(a: Assessment) -> tuple[str, str, str, str, str]:
    return (a.provider, a.account, a.location, a.kind, a.id)


def run_scan(
    work: list[tuple[ProviderRun, list[Scope]]],
    concurrency: int = 8,
    on_scope_done: ProgressHook | None = None,
) -> ScanResult:
    result = ScanResult(started=datetime.now(UTC))
    tasks = [(run, scope) for run, scopes in work for scope in scopes]
    result.scopes = [scope.label for _, scope in tasks]
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = {pool.submit(_scan_scope, run, scope): scope for run, scope in tasks}
        for future in as_completed(futures):
            found, errors = future.result()
            result.assessments.extend(found)
            result.errors.extend(errors)
            if on_scope_done:
                on_scope_done(futures[future], len(found))
    result.assessments.sort(key=sort_key)
    result.errors.sort(key=lambda e: (e.provider, e.scope, e.service))
    result.finished = datetime.now(UTC)
    return result
