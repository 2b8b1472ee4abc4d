"""How the workload controllers turn maxSurge/maxUnavailable into pod counts.

Deployment: `ResolveFenceposts` in kubernetes/kubernetes
pkg/controller/deployment/util/deployment_util.go: maxSurge rounds up,
maxUnavailable rounds down (both default 25%), and when both resolve to 0,
maxUnavailable becomes 1; `MaxUnavailable` caps the result at replicas.

StatefulSet: `getStatefulSetMaxUnavailable` in pkg/controller/statefulset/
stateful_set_utils.go (kubernetes/kubernetes PR 110069, tested since PR 110286):
maxUnavailable (default 1) rounds DOWN, then is raised to at least 1. The API
reference says "rounding up"; the controller decides. It is used only where the
MaxUnavailableStatefulSet feature gate is on (`statefulset_gate_default`).

DaemonSet: `updatedDesiredNodeCounts` in pkg/controller/daemon/update.go with
`UnavailableCount`/`SurgeCount` in pkg/controller/daemon/util/daemonset_util.go:
both round UP against status.desiredNumberScheduled; maxUnavailable defaults
to 1 and maxSurge to 0; if both resolve to 0 on a DaemonSet with nodes to
run on, maxUnavailable becomes 1.
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


def statefulset(max_unavailable: int | str | None, replicas: int) -> int:
    """The pods a StatefulSet's RollingUpdate may take down at once when the
    MaxUnavailableStatefulSet gate is on: rounded down, at least 1, not capped
    at replicas (the controller's own table: 3 of 0 replicas stays 3)."""
    value = scaled(1 if max_unavailable is None else max_unavailable, replicas, False)
    return max(value, 1)


def daemonset(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> Fenceposts:
    surge = scaled(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled(1 if max_unavailable is None else max_unavailable, desired, True)
    if desired > 0 and surge == 0 and unavailable == 0:
        unavailable = 1  # "obey the default of unavailable=1"
    return Fenceposts(surge, unavailable)


VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def statefulset_gate_default(git_version: str) -> bool | None:
    """Whether MaxUnavailableStatefulSet is on by default in a server version
    (`/version` gitVersion, e.g. v1.35.2-eks-1a2b3c): alpha and off through
    1.34 (KEP-961); beta and on in 1.35.0-1.35.3 (PR 133153); off again from
    1.35.4 and in 1.36 after it broke Parallel pod management (PRs 137904,
    137926); on from 1.37 (PRs 137666, 139466). None: not a version."""
    m = VERSION.match(git_version.strip())
    if not m or int(m[1]) != 1:
        return None
    minor = int(m[2])
    if minor < 35:
        return False
    if minor == 35:
        return None if m[3] is None else int(m[3]) <= 3
    return minor != 36  # off in 1.36, on from 1.37
