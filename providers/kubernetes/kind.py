"""What a Kubernetes kind declares beyond the core's `Kind`: the API group,
version and resource (plural) its reader lists, and whether it is namespaced.

Unit ids are `k8s:CLUSTER_UID/NAMESPACE/RESOURCE.GROUP/NAME`, where
CLUSTER_UID is the UID of the cluster's kube-system namespace (the stable
cluster id, docs/kubernetes.md). Reads are named `GROUP/RESOURCE:VERB` (the
core group is written `core`), the form the ClusterRole is generated from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from providers.kubernetes import ID_PREFIX
from scanner.kind import FactSpec, Kind

VERBS = ("get", "list")  # the only verbs relscan ever asks for

# A DNS-1123 label (namespaces) and subdomain (object names), and a UID.
LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
SUBDOMAIN = r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"
UID = r"[0-9a-fA-F-]{1,64}"


@dataclass(frozen=True)
class K8sKind(Kind):
    group: str = ""  # "" for the core group
    version: str = ""
    resource: str = ""  # the plural, as the API path and RBAC name it
    namespaced: bool = True

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """deployments.apps, as kubectl and error messages name the resource."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


def read_name(group: str, resource: str, verb: str) -> str:
    if verb not in VERBS:
        raise ValueError(f"relscan never asks for {verb!r} ({group}/{resource})")
    return f"{group or 'core'}/{resource}:{verb}"


def parse_read(name: str) -> tuple[str, str, str]:
    """`apps/deployments:list` -> ("apps", "deployments", "list"); core -> ""."""
    group, _, rest = name.partition("/")
    resource, _, verb = rest.partition(":")
    return ("" if group == "core" else group), resource, verb


def k8s_kind(
    *,
    name: str,
    title: str,
    group: str,
    version: str,
    resource: str,
    facts: tuple[FactSpec, ...],
    namespaced: bool = True,
    plural: str = "",
    extra_reads: tuple[str, ...] = (),
) -> K8sKind:
    """A kind reading `resource` (list, and get for `check`); `extra_reads`
    are the other reads its reader makes (`read_name(...)`), e.g. the
    Services that decide whether a DaemonSet is a release unit."""
    qualified = f"{resource}.{group}" if group else resource
    return K8sKind(
        name=name,
        title=title,
        provider="kubernetes",
        id_form=f"{ID_PREFIX}CLUSTER_UID/NAMESPACE/{qualified}/NAME",
        id_pattern=re.compile(
            rf"{re.escape(ID_PREFIX)}{UID}/{LABEL}/{re.escape(qualified)}/{SUBDOMAIN}"
        ),
        facts=facts,
        reads=(
            read_name(group, resource, "list"),
            read_name(group, resource, "get"),
            *extra_reads,
        ),
        part=qualified,
        plural=plural,
        group=group,
        version=version,
        resource=resource,
        namespaced=namespaced,
    )


def parse_id(resource_id: str) -> tuple[str, str, str, str]:
    """(cluster uid, namespace, resource.group, name) of a unit id."""
    body = resource_id[len(ID_PREFIX) :]
    parts = body.split("/")
    if not resource_id.startswith(ID_PREFIX) or len(parts) != 4 or not all(parts):
        raise ValueError(
            f"not a kubernetes unit id like {ID_PREFIX}CLUSTER_UID/NAMESPACE/RESOURCE.GROUP/NAME"
        )
    return parts[0], parts[1], parts[2], parts[3]


def unit_id(cluster_uid: str, kind: K8sKind, namespace: str, name: str) -> str:
    return f"{ID_PREFIX}{cluster_uid}/{namespace}/{kind.qualified}/{name}"
