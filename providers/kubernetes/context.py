"""What a Kubernetes reader is handed: one cluster's client and what to read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.kubernetes.discovery import Discovery
    from providers.kubernetes.revisions import Records

# Kubernetes' own namespaces and those of common add-ons (issue 18); their
# workloads are left out unless --k8s-include-system is given.
SYSTEM_NAMESPACES = frozenset(
    {
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "istio-system",
        "knative-serving",
        "argo-rollouts",
        "flagger-system",
    }
)


@dataclass(frozen=True)
class KubeContext:
    api: Any  # kubernetes.client.ApiClient for this cluster
    cluster_uid: str
    context: str  # the kubeconfig context name (a local alias: a label only)
    namespaces: tuple[str, ...] = ()  # --k8s-namespace; empty: all
    include_system: bool = False
    page_size: int = 500
    timeout: float | None = None
    # what the cluster serves, read once when a kind first asks (CRD kinds)
    discovery: Discovery | None = None
    # with --history: one collect's shared lists of versions (revisions.py)
    records: Records | None = None

    @property
    def label(self) -> str:
        return f"kubernetes:{self.cluster_uid}"

    def wanted(self, namespace: str) -> bool:
        if self.namespaces:
            return namespace in self.namespaces
        return self.include_system or namespace not in SYSTEM_NAMESPACES
