"""Running a scan for the CLI: progress on stderr, the summary line, exit codes."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.engine import ScanResult, run_scan
from scanner.errors import EXIT_BELOW_TARGET, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.plugin import (
    ProviderPlugin,
    ProviderRun,
    Scope,
    broken_plugins,
    installed_plugins,
)
from scanner.summary import LEVELS, summarise

Work = list[tuple[ProviderRun, list[Scope]]]


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


def resolve_scopes(plugins: list[ProviderPlugin], options: dict[str, Any]) -> Work:
    """Configure each provider and resolve its scopes, the providers at once:
    each one's SDK import and discovery calls overlap the others'. The first
    error (in provider order) is raised, as it would be one after another."""

    def one(plugin: ProviderPlugin) -> tuple[ProviderRun, list[Scope]]:
        run = plugin.configure(options)
        return run, run.scopes()

    with ThreadPoolExecutor(max_workers=max(1, len(plugins))) as pool:
        futures = [pool.submit(one, plugin) for plugin in plugins]
        return [future.result() for future in futures]


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
    work: Work, concurrency: int, quiet: bool, per_account: int = 4, budget: float | None = None
) -> ScanResult:
    total = sum(len(scopes) for _, scopes in work)
    if quiet or not sys.stderr.isatty():
        return run_scan(work, concurrency, per_account=per_account, budget=budget)
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("scopes, {task.fields[units]} units"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scan", total=total, units=0)
        units = 0

        def done(scope: Scope, found: int) -> None:
            nonlocal units
            units += found
            progress.update(task, advance=1, units=units)

        return run_scan(
            work, concurrency, on_scope_done=done, per_account=per_account, budget=budget
        )


def report_errors(result: ScanResult, quiet: bool) -> None:
    for e in result.errors:
        click.echo(f"relscan: scope error: {e.scope} {e.service}: {e.message}", err=True)
    if not quiet:
        click.echo(f"relscan: {summary_line(result)}", err=True)
