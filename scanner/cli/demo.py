"""`relscan demo`: a real scan of the built-in sample estate, served on loopback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
import yaml

from scanner.cli.running import execute, report_errors
from scanner.demo.serve import emulators, load_estate, patched_environ, serve
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.outputs.table import summary_text
from scanner.plugin import installed_plugins
from scanner.report import DEMO, RenderOptions
from scanner.services import ServiceConfig, assign_services, service_name
from scanner.waivers import load_waivers


@click.command()
@click.option(
    "--output-dir",
    type=str,
    default=".",
    help="Where to write relscan-demo.html, .json and -waivers.yaml (created if absent).",
)
@click.option(
    "--estate",
    "estate_path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Serve this estate file instead of the built-in one.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def demo(output_dir: str, estate_path: str | None, quiet: bool) -> None:
    """Scan a built-in sample estate of all four clouds (no cloud account needed)."""
    out = _writable_folder(output_dir)
    estate = load_estate(estate_path)
    plugins = installed_plugins()
    with serve(estate) as env, patched_environ(env):
        work = []
        served = emulators()
        for name in (n for n in plugins if n in estate and n in served):
            run = plugins[name].configure({})
            work.append((run, run.scopes()))
        result = execute(work, concurrency=8, quiet=quiet)
    assign_services(result.assessments, ServiceConfig())
    waivers_path = out / "relscan-demo-waivers.yaml"
    _write(waivers_path, yaml.safe_dump({"waivers": estate.get("waivers", [])}, sort_keys=False))
    known = {service_name(a) for a in result.assessments}
    options = RenderOptions(waivers=load_waivers(waivers_path, known), origin=DEMO)
    json_path, html_path = out / "relscan-demo.json", out / "relscan-demo.html"
    _write(json_path, str(SCAN_FORMATS["json"](result, options)))
    _write(html_path, str(SCAN_FORMATS["html"](result, options)))
    click.echo(summary_text(result), nl=False)
    report_errors(result, quiet=False)
    click.echo(
        f"relscan: the report is {html_path.resolve()} (and {json_path.name}, "
        f"{waivers_path.name} beside it)",
        err=True,
    )


def _writable_folder(text: str) -> Path:
    """The output folder, created as `mkdir -p` would, and proven writable by
    writing a file in it, before anything is scanned."""
    out = Path(text).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".relscan-demo-"):
            pass
    except FileExistsError:
        raise UsageError(f"--output-dir {text}: not a folder") from None
    except OSError as exc:
        raise UsageError(
            f"--output-dir {text}: cannot write there ({exc.strerror or exc})"
        ) from None
    return out


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
