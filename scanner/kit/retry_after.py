"""How long a service asks a client to wait: the `Retry-After` family of headers.

One reading for every provider. A service may send `retry-after-ms` or
`x-ms-retry-after-ms` (milliseconds, Azure), or `Retry-After` as delta-seconds
or as an HTTP date (RFC 9110, section 10.2.3). Header names are matched without
regard to case. The wait is never negative and never longer than `cap`
seconds, so a confused or hostile answer cannot stall a scan.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

MAX_WAIT = 60.0  # seconds: the longest wait relscan honours from one answer
_MILLISECOND_HEADERS = ("retry-after-ms", "x-ms-retry-after-ms")


def retry_after(headers: Mapping[Any, Any] | None, cap: float = MAX_WAIT) -> float | None:
    """Seconds to wait before trying again, or None when the answer names none."""
    if not headers or not hasattr(headers, "items"):
        return None
    named = {str(k).lower(): str(v).strip() for k, v in headers.items() if v is not None}
    for name in _MILLISECOND_HEADERS:
        seconds = _number(named.get(name))
        if seconds is not None:
            return _bounded(seconds / 1000, cap)
    value = named.get("retry-after")
    if not value:
        return None
    seconds = _number(value)
    if seconds is None:
        seconds = _date(value)
    return None if seconds is None else _bounded(seconds, cap)


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value == value else None  # NaN is no number


def _date(text: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - time.time()


def _bounded(seconds: float, cap: float) -> float:
    return min(max(seconds, 0.0), cap)
