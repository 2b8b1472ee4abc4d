"""The assurance report as one self-contained HTML file (Jinja2, autoescaped)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from scanner.outputs.svg import distribution_chart, trend_chart
from scanner.outputs.text import clean, show_value
from scanner.report import RAG_TEXT, Report
from scanner.summary import LEVEL_NAMES

ANSWERS = {
    0: "I don't know: nothing could be assessed",
    1: "We stop services to update them, then restart",
    2: "We update parts of our services at a time, usually during scheduled windows",
    3: "We deploy new versions and switch over by hand, with manual rollback if needed",
    4: "We use canary or blue/green releases, usually without maintenance windows",
    5: "We use canary or blue/green releases and switch users with no need for maintenance windows",
}

_env = Environment(
    loader=PackageLoader("scanner", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["clean"] = clean
_env.filters["show"] = lambda v: clean(show_value(v), 2000)


def render(report: Report, print_css: bool = False) -> str:
    template = _env.get_template("report.html.j2")
    return template.render(
        r=report,
        answers=ANSWERS,
        level_names=LEVEL_NAMES,
        rag_text=RAG_TEXT,
        chart=distribution_chart(report.estate.distribution),
        trend=trend_chart(report.options.history) if len(report.options.history) > 1 else None,
        for_print=print_css,
    )
