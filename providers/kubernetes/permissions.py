"""What the Kubernetes provider may read, and the ClusterRole that allows it.

Reads are declared as `GROUP/RESOURCE:VERB` (providers/kubernetes/kind.py):
the provider's own (the kube-system namespace, for the cluster id) here,
each kind's in its declaration. The client guard (providers/kubernetes/guard.py)
refuses any request that is not one of these reads or a discovery document,
and `relscan permissions kubernetes` prints the ClusterRole generated from
the same declarations. Verbs are `get` and `list` only: never `watch`.
"""

from __future__ import annotations

import yaml

from providers.kubernetes.kind import parse_read
from scanner.readonly import Grant

ROLE = "relscan-reader"
CLUSTER_ID_NAMESPACE = "kube-system"
# The provider's own reads: the kube-system namespace's UID is the cluster id.
DISCOVERY_READS = ("core/namespaces:get",)
# Reads narrowed to named objects in the ClusterRole.
RESOURCE_NAMES = {"core/namespaces:get": [CLUSTER_ID_NAMESPACE]}


def declared_reads() -> tuple[str, ...]:
    from providers.kubernetes.plugin import plugin

    found = dict.fromkeys(DISCOVERY_READS)
    for kind in plugin.kinds():
        found.update(dict.fromkeys(kind.reads))
    return tuple(found)


def cluster_role() -> dict[str, object]:
    rules: dict[tuple[str, tuple[str, ...]], dict[str, set[str]]] = {}
    for read in declared_reads():
        group, resource, verb = parse_read(read)
        names = tuple(RESOURCE_NAMES.get(read, ()))
        rules.setdefault((group, names), {}).setdefault(resource, set()).add(verb)
    out: list[dict[str, object]] = []
    for (group, names), resources in rules.items():
        by_verbs: dict[tuple[str, ...], list[str]] = {}
        for resource, verbs in resources.items():
            by_verbs.setdefault(tuple(sorted(verbs)), []).append(resource)
        for verbs, res in by_verbs.items():
            rule: dict[str, object] = {"apiGroups": [group], "resources": sorted(res)}
            if names:
                rule["resourceNames"] = list(names)
            rule["verbs"] = list(verbs)
            out.append(rule)
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": ROLE},
        "rules": out,
    }


def grant() -> Grant:
    return Grant(
        provider="kubernetes",
        title="Kubernetes ClusterRole (bind it with a ClusterRoleBinding)",
        document=yaml.safe_dump(cluster_role(), sort_keys=False),
        permissions=sorted(declared_reads()),
    )
