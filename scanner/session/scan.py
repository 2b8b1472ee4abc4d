"""One scan, below the CLI: the steps `scan`, `demo` and `assess` share.

A `ScanSession` owns, as separate steps:

- the store's lifecycle (`open_store`, `begin`, `save`, `mark`, `close`);
- configuring the providers and resolving their scopes, with sharding
  (`discover`), each provider given the session's evidence recorder, and
  with `workers` > 1 some providers read by worker processes
  (scanner/workers), ended when the scan's reading ends;
- executing the scopes (`execute`), with an optional progress callback;
- assigning units to services (`assign_services`), a step of its own;
- closing the evidence bundle (`finish_evidence`);
- producing the outputs (`render`, through `scanner.outputs`).

Progress bars, prompts, messages and exit codes stay in the CLI: nothing here
imports click or rich.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scanner import __version__
from scanner.engine import KeptHook, ProgressHook, run_scan
from scanner.evidence.recorder import Recorder
from scanner.evidence.recording import finish_recording, provider_options
from scanner.model import ScanResult, ScopeError, TrendPoint
from scanner.outputs import SCAN_FORMATS, Writer, scan_output
from scanner.plugin import ProviderPlugin
from scanner.practice.settings import PracticeSettings, settings_record
from scanner.report import RenderOptions
from scanner.services import ServiceConfig, assign_services, service_name
from scanner.session.discovery import Work, configure_each, resolve_scopes
from scanner.shard import Shard
from scanner.store import Store
from scanner.store.merge import KeptRecords
from scanner.store.trend import history_for
from scanner.workers import Pool


class ScanSession:
    """One scan of `plugins`, each configured with `options[plugin.name]`.

    `recorder`, when given, receives every API exchange: it is passed to each
    provider's `configure`. `shard` takes one slice of the scopes; `group`
    labels the shards of one scan in the store; `started` is when the scan
    began (default: when the scopes start to be read). `workers` is how many
    processes read the providers, this one included (scanner/workers): 1, or
    a single provider, reads everything here."""

    def __init__(
        self,
        plugins: list[ProviderPlugin],
        options: dict[str, dict[str, Any]],
        *,
        recorder: Recorder | None = None,
        shard: Shard | None = None,
        group: str | None = None,
        started: datetime | None = None,
        workers: int = 1,
    ) -> None:
        self.plugins = plugins
        self.workers = workers
        self.pool: Pool | None = None
        self.options = options
        self.recorder = recorder
        self.shard = shard
        self.group = group
        self.started = started
        self.store: Store | None = None
        self.uid: str | None = None
        self.stored = False
        self.work: Work = []
        self.discovery_errors: list[ScopeError] = []
        self.result: ScanResult | None = None
        self.practice: PracticeSettings | None = None  # --history: what records to read
        # With --history and the store on, the step that merges the store's
        # kept records into each unit's (scanner/store/merge.py); `assess`
        # sets the bundle's instead (scanner/evidence/history.py).
        self.kept: KeptHook | None = None

    # -- the store ------------------------------------------------------------
    def open_store(self, url: str | None) -> Store:
        """Open (and migrate) the history store; until then nothing is recorded."""
        self.store = Store(url)
        return self.store

    def begin(self) -> str | None:
        """Record the scan as running, with the scopes it will read."""
        if self.store is not None:
            self.uid = self.store.begin_scan(
                self._started(), __version__, self.labels, self.group, self._shard_text()
            )
        return self.uid

    def mark(self, status: str) -> None:
        """Record the scan's end as `status` (interrupted, failed). A scan
        stopped before it began is still recorded, with no scopes."""
        if self.store is None:
            return
        if self.uid is None:
            self.uid = self.store.begin_scan(self._started(), __version__, [], self.group, None)
        self.store.mark(self.uid, status)

    def save(self) -> bool:
        """Store the finished scan's result; False when there is no store."""
        if self.store is not None and self.uid is not None:
            self.store.finish_scan(self.uid, self._result())
            self.stored = True
        return self.stored

    def history(self) -> list[TrendPoint]:
        """Complete scans of the same scopes, oldest first (this one last once saved)."""
        return history_for(self.store, self.labels) if self.store is not None else []

    def close(self) -> None:
        """End the worker processes, release the store's connections."""
        self.stop_workers()
        if self.store is not None:
            self.store.engine.dispose()

    # -- configure and scopes -------------------------------------------------
    def discover(
        self,
        deadline: float | None = None,
        budget: float | None = None,
        keep_going: bool = True,
    ) -> Work:
        """Configure the providers and resolve their scopes, then take this
        session's shard of them. With `keep_going` the providers are configured
        at once and one that cannot be reached becomes a scope error (`scan`);
        without, one after another and the first failure is raised."""
        plugins = self.plugins
        if self.workers > 1 and len(plugins) > 1 and self.pool is None:
            self.pool = Pool(plugins, self.workers)
        if self.pool is not None:
            plugins = self.pool.plugins
        try:
            if keep_going:
                found = resolve_scopes(plugins, self.options, deadline, budget, self.recorder)
            else:
                found = configure_each(plugins, self.options, self.recorder)
        except BaseException:  # usage error, Ctrl-C: no worker outlives the session
            self.stop_workers()
            raise
        shard = self.shard
        self.work = [(run, shard.take(scopes) if shard else scopes) for run, scopes in found.work]
        self.discovery_errors = found.errors
        return self.work

    @property
    def labels(self) -> list[str]:
        """The labels of the scopes this session reads, in order."""
        return [s.label for _, scopes in self.work for s in scopes]

    @property
    def scope_count(self) -> int:
        return sum(len(scopes) for _, scopes in self.work)

    # -- executing ------------------------------------------------------------
    def execute(
        self,
        concurrency: int = 8,
        per_account: int = 16,
        budget: float | None = None,
        deadline: float | None = None,
        on_scope_done: ProgressHook | None = None,
    ) -> ScanResult:
        """Read every scope and classify its units; the providers that could
        not be discovered are scope errors of the result. The worker
        processes are ended when the reading ends, however it ends (done,
        out of time, Ctrl-C, a read-only violation)."""
        if self.pool is not None:
            self.pool.set_per_account(per_account)
        if self.kept is None and self.store is not None and self.practice is not None:
            self.kept = KeptRecords(self.store, self.practice.period)
        try:
            result = run_scan(
                self.work,
                concurrency,
                on_scope_done=on_scope_done,
                per_account=per_account,
                budget=budget,
                started=self.started,
                deadline=deadline,
                practice=self.practice,
                kept=self.kept,
            )
        finally:
            self.stop_workers()
        result.scopes.extend(e.scope for e in self.discovery_errors)
        result.errors = sorted(
            [*self.discovery_errors, *result.errors],
            key=lambda e: (e.provider, e.scope, e.service),
        )
        self.result = result
        return result

    def stop_workers(self) -> None:
        """End the worker processes, if any (nothing they read is lost: every
        unit they sent is already in the result)."""
        if self.pool is not None:
            self.pool.stop()
            self.pool = None

    # -- services, evidence and outputs --------------------------------------
    def assign_services(self, config: ServiceConfig) -> set[str]:
        """Put every unit in its service; return the services found."""
        result = self._result()
        assign_services(result.assessments, config)
        return {service_name(a) for a in result.assessments}

    def finish_evidence(self) -> str | None:
        """Write the bundle's scan.json and manifest; return the manifest's
        SHA-256 (None when the session records nothing)."""
        if self.recorder is None:
            return None
        providers: dict[str, dict[str, Any]] = {}
        for plugin in self.plugins:
            providers.update(provider_options([plugin.name], self.options[plugin.name]))
        practice = settings_record(self.practice) if self.practice is not None else None
        used = self.kept.used if isinstance(self.kept, KeptRecords) else None
        return finish_recording(self.recorder, self._result(), providers, practice, used)

    def render(self, fmt: str, options: RenderOptions) -> str | bytes:
        """The result in one of the scan formats (scanner/outputs)."""
        return SCAN_FORMATS[fmt](self._result(), options)

    def output(self, fmt: str, options: RenderOptions) -> str | bytes | Writer:
        """The result in `fmt`, as a Writer where the format is written as it is
        made (json, csv, sarif: scanner/outputs), else as text or bytes."""
        return scan_output(fmt, self._result(), options)

    # -- inside ---------------------------------------------------------------
    def _result(self) -> ScanResult:
        if self.result is None:
            raise RuntimeError("the session has not executed its scan yet")
        return self.result

    def _started(self) -> datetime:
        if self.started is None:
            raise RuntimeError("a stored scan needs the time it started")
        return self.started

    def _shard_text(self) -> str | None:
        return str(self.shard) if self.shard else None
