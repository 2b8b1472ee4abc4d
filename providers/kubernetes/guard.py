"""Read-only by construction: every request an ApiClient sends passes here.

Only GET is sent, and only for a discovery document (/version, /api, /apis,
/apis/GROUP/VERSION) or a declared read: `list` of a resource (cluster-wide
or in one namespace) or `get` of one named object. Anything else raises
ReadOnlyViolation before a byte leaves the machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from providers.kubernetes.kind import parse_read
from scanner.evidence.recorder import Recorder
from scanner.readonly import ReadOnlyViolation

SEG = r"[^/]+"
DISCOVERY = re.compile(rf"^/(version|api|api/v1|apis|apis/{SEG}/{SEG})/?$")


@lru_cache(maxsize=8)
def _patterns(reads: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    found: list[re.Pattern[str]] = []
    for read in reads:
        group, resource, verb = parse_read(read)
        base = "/api/v1" if not group else rf"/apis/{re.escape(group)}/{SEG}"
        res = re.escape(resource)
        if verb == "list":
            found.append(re.compile(rf"^{base}(/namespaces/{SEG})?/{res}/?$"))
        else:  # a namespaced object, or a cluster-scoped one (namespaces themselves)
            found.append(re.compile(rf"^{base}(/namespaces/{SEG})?/{res}/{SEG}/?$"))
    return tuple(found)


def operation(method: str, path: str, reads: Iterable[str]) -> str | None:
    """The declared read a request is (`discovery` for a discovery document),
    or None: the guard refuses those. `path` is below the server URL's path."""
    if method.upper() != "GET":
        return None
    if DISCOVERY.match(path):
        return "discovery"
    declared = tuple(reads)
    for read, pattern in zip(declared, _patterns(declared), strict=True):
        if pattern.match(path):
            return read
    return None


def allowed(method: str, path: str, reads: Iterable[str]) -> bool:
    return operation(method, path, reads) is not None


def install(
    api_client: Any, reads: Iterable[str], recorder: Recorder | None = None, context: str = ""
) -> None:
    """Wrap the client's one HTTP choke point (RESTClientObject.request): refuse
    what is not a read, and record every answer into the evidence bundle."""
    rest = api_client.rest_client
    send = rest.request
    declared = tuple(reads)
    # The server URL may carry a path (a proxy, the emulator's /c/INDEX).
    prefix = urlsplit(api_client.configuration.host).path.rstrip("/")

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        path = urlsplit(url).path
        if prefix and path.startswith(prefix):
            path = path[len(prefix) :]
        op = operation(method, path, declared)
        if op is None:
            raise ReadOnlyViolation(
                f"refused {method} {path}: not a declared kubernetes read (get/list) or discovery"
            )
        resp = send(method, url, *args, **kwargs)
        if recorder is not None:
            _record(recorder, context, op, method, url, path, resp)
        return resp

    rest.request = request


def _record(
    recorder: Recorder, context: str, op: str, method: str, url: str, path: str, resp: Any
) -> None:
    """One exchange, keyed by the path below the server's own (what a replay
    through a one-context kubeconfig asks for). The body is read here; urllib3
    keeps it for the client. Request headers (the bearer token) are not kept."""
    raw = getattr(resp, "response", resp)
    body = raw.data  # read once, cached by urllib3 for the caller
    query = sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    recorder.record(
        "kubernetes",
        context or "cluster",
        op,
        method,
        url,
        None,
        int(resp.status),
        dict(raw.headers or {}),
        body,
        key={"method": method.upper(), "path": path, "query": [list(q) for q in query]},
    )
