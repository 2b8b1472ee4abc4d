"""How long relscan waits for a cloud API, and how often it tries again.

One number, `--timeout SECONDS`, bounds each attempt of every SDK call on
every cloud: the wait for a connection and the wait for the answer. A call
that got no answer at all (the connection was refused, or timed out, or the
answer did not come in time) is tried at most `NETWORK_ATTEMPTS` times: an
endpoint that does not answer rarely starts answering a moment later, so a hung
endpoint costs about two timeouts per call, not a long retry ladder. A
connection closed or reset mid-call (a load balancer recycling it, say) is a
transient fault like throttling and server errors (429, 5xx): those get each
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


# Class names (in any SDK's copy of requests/urllib3) of a call that got no answer.
_NO_ANSWER = ("Timeout", "NewConnectionError", "ConnectionRefused", "EndpointConnectionError")


def unanswered(exc: BaseException | None) -> bool:
    """Whether `exc` (or an error it wraps) is a refused or timed-out connection
    or a timed-out answer, as opposed to a dropped connection or an error answer.
    Class names are compared, not types: OCI vendors its own requests and
    urllib3, and each SDK wraps the transport's errors in its own."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        err = todo.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, ConnectionRefusedError | TimeoutError) or any(
            mark in cls.__name__ for cls in type(err).__mro__ for mark in _NO_ANSWER
        ):
            return True
        todo.extend((err.__cause__, err.__context__, getattr(err, "reason", None)))
        todo.append(getattr(err, "inner_exception", None))
        todo.extend(err.args)
    return False
