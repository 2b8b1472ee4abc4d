"""`relscan scan`: every release unit in the chosen providers' scopes."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.cli.common import (
    check_output_path,
    emit,
    fail_under_option,
    format_options,
    render_options,
    report_options,
    resolve_format,
)
from scanner.engine import ScanResult, run_scan
from scanner.errors import EXIT_BELOW_TARGET, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.plugin import ProviderRun, Scope, broken_plugins, installed_plugins
from scanner.summary import LEVELS, summarise


def choose_providers(names: tuple[str, ...]) -> list[str]:
    plugins = installed_plugins()
    if not names:
        raise UsageError(f"choose at least one --provider ({', '.join(plugins)})")
    for name in names:
        if name in broken_plugins():
            raise UsageError(
                f"provider {name} is installed but failed to load: {broken_plugins()[name]}"
            )
        if name not in plugins:
            raise UsageError(f"unknown provider {name!r}; installed: {', '.join(plugins)}")
    return list(dict.fromkeys(names))


def exit_code(result: ScanResult, fail_under: int | None) -> int:
    if fail_under and any(a.level is not None and a.level < fail_under for a in result.assessments):
        return EXIT_BELOW_TARGET
    if result.errors or any(a.level is None for a in result.assessments):
        return EXIT_INCOMPLETE
    return EXIT_OK


def summary_line(result: ScanResult) -> str:
    s = summarise(result.assessments)
    per_level = ", ".join(f"level {lv}: {s['levels'][str(lv)]}" for lv in LEVELS)
    return (
        f"{s['total']} release units in {len(result.scopes)} scopes ({per_level}; "
        f"not assessed: {s['not_assessed']}; scope errors: {len(result.errors)}) "
        f"in {result.seconds:.1f} s"
    )


def execute(
    work: list[tuple[ProviderRun, list[Scope]]], concurrency: int, quiet: bool
) -> ScanResult:
    total = sum(len(scopes) for _, scopes in work)
    err = Console(stderr=True)
    if quiet or not sys.stderr.isatty():
        return run_scan(work, concurrency)
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("scopes, {task.fields[units]} units"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("scan", total=total, units=0)
        units = 0

        def done(scope: Scope, found: int) -> None:
            nonlocal units
            units += found
            progress.update(task, advance=1, units=units)

        return run_scan(work, concurrency, on_scope_done=done)


def report_errors(result: ScanResult, quiet: bool) -> None:
    for e in result.errors:
        click.echo(f"relscan: scope error: {e.scope} {e.service}: {e.message}", err=True)
    if not quiet:
        click.echo(f"relscan: {summary_line(result)}", err=True)


@click.command()
@click.option(
    "--provider",
    "-p",
    "providers",
    multiple=True,
    help="Cloud to scan (repeatable): aws, azure, gcp, oci as installed.",
)
@format_options
@report_options
@fail_under_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Scopes scanned at once.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
def scan(
    providers: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    fail_under: int | None,
    concurrency: int,
    quiet: bool,
    **options: Any,
) -> None:
    """Scan every release unit the chosen providers can see."""
    names = choose_providers(providers)
    fmt = resolve_format(fmt, output)
    check_output_path(output)
    plugins = installed_plugins()
    work = []
    for name in names:
        run = plugins[name].configure(options)
        work.append((run, run.scopes()))
    if options.get("waivers_path") and not os.path.isfile(options["waivers_path"]):
        raise UsageError(f"waivers file {options['waivers_path']}: no such file")
    result = execute(work, concurrency, quiet)
    emit(SCAN_FORMATS[fmt](result, render_options(result, options)), output)
    report_errors(result, quiet)
    raise click.exceptions.Exit(exit_code(result, fail_under))
