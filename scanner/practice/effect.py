"""What a unit's practice does to its verdict (docs/practice.md, "Effect").

Practice never raises a level. A windowed unit whose configuration gives 3
or more is capped at 2; a level-5 unit whose automatic rollbacks worked is
confirmed (a cap wins, and both are shown); a unit with no release in the
period is not exercised, and its level stands. A snapshot verdict (the
traffic state seen at one moment) *agrees* with the records when the unit
released in the period and kept to no maintenance window: the state seen
is then the one releases go through, not a one-off.
"""

from __future__ import annotations

from scanner.model import Assessment, Evidence
from scanner.practice.derive import derive, worked_rollbacks
from scanner.practice.practice import NOT_EXERCISED, OBSERVED, WINDOWED, Practice
from scanner.practice.records import History
from scanner.practice.settings import PracticeSettings

CAP = 2  # a windowed unit's highest level: "usually during scheduled windows"
SNAPSHOT = "snapshot"


def apply(assessment: Assessment, history: History | None, settings: PracticeSettings) -> None:
    """Derive the unit's practice from its records and apply it to the
    assessment (its level, reason, evidence and next steps). A unit whose
    kind reads no records (`history` None) is left as it is."""
    if history is None:
        return
    practice = derive(history, settings)
    assessment.practice = practice
    practice.configured_level = assessment.level
    level = assessment.level
    if level is None:  # not assessed: the records are shown, nothing is decided
        return
    if level == 5:
        worked = worked_rollbacks(practice)
        if worked:
            practice.confirmed = True
            practice.notes.append(
                f"Confirmed by the records: {len(worked)} automatic rollback"
                f"{'s' if len(worked) != 1 else ''} restored the earlier version."
            )
            assessment.evidence.append(Evidence("practice.rolled_back.automatic", len(worked)))
    if practice.status == WINDOWED and level > CAP:
        _cap(assessment, practice)
    elif practice.status == NOT_EXERCISED:
        practice.notes.append(
            f"Level {level} stands, but the mechanism has not been used in the period."
        )
    if assessment.basis == SNAPSHOT and practice.status == OBSERVED and practice.release_count:
        practice.agrees = True
        practice.notes.append(
            f"The records agree with the traffic state seen: {practice.release_count} "
            "releases in the period, with no maintenance window."
        )
        assessment.evidence.append(Evidence("practice.release_count", practice.release_count))


def _cap(assessment: Assessment, practice: Practice) -> None:
    window = practice.window
    assert window is not None and assessment.level is not None
    configured = assessment.level
    how = "declared" if window.declared else window.kind
    practice.capped = True
    assessment.level = CAP
    assessment.reason = (
        f"{assessment.reason.rstrip('.')} (level {configured}), but released in a {how} "
        f"maintenance window ({window.text}): capped at level {CAP}"
    )
    assessment.evidence.extend(
        [
            Evidence("practice.window", window.text),
            Evidence("practice.window.kind", window.kind),
            Evidence("practice.window.start", window.start),
            Evidence("practice.window.minutes", window.minutes),
            Evidence("practice.window.inside", window.inside),
            Evidence("practice.window.of", window.of),
            Evidence("practice.configured_level", configured),
        ]
    )
    if window.field:
        assessment.evidence.append(Evidence("practice.window.field", window.field))
    lift = (
        f"remove the declared window ({window.field}) or move it into working hours"
        if window.declared
        else "release when a change is ready, in working hours too, so that fewer than 80 % "
        "of releases start in one window outside working hours"
    )
    assessment.next_steps.insert(
        0,
        f"The configuration supports level {configured}; to be credited with it, {lift}.",
    )
    practice.notes.append(
        f"Capped at level {CAP}: the configuration gives level {configured}, but releases "
        "keep to a maintenance window."
    )
