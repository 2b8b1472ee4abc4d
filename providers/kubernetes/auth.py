"""Which kubeconfig contexts a scan reaches, and one API client for each.

Contexts: `--k8s-context` (repeatable), `--k8s-all-contexts` (or
RELSCAN_K8S_ALL_CONTEXTS=1), otherwise the kubeconfig's current context; in
a pod with no kubeconfig, the pod's service account.
The kubeconfig is `--k8s-kubeconfig`, else $KUBECONFIG (several paths merged,
first definition wins), else ~/.kube/config, as kubectl reads it.

Clients are built with `persist_config=False`: a token refresh never writes
the user's kubeconfig. The official client logs and swallows a failing exec
credential plugin (aws, kubelogin, gke-gcloud-auth-plugin, oci) and then
sends requests without credentials, so the plugin's command is checked here
first and a missing one is a credentials error that names it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

from scanner.errors import CredentialsError, UsageError
from scanner.evidence.recorder import Recorder

# The context name a run inside a pod reports (it has no kubeconfig).
IN_CLUSTER = "in-cluster"
# The environment's equivalent of --k8s-all-contexts (a CronJob's or the
# demo's), which an explicit --k8s-context overrides.
ALL_CONTEXTS_ENV = "RELSCAN_K8S_ALL_CONTEXTS"


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str
    user: str
    namespace: str


def _config_file(options: dict[str, Any]) -> str:
    """The kubeconfig path(s), read now: the client reads $KUBECONFIG once, when
    it is first imported, and would miss a later change (the demo sets it)."""
    return (
        options.get("kubernetes_kubeconfig")
        or os.environ.get("KUBECONFIG")
        or os.path.expanduser("~/.kube/config")
    )


def in_cluster(options: dict[str, Any]) -> bool:
    """relscan runs in a pod (a CronJob) with no kubeconfig: use the pod's
    service account, as client-go's rest.InClusterConfig does."""
    if options.get("kubernetes_kubeconfig") or options.get("kubernetes_context"):
        return False
    paths = _config_file(options).split(os.pathsep)
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and not any(
        os.path.exists(p) for p in paths
    )


def contexts(options: dict[str, Any]) -> list[ContextInfo]:
    from kubernetes.config import ConfigException, list_kube_config_contexts

    if in_cluster(options):
        return [ContextInfo(IN_CLUSTER, "", "", "")]
    path = _config_file(options)
    if not any(os.path.isfile(p) for p in path.split(os.pathsep) if p):
        raise CredentialsError(
            f"no kubeconfig at {path}: give --k8s-kubeconfig, set KUBECONFIG, "
            "or run relscan in a pod with a service account"
        )
    try:
        listed, current = list_kube_config_contexts(config_file=path)
    except (ConfigException, OSError) as exc:
        raise CredentialsError(f"kubeconfig {path}: {exc}") from None
    by_name = {
        str(c["name"]): ContextInfo(
            str(c["name"]),
            str(c.get("context", {}).get("cluster", "")),
            str(c.get("context", {}).get("user", "")),
            str(c.get("context", {}).get("namespace", "") or ""),
        )
        for c in listed or []
    }
    if options.get("kubernetes_all_contexts") and options.get("kubernetes_context"):
        raise UsageError("--k8s-context and --k8s-all-contexts exclude each other")
    every = options.get("kubernetes_all_contexts") or os.environ.get(ALL_CONTEXTS_ENV) == "1"
    if every and not options.get("kubernetes_context"):
        return list(by_name.values())
    wanted = list(dict.fromkeys(options.get("kubernetes_context") or ()))
    if not wanted:
        if not current:
            raise UsageError("the kubeconfig has no current context: pass --k8s-context NAME")
        wanted = [str(current["name"])]
    missing = [n for n in wanted if n not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)) or "none"
        raise UsageError(
            f"--k8s-context {missing[0]!r}: no such context in the kubeconfig (known: {known})"
        )
    return [by_name[n] for n in wanted]


def _plain(node: Any) -> Any:
    """The value inside the loader's ConfigNode wrappers (plain values pass)."""
    return getattr(node, "value", node)


def check_exec_plugin(options: dict[str, Any], ctx: ContextInfo) -> None:
    """Refuse a context whose exec credential plugin cannot be run."""
    from kubernetes.config.kube_config import KubeConfigMerger

    # merged as kubectl merges several files: the first definition wins
    merged = _plain(KubeConfigMerger(_config_file(options)).config) or {}
    for user in _plain(merged.get("users")) or []:
        user = _plain(user)
        if not isinstance(user, dict) or user.get("name") != ctx.user:
            continue
        spec = _plain(_plain(user.get("user") or {}).get("exec")) or {}
        command = spec.get("command")
        if command and shutil.which(str(command)) is None:
            raise CredentialsError(
                f"context {ctx.name}: its credential plugin {command!r} is not on PATH "
                "(see docs/kubernetes.md for each managed service's helper)"
            )


def api_client(
    options: dict[str, Any],
    ctx: ContextInfo,
    reads: tuple[str, ...],
    timeout: float,
    recorder: Recorder | None = None,
) -> Any:
    from kubernetes.config import ConfigException, new_client_from_config

    from providers.kubernetes import guard

    if ctx.name == IN_CLUSTER:
        return _in_cluster_client(reads, timeout, recorder)
    check_exec_plugin(options, ctx)
    try:
        client = new_client_from_config(
            config_file=_config_file(options), context=ctx.name, persist_config=False
        )
    except (ConfigException, OSError) as exc:
        raise CredentialsError(f"context {ctx.name}: {exc}") from None
    client.user_agent = f"{client.user_agent} relscan"
    guard.install(client, reads, recorder, ctx.name)
    return client


def _in_cluster_client(reads: tuple[str, ...], timeout: float, recorder: Recorder | None) -> Any:
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config import ConfigException, load_incluster_config

    from providers.kubernetes import guard

    config = Configuration()
    try:
        # re-reads the projected token file when it is rotated
        load_incluster_config(client_configuration=config)
    except (ConfigException, OSError) as exc:
        raise CredentialsError(f"in-cluster service account: {exc}") from None
    client = ApiClient(configuration=config)
    client.user_agent = f"{client.user_agent} relscan"
    guard.install(client, reads, recorder, IN_CLUSTER)
    return client
