"""The assurance report as one self-contained HTML file (Jinja2, autoescaped)."""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from scanner.outputs.practice_view import service_views, summary_line
from scanner.outputs.svg import distribution_chart, heatmap_chart, trend_chart, weekly_chart
from scanner.outputs.text import clean, show_value
from scanner.report import BASIS_TEXT, NOT_KNOWN, RAG_TEXT, Report
from scanner.summary import ANSWERS, LEVEL_NAMES
from scanner.target import STATUS_TEXT

_env = Environment(
    loader=PackageLoader("scanner", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_BREAK_AFTER = re.compile(r"([./:_\-=,|]+)")


def wrap(text: object, limit: int = 400) -> Markup:
    """Cleaned and escaped, with a line-break opportunity (<wbr>) after the
    dots, slashes, colons and dashes of ids, kinds and field paths, so a long
    name wraps at its joints instead of overflowing a phone or an A4 page."""
    return Markup(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(clean(text, limit)))))


def _plain(text: object, limit: int = 400) -> str:
    """For print: WeasyPrint wraps with `overflow-wrap: anywhere`, and every
    <wbr> would cost it a box of its own."""
    return clean(text, limit)


_env.filters["clean"] = clean
_env.filters["wrap"] = wrap
_env.filters["show"] = lambda v: wrap(show_value(v), 2000)
_print_env = _env.overlay()
_print_env.filters["wrap"] = _plain
_print_env.filters["show"] = lambda v: clean(show_value(v), 2000)


def render(report: Report, print_css: bool = False) -> str:
    template = (_print_env if print_css else _env).get_template("report.html.j2")
    return template.render(
        r=report,
        answers=ANSWERS,
        level_names=LEVEL_NAMES,
        rag_text=RAG_TEXT,
        status_text=STATUS_TEXT,
        basis_text=BASIS_TEXT,
        not_known=NOT_KNOWN,
        chart=distribution_chart(report.estate.distribution),
        trend=trend_chart(report.options.history) if len(report.options.history) > 1 else None,
        for_print=print_css,
        practice=service_views((s.name, s.rollup.units) for s in report.services),
        heatmap=heatmap_chart,
        weekly=weekly_chart,
        practice_line=summary_line,
    )
