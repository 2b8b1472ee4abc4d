"""Which units an output shows: `--service NAME` and `--below N`.

`--service` narrows every format to one service's units (the cddo export then
answers for that service). `--below N` keeps the units whose level is below N,
and the units that are not assessed (nothing shows that they reach N), like
Prowler's `--status FAIL`: json, csv and sarif list only those units; table
and markdown list only those units under the whole summary. html, pdf and
cddo report on the whole estate and refuse `--below` (checked before a scan).
"""

from __future__ import annotations

import dataclasses

from scanner.model import Assessment, ScanResult
from scanner.report import RenderOptions, UnitView
from scanner.services import service_name
from scanner.target import BELOW, STATUS_TEXT

WHOLE_ESTATE_FORMATS = ("html", "pdf", "cddo")


def is_gap(a: Assessment, below: int | None) -> bool:
    """Whether `--below N` shows the unit (every unit without --below)."""
    return below is None or a.level is None or a.level < below


def for_service(result: ScanResult, opts: RenderOptions) -> ScanResult:
    """The scan narrowed to `--service`'s units (the same scan without it)."""
    if not opts.service:
        return result
    return _with(result, [a for a in result.assessments if service_name(a) == opts.service])


def shown(result: ScanResult, opts: RenderOptions) -> ScanResult:
    """The scan narrowed to `--service` and `--below`: what a list of units shows."""
    narrowed = for_service(result, opts)
    if opts.below is None:
        return narrowed
    return _with(narrowed, [a for a in narrowed.assessments if is_gap(a, opts.below)])


def _with(result: ScanResult, units: list[Assessment]) -> ScanResult:
    return dataclasses.replace(result, assessments=units)


def target_status(view: UnitView, target: int) -> str:
    """A unit against the target level, in the words of scanner/target.py
    (table, markdown, sarif), with an expired waiver named."""
    words = STATUS_TEXT[view.status].lower()
    if view.status == BELOW and view.expired_waiver is not None:
        return f"{words} (waiver expired)"
    return words
