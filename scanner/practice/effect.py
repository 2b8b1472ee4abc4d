"""What a unit's practice does to its verdict (docs/practice.md).

Practice never raises a level. A windowed unit whose configuration gives 3
or more is capped at 2; a level-5 unit whose automatic rollbacks worked is
confirmed (a cap wins, and both are shown); a unit with no release in the
period is not exercised, and its level stands.
"""

from __future__ import annotations

from scanner.model import Assessment
from scanner.practice.records import History
from scanner.practice.settings import PracticeSettings


def apply(assessment: Assessment, history: History | None, settings: PracticeSettings) -> None:
    """Derive the unit's practice from its records and apply it to the
    assessment (its level, reason, evidence and next steps). A unit whose
    kind reads no records (`history` None) is left as it is."""
    if history is None:
        return
    raise NotImplementedError("scanner.practice.effect.apply")
