"""How many processes a scan uses, and which providers each one reads."""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, as a container or
    `taskset` sets it), else the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def spread(providers: list[T], workers: int) -> list[list[T]]:
    """The providers of each process, the parent's first: min(workers,
    providers) processes counting the parent, providers dealt in turn in their
    order (the parent reads the 1st, the (n+1)-th, ...). Every scope of a
    provider stays in one process, so its accounts' request limits stay exact."""
    count = max(1, min(workers, len(providers)))
    return [providers[i::count] for i in range(count)]
