"""Renderers: each turns a scan result (or one assessment) into text.

They read assessments and scan metadata only, never provider objects.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.engine import ScanResult
from scanner.errors import UsageError
from scanner.model import Assessment
from scanner.outputs import json_out, markdown, table

SCAN_FORMATS: dict[str, Callable[[ScanResult], str]] = {
    "json": json_out.render_scan,
    "markdown": markdown.render_scan,
    "table": table.render_scan,
}
ONE_FORMATS: dict[str, Callable[[Assessment], str]] = {
    "json": json_out.render_one,
    "markdown": markdown.render_one,
    "table": table.render_one,
}


def check_format(fmt: str) -> str:
    if fmt not in SCAN_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(SCAN_FORMATS)}")
    return fmt
