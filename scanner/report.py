"""What an assurance report says, worked out once for every report format.

Built from a scan's assessments and metadata only, with the board's target
level and waivers. HTML, PDF, CSV and the Cloud Maturity Model export render
from this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from scanner import target
from scanner.model import Assessment, ScanResult, TrendPoint
from scanner.rules import BASIS_MEANING, load_rulebook
from scanner.services import Rollup, rollup
from scanner.waivers import Waiver

# A service's status against the target level (docs/reports.md).
GREEN, ACCEPTED, INCOMPLETE, RED, GREY = "green", "accepted", "incomplete", "red", "grey"
RAG_TEXT = {
    GREEN: "Meets target",
    ACCEPTED: "Gap accepted by waiver",
    INCOMPLETE: "Evidence incomplete",
    RED: "Below target",
    GREY: "Not known",
}
NOT_KNOWN = "Not known"  # the wording for level 0 ("I don't know") wherever a group is shown

# Where a report's scan came from, for its opening line.
LIVE, DEMO, EVIDENCE = "live", "demo", "evidence"
ORIGINS = (LIVE, DEMO, EVIDENCE)
POLICY, SNAPSHOT = "policy", "snapshot"
BASIS_TEXT = BASIS_MEANING


@dataclass
class RenderOptions:
    target_level: int = 4
    waivers: list[Waiver] = field(default_factory=list)
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    service: str | None = None  # answer for one service only (the CDDO export)
    evidence_digest: str | None = None  # the manifest digest of an evidence bundle
    history: list[TrendPoint] = field(default_factory=list)  # earlier scans, oldest first
    missing_shards: list[str] = field(default_factory=list)  # of a merged scan group
    below: int | None = None  # `--below N`: list only the units below level N
    terminal: bool = False  # rendering for a terminal: colour and its width
    origin: str = LIVE  # live clouds, the built-in demo estate, or an evidence bundle replayed


@dataclass
class UnitView:
    index: int  # position in the report, for anchors
    unit: Assessment
    standing: target.Standing

    @property
    def waiver(self) -> Waiver | None:
        return self.standing.waiver

    @property
    def expired_waiver(self) -> Waiver | None:
        return self.standing.expired_waiver

    @property
    def status(self) -> str:
        return self.standing.status

    @property
    def below_target(self) -> bool:
        return self.standing.below_target

    @property
    def waived(self) -> bool:
        return self.standing.status == target.ACCEPTED


@dataclass
class ServiceView:
    name: str
    rollup: Rollup
    units: list[UnitView]
    rag: str

    @property
    def level(self) -> int:
        return self.rollup.level


@dataclass
class WaiverView:
    waiver: Waiver
    expired: bool
    units: int


@dataclass
class Report:
    scan: ScanResult
    options: RenderOptions
    estate: Rollup
    providers: list[Rollup]
    accounts: list[Rollup]
    services: list[ServiceView]
    units: list[UnitView]
    waivers: list[WaiverView]

    @property
    def not_assessed(self) -> list[UnitView]:
        return [u for u in self.units if u.unit.level is None]

    @property
    def rules(self) -> list[tuple[str, str, int | None, str]]:
        return [
            (k.title, r.id, r.level, r.summary.strip())
            for k in load_rulebook().values()
            for r in k.rules
        ]

    def rag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RAG_TEXT, 0)
        for s in self.services:
            counts[s.rag] += 1
        return counts

    def basis_counts(self) -> dict[str | None, int]:
        """How many units rest on each basis; None counts units with no basis
        (not assessed, or a rule that states none)."""
        counts: dict[str | None, int] = {POLICY: 0, SNAPSHOT: 0, None: 0}
        for v in self.units:
            key = v.unit.basis if v.unit.basis in (POLICY, SNAPSHOT) else None
            counts[key] += 1
        return counts

    @property
    def incomplete(self) -> list[str]:
        """Why this report does not cover everything it was asked to (empty when it does)."""
        why = []
        if self.scan.errors:
            n = len(self.scan.errors)
            why.append(
                f"{n} scope error{'s' if n != 1 else ''}: a scope or service could not be read"
            )
        if self.options.missing_shards:
            why.append(f"shards not complete: {', '.join(self.options.missing_shards)}")
        return why


def _rag(r: Rollup, views: list[UnitView]) -> str:
    statuses = {v.status for v in views}
    if r.level == 0:
        return GREY
    if target.BELOW in statuses:
        return RED
    if target.NOT_ASSESSED in statuses:
        return INCOMPLETE
    if target.ACCEPTED in statuses:
        return ACCEPTED
    return GREEN


def views_of(result: ScanResult, options: RenderOptions) -> Iterator[UnitView]:
    """Each unit with where it stands, made as it is asked for (a streamed output
    holds one at a time)."""
    for i, a in enumerate(result.assessments):
        yield UnitView(
            i, a, target.standing(a, options.target_level, options.waivers, options.today)
        )


def build_report(result: ScanResult, options: RenderOptions) -> Report:
    views = list(views_of(result, options))
    by_id = {id(v.unit): v for v in views}
    services = []
    for r in rollup(result.assessments, "service"):
        unit_views = [by_id[id(u)] for u in r.units]
        services.append(ServiceView(r.name, r, unit_views, _rag(r, unit_views)))
    waiver_views = [
        WaiverView(w, w.expired(options.today), sum(1 for a in result.assessments if w.covers(a)))
        for w in options.waivers
    ]
    return Report(
        scan=result,
        options=options,
        estate=Rollup("estate", list(result.assessments)),
        providers=rollup(result.assessments, "provider"),
        accounts=rollup(result.assessments, "account"),
        services=services,
        units=views,
        waivers=waiver_views,
    )


def answer_for(report: Report, service: str | None) -> int:
    """The estate's level, or one service's; 0 is "I don't know"."""
    if service is None:
        return report.estate.level
    for s in report.services:
        if s.name == service:
            return s.level
    return 0
