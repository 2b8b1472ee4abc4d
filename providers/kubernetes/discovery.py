"""Which API groups a cluster serves, and which resources in them.

Custom resources (Argo Rollouts, Flagger, Gateway API, Istio, Knative) are read
only where discovery shows them: `GET /apis` once per cluster, then
`GET /apis/GROUP/VERSION` for a group that is served. A group that is absent
(its CRDs are not installed) is simply not read; that is not an error. A
group's being served is not enough: `argoproj.io/v1alpha1` is shared by Argo
CD, Argo Workflows and Argo Rollouts, so a kind asks for its own resource.

The official client's DynamicClient is not used: it writes a discovery cache
file to the temporary folder and re-discovers everything on each missing kind.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Discovery:
    api: Any
    timeout: float | None = None
    _groups: dict[str, list[str]] | None = None
    _resources: dict[str, frozenset[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _get(self, call: Any, *args: Any) -> Any:
        """One discovery document through the client's typed API (which adds the
        credentials), as JSON; None for a 404 (a group that is not served)."""
        from kubernetes.client.exceptions import ApiException

        try:
            resp = call(*args, _preload_content=False, _request_timeout=self.timeout)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return json.loads(resp.data or b"{}")

    def groups(self) -> dict[str, list[str]]:
        """Every served group with its versions, the preferred one first."""
        with self._lock:
            if self._groups is None:
                from kubernetes.client import ApisApi

                doc = self._get(ApisApi(self.api).get_api_versions) or {}
                found: dict[str, list[str]] = {}
                for group in doc.get("groups") or []:
                    preferred = (group.get("preferredVersion") or {}).get("version")
                    versions = [v.get("version") for v in group.get("versions") or []]
                    ordered = [preferred] if preferred else []
                    ordered += [v for v in versions if v and v != preferred]
                    found[str(group.get("name"))] = ordered
                self._groups = found
            return self._groups

    def resources(self, group: str, version: str) -> frozenset[str]:
        """The resources (plurals, no subresources) a served group version has."""
        if version not in self.groups().get(group, []):
            return frozenset()
        key = f"{group}/{version}"
        with self._lock:
            if key not in self._resources:
                from kubernetes.client import CustomObjectsApi

                call = CustomObjectsApi(self.api).get_api_resources
                doc = self._get(call, group, version) or {}
                names = {str(r.get("name")) for r in doc.get("resources") or []}
                self._resources[key] = frozenset(n for n in names if "/" not in n)
            return self._resources[key]

    def serves(self, group: str, version: str, resource: str) -> bool:
        return resource in self.resources(group, version)

    def version(self) -> str | None:
        """The server's gitVersion (e.g. v1.34.2), which feature gates follow."""
        from kubernetes.client import VersionApi

        doc = self._get(VersionApi(self.api).get_code) or {}
        value = doc.get("gitVersion")
        return str(value) if value else None
