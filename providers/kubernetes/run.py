"""A configured Kubernetes scan: a scope is one cluster, named by its stable id
(the kube-system namespace's UID), whatever context reached it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any

from providers.kubernetes.auth import ContextInfo, api_client, contexts
from providers.kubernetes.context import KubeContext
from providers.kubernetes.faults import describe, errors
from providers.kubernetes.kind import parse_id
from providers.kubernetes.links import LINKS
from providers.kubernetes.permissions import CLUSTER_ID_NAMESPACE, declared_reads
from providers.kubernetes.plugin import KubernetesPlugin, plugin
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from scanner.evidence.recorder import Recorder
from scanner.links import Linker
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.practice.records import History
from scanner.practice.settings import Period, period_of

UNREACHED = "context:"  # the account of a scope whose context reached no cluster


class KubernetesRun(ProviderRun):
    def __init__(
        self,
        options: dict[str, Any],
        timeout: float,
        owner: KubernetesPlugin = plugin,
        recorder: Recorder | None = None,
    ) -> None:
        self.options = options
        self.recorder = recorder  # the evidence bundle, if the run records one
        self.timeout = timeout
        self.plugin = owner
        self.contexts = contexts(options)  # UsageError/CredentialsError now, not mid-scan
        self.namespaces = tuple(
            dict.fromkeys(n.strip() for n in options.get("kubernetes_namespace") or ())
        )
        self.include_system = bool(options.get("kubernetes_include_system"))
        self.failures: dict[str, str] = {}  # context name -> why its cluster was not reached

    @cached_property
    def clusters(self) -> dict[str, KubeContext]:
        """Each reachable cluster once, by its id (two contexts may reach one cluster).
        With one context, a cluster that cannot be reached stops the run (exit 2
        for credentials, 3 otherwise); with several, it is that context's scope
        error (`failures`) and the other clusters are still read."""
        found: dict[str, KubeContext] = {}
        for info in self.contexts:
            try:
                ctx = self._connect(info)
            except (CloudError, CredentialsError) as exc:
                if len(self.contexts) == 1:
                    raise
                self.failures[info.name] = str(exc)
                continue
            found.setdefault(ctx.cluster_uid, ctx)
        return found

    def _connect(self, info: ContextInfo) -> KubeContext:
        from kubernetes.client import CoreV1Api

        api = api_client(self.options, info, tuple(declared_reads()), self.timeout, self.recorder)
        try:
            ns = CoreV1Api(api).read_namespace(CLUSTER_ID_NAMESPACE, _request_timeout=self.timeout)
        except errors() as exc:
            code = getattr(exc, "status", None)
            if code == 401:
                raise CredentialsError(f"context {info.name}: {describe(exc)}") from None
            raise CloudError(
                f"context {info.name}: cannot read the {CLUSTER_ID_NAMESPACE} namespace, whose UID "
                f"is the cluster's id: {describe(exc)}"
            ) from None
        from providers.kubernetes.discovery import Discovery

        return KubeContext(
            api=api,
            discovery=Discovery(api, self.timeout),
            cluster_uid=str(ns.metadata.uid),
            context=info.name,
            namespaces=self.namespaces,
            include_system=self.include_system,
            timeout=self.timeout,
        )

    def scopes(self) -> list[Scope]:
        reached = [Scope("kubernetes", uid, "") for uid in self.clusters]
        # a context that reached no cluster has no cluster id: its scope is named by the context
        return reached + [Scope("kubernetes", f"{UNREACHED}{name}", "") for name in self.failures]

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        if scope.account.startswith(UNREACHED):
            message = self.failures[scope.account[len(UNREACHED) :]]
            yield ScopeError("kubernetes", scope.label, "cluster", message)
            return
        ctx = self.clusters[scope.account]
        period = period_of(self.options)
        if period is not None:  # --history: versions listed once per namespace, for this collect
            ctx = self._with_records(ctx)

        def batches() -> Iterator[tuple[str, list[Observation | ScopeError]]]:
            for reader in self.plugin.reader_modules():
                found: list[Observation | ScopeError] = []
                try:
                    found.extend(reader.collect(ctx))
                except errors() as exc:
                    part = reader.KIND.part
                    found.append(ScopeError("kubernetes", ctx.label, part, describe(exc)))
                yield reader.KIND.name, found

        # A unit another unit releases is left out (providers/kubernetes/links.py),
        # before its records are read.
        for item in Linker(LINKS).batches(batches()):
            if period is not None and isinstance(item, Observation):
                item.history = self._history(ctx, item, period)
                yield item
                yield from ctx.records.drain() if ctx.records is not None else ()
            else:
                yield item

    @staticmethod
    def _with_records(ctx: KubeContext) -> KubeContext:
        from providers.kubernetes.revisions import Records

        return replace(ctx, records=Records())

    def _history(self, ctx: KubeContext, unit: Observation, period: Period) -> History:
        """The unit's records (its kind's `history`), or why there are none;
        a failure is this unit's `History.error`, never the unit's loss."""
        reader = next((r for r in self.plugin.reader_modules() if r.KIND.name == unit.kind), None)
        title = reader.KIND.title if reader is not None else unit.kind
        if reader is None or not hasattr(reader, "history"):
            why = getattr(reader, "NO_HISTORY", None) or "relscan reads no records for this kind"
            return History(source=title, unavailable=why)
        try:
            return reader.history(ctx, unit, period)  # type: ignore[no-any-return]
        except errors() as exc:
            return History(source=title, error=describe(exc))
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            return History(source=title, error=f"malformed records: {type(exc).__name__}: {exc}")

    def check(self, resource_id: str) -> Observation:
        uid = parse_id(resource_id)[0]
        reader = self.plugin.reader_for(resource_id)
        if reader is None:
            raise UsageError(f"no kubernetes kind claims {resource_id!r}")
        ctx = self.clusters.get(uid)
        if ctx is None:
            reached = ", ".join(f"{c.context} ({u})" for u, c in self.clusters.items()) or "none"
            raise NotFoundError(
                f"no such resource: {resource_id} "
                f"(no context reaches cluster {uid}; reached: {reached})"
            )
        period = period_of(self.options)
        if period is not None:
            ctx = self._with_records(ctx)
        try:
            unit = reader.get(ctx, resource_id)
        except errors() as exc:
            if getattr(exc, "status", None) == 404:
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            if getattr(exc, "status", None) == 401:
                raise CredentialsError(f"context {ctx.context}: {describe(exc)}") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
        if period is not None:
            unit.history = self._history(ctx, unit, period)
        return unit
