"""How the workload controllers turn maxSurge/maxUnavailable into pod counts.

Deployment: `ResolveFenceposts` in kubernetes/kubernetes
pkg/controller/deployment/util/deployment_util.go: maxSurge rounds up,
maxUnavailable rounds down (both default 25%), and when both resolve to 0,
maxUnavailable becomes 1; `MaxUnavailable` caps the result at replicas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

PERCENT = re.compile(r"^(\d+)%$")


def scaled(value: int | str, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as it is, "N%" of total."""
    if isinstance(value, bool):
        raise ValueError(f"not an int or percentage: {value!r}")
    if isinstance(value, int):
        return value
    m = PERCENT.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"not an int or percentage: {value!r}")
    share = int(m[1]) * total / 100
    return math.ceil(share) if round_up else math.floor(share)


@dataclass(frozen=True)
class Fenceposts:
    surge: int
    unavailable: int


def deployment(
    max_surge: int | str | None, max_unavailable: int | str | None, replicas: int
) -> Fenceposts:
    surge = scaled("25%" if max_surge is None else max_surge, replicas, True)
    unavailable = scaled("25%" if max_unavailable is None else max_unavailable, replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # "on the theory that surge might not work due to quota"
    return Fenceposts(surge, min(unavailable, replicas))
