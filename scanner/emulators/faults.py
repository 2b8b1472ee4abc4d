"""Faults an emulator injects at a chosen rate, the same way every run (seeded).

Kinds: `throttle` (the cloud's own throttling answer: AWS ThrottlingException,
HTTP 429 with Retry-After elsewhere), `500`, `503`, `slow` (answers after a
delay), `drop` (closes the connection without answering). The emulator app
renders throttle/500/503 in its cloud's format through `fault_response(kind,
request)`; a generic JSON body is used otherwise.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

KINDS = ("throttle", "500", "503", "slow", "drop")
FAILURES = frozenset({"throttle", "500", "503", "drop"})  # answers a client must retry


@dataclass
class FaultPlan:
    rate: float = 0.0
    kinds: tuple[str, ...] = ("throttle", "500", "503", "slow", "drop")
    seed: int = 7
    slow_seconds: float = 0.3
    retry_after: int = 0  # seconds advertised in Retry-After on throttling
    # A request (same method, path, query and body) that failed this many times
    # in a row is answered: faults are transient, and a client that retries more
    # often always gets through, whatever order concurrent requests drew in.
    most_in_a_row: int = 2
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not 0 <= self.rate <= 1:
            raise ValueError(f"fault kinds must be among {KINDS} and the rate in [0, 1]")
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._failed: dict[str, int] = {}  # request key -> failures in a row

    def pick(self, key: str = "") -> str | None:
        """The fault for this request, or None; `key` names the request (see
        `most_in_a_row`)."""
        with self._lock:
            if self.rate <= 0 or self._random.random() >= self.rate:
                kind = None
            else:
                kind = self._random.choice(self.kinds)
            if kind in FAILURES and self._failed.get(key, 0) >= self.most_in_a_row:
                kind = None
            if kind in FAILURES:
                self._failed[key] = self._failed.get(key, 0) + 1
            else:
                self._failed.pop(key, None)
            if kind is not None:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind
