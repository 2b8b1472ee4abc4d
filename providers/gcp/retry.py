"""Retrying throttling, server errors and lost connections: adaptive
exponential backoff that honours Retry-After, within a per-scan time budget.

google-api-core's default retry for these clients does not cover 429, and its
`Retry` ignores the Retry-After header. `ThrottleRetry` is a `Retry` (so every
generated client and pager accepts it) whose wrapper sleeps for the server's
Retry-After when one is given, else for the next backoff step (with jitter).
It is adaptive: one instance is shared by every call of a scan, and a
throttling answer makes every thread wait out the same pause before its next
request, so the scan slows down as a whole instead of hammering the API.
Every call relscan makes is a read, so retrying a lost connection is safe;
but a call that got no answer (refused, timed out) is tried at most
`NETWORK_ATTEMPTS` times (an endpoint that does not answer seldom answers a
moment later), while throttling and server errors get `ATTEMPTS`.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from google.api_core import exceptions, retry
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout

from scanner.kit.retry_after import retry_after as parse_retry_after
from scanner.network import NETWORK_ATTEMPTS, unanswered

THROTTLED = (exceptions.TooManyRequests, exceptions.ServiceUnavailable)
RETRYABLE = (
    *THROTTLED,
    exceptions.InternalServerError,
    exceptions.BadGateway,
    exceptions.GatewayTimeout,
    ConnectionError,  # includes a connection closed without an answer
    ChunkedEncodingError,
    Timeout,
)
ATTEMPTS = 6
INITIAL = 0.5
MAXIMUM = 30.0
MAX_RETRY_AFTER = 60.0
BUDGET = 900.0  # seconds of retrying a scan may spend in all; then calls fail

T = TypeVar("T")


def retry_after(exc: BaseException) -> float | None:
    """Seconds the service asked to wait (scanner/kit/retry_after.py), if it said."""
    response = getattr(exc, "response", None)
    return parse_retry_after(getattr(response, "headers", None), MAX_RETRY_AFTER)


class ThrottleRetry(retry.Retry):
    """At most `ATTEMPTS` tries of a call that fails transiently."""

    def __init__(self, attempts: int = ATTEMPTS, budget: float = BUDGET, **kwargs: Any) -> None:
        kwargs.setdefault("predicate", retry.if_exception_type(*RETRYABLE))
        kwargs.setdefault("initial", INITIAL)
        kwargs.setdefault("maximum", MAXIMUM)
        kwargs.setdefault("multiplier", 2.0)
        kwargs.setdefault("timeout", None)
        super().__init__(**kwargs)
        self.attempts = attempts
        self.budget_ends = time.monotonic() + budget
        self.retries = 0  # how many calls were repeated, for the curious
        self._calm_until = 0.0
        self._lock = threading.Lock()

    def _pause(self, exc: BaseException, delay: float) -> float:
        """How long to wait before the next try; a throttle pauses every thread."""
        wait = retry_after(exc)
        if wait is None:
            wait = delay * random.uniform(0.5, 1.0)
        with self._lock:
            if isinstance(exc, THROTTLED):
                self._calm_until = max(self._calm_until, time.monotonic() + wait)
        return wait

    def _wait_for_calm(self) -> None:
        with self._lock:
            remaining = self._calm_until - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def __call__(
        self, func: Callable[..., T], on_error: Callable[[Exception], Any] | None = None
    ) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> T:
            delay = self._initial
            for attempt in range(1, self.attempts + 1):
                self._wait_for_calm()
                try:
                    return func(*args, **kwargs)
                except RETRYABLE as exc:
                    wait = self._pause(exc, delay)
                    limit = (
                        min(NETWORK_ATTEMPTS, self.attempts) if unanswered(exc) else self.attempts
                    )
                    if attempt >= limit or time.monotonic() + wait > self.budget_ends:
                        raise
                    if on_error is not None:
                        on_error(exc)
                    with self._lock:
                        self.retries += 1
                    time.sleep(wait)
                    delay = min(delay * self._multiplier, self._maximum)
            raise AssertionError("unreachable")

        return wrapped
