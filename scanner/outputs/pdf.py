"""The same report as an A4 PDF for board packs (WeasyPrint renders the HTML)."""

from __future__ import annotations

from scanner.outputs import html
from scanner.report import Report


def render(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"the report fetches nothing: {url}")

    return HTML(string=html.render(report, print_css=True), url_fetcher=no_fetch).write_pdf()
