"""What an assurance report says, worked out once for every report format.

Built from a scan's assessments and metadata only, with the board's target
level and waivers. HTML, PDF, CSV and the Cloud Maturity Model export render
from this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scanner.engine import ScanResult
from scanner.model import Assessment
from scanner.rules import load_rulebook
from scanner.services import Rollup, rollup
from scanner.store.trend import TrendPoint
from scanner.waivers import Waiver, waiver_for

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
RAG_TEXT = {
    GREEN: "Meets target",
    AMBER: "Gap accepted or evidence incomplete",
    RED: "Below target",
    GREY: "Not known",
}


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


@dataclass
class UnitView:
    index: int  # position in the report, for anchors
    unit: Assessment
    waiver: Waiver | None
    expired_waiver: Waiver | None
    below_target: bool

    @property
    def waived(self) -> bool:
        level = self.unit.level
        return bool(
            self.waiver and self.below_target and level is not None and level >= self.waiver.level
        )


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
        counts = {GREEN: 0, AMBER: 0, RED: 0, GREY: 0}
        for s in self.services:
            counts[s.rag] += 1
        return counts


def _rag(r: Rollup, views: list[UnitView]) -> str:
    if r.level == 0:
        return GREY
    if any(v.below_target and not v.waived for v in views if v.unit.level is not None):
        return RED
    if any(v.waived for v in views) or any(v.unit.level is None for v in views):
        return AMBER
    return GREEN


def build_report(result: ScanResult, options: RenderOptions) -> Report:
    views = []
    for index, a in enumerate(result.assessments):
        status = waiver_for(a, options.waivers, options.today)
        below = a.level is not None and a.level < options.target_level
        views.append(UnitView(index, a, status.active, status.expired, below))
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
