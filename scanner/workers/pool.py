"""The parent's side of the worker processes.

A `Pool` starts one process per group of providers but the parent's own
(`spread`), and gives the session a plugin list in which each provider read by
a worker is a `RemotePlugin`: its `configure` has the worker configure the real
plugin and returns a `RemoteRun`, whose `scopes()` and `collect(scope)` are
answered by the worker, unit by unit as they are read. The engine still
schedules every scope (concurrency, per-account slots, the time budget) and
classifies every unit, so the result does not depend on where a provider ran.
"""

from __future__ import annotations

import itertools
import json
import pickle
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import click

from scanner.errors import RelscanError
from scanner.evidence.recorder import Recorder
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderPlugin, ProviderRun, Scope
from scanner.status import status
from scanner.workers import child
from scanner.workers.plan import spread
from scanner.workers.wire import DONE, ERROR, ITEM, STATUS, unpack

STOP_WAIT = 1.0  # seconds a worker is given to exit before it is killed


class WorkerGone(RelscanError):
    """A worker process ended while the parent still needed it (a crash, the
    kernel's OOM killer): its scopes become scope errors, the others go on."""

    exit_code = 3


class Worker:
    """One worker process and the thread that routes its answers."""

    def __init__(self, index: int, providers: list[str]) -> None:
        self.providers = providers
        ours, theirs = socket.socketpair()
        path = json.dumps(sys.path)  # what `spawn` hands its children
        # The worker runs in a process group of its own, so a Ctrl-C at the
        # terminal (sent to the foreground group) reaches only this process,
        # which ends its workers. The parent's own SIGINT handler is never
        # touched: ignoring it around the spawn lost a Ctrl-C that came then.
        self.process = subprocess.Popen(
            [sys.executable, "-c", child.BOOT, str(theirs.fileno()), f"w{index}", path],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            process_group=0,
        )
        theirs.close()  # so that the worker's death reads as EOF here
        self.conn = Connection(ours.detach())
        self.lock = threading.Lock()
        self.reaping = threading.Lock()  # one thread at a time waits for the process
        self.ids = itertools.count(1)
        self.waiting: dict[int, queue.SimpleQueue[tuple[str, Any]]] = {}
        self.gone: str | None = None
        threading.Thread(target=self._route, daemon=True, name="relscan-worker-answers").start()

    def _route(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:  # an answer that cannot be unpickled here
                reason = f"an answer could not be read: {exc}"
                with self.lock:
                    for answers in self.waiting.values():
                        answers.put((ERROR, ("named", __name__, "WorkerGone", reason)))
                continue
            if message[0] == STATUS:
                status(message[1], message[2])
                continue
            rid, kind, value = message
            with self.lock:
                answers = self.waiting.get(rid)
                if kind != ITEM:
                    self.waiting.pop(rid, None)
            if answers is not None:
                answers.put((kind, value))
        with self.reaping:
            code = self._wait(STOP_WAIT)
        with self.lock:
            self.gone = (
                f"the worker process reading {', '.join(self.providers)} ended (exit code {code})"
            )
            for answers in self.waiting.values():
                answers.put((ERROR, ("named", __name__, "WorkerGone", self.gone)))
            self.waiting.clear()

    def request(self, *message: Any) -> queue.SimpleQueue[tuple[str, Any]]:
        answers: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        with self.lock:
            if self.gone is not None:
                raise WorkerGone(self.gone)
            rid = next(self.ids)
            self.waiting[rid] = answers
            try:
                self.conn.send((message[0], rid, *message[1:]))
            except (OSError, ValueError) as exc:
                self.waiting.pop(rid, None)
                raise WorkerGone(f"the worker process cannot be reached: {exc}") from None
        return answers

    def call(self, *message: Any) -> Any:
        """Send a request and wait for its answer (or its exception)."""
        for kind, value in self._answers(self.request(*message)):
            if kind == DONE:
                return value
        raise WorkerGone("no answer")  # pragma: no cover - _answers ends with DONE

    def stream(self, *message: Any) -> Iterator[Any]:
        """Send a request and yield each item as it arrives."""
        for kind, value in self._answers(self.request(*message)):
            if kind == DONE:
                return
            yield value

    @staticmethod
    def _answers(answers: queue.SimpleQueue[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
        while True:
            kind, value = answers.get()
            if kind == ERROR:
                raise unpack(value)
            yield kind, value
            if kind == DONE:
                return

    def ask_to_stop(self) -> None:
        try:
            with self.lock:
                self.conn.send(("stop",))
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """End the worker and reap it: asked first, killed if it does not go."""
        self.ask_to_stop()
        with self.reaping:
            if self._wait(STOP_WAIT) is None:
                self.process.kill()
                self.process.wait()
        self.conn.close()

    def _wait(self, seconds: float) -> int | None:
        """The worker's exit code once it has ended (and been reaped), else None."""
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return None


class RemoteRun(ProviderRun):
    """A provider configured in a worker process."""

    def __init__(self, worker: Worker, name: str) -> None:
        self.worker = worker
        self.name = name
        self.per_account = 16  # set by the pool from the scan's --per-account

    def scopes(self) -> list[Scope]:
        found: list[Scope] = self.worker.call("scopes", self.name)
        return found

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        return self.worker.stream("collect", self.name, scope, self.per_account)

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError("`check` reads in the parent process")


class RemotePlugin(ProviderPlugin):
    """Stands in, in the parent, for a provider a worker process reads."""

    def __init__(self, real: ProviderPlugin, worker: Worker) -> None:
        self.real = real
        self.worker = worker
        self.name = real.name
        self.title = real.title
        self.readers = real.readers
        self.emulator = real.emulator
        self.scan_only = real.scan_only
        self.runs: list[RemoteRun] = []
        # The worker configures this very plugin where it pickles (a plugin
        # object is its class and settings); else the one installed under its name.
        try:
            pickle.loads(pickle.dumps(real))
            self.sent: ProviderPlugin | str = real
        except Exception:
            self.sent = real.name

    def options(self) -> list[click.Option]:
        return self.real.options()

    def claims(self, resource_id: str) -> bool:
        return self.real.claims(resource_id)

    def check_id(self, resource_id: str) -> None:
        self.real.check_id(resource_id)

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        folder = str(recorder.folder) if recorder is not None else None
        self.worker.call("configure", self.name, self.sent, options, folder)
        run = RemoteRun(self.worker, self.name)
        self.runs.append(run)
        return run


class Pool:
    """The worker processes of one scan, started at once."""

    def __init__(self, plugins: list[ProviderPlugin], workers: int) -> None:
        groups = spread(plugins, workers)
        self.workers: list[Worker] = []
        remote: dict[str, RemotePlugin] = {}
        try:
            for index, group in enumerate(groups[1:], start=1):
                worker = Worker(index, [p.name for p in group])
                self.workers.append(worker)
                remote.update((p.name, RemotePlugin(p, worker)) for p in group)
        except BaseException:
            self.stop()
            raise
        self.plugins: list[ProviderPlugin] = [remote.get(p.name, p) for p in plugins]

    def set_per_account(self, per_account: int) -> None:
        for plugin in self.plugins:
            if isinstance(plugin, RemotePlugin):
                for run in plugin.runs:
                    run.per_account = per_account

    def stop(self) -> None:
        """End every worker (the scan is over, interrupted or out of time)."""
        for worker in self.workers:
            worker.ask_to_stop()
        for worker in self.workers:
            worker.stop()
        self.workers = []
