"""Where one release unit stands against the board's target level, with its waiver.

Written once, here: the JSON, CSV and HTML reports (and any other renderer)
take a unit's status from `standing`, so "accepted" means the same everywhere.

- `meets_target`: assessed at or above the target.
- `accepted`: assessed below the target, and a waiver in force accepts its
  level (the unit is at or above the level the waiver names).
- `below_target`: assessed below the target with no waiver in force that
  accepts its level (no waiver, an expired one, or the unit got worse than
  the waiver accepted).
- `not_assessed`: the evidence could not place the unit on a level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from scanner.model import Assessment
from scanner.waivers import Waiver, waiver_for

MEETS = "meets_target"
ACCEPTED = "accepted"
BELOW = "below_target"
NOT_ASSESSED = "not_assessed"
STATUSES = (MEETS, ACCEPTED, BELOW, NOT_ASSESSED)
STATUS_TEXT = {
    MEETS: "Meets target",
    ACCEPTED: "Gap accepted by waiver",
    BELOW: "Below target",
    NOT_ASSESSED: "Not assessed",
}


@dataclass(frozen=True)
class Standing:
    status: str
    waiver: Waiver | None  # the waiver in force that covers the unit
    expired_waiver: Waiver | None  # a covering waiver past its expiry date

    @property
    def below_target(self) -> bool:
        return self.status in (ACCEPTED, BELOW)


def standing(a: Assessment, target_level: int, waivers: list[Waiver], today: dt.date) -> Standing:
    found = waiver_for(a, waivers, today)
    if a.level is None:
        status = NOT_ASSESSED
    elif a.level >= target_level:
        status = MEETS
    elif found.active is not None and a.level >= found.active.level:
        status = ACCEPTED
    else:
        status = BELOW
    return Standing(status, found.active, found.expired)


def waiver_dict(w: Waiver, today: dt.date) -> dict[str, Any]:
    """A waiver as the JSON output carries it: what it covers, as the waivers
    file has it, and whether it has expired."""
    return {
        "match": w.match,
        "service": w.service,
        "level": w.level,
        "reason": w.reason,
        "approved_by": w.approved_by,
        "expires": w.expires.isoformat(),
        "expired": w.expired(today),
        "line": w.line,
    }
