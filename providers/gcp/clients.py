"""The one place GCP SDK clients and credentials are built for a scan.

Every client uses the REST transport, and every HTTP session a client (or the
provider itself) sends through is guarded (guard.py): only the reads declared
in permissions.py are sent, and every answer goes into the evidence bundle.
`RELSCAN_GCP_ENDPOINT` replaces the API endpoint of every client; when it is
plain http on a loopback address the clients use anonymous credentials and
Application Default Credentials are never looked up. Clients are built once
per scan and shared by all scopes, and by the reads a scope makes side by
side (scanner/fanout.py): they are google-auth `AuthorizedSession`s (requests
over urllib3's connection pools), which google-auth keeps safe to share between
threads; no client here uses googleapiclient or httplib2, which are not.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import google.auth
from google.api_core.client_options import ClientOptions
from google.auth import impersonated_credentials
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.auth.transport.requests import AuthorizedSession
from google.cloud import resourcemanager_v3
from requests import Session
from requests.adapters import HTTPAdapter

from providers.gcp.guard import guard_session
from providers.gcp.retry import ThrottleRetry
from scanner.errors import CredentialsError
from scanner.evidence.recorder import Recorder
from scanner.network import DEFAULT_TIMEOUT
from scanner.readonly import ReadOnlyViolation

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]

# The provider's own clients; each kind names its own (GcpKind.clients).
CLIENT_TYPES: dict[str, Callable[..., Any]] = {
    "projects": resourcemanager_v3.ProjectsClient,
    "folders": resourcemanager_v3.FoldersClient,
}

# Connections kept open to one host by one client's session. A client is shared
# by every project read at once, so it may carry --concurrency projects times
# --per-account requests (8 x 16 by default). Past urllib3's default of 10, each
# further request in flight opens a connection (a TLS handshake) and drops it.
POOL_SIZE = 128


def widen_pool(session: Session) -> None:
    """Keep up to POOL_SIZE connections a host on `session`'s plain adapters
    (an mTLS adapter is left as it is). Called before the session is shared."""
    for prefix, adapter in list(session.adapters.items()):
        if type(adapter) is HTTPAdapter:
            wider = HTTPAdapter(pool_maxsize=POOL_SIZE, max_retries=adapter.max_retries)
            session.mount(prefix, wider)


def client_type(name: str) -> Callable[..., Any]:
    """The SDK client class called `name` by the provider or by a kind."""
    if name in CLIENT_TYPES:
        return CLIENT_TYPES[name]
    from providers.gcp.plugin import plugin

    for kind in plugin.gcp_kinds():
        target = dict(kind.clients).get(name)
        if target:
            module, _, attr = target.partition(":")
            return cast(Callable[..., Any], getattr(importlib.import_module(module), attr))
    raise KeyError(f"no GCP client is called {name!r}")


def build_credentials(endpoint: str | None, impersonate: str | None) -> Credentials:
    """Anonymous for a plain-http loopback endpoint; otherwise ADC, optionally
    impersonating a service account."""
    if endpoint and endpoint.startswith("http://"):
        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    try:
        source, _ = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise CredentialsError(
            "no Google Cloud credentials found: run `gcloud auth application-default login`, "
            "or set GOOGLE_APPLICATION_CREDENTIALS to a credential file"
        ) from None
    if not impersonate:
        return source
    return impersonated_credentials.Credentials(
        source_credentials=source, target_principal=impersonate, target_scopes=SCOPES
    )


class GcpClients:
    """Lazily built, shared SDK clients; one retry policy for every call.
    Credentials are looked up at first use, so bad input (an id, an option)
    is reported before a missing credential."""

    def __init__(
        self,
        endpoint: str | None,
        impersonate: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        recorder: Recorder | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.impersonate = impersonate
        self.timeout = timeout
        self.recorder = recorder  # receives every exchange (the evidence bundle)
        self.retry = ThrottleRetry()
        self._credentials: Credentials | None = None
        self._cache: dict[str, Any] = {}
        self._session: AuthorizedSession | None = None
        self._lock = threading.RLock()

    @property
    def credentials(self) -> Credentials:
        with self._lock:
            if self._credentials is None:
                self._credentials = build_credentials(self.endpoint, self.impersonate)
            return self._credentials

    def get(self, name: str) -> Any:
        with self._lock:
            if name not in self._cache:
                options = ClientOptions(api_endpoint=self.endpoint) if self.endpoint else None
                client = client_type(name)(
                    credentials=self.credentials, transport="rest", client_options=options
                )
                session = getattr(client.transport, "_session", None)
                if session is None:  # an SDK change: never use an unguarded client
                    raise ReadOnlyViolation(f"cannot guard the GCP {name} client's HTTP session")
                widen_pool(session)
                guard_session(session, self.endpoint_host, self.timeout, self.recorder)
                self._cache[name] = client
            return self._cache[name]

    @property
    def endpoint_host(self) -> str | None:
        return urlsplit(self.endpoint).hostname if self.endpoint else None

    def session(self) -> AuthorizedSession:
        """An authorised HTTP session, for the one call no SDK client offers
        (Cloud Run's project locations)."""
        with self._lock:
            if self._session is None:
                session = AuthorizedSession(self.credentials)
                widen_pool(session)
                self._session = guard_session(
                    session, self.endpoint_host, self.timeout, self.recorder
                )
            return self._session

    def url(self, host: str, path: str) -> str:
        """`path` on `host` (https://...), or on the endpoint override if set."""
        return f"{self.endpoint or host}{path}"
