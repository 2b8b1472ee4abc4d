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
from urllib.parse import urlsplit

from providers.kubernetes.kind import parse_read
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
        elif resource == "namespaces":  # cluster-scoped get
            found.append(re.compile(rf"^{base}/{res}/{SEG}/?$"))
        else:
            found.append(re.compile(rf"^{base}/namespaces/{SEG}/{res}/{SEG}/?$"))
    return tuple(found)


def allowed(method: str, path: str, reads: Iterable[str]) -> bool:
    """Whether a request (its path below the server URL's own path) is a read."""
    if method.upper() != "GET":
        return False
    if DISCOVERY.match(path):
        return True
    return any(p.match(path) for p in _patterns(tuple(reads)))


def install(api_client: Any, reads: Iterable[str]) -> None:
    """Wrap the client's one HTTP choke point (RESTClientObject.request)."""
    rest = api_client.rest_client
    send = rest.request
    declared = tuple(reads)
    # The server URL may carry a path (a proxy, the emulator's /c/INDEX).
    prefix = urlsplit(api_client.configuration.host).path.rstrip("/")

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        path = urlsplit(url).path
        if prefix and path.startswith(prefix):
            path = path[len(prefix) :]
        if not allowed(method, path, declared):
            raise ReadOnlyViolation(
                f"refused {method} {path}: not a declared kubernetes read (get/list) or discovery"
            )
        return send(method, url, *args, **kwargs)

    rest.request = request
