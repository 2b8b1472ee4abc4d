"""Counting the requests an emulator has in flight at once, by operation.

`InFlight` wraps an emulator app for a LoopbackServer. A request of a
`held` operation is not answered until a request of `alongside` (an
operation, a set of them, or any operation when None) is in flight beside it,
or `hold` seconds have passed; `met` counts the held requests that had a
partner beside them.
So reads that a scan makes side by side are seen in flight together however
slowly the machine runs, and reads made one after another never are: nothing
here measures time, only what overlapped.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from scanner.emulators.server import Request, Response


class InFlight:
    def __init__(
        self,
        app: Callable[[Request], Response],
        operation: Callable[[Request], str],
        held: set[str],
        alongside: str | set[str] | None = None,
        hold: float = 1.0,
    ) -> None:
        self.app = app
        self.operation = operation
        self.held = held
        self.alongside = alongside
        self.hold = hold
        self.now: Counter[str] = Counter()  # in flight, by operation
        self.peak = 0  # the most requests in flight at one moment
        self.peaks: Counter[str] = Counter()  # the same, by operation
        self._partners_arrived = 0
        self.met = 0  # held requests whose partner came (not released by the timeout)
        self._cond = threading.Condition()

    def _partners(self) -> set[str] | None:
        """The operations that count as partners (None: any)."""
        if self.alongside is None or isinstance(self.alongside, set):
            return self.alongside
        return {self.alongside}

    def _is_partner(self, op: str) -> bool:
        partners = self._partners()
        return partners is None or op in partners

    def _partners_in_flight(self, op: str) -> int:
        partners = self._partners()
        count = self.now.total() if partners is None else sum(self.now[p] for p in partners)
        return count - (1 if self._is_partner(op) else 0)  # not itself

    def __call__(self, req: Request) -> Response:
        op = self.operation(req)
        with self._cond:
            self.now[op] += 1
            self.peak = max(self.peak, self.now.total())
            self.peaks[op] = max(self.peaks[op], self.now[op])
            if self._is_partner(op):
                self._partners_arrived += 1
                self._cond.notify_all()
            if op in self.held and not self._partners_in_flight(op):
                seen = self._partners_arrived
                if self._cond.wait_for(lambda: self._partners_arrived > seen, timeout=self.hold):
                    self.met += 1
            elif op in self.held:
                self.met += 1  # a partner was already in flight
        try:
            return self.app(req)
        finally:
            with self._cond:
                self.now[op] -= 1
