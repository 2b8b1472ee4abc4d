"""`relscan demo`: a real scan of the built-in sample estate, served on loopback."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click
import yaml

from scanner.cli.practice import MAX_DAYS, with_history
from scanner.cli.running import progress, report_errors
from scanner.demo.serve import emulators, load_estate, patched_environ, serve
from scanner.errors import UsageError
from scanner.outputs.table import summary_text
from scanner.plugin import installed_plugins
from scanner.practice.settings import Period, PracticeSettings
from scanner.report import DEMO, RenderOptions
from scanner.services import ServiceConfig
from scanner.session import ScanSession
from scanner.waivers import load_waivers
from scanner.workers import available_cores

DEMO_HISTORY = 90  # days of the sample estate's release records the demo reads


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
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    show_default="the cores available",
    help="Processes that read the clouds, this one included (as `scan --workers`).",
)
@click.option(
    "--history",
    "history_days",
    type=click.IntRange(0, MAX_DAYS),
    default=DEMO_HISTORY,
    show_default=True,
    metavar="DAYS",
    help="Read the sample estate's deployment records of the last DAYS days (0: off), "
    "as `scan --history`.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def demo(
    output_dir: str, estate_path: str | None, workers: int | None, history_days: int, quiet: bool
) -> None:
    """Scan a built-in sample estate of four clouds and Kubernetes (no cloud account needed)."""
    out = _writable_folder(output_dir)
    started = dt.datetime.now(dt.UTC)
    practice = PracticeSettings(Period(history_days, started)) if history_days else None
    estate = load_estate(estate_path)
    plugins = installed_plugins()
    with serve(estate) as env, patched_environ(env):
        served = emulators()
        chosen = [plugins[n] for n in plugins if n in estate and n in served]
        session = ScanSession(
            chosen,
            {p.name: with_history({}, practice) for p in chosen},
            workers=workers or available_cores(),
            started=started,
        )
        session.practice = practice
        session.discover(keep_going=False)
        with progress(session.scope_count, quiet) as on_scope_done:
            result = session.execute(concurrency=8, on_scope_done=on_scope_done)
    known = session.assign_services(ServiceConfig())
    waivers_path = out / "relscan-demo-waivers.yaml"
    _write(waivers_path, yaml.safe_dump({"waivers": estate.get("waivers", [])}, sort_keys=False))
    options = RenderOptions(waivers=load_waivers(waivers_path, known), origin=DEMO)
    json_path, html_path = out / "relscan-demo.json", out / "relscan-demo.html"
    _write(json_path, str(session.render("json", options)))
    _write(html_path, str(session.render("html", options)))
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
