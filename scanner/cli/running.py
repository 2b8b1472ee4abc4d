"""Running a scan for the CLI: progress on stderr, the summary line, exit codes."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.engine import in_background, run_scan
from scanner.errors import (
    EXIT_BELOW_TARGET,
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_USAGE,
    RelscanError,
    UsageError,
    one_line,
)
from scanner.model import ScanResult, ScopeError
from scanner.plugin import (
    ProviderPlugin,
    ProviderRun,
    Scope,
    broken_plugins,
    installed_plugins,
)
from scanner.readonly import ReadOnlyViolation
from scanner.status import showing, status
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


@dataclass
class Discovery:
    """What discovery found: the work to scan, and the providers (or parts of
    them) that could not be reached, as scope errors for the output."""

    work: Work = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)


def resolve_scopes(
    plugins: list[ProviderPlugin],
    options: dict[str, Any],
    deadline: float | None = None,
    budget: float | None = None,
) -> Discovery:
    """Configure each provider and resolve its scopes, the providers at once:
    each one's SDK import and discovery calls overlap the others'.

    Bad usage or credentials (exit 2) are raised, the first in provider order
    among those known, as soon as one is known. A provider whose discovery
    fails otherwise (an endpoint that cannot be reached, an identity that
    cannot be read) or is still running when the time budget runs out becomes
    a scope error of its own, and the others are scanned. The threads are
    daemons and nobody waits for them: Ctrl-C ends the wait at once."""

    def one(plugin: ProviderPlugin) -> tuple[ProviderRun, list[Scope]]:
        status(plugin.name, f"starting the {plugin.title} SDK…")
        run = plugin.configure(options)
        return run, run.scopes()

    futures = [in_background(one, plugin) for plugin in plugins]
    while True:
        finished = [f for f in futures if f.done()]
        fatal = [f for f in finished if _usage_error(f)]
        if fatal:
            raise fatal[0].exception()  # type: ignore[misc]
        if len(finished) == len(futures):
            break
        if deadline is not None and time.monotonic() >= deadline:
            break
        tick = 0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic()))
        wait([f for f in futures if not f.done()], timeout=tick, return_when=FIRST_COMPLETED)
    found = Discovery()
    for plugin, future in zip(plugins, futures, strict=True):
        if not future.done():
            found.errors.append(
                ScopeError(
                    plugin.name,
                    plugin.name,
                    "*",
                    f"not scanned: the scan's time budget of {budget or 0:g} s ran out "
                    "while its scopes were being discovered",
                )
            )
            continue
        exc = future.exception()
        if exc is None:
            found.work.append(future.result())
        elif isinstance(exc, ReadOnlyViolation):
            raise exc
        elif isinstance(exc, Exception):  # cannot reach it, or a provider bug
            found.errors.append(ScopeError(plugin.name, plugin.name, "*", one_line(exc)))
        else:
            raise exc
    return found


def _usage_error(future: Future[Any]) -> bool:
    exc = future.exception()
    return isinstance(exc, RelscanError) and exc.exit_code == EXIT_USAGE


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


def execute(
    work: Work,
    concurrency: int,
    quiet: bool,
    per_account: int = 4,
    budget: float | None = None,
    started: datetime | None = None,
    deadline: float | None = None,
) -> ScanResult:
    total = sum(len(scopes) for _, scopes in work)
    timing: dict[str, Any] = {"budget": budget, "started": started, "deadline": deadline}
    if quiet or not sys.stderr.isatty():
        return run_scan(work, concurrency, per_account=per_account, **timing)
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

        return run_scan(work, concurrency, on_scope_done=done, per_account=per_account, **timing)


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
