"""Retries for every OCI call of a scan: the SDK's exponential backoff with
jitter, except that a `Retry-After` the service sends is honoured, and bounded
both per call and by a budget for the whole scan.

The OCI SDK retries nothing unless told to, and ignores Retry-After; this is
its own retry-strategy extension point (`do_sleep`), not a wrapper around it.
A call that got no answer (refused, timed out) is tried at most
`NETWORK_ATTEMPTS` times; throttling, server errors and dropped connections up
to `ATTEMPTS`.
The SDK's own switch is honoured: `OCI_SDK_DEFAULT_RETRY_ENABLED=false`
turns retries off (`strategy()`).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import oci
from oci.retry import retry_checkers as checks

from scanner.kit.retry_after import retry_after as parse_retry_after
from scanner.network import NETWORK_ATTEMPTS, unanswered

ATTEMPTS = 6  # per call
CALL_SECONDS = 180  # per call, all attempts
SCAN_BUDGET_SECONDS = 1800  # after this, no call of the scan is retried any more
BASE_SECONDS = 0.5  # first retry waits up to 1 s, doubling to at most MAX_WAIT
MAX_WAIT_SECONDS = 30
RETRIED = {429: [], 409: ["IncorrectState"]}  # and any 5xx but 501, and connection errors


def retry_after(exc: BaseException) -> float | None:
    """Seconds the service asked to wait (scanner/kit/retry_after.py), if it said."""
    return parse_retry_after(getattr(exc, "headers", None), MAX_WAIT_SECONDS)


class ScanBudget(checks.BaseRetryChecker):
    """No retry once the scan's retry budget is spent."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def should_retry(self, exception: Any = None, response: Any = None, **kwargs: Any) -> bool:
        return self.remaining() > 0


class NetworkAttempts(checks.BaseRetryChecker):
    """A call that got no answer (refused, timed out) is tried at most
    NETWORK_ATTEMPTS times; anything else is left to the other checkers."""

    def should_retry(self, exception: Any = None, response: Any = None, **kwargs: Any) -> bool:
        if isinstance(exception, oci.exceptions.ServiceError) or not unanswered(exception):
            return True
        return int(kwargs.get("current_attempt", 0)) < NETWORK_ATTEMPTS


def strategy() -> Any:
    """relscan's retry strategy, or none when OCI_SDK_DEFAULT_RETRY_ENABLED=false."""
    if os.environ.get("OCI_SDK_DEFAULT_RETRY_ENABLED", "").strip().lower() == "false":
        return oci.retry.NoneRetryStrategy()
    return RetryStrategy()


class RetryStrategy(oci.retry.ExponentialBackoffWithFullJitterEqualForThrottlesRetryStrategy):
    """Backoff with full jitter (equal jitter on throttling), or the service's
    Retry-After when it sends one; counts the retries it makes."""

    def __init__(self, budget_seconds: float = SCAN_BUDGET_SECONDS) -> None:
        self.budget = ScanBudget(budget_seconds)
        container = checks.RetryCheckerContainer(
            checkers=[
                checks.LimitBasedRetryChecker(max_attempts=ATTEMPTS),
                NetworkAttempts(),
                checks.TimeoutConnectionAndServiceErrorRetryChecker(
                    service_error_retry_config=RETRIED, retry_any_5xx=True
                ),
                checks.TotalTimeExceededRetryChecker(time_limit_seconds=CALL_SECONDS),
                self.budget,
            ]
        )
        super().__init__(BASE_SECONDS, 2, MAX_WAIT_SECONDS, container)
        self.retries: dict[str, int] = {}
        self._lock = threading.Lock()

    def do_sleep(self, attempt: int, exception: BaseException) -> None:
        status = getattr(exception, "status", None)
        cause = str(status) if isinstance(status, int) else type(exception).__name__
        with self._lock:
            self.retries[cause] = self.retries.get(cause, 0) + 1
        wait = retry_after(exception)
        if wait is None:
            super().do_sleep(attempt, exception)
            return
        time.sleep(max(0.0, min(wait, MAX_WAIT_SECONDS, self.budget.remaining())))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.retries.values())
