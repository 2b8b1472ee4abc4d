"""Counting assessments: per level, and not assessed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.model import Assessment

LEVELS = (1, 2, 3, 4, 5)
LEVEL_NAMES = {
    1: "stop, update, restart (downtime)",
    2: "rolling updates, parts at a time",
    3: "new version beside the old, switched by hand",
    4: "canary or blue/green, shifted or rolled back by hand",
    5: "canary or blue/green, automatic shift and rollback",
}

# The question's own answers, as the Cloud Maturity Model words them (0: nothing known).
ANSWERS = {
    0: "I don't know: nothing could be assessed",
    1: "We stop services to update them, then restart",
    2: "We update parts of our services at a time, usually during scheduled windows",
    3: "We deploy new versions and switch over by hand, with manual rollback if needed",
    4: "We use canary or blue/green releases, usually without maintenance windows",
    5: "We use canary or blue/green releases and switch users with no need for maintenance windows",
}


def summarise(assessments: Iterable[Assessment]) -> dict[str, Any]:
    levels = {str(level): 0 for level in LEVELS}
    not_assessed = 0
    total = 0
    for a in assessments:
        total += 1
        if a.level is None:
            not_assessed += 1
        else:
            levels[str(a.level)] += 1
    return {"total": total, "levels": levels, "not_assessed": not_assessed}
