"""The Kubernetes provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

from typing import Any, cast

import click

from providers.kubernetes import ID_PREFIX
from providers.kubernetes.kind import K8sKind, parse_id
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, ProviderRun
from scanner.readonly import Grant


class KubernetesPlugin(ProviderPlugin):
    name = "kubernetes"
    title = "Kubernetes"
    emulator = "providers.kubernetes.emulator.app"
    scan_only = frozenset(
        {
            "kubernetes_context",
            "kubernetes_all_contexts",
            "kubernetes_namespace",
            "kubernetes_include_system",
        }
    )
    readers = (
        "providers.kubernetes.deployments",
        "providers.kubernetes.statefulsets",
        "providers.kubernetes.daemonsets",
        "providers.kubernetes.httproutes",
        "providers.kubernetes.virtualservices",
        "providers.kubernetes.knative",
        "providers.kubernetes.rollouts",
        "providers.kubernetes.canaries",
    )
    discovery_reads = ("core/namespaces:get",)

    def k8s_kinds(self) -> tuple[K8sKind, ...]:
        return tuple(cast(K8sKind, kind) for kind in self.kinds())

    def declared_reads(self) -> set[str]:
        from providers.kubernetes.permissions import declared_reads

        return set(declared_reads())

    def read_permission(self, operation: str) -> str | None:
        return operation if operation in self.declared_reads() else None

    def options(self) -> list[click.Option]:
        # --k8s-* as issue 18 names them; the parameters carry the plugin's name,
        # which is what the config file's [kubernetes] section is built from.
        return [
            click.Option(
                ["--k8s-context", "kubernetes_context"],
                multiple=True,
                help="Kubeconfig context to scan (repeatable); default: the current context.",
            ),
            click.Option(
                ["--k8s-all-contexts", "kubernetes_all_contexts"],
                is_flag=True,
                default=False,
                help="Scan every context in the kubeconfig (each cluster once).",
            ),
            click.Option(
                ["--k8s-namespace", "kubernetes_namespace"],
                multiple=True,
                help="Namespace to scan (repeatable); default: all but the system namespaces.",
            ),
            click.Option(
                ["--k8s-include-system", "kubernetes_include_system"],
                is_flag=True,
                default=False,
                help="Also scan kube-system, kube-public, kube-node-lease and add-on namespaces.",
            ),
            click.Option(
                ["--k8s-kubeconfig", "kubernetes_kubeconfig"],
                help="Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
            ),
        ]

    def claims(self, resource_id: str) -> bool:
        return resource_id.startswith(ID_PREFIX)

    def check_id(self, resource_id: str) -> None:
        try:
            parse_id(resource_id)
        except ValueError as exc:
            raise UsageError(f"{resource_id!r}: {exc}") from None
        if self.reader_for(resource_id) is None:
            forms = "; ".join(self.id_forms())
            raise UsageError(
                f"{resource_id!r}: no kubernetes kind has such ids (supported: {forms})"
            )

    def permissions(self, scope: str = "account") -> Grant:
        if scope != "account":
            raise UsageError(
                f"--{scope}: the kubernetes grant is the same for every scan; leave the option out"
            )
        from providers.kubernetes.permissions import grant

        return grant()

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        # The SDK is imported here, not at plugin load: `relscan` starts fast.
        from providers.kubernetes.run import KubernetesRun
        from scanner.network import timeout_of

        return KubernetesRun(options, timeout_of(options), self, recorder)


plugin = KubernetesPlugin()
