"""Requests in flight at an emulator: when each request began and ended, and
what that says about how many the scan kept open at once.

`Timed` wraps an emulator app: it sleeps the benchmark's latency itself (so the
LoopbackServer is started with none) and records the interval from a request's
arrival to its answer. `overlap` turns intervals into the figures the
benchmark prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from scanner.emulators.server import Request, Response


@dataclass(frozen=True)
class Overlap:
    max: int  # the most requests in flight at one moment
    mean_busy: float  # mean in flight over the time at least one was in flight
    mean_overall: float  # mean in flight over the whole span (time-weighted)
    busy: float  # seconds with at least one request in flight


def overlap(intervals: list[tuple[float, float]], span: tuple[float, float]) -> Overlap:
    """Sweep the (start, end) intervals in time order; `span` is the window the
    overall mean is taken over (the scan process's life)."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    # ends sort before starts at the same instant: touching intervals do not overlap
    level = peak = 0
    area = busy = 0.0
    last = None
    for when, step in events:
        if last is not None and level:
            area += level * (when - last)
            busy += when - last
        level += step
        peak = max(peak, level)
        last = when
    length = span[1] - span[0]
    return Overlap(
        max=peak,
        mean_busy=area / busy if busy else 0.0,
        mean_overall=area / length if length > 0 else 0.0,
        busy=busy,
    )


class Timed:
    """An emulator app that answers after `latency` seconds and records when
    each request was in flight (time.monotonic())."""

    def __init__(
        self,
        app: Callable[[Request], Response],
        latency: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.latency = latency
        self.clock = clock
        self.intervals: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        began = self.clock()
        try:
            if self.latency:
                time.sleep(self.latency)
            return self.app(req)
        finally:
            ended = self.clock()
            with self._lock:
                self.intervals.append((began, ended))

    def first_start(self) -> float | None:
        with self._lock:
            return min((s for s, _ in self.intervals), default=None)

    def snapshot(self) -> list[tuple[float, float]]:
        with self._lock:
            return list(self.intervals)
