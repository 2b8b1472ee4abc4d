"""The guard on every HTTP session the GCP provider's clients use.

Each SDK client (REST transport) and the one plain session send their requests
through a `requests` session; `guard_session` wraps every adapter mounted on
it. Before a request is sent, it must be a read declared in permissions.py,
to that API's host (or the endpoint override); anything else raises
ReadOnlyViolation and nothing leaves the process. Every answer received is
recorded into the active evidence bundle, keyed as the emulator's replay keys
requests (see `evidence_key`).
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests import PreparedRequest, Response, Session
from requests.adapters import BaseAdapter

from providers.gcp.permissions import find, host_allowed
from providers.gcp.reads import Read
from scanner.evidence import recorder as evidence
from scanner.network import DEFAULT_TIMEOUT
from scanner.readonly import ReadOnlyViolation

S = TypeVar("S", bound=Session)
# Google's own names for credentials in a query: an API key, OAuth tokens.
CREDENTIAL_PARAMS = frozenset({"key", "access_token", "oauth_token", "bearer_token"})


def credential_param(name: str) -> bool:
    return name.lower() in CREDENTIAL_PARAMS or evidence.secret_name(name)


def evidence_key(method: str, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    """Method, path (no host: the real API's paths are the emulator's) and the
    sorted query, without credential parameters (API keys, tokens), which are
    never recorded and would differ on replay. The GCP emulator's `replay_key`
    is this function applied to the request it receives."""
    kept = sorted((k, v) for k, v in query if not credential_param(k))
    return {"method": method.upper(), "path": path, "query": [list(q) for q in kept]}


def masked_url(url: str) -> str:
    """The URL with credential parameters' values masked (the recorder masks
    only the names it knows in general; `key` is Google's API key)."""
    parts = urlsplit(url)
    query = [
        (k, evidence.MASK if credential_param(k) else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def check(request: PreparedRequest, endpoint_host: str | None) -> Read:
    """The declared read this request is; ReadOnlyViolation otherwise."""
    method = (request.method or "").upper()
    parts = urlsplit(request.url or "")
    read = find(method, parts.path, parts.hostname or "", endpoint_host)
    if read is None or not host_allowed(read, parts.hostname or "", endpoint_host):
        where = f"{parts.hostname}{parts.path}"
        raise ReadOnlyViolation(
            f"refused GCP call {method} {where}: not a read relscan declares "
            "(providers/gcp/permissions.py); nothing was sent"
        )
    return read


class GuardAdapter(BaseAdapter):
    """Checks, then hands the request to the adapter it wraps; records the answer."""

    def __init__(
        self,
        inner: BaseAdapter,
        endpoint_host: str | None,
        timeout: float = DEFAULT_TIMEOUT,
        recorder: evidence.Recorder | None = None,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.endpoint_host = endpoint_host
        self.timeout = timeout
        self.recorder = recorder

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        read = check(request, self.endpoint_host)
        # --timeout for every attempt (to connect, then for the answer), in place of
        # each client's own default, which is a minute or none at all
        kwargs["timeout"] = (self.timeout, self.timeout)
        response = self.inner.send(request, *args, **kwargs)
        if self.recorder is not None:
            _record(self.recorder, read, request, response)
        return response

    def close(self) -> None:
        self.inner.close()


def _record(
    recorder: evidence.Recorder, read: Read, request: PreparedRequest, response: Response
) -> None:
    parts = urlsplit(request.url or "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    body = request.body
    recorder.record(
        "gcp",
        read.service,
        read.operation,
        request.method or "GET",
        masked_url(request.url or ""),
        body if isinstance(body, bytes | str) else None,
        response.status_code,
        dict(response.headers),
        response.content,  # read now; the SDK reads the same cached bytes
        key=evidence_key(request.method or "GET", parts.path, query),
    )


def guard_session(
    session: S,
    endpoint_host: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    recorder: evidence.Recorder | None = None,
) -> S:
    """Wrap every adapter mounted on `session` (keeping mTLS adapters working);
    `recorder` receives every answer."""
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, GuardAdapter):
            session.adapters[prefix] = GuardAdapter(adapter, endpoint_host, timeout, recorder)
    if not all(isinstance(a, GuardAdapter) for a in session.adapters.values()):
        raise ReadOnlyViolation("cannot guard a GCP HTTP session: refusing to use it")
    return session
