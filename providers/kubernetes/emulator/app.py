"""A Kubernetes API server emulator for the reads relscan makes, serving one
estate part, over plain HTTP on loopback.

The part: `clusters`, each `{context, uid?, version?, namespaces: [name],
crds: [group/version], deployments: [Deployment JSON], faults: [...]}`. Each
cluster is served under its own path prefix `/c/INDEX` (the kubeconfig's
`server`; INDEX is the cluster's place in the part), so one emulator serves
several clusters. It answers:

- discovery: `/version`, `/api`, `/apis` (apps/v1 plus the groups in `crds`:
  a group whose CRD is not installed is simply absent) and `/apis/GROUP/VERSION`
  (404 Status for an absent group);
- namespaces: list and get (kube-system carries the cluster's `uid`);
- apps/v1 deployments: list (all namespaces or one) and get;
- lists page with `limit` and an opaque `continue` token; a token from an
  older listing (the estate changed: `generation`) or a fault answers
  410 Expired;
- `faults`: `{resource, verb?, namespace?, status: 401|403|404|410, times?}`,
  answered as the API server's Status objects.

`kubeconfig(url, part)` writes the kubeconfig the tests and the demo point
the official client at.
"""

from __future__ import annotations

import base64
import json
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml

from providers.kubernetes.emulator import wire
from scanner.emulators.server import LoopbackServer, Request, Response

DEFAULT_UID = "6f1c9c9e-0000-4000-8000-00000000c1a5"
USER = "system:serviceaccount:relscan:relscan"
APPS = [
    {
        "name": "deployments",
        "singularName": "deployment",
        "namespaced": True,
        "kind": "Deployment",
        "verbs": [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        "shortNames": ["deploy"],
        "categories": ["all"],
    },
    {
        "name": "deployments/status",
        "singularName": "",
        "namespaced": True,
        "kind": "Deployment",
        "verbs": ["get", "patch", "update"],
    },
]
# What each custom group serves when its CRDs are installed (plural, kind).
CRD_RESOURCES = {
    "argoproj.io": [("rollouts", "Rollout"), ("analysistemplates", "AnalysisTemplate")],
    "flagger.app": [("canaries", "Canary")],
    "gateway.networking.k8s.io": [("httproutes", "HTTPRoute")],
    "networking.istio.io": [("virtualservices", "VirtualService")],
    "serving.knative.dev": [("services", "Service")],
}


class Cluster:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.context = str(spec["context"])
        self.uid = str(spec.get("uid", DEFAULT_UID))
        self.version = str(spec.get("version", "v1.34.3"))
        # crds: "GROUP/VERSION" (the group's usual resources, CRD_RESOURCES) or
        # {groupVersion, resources: [[plural, Kind], ...]} (e.g. Argo CD's argoproj.io)
        self.crds: dict[str, str] = {}
        self.crd_resources: dict[str, list[tuple[str, str]]] = {}
        for entry in spec.get("crds", []):
            gv = entry if isinstance(entry, str) else str(entry["groupVersion"])
            group, version = gv.split("/")
            self.crds[group] = version
            listed = None if isinstance(entry, str) else entry.get("resources")
            self.crd_resources[group] = (
                [(str(p), str(k)) for p, k in listed]
                if listed is not None
                else CRD_RESOURCES.get(group, [])
            )
        self.deployments = [dict(d) for d in spec.get("deployments", [])]
        names = {"default", "kube-system", "kube-public", "kube-node-lease"}
        names |= set(spec.get("namespaces", []))
        names |= {d.get("metadata", {}).get("namespace", "default") for d in self.deployments}
        self.namespaces = sorted(names)
        self.faults = [dict(f) for f in spec.get("faults", [])]
        self.generation = 0  # bumped by `changed()`: older continue tokens expire

    def namespace_obj(self, name: str) -> dict[str, Any]:
        uid = self.uid if name == "kube-system" else f"{name}-{self.uid[:8]}"
        return {
            "metadata": {"name": name, "uid": uid, "resourceVersion": "1"},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }


class KubeEmulator:
    """Callable app for LoopbackServer. `estate` is the `kubernetes` part of a fixture."""

    def __init__(self, estate: dict[str, Any]) -> None:
        self.clusters = {c.context: c for c in (Cluster(s) for s in estate.get("clusters", []))}
        # Served under /c/INDEX: a context name may hold '/' and ':' (EKS ARNs).
        self.by_index = {str(i): c for i, c in enumerate(self.clusters.values())}
        self.calls: list[tuple[str, str, str]] = []  # context, method, path?query
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p]
        if len(parts) < 2 or parts[0] != "c" or parts[1] not in self.by_index:
            return wire.status(404, "the server could not find the requested resource")
        cluster = self.by_index[parts[1]]
        with self._lock:
            query = "&".join(f"{k}={v[0]}" for k, v in sorted(req.query.items()))
            self.calls.append(
                (
                    cluster.context,
                    req.method,
                    "/" + "/".join(parts[2:]) + (f"?{query}" if query else ""),
                )
            )
        if req.method != "GET":
            return wire.status(405, f"{req.method} is not served by this emulator")
        return self._route(cluster, parts[2:], req)

    # -- routing ----------------------------------------------------------
    def _route(self, c: Cluster, p: list[str], req: Request) -> Response:
        if p == ["version"]:
            major, minor = c.version.lstrip("v").split(".")[:2]
            return wire.ok(
                {"major": major, "minor": minor, "gitVersion": c.version, "platform": "linux/amd64"}
            )
        if p == ["api"]:
            return wire.ok(
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}
                    ],
                }
            )
        if p == ["apis"]:
            return wire.ok(wire.group_list({"apps": "v1", **c.crds}))
        if p == ["api", "v1", "namespaces"]:
            return self._list(
                c,
                req,
                "namespaces",
                "",
                None,
                "Namespace",
                "v1",
                [c.namespace_obj(n) for n in c.namespaces],
            )
        if len(p) == 4 and p[:3] == ["api", "v1", "namespaces"]:
            fault = self._fault(c, "namespaces", "get", None)
            if fault:
                return fault
            if p[3] not in c.namespaces:
                return wire.not_found("namespaces", "", p[3])
            return wire.ok({"kind": "Namespace", "apiVersion": "v1", **c.namespace_obj(p[3])})
        if len(p) >= 3 and p[0] == "apis":
            group, version, rest = p[1], p[2], p[3:]
            served = {"apps": "v1", **c.crds}
            if served.get(group) != version:
                return wire.not_found("", "")
            if not rest:
                if group == "apps":
                    return wire.ok(wire.resource_list("apps/v1", APPS))
                return wire.ok(
                    wire.resource_list(
                        f"{group}/{version}",
                        [
                            {
                                "name": plural,
                                "singularName": kind.lower(),
                                "namespaced": True,
                                "kind": kind,
                                "verbs": [
                                    "get",
                                    "list",
                                    "watch",
                                    "create",
                                    "update",
                                    "patch",
                                    "delete",
                                ],
                            }
                            for plural, kind in c.crd_resources.get(group, [])
                        ],
                    )
                )
            if group == "apps":
                return self._deployments(c, rest, req)
            return wire.not_found(rest[-1], group)
        return wire.status(404, "the server could not find the requested resource")

    def _deployments(self, c: Cluster, rest: list[str], req: Request) -> Response:
        namespace: str | None = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or rest[0] != "deployments" or len(rest) > 2:
            return wire.not_found(rest[0] if rest else "", "apps")
        items = [
            {k: v for k, v in d.items() if k not in ("apiVersion", "kind")}
            for d in c.deployments
            if namespace is None or d.get("metadata", {}).get("namespace", "default") == namespace
        ]
        if len(rest) == 2:  # get one
            fault = self._fault(c, "deployments", "get", namespace)
            if fault:
                return fault
            for item in items:
                if item.get("metadata", {}).get("name") == rest[1]:
                    return wire.ok({"kind": "Deployment", "apiVersion": "apps/v1", **item})
            return wire.not_found("deployments", "apps", rest[1])
        return self._list(c, req, "deployments", "apps", namespace, "Deployment", "apps/v1", items)

    def _list(
        self,
        c: Cluster,
        req: Request,
        resource: str,
        group: str,
        namespace: str | None,
        kind: str,
        api_version: str,
        items: list[dict[str, Any]],
    ) -> Response:
        fault = self._fault(c, resource, "list", namespace)
        if fault:
            return fault
        start = 0
        token = req.arg("continue")
        if token:
            try:
                gen, start = (int(x) for x in json.loads(base64.urlsafe_b64decode(token.encode())))
            except (ValueError, TypeError, json.JSONDecodeError):
                return wire.status(400, "continue key is not valid: illegal base64 data")
            if gen != c.generation:
                return wire.expired(_token(c.generation, start))
        limit = int(req.arg("limit") or 0)
        end = start + limit if limit > 0 else len(items)
        page = items[start:end]
        more = end < len(items)
        return wire.ok(
            wire.object_list(
                kind,
                api_version,
                page,
                _token(c.generation, end) if more else None,
                len(items) - end,
            )
        )

    def _fault(
        self, c: Cluster, resource: str, verb: str, namespace: str | None
    ) -> Response | None:
        with self._lock:
            for fault in c.faults:
                if fault.get("resource") != resource or fault.get("verb", verb) != verb:
                    continue
                if fault.get("namespace") not in (None, namespace):
                    continue
                times = fault.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    fault["times"] = times - 1
                code = int(fault.get("status", 403))
                if code == 403:
                    group = "apps" if resource == "deployments" else ""
                    return wire.forbidden(USER, verb, resource, group, namespace)
                if code == 410:
                    return wire.expired(_token(c.generation + 1, 0))
                if code == 401:
                    return wire.status(401, "Unauthorized")
                return wire.status(code, f"injected {code}")
        return None

    def changed(self, context: str) -> None:
        """The estate moved on: continue tokens handed out so far expire (410)."""
        self.clusters[context].generation += 1


def _token(generation: int, index: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([generation, index]).encode()).decode()


def kubeconfig(url: str, part: dict[str, Any], path: Path, current: str | None = None) -> Path:
    """A kubeconfig with one context per cluster of the part, each pointing at
    its prefix of the emulator, with a static bearer token."""
    names = list(dict.fromkeys(str(c["context"]) for c in part.get("clusters", [])))
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": n, "cluster": {"server": f"{url}/c/{i}"}} for i, n in enumerate(names)
        ],
        "users": [{"name": f"{n}-user", "user": {"token": "emulator-token"}} for n in names],
        "contexts": [{"name": n, "context": {"cluster": n, "user": f"{n}-user"}} for n in names],
        "current-context": current or (names[0] if names else ""),
        "preferences": {},
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def start(part: dict[str, Any], stack: ExitStack) -> dict[str, str | None]:
    """Serve the part until the stack closes; the environment points KUBECONFIG
    at a kubeconfig for it (written beside nothing of the user's)."""
    import tempfile

    server = stack.enter_context(LoopbackServer(KubeEmulator(part)))
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="relscan-k8s-")))
    path = kubeconfig(server.url, part, folder / "kubeconfig")
    return {"KUBECONFIG": str(path), "RELSCAN_K8S_ALL_CONTEXTS": "1"}


def endpoint_env(url: str) -> dict[str, str | None]:
    """The environment that sends the client to `url` (an evidence replay):
    a kubeconfig with one context whose server is `url`. The guard records
    paths below each cluster's server URL, so a bundle of one cluster replays
    (answers of several clusters share paths: the first recorded answers)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix="relscan-k8s-replay-", suffix=".yaml")
    import os

    os.close(handle)
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "replay", "cluster": {"server": url}}],
        "users": [{"name": "replay", "user": {"token": "replay"}}],
        "contexts": [{"name": "replay", "context": {"cluster": "replay", "user": "replay"}}],
        "current-context": "replay",
    }
    Path(name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return {"KUBECONFIG": name, "RELSCAN_K8S_ALL_CONTEXTS": None}
