"""Retrying 429 and 503 with exponential backoff, honouring Retry-After.

google-api-core's default retry for these clients does not cover 429, and its
`Retry` ignores the Retry-After header. `ThrottleRetry` is a `Retry` (so every
generated client and pager accepts it) whose wrapper sleeps for the server's
Retry-After when one is given, else for the next backoff step.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from google.api_core import exceptions, retry

RETRYABLE = (exceptions.TooManyRequests, exceptions.ServiceUnavailable)
ATTEMPTS = 6
INITIAL = 1.0
MAXIMUM = 30.0
MAX_RETRY_AFTER = 60.0

T = TypeVar("T")


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form), if the error has one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER) if raw is not None else None
    except (TypeError, ValueError):
        return None


class ThrottleRetry(retry.Retry):
    """At most `ATTEMPTS` tries of a call that fails with 429 or 503."""

    def __init__(self, attempts: int = ATTEMPTS, **kwargs: Any) -> None:
        kwargs.setdefault("predicate", retry.if_exception_type(*RETRYABLE))
        kwargs.setdefault("initial", INITIAL)
        kwargs.setdefault("maximum", MAXIMUM)
        kwargs.setdefault("multiplier", 2.0)
        kwargs.setdefault("timeout", None)
        super().__init__(**kwargs)
        self.attempts = attempts

    def __call__(
        self, func: Callable[..., T], on_error: Callable[[Exception], Any] | None = None
    ) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> T:
            delay = self._initial
            for attempt in range(1, self.attempts + 1):
                try:
                    return func(*args, **kwargs)
                except RETRYABLE as exc:
                    if attempt == self.attempts:
                        raise
                    if on_error is not None:
                        on_error(exc)
                    wait = retry_after(exc)
                    time.sleep(wait if wait is not None else delay * random.uniform(0.5, 1.0))
                    delay = min(delay * self._multiplier, self._maximum)
            raise AssertionError("unreachable")

        return wrapped
