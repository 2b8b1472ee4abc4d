"""Running a scan for the CLI: choosing the providers, progress on stderr, the
summary line, exit codes. The scan itself is a session (scanner/session/)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.engine import ProgressHook
from scanner.errors import EXIT_BELOW_TARGET, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.model import ScanResult
from scanner.plugin import Scope, broken_plugins, installed_plugins
from scanner.status import showing
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


@contextmanager
def discovery_status(quiet: bool) -> Iterator[None]:
    """A status line on stderr, on a terminal only, while scopes are discovered."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    lines: dict[str, str] = {}
    lock = threading.Lock()
    with Console(stderr=True).status("discovering scopes…") as shown:

        def show(provider: str, text: str) -> None:
            with lock:
                lines[provider] = text
                shown.update(" · ".join(f"{p}: {t}" for p, t in sorted(lines.items())))

        with showing(show):
            yield


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


@contextmanager
def progress(total: int, quiet: bool) -> Iterator[ProgressHook | None]:
    """A progress bar of the scopes read, on stderr, on a terminal only: the
    callback to hand the session's `execute` (None: nothing is shown)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("scopes, {task.fields[units]} units"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total, units=0)
        units = 0

        def done(scope: Scope, found: int) -> None:
            nonlocal units
            units += found
            bar.update(task, advance=1, units=units)

        yield done


def report_errors(result: ScanResult, quiet: bool) -> None:
    for e in result.errors:
        click.echo(f"relscan: scope error: {e.scope} {e.service}: {e.message}", err=True)
    if not quiet:
        click.echo(f"relscan: {summary_line(result)}", err=True)


def leave(code: int) -> NoReturn:
    """End the command with `code`. Threads left blocked on a silent network
    (abandoned when the time budget ran out) must not hold the process open:
    when any is still alive, the output is flushed and the process exits now."""
    sys.stdout.flush()
    sys.stderr.flush()
    main = threading.main_thread()
    if any(t is not main and t.is_alive() and not t.daemon for t in threading.enumerate()):
        os._exit(code)
    raise click.exceptions.Exit(code)
