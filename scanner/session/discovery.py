"""Configuring the providers and resolving their scopes: the first step of a
scan session. No click and no terminal here: what a provider is doing is said
through `scanner.status`, and the CLI decides whether to show it."""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

from scanner.engine import in_background
from scanner.errors import EXIT_USAGE, RelscanError, one_line
from scanner.evidence.recorder import Recorder
from scanner.model import ScopeError
from scanner.plugin import ProviderPlugin, ProviderRun, Scope
from scanner.readonly import ReadOnlyViolation
from scanner.status import status

Work = list[tuple[ProviderRun, list[Scope]]]


@dataclass
class Discovery:
    """What discovery found: the work to scan, and the providers (or parts of
    them) that could not be reached, as scope errors for the output."""

    work: Work = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)


def configure_each(
    plugins: list[ProviderPlugin],
    options: dict[str, dict[str, Any]],
    recorder: Recorder | None = None,
) -> Discovery:
    """Configure the providers and resolve their scopes one after another, in
    order; the first failure is raised as it is (`demo` and `assess`, whose
    clouds are served on this machine)."""
    found = Discovery()
    for plugin in plugins:
        run = plugin.configure(options[plugin.name], recorder=recorder)
        found.work.append((run, run.scopes()))
    return found


def resolve_scopes(
    plugins: list[ProviderPlugin],
    options: dict[str, dict[str, Any]],
    deadline: float | None = None,
    budget: float | None = None,
    recorder: Recorder | None = None,
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
        run = plugin.configure(options[plugin.name], recorder=recorder)
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
