"""The same report as an A4 PDF for board packs (WeasyPrint renders the HTML).

WeasyPrint reports its steps on the `weasyprint.progress` logger; on a
terminal they show as one status line on stderr ("laying out page 40"), so a
long board pack never looks hung. The print styles keep it fast: fixed-layout
tables and no flex boxes, so no column is sized by measuring every word.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scanner.outputs import html
from scanner.report import Report

Progress = Callable[[str], None]
_PAGE = re.compile(r"Step 5 - Creating layout - Page (\d+)")
_STEPS = {
    "Step 1": "reading the report",
    "Step 2": "reading its styles",
    "Step 3": "applying the styles",
    "Step 4": "building the page structure",
    "Step 6": "writing the PDF",
    "Step 7": "writing the PDF",
}


def describe(message: str) -> str | None:
    """WeasyPrint's progress message in words, or None for one not worth showing."""
    page = _PAGE.match(message)
    if page:
        return f"laying out page {page.group(1)}"
    return _STEPS.get(message[:6])


class _Relay(logging.Handler):
    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        text = describe(record.getMessage())
        if text:
            self.progress(text)


@contextmanager
def _relayed(progress: Progress | None) -> Iterator[None]:
    if progress is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    relay, level, propagate = _Relay(progress), logger.level, logger.propagate
    logger.addHandler(relay)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the status line is enough; no log records on stderr
    try:
        yield
    finally:
        logger.removeHandler(relay)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def terminal_status() -> Iterator[Progress]:
    """A transient status line on stderr ("relscan: PDF: laying out page 12")."""
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("relscan: PDF: building the report", spinner="line") as status:
        yield lambda text: status.update(f"relscan: PDF: {text}")


def render(report: Report, progress: Progress | None = None) -> bytes:
    """The PDF; `progress` gets each step in words. Without it, progress shows
    on stderr when stderr is a terminal."""
    if progress is None and sys.stderr.isatty():
        with terminal_status() as status:
            return _render(report, status)
    return _render(report, progress)


def _render(report: Report, progress: Progress | None) -> bytes:
    from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"the report fetches nothing: {url}")

    if progress:
        progress("building the report")
    document = html.render(report, print_css=True)
    with _relayed(progress):
        return HTML(string=document, url_fetcher=no_fetch).write_pdf()
