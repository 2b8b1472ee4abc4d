"""How long relscan waits for a cloud API, and how often it tries again.

One number, `--timeout SECONDS`, bounds each attempt of every SDK call on
every cloud: the wait for a connection and the wait for the answer. A call
that fails for a network reason (refused, reset, timed out) is tried at most
`NETWORK_ATTEMPTS` times: an endpoint that does not answer rarely starts
answering a moment later, so a hung endpoint costs about two timeouts per call,
not a long retry ladder. Throttling and server errors (429, 5xx) get each
provider's longer, bounded backoff. Each cloud's own retry settings, where
the SDK has them, are honoured (see docs/configuration.md, "Timeouts and
interruption").
"""

from __future__ import annotations

from typing import Any

DEFAULT_TIMEOUT = 20.0  # seconds, per attempt: to connect, and then for the answer
NETWORK_ATTEMPTS = 2  # tries of a call that failed for a network reason


def timeout_of(options: dict[str, Any]) -> float:
    """The `--timeout` a provider was configured with (the default when absent)."""
    value = options.get("timeout")
    return float(value) if value else DEFAULT_TIMEOUT
