"""A configured GCP scan: each scope is one project."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from google.auth.credentials import AnonymousCredentials
from google.auth.transport.requests import Request

from providers.gcp.clients import GcpClients
from providers.gcp.context import GcpContext
from providers.gcp.discovery import discover
from providers.gcp.faults import (
    GCP_ERRORS,
    describe,
    disabled_api,
    is_connection_error,
    is_credentials_error,
    is_not_found,
)
from providers.gcp.history import readers_by_kind, unit_history, with_history
from providers.gcp.kind import GcpKind
from providers.gcp.links import LINKS
from providers.gcp.names import parse_resource_name
from providers.gcp.plugin import plugin
from scanner.errors import CloudError, CredentialsError, NotFoundError
from scanner.fanout import fan_out
from scanner.links import Linker
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.practice.settings import Period
from scanner.status import status


class _TimedRequest(Request):
    """google-auth's HTTP transport for token refreshes, bounded by --timeout
    (its own default is two minutes per request)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.timeout = timeout

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = self.timeout
        return super().__call__(*args, **kwargs)


class GcpRun(ProviderRun):
    def __init__(
        self,
        clients: GcpClients,
        projects: list[str],
        parents: list[str] | None = None,
        period: Period | None = None,
    ) -> None:
        self.clients = clients
        self.projects = projects
        self.parents = parents or []  # folders/N, organizations/N
        self.period = period  # --history: the units' deployment records are read
        self.failures: dict[str, str] = {}  # a parent that could not be read -> cause

    def _prove_credentials(self) -> None:
        if isinstance(self.clients.credentials, AnonymousCredentials):
            return
        try:
            self.clients.credentials.refresh(_TimedRequest(self.clients.timeout))  # type: ignore[no-untyped-call]
        except GCP_ERRORS as exc:
            raise CredentialsError(f"Google Cloud credentials: {describe(exc)}") from None

    def scopes(self) -> list[Scope]:
        status("gcp", "checking the Google Cloud credentials…")
        self._prove_credentials()
        if self.parents:
            status("gcp", f"listing the projects under {', '.join(self.parents)}…")
            return self._scopes_under_parents()
        projects = self.projects or self._visible_projects()
        return [Scope("gcp", project, "") for project in projects]

    def _scopes_under_parents(self) -> list[Scope]:
        """The named projects and every active one under the folders and the
        organisation, sorted; a folder or organisation that could not be read
        is a scope of its own whose collect() reports why (exit 3), unless
        nothing at all was found, which stops the scan (exit 3)."""
        found = discover(self.clients, self.parents)
        projects = sorted(set(self.projects) | found.projects)
        if not projects:
            if found.failures:
                causes = list(found.failures.values())
                more = f" (and {len(causes) - 1} more)" if len(causes) > 1 else ""
                raise CloudError(f"{causes[0]}{more}; no project to scan")
            raise CloudError(f"no active project under {', '.join(self.parents)}")
        self.failures = found.failures
        return [Scope("gcp", p, "") for p in projects] + [
            Scope("gcp", parent, "") for parent in sorted(found.failures)
        ]

    def _visible_projects(self) -> list[str]:
        status("gcp", "listing the projects the credential can see…")
        client = self.clients.get("projects")
        try:
            pager = client.search_projects(
                request={"query": "state:ACTIVE"}, retry=self.clients.retry
            )
            found = sorted({p.project_id for p in pager if p.project_id})
        except GCP_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"Google Cloud credentials: {describe(exc)}") from None
            # Naming projects helps when listing them is refused, not when the
            # endpoint cannot be reached: every other call would fail the same way.
            hint = "" if is_connection_error(exc) else "; name them with --gcp-project"
            raise CloudError(
                f"cannot list the projects the credential can see ({describe(exc)}){hint}"
            ) from None
        if not found:
            raise CloudError(
                "the credential can see no active project; name them with --gcp-project"
            )
        return found

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        if scope.account in self.failures:  # a folder or organisation, not a project
            kind = scope.account.split("/", 1)[0].removesuffix("s")
            yield ScopeError("gcp", scope.label, kind, self.failures[scope.account])
            return
        ctx = GcpContext(self.clients, scope.account, scope.label)

        def batches() -> Iterator[tuple[str, list[Observation | ScopeError]]]:
            for group in _side_by_side(plugin.reader_modules()):
                read = fan_out(group, lambda reader: _read(ctx, reader))
                for reader, (found, absent) in zip(group, read, strict=True):
                    yield cast(GcpKind, reader.KIND).name, found
                    if absent:  # the project is absent: no further kind is read
                        return

        # A unit another unit releases is left out (providers/gcp/links.py).
        items = Linker(LINKS).batches(batches())
        if self.period is not None:  # after linking: a linked unit's records are not read
            modules = readers_by_kind(plugin.reader_modules())
            items = with_history(ctx, items, modules, self.period)
        yield from items

    def check(self, resource_id: str) -> Observation:
        rn = parse_resource_name(resource_id, plugin.gcp_kinds())
        reader = plugin.reader_for(rn.id)
        if reader is None:  # the parser accepts only the ids the kinds claim
            raise CloudError(f"no GCP kind claims {rn.id}")
        ctx = GcpContext(self.clients, rn.project, "")
        try:
            unit = reader.get(ctx, rn.id)
        except GCP_ERRORS as exc:
            if is_not_found(exc):
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            if is_credentials_error(exc):
                raise CredentialsError(f"Google Cloud credentials: {describe(exc)}") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
        if self.period is not None:
            unit.history = unit_history(ctx, reader, unit, self.period)
        return unit


def _side_by_side(readers: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The kinds in reader order, in groups read side by side: a kind whose 404
    means the project is absent is read alone, before the kinds after it, so
    that an absent project costs that one list."""

    def alone(reader: Any) -> bool:
        return cast(GcpKind, reader.KIND).absent_project_on_404

    groups: list[tuple[Any, ...]] = []
    for reader in readers:
        if groups and not alone(reader) and not alone(groups[-1][0]):
            groups[-1] += (reader,)
        else:
            groups.append((reader,))
    return groups


def _read(ctx: GcpContext, reader: Any) -> tuple[list[Observation | ScopeError], bool]:
    """A kind's units and scope errors, in the order read; a failing list is the
    kind's scope error after what was read before it. True with them when the
    project is absent (the kind's list answered 404 and the kind says so)."""
    kind = cast(GcpKind, reader.KIND)
    found: list[Observation | ScopeError] = []
    try:
        for item in reader.collect(ctx):
            found.append(item)
    except GCP_ERRORS as exc:
        if is_not_found(exc) and kind.absent_project_on_404:
            found.append(
                ScopeError(
                    "gcp",
                    ctx.scope,
                    "project",
                    f"project {ctx.project} not found, or not visible to the credential "
                    f"({describe(exc)})",
                )
            )
            return found, True
        found.append(ScopeError("gcp", ctx.scope, kind.part, _not_assessed(kind, exc)))
    return found, False


def _not_assessed(kind: GcpKind, exc: Any) -> str:
    api = disabled_api(exc)
    if api:
        return (
            f"{api} is not enabled in this project (SERVICE_DISABLED), so its "
            f"{kind.titles} are not assessed"
        )
    return f"{kind.titles} not assessed: {describe(exc)}"
