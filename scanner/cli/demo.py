"""`relscan demo`: a real scan of the built-in sample estate, served on loopback."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.scan import execute, report_errors
from scanner.demo.serve import load_estate, patched_environ, serve
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.plugin import installed_plugins
from scanner.report import RenderOptions
from scanner.services import ServiceConfig, assign_services


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    help="Where to write relscan-demo.json.",
)
@click.option(
    "--estate",
    "estate_path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Serve this estate file instead of the built-in one.",
)
@click.option("--quiet", "-q", is_flag=True)
def demo(output_dir: str, estate_path: str | None, quiet: bool) -> None:
    """Scan a built-in sample estate (no cloud account needed)."""
    out = Path(output_dir)
    if not out.is_dir():
        raise UsageError(f"--output-dir {output_dir} is not a folder")
    estate = load_estate(estate_path)
    plugins = installed_plugins()
    with serve(estate) as env, patched_environ(env):
        work = []
        for name in (n for n in plugins if n in estate):
            run = plugins[name].configure({})
            work.append((run, run.scopes()))
        result = execute(work, concurrency=8, quiet=quiet)
    options = RenderOptions()
    assign_services(result.assessments, ServiceConfig())
    json_path, html_path = out / "relscan-demo.json", out / "relscan-demo.html"
    json_path.write_text(str(SCAN_FORMATS["json"](result, options)), encoding="utf-8")
    html_path.write_text(str(SCAN_FORMATS["html"](result, options)), encoding="utf-8")
    click.echo(SCAN_FORMATS["table"](result, options), nl=False)
    report_errors(result, quiet)
    click.echo(f"relscan: wrote {json_path} and the report {html_path}", err=True)
