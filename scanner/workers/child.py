"""A worker process: reads its providers' scopes for the parent.

Started as a new interpreter (`BOOT`, as multiprocessing's `spawn` does; never
`fork`: the parent has live threads and SDK connection pools), it speaks over
a `multiprocessing.connection.Connection` on a socket pair, with the parent's
import path. It ignores Ctrl-C (the parent
handles it and ends its workers), serves each request in a thread of its own,
streams every unit back as it is read, and exits as soon as the parent is gone
(its end of the socket reads EOF), so it never outlives the scan.
"""

from __future__ import annotations

import os
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from scanner.evidence.recorder import Recorder
from scanner.fanout import AccountSlots, reading_for
from scanner.plugin import ProviderRun, Scope, installed_plugins
from scanner.status import showing
from scanner.workers.wire import DONE, ERROR, ITEM, STATUS, pack


class _Child:
    def __init__(self, conn: Connection, tag: str) -> None:
        self.conn = conn
        self.tag = tag
        self.send_lock = threading.Lock()
        self.lock = threading.Lock()
        self.runs: dict[str, ProviderRun] = {}
        self.recorders: dict[str, Recorder] = {}
        self.slots: dict[int, AccountSlots] = {}

    def send(self, message: tuple[Any, ...]) -> None:
        try:
            with self.send_lock:
                self.conn.send(message)
        except (OSError, ValueError):  # the parent is gone: so is the scan
            os._exit(0)

    def recorder(self, folder: str | None) -> Recorder | None:
        if folder is None:
            return None
        with self.lock:
            if folder not in self.recorders:
                self.recorders[folder] = Recorder(Path(folder), self.tag)
            return self.recorders[folder]

    def account_slots(self, per_account: int) -> AccountSlots:
        with self.lock:
            return self.slots.setdefault(per_account, AccountSlots(per_account))

    def handle(self, message: tuple[Any, ...]) -> None:
        kind, rid = message[0], message[1]
        try:
            if kind == "configure":
                _, _, name, sent, options, folder = message
                plugin = installed_plugins()[sent] if isinstance(sent, str) else sent
                run = plugin.configure(options, recorder=self.recorder(folder))
                with self.lock:
                    self.runs[name] = run
                self.send((rid, DONE, None))
            elif kind == "scopes":
                self.send((rid, DONE, self.runs[message[2]].scopes()))
            elif kind == "collect":
                _, _, name, scope, per_account = message
                self.collect(rid, self.runs[name], scope, per_account)
            else:
                raise ValueError(f"unknown request {kind!r}")
        except BaseException as exc:  # sent back, raised in the parent as itself
            self.send((rid, ERROR, pack(exc)))

    def collect(self, rid: int, run: ProviderRun, scope: Scope, per_account: int) -> None:
        """Read one scope, holding one of its account's slots here as the
        parent's engine holds one there, so that the per-unit reads of
        `scanner.fanout` in this process obey the same per-account limit."""
        slots = self.account_slots(per_account)
        key = (scope.provider, scope.account)
        taken = slots.try_take(key)
        reading_for(slots, key)
        try:
            for item in run.collect(scope):
                self.send((rid, ITEM, item))
        finally:
            if taken:
                slots.give_back(key)  # before the answer: the parent may start the next
        self.send((rid, DONE, None))

    def serve(self) -> None:
        with showing(lambda provider, text: self.send((STATUS, provider, text))):
            while True:
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):  # the parent ended, or died
                    break
                if message[0] == "stop":
                    break
                threading.Thread(
                    target=self.handle, args=(message,), daemon=True, name="relscan-worker"
                ).start()
        os._exit(0)  # at once: threads may be waiting on the network


# The worker's command line: python -c BOOT FD TAG PATH, PATH the parent's
# sys.path as JSON (as `spawn` hands it over). Only this module is imported,
# not the command's script (`relscan`'s imports the whole CLI: ~35 MB).
BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[3]); "
    "from scanner.workers.child import main; main(int(sys.argv[1]), sys.argv[2])"
)


def main(fd: int, tag: str) -> None:
    """The worker process's main function."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _Child(Connection(fd), tag).serve()
