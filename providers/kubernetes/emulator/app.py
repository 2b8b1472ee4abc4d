"""A Kubernetes API server emulator for the reads relscan makes, serving one
estate part, over plain HTTP on loopback.

The part: `clusters`, each `{context, uid?, version?, namespaces: [name],
crds: [group/version], objects: {"GROUP/PLURAL": [object JSON]}, deployments:
[Deployment JSON] (short for objects "apps/deployments"), faults: [...]}`
(the core group is written `core`: "core/services"). Each
cluster is served under its own path prefix `/c/INDEX` (the kubeconfig's
`server`; INDEX is the cluster's place in the part), so one emulator serves
several clusters. It answers:

- discovery: `/version`, `/api`, `/apis` (apps/v1 plus the groups in `crds`:
  a group whose CRD is not installed is simply absent) and `/apis/GROUP/VERSION`
  (404 Status for an absent group);
- namespaces: list and get (kube-system carries the cluster's `uid`);
- every resource of the built-in groups (`BUILT_IN`: core services, apps
  deployments, statefulsets, daemonsets, replicasets, controllerrevisions) and of the installed
  custom groups (`CRD_RESOURCES`): list (all namespaces or one; cluster-scoped
  ones at the top) and get, generically from `objects`;
- lists page with `limit` and an opaque `continue` token; a token from an
  older listing (the estate changed: `generation`) or a fault answers
  410 Expired;
- an object's `releases:` (rhythm specs, scanner/emulators/releases.py):
  its ReplicaSets, ControllerRevisions or Knative Revisions, relative to now
  (emulator/versions.py);
- `faults`: `{resource (plural, plural.group, or `version` for /version), verb?, namespace?,
  status: 401|403|404|410, times?}`,
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

from providers.kubernetes.emulator import versions, wire
from scanner.emulators.server import LoopbackServer, Request, Response

DEFAULT_UID = "6f1c9c9e-0000-4000-8000-00000000c1a5"
USER = "system:serviceaccount:relscan:relscan"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
# What the built-in groups serve: group -> (version, {plural: (Kind, namespaced)}).
BUILT_IN: dict[str, tuple[str, dict[str, tuple[str, bool]]]] = {
    "": ("v1", {"namespaces": ("Namespace", False), "services": ("Service", True)}),
    "apps": (
        "v1",
        {
            "deployments": ("Deployment", True),
            "statefulsets": ("StatefulSet", True),
            "daemonsets": ("DaemonSet", True),
            "replicasets": ("ReplicaSet", True),
            "controllerrevisions": ("ControllerRevision", True),
        },
    ),
}
# What each custom group serves when its CRDs are installed: plural -> (Kind, namespaced).
CRD_RESOURCES: dict[str, dict[str, tuple[str, bool]]] = {
    "argoproj.io": {
        "rollouts": ("Rollout", True),
        "analysistemplates": ("AnalysisTemplate", True),
        "clusteranalysistemplates": ("ClusterAnalysisTemplate", False),
    },
    "flagger.app": {"canaries": ("Canary", True)},
    "gateway.networking.k8s.io": {"httproutes": ("HTTPRoute", True)},
    "networking.istio.io": {"virtualservices": ("VirtualService", True)},
    "serving.knative.dev": {"services": ("Service", True), "revisions": ("Revision", True)},
}


class Cluster:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.context = str(spec["context"])
        self.uid = str(spec.get("uid", DEFAULT_UID))
        self.version = str(spec.get("version", "v1.34.3"))
        # served: group -> (version, {plural: (Kind, namespaced)}). crds:
        # "GROUP/VERSION" (the group's usual resources, CRD_RESOURCES) or
        # {groupVersion, resources: [[plural, Kind], ...]} (e.g. Argo CD's argoproj.io)
        self.served: dict[str, tuple[str, dict[str, tuple[str, bool]]]] = dict(BUILT_IN)
        self.crds: dict[str, str] = {}
        for entry in spec.get("crds", []):
            gv = entry if isinstance(entry, str) else str(entry["groupVersion"])
            group, version = gv.split("/")
            self.crds[group] = version
            listed = None if isinstance(entry, str) else entry.get("resources")
            resources = (
                {str(p): (str(k), True) for p, k in listed}
                if listed is not None
                else CRD_RESOURCES.get(group, {})
            )
            self.served[group] = (version, resources)
        # objects: "GROUP/PLURAL" (core: "core/services") -> the objects' JSON;
        # `deployments` is short for "apps/deployments".
        self.objects: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for key, items in (spec.get("objects") or {}).items():
            group, _, plural = str(key).partition("/")
            self.objects[("" if group == "core" else group, plural)] = [dict(i) for i in items]
        if spec.get("deployments"):
            self.objects.setdefault(("apps", "deployments"), []).extend(
                dict(d) for d in spec["deployments"]
            )
        self._versions()
        names = {"default", "kube-system", "kube-public", "kube-node-lease"}
        names |= set(spec.get("namespaces", []))
        for (group, plural), items in self.objects.items():
            if self.resource(group, plural)[1]:
                names |= {i.get("metadata", {}).get("namespace", "default") for i in items}
        self.namespaces = sorted(names)
        self.faults = [dict(f) for f in spec.get("faults", [])]
        self.generation = 0  # bumped by `changed()`: older continue tokens expire

    def _versions(self) -> None:
        """The ReplicaSets, ControllerRevisions and Knative Revisions of the
        objects that carry `releases:` (emulator/versions.py), served beside
        any written out in `objects`."""
        for (group, plural), kept_in in versions.OWNERS.items():
            where = "serving.knative.dev" if kept_in == "revisions" else "apps"
            for obj in self.objects.get((group, plural), []):
                made = versions.generate(self.context, group, plural, obj)
                if made:
                    self.objects.setdefault((where, kept_in), []).extend(made)

    @property
    def deployments(self) -> list[dict[str, Any]]:
        return self.objects.get(("apps", "deployments"), [])

    def resource(self, group: str, plural: str) -> tuple[str, bool]:
        """(Kind, namespaced) of a served resource; ("", True) if not served."""
        return self.served.get(group, ("", {}))[1].get(plural, ("", True))

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
            fault = self._fault(c, "version", "", "get", None)  # {resource: version, ...}
            if fault:
                return fault
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
            return wire.ok(wire.group_list({g: v for g, (v, _) in c.served.items() if g}))
        if len(p) >= 2 and p[0] == "api":
            group, version, rest = "", p[1], p[2:]
        elif len(p) >= 3 and p[0] == "apis":
            group, version, rest = p[1], p[2], p[3:]
        else:
            return wire.status(404, "the server could not find the requested resource")
        served_version, resources = c.served.get(group, ("", {}))
        if served_version != version:
            return wire.not_found("", "")
        if not rest:
            return wire.ok(
                wire.resource_list(
                    f"{group}/{version}" if group else version,
                    [
                        {
                            "name": plural,
                            "singularName": kind.lower(),
                            "namespaced": namespaced,
                            "kind": kind,
                            "verbs": VERBS,
                        }
                        for plural, (kind, namespaced) in resources.items()
                    ],
                )
            )
        if group == "" and rest[0] == "namespaces" and len(rest) <= 2:
            return self._namespaces(c, rest, req)
        namespace: str | None = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 2 or rest[0] not in resources:
            return wire.not_found(rest[0], group)
        plural = rest[0]
        kind, namespaced = resources[plural]
        api_version = f"{group}/{version}" if group else version
        items = [
            {k: v for k, v in d.items() if k not in ("apiVersion", "kind")}
            for d in c.objects.get((group, plural), [])
            if namespace is None or d.get("metadata", {}).get("namespace", "default") == namespace
        ]
        if len(rest) == 2:  # get one
            fault = self._fault(c, plural, group, "get", namespace)
            if fault:
                return fault
            for item in items:
                if item.get("metadata", {}).get("name") == rest[1]:
                    return wire.ok({"kind": kind, "apiVersion": api_version, **item})
            return wire.not_found(plural, group, rest[1])
        return self._list(c, req, plural, group, namespace, kind, api_version, items)

    def _namespaces(self, c: Cluster, rest: list[str], req: Request) -> Response:
        if len(rest) == 1:
            items = [c.namespace_obj(n) for n in c.namespaces]
            return self._list(c, req, "namespaces", "", None, "Namespace", "v1", items)
        fault = self._fault(c, "namespaces", "", "get", None)
        if fault:
            return fault
        if rest[1] not in c.namespaces:
            return wire.not_found("namespaces", "", rest[1])
        return wire.ok({"kind": "Namespace", "apiVersion": "v1", **c.namespace_obj(rest[1])})

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
        fault = self._fault(c, resource, group, "list", namespace)
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
        self, c: Cluster, resource: str, group: str, verb: str, namespace: str | None
    ) -> Response | None:
        with self._lock:
            for fault in c.faults:
                if fault.get("resource") not in (resource, f"{resource}.{group}"):
                    continue
                if fault.get("verb", verb) != verb:
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
