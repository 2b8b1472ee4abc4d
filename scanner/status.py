"""A status line while scopes are being discovered.

Discovery (identifying the account, listing regions, subscriptions, projects or
compartments) can take a while on a large or slow estate, and before it ends
there is nothing to count in a progress bar. Providers say what they are doing
with `status(provider, text)`; the CLI shows it on stderr when stderr is a
terminal, and nothing is shown otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[str, str], None]

_lock = threading.Lock()
_sink: Sink | None = None


def status(provider: str, text: str) -> None:
    """Say what `provider` is doing now ("identifying the AWS account…")."""
    with _lock:
        sink = _sink
    if sink is not None:
        sink(provider, text)


@contextmanager
def showing(sink: Sink) -> Iterator[None]:
    """Send every status to `sink` for the life of the block."""
    global _sink
    with _lock:
        _sink = sink
    try:
        yield
    finally:
        with _lock:
            _sink = None
