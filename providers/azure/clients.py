"""The one place Azure SDK clients are built for a scan.

Every client talks to one Resource Manager URL: `RELSCAN_AZURE_ENDPOINT` when
set, else the public cloud's. A plain-http loopback endpoint (an emulator) is
sent no token at all; any other endpoint gets `DefaultAzureCredential` tokens
for that cloud's audience. The pipeline is read-only (it refuses to send
anything but the reads declared in providers/azure/permissions.py) and
retries 408, 429 and 5xx answers and dropped connections with exponential
backoff, honouring Retry-After (see providers/azure/policies.py); a call that
gets no answer (refused, timed out) is tried at most twice. Each attempt
waits `--timeout` seconds for a connection and as long again for the answer.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline import policies
from azure.identity import DefaultAzureCredential
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
from azure.mgmt.resource.subscriptions import SubscriptionClient

from providers.azure.kind import AzureKind
from providers.azure.policies import EvidencePolicy, ReadOnlyGuard, ThrottleGate, WireCheck
from scanner import __version__
from scanner.endpoints import is_loopback
from scanner.errors import UsageError
from scanner.network import DEFAULT_TIMEOUT, NETWORK_ATTEMPTS, unanswered

if TYPE_CHECKING:
    from scanner.evidence.recorder import Recorder

ENDPOINT_VARIABLE = "RELSCAN_AZURE_ENDPOINT"
PUBLIC_CLOUD = "https://management.azure.com"
# Resource Manager host -> the token audience of that cloud.
AUDIENCES = {
    "management.azure.com": "https://management.azure.com/.default",
    "management.chinacloudapi.cn": "https://management.chinacloudapi.cn/.default",
    "management.usgovcloudapi.net": "https://management.core.usgovcloudapi.net/.default",
}
RETRY_TOTAL = 6
RETRY_BACKOFF_MAX = 60
ClientT = TypeVar("ClientT")

# The SDK logs each failed sign-in as a multi-line warning; with no handler
# configured, Python would print it to stderr beside relscan's one-line error.
# A NullHandler keeps it off stderr and still lets a configured root logger see it.
logging.getLogger("azure").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Endpoint:
    url: str
    loopback: bool  # plain http on a loopback address: no credential, no token
    scope: str  # the token audience for everything else


def resolve_endpoint(environ: dict[str, str] | None = None) -> Endpoint:
    raw = (environ if environ is not None else os.environ).get(ENDPOINT_VARIABLE, "").strip()
    if not raw:
        return Endpoint(PUBLIC_CLOUD, False, AUDIENCES["management.azure.com"])
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise UsageError(f"{ENDPOINT_VARIABLE}={raw!r} is not an http(s) URL of a Resource Manager")
    url = raw.rstrip("/")
    if parts.scheme == "http":
        if not is_loopback(host):
            raise UsageError(
                f"{ENDPOINT_VARIABLE}={raw!r}: plain http is only for a loopback emulator "
                "(127.0.0.0/8, localhost, ::1); Azure tokens are never sent over http"
            )
        return Endpoint(url, True, "")
    base = f"{parts.scheme}://{parts.netloc}"
    return Endpoint(url, False, AUDIENCES.get(host, f"{base}/.default"))


class FewTriesUnanswered(policies.RetryPolicy):
    """azure-core's retry policy, except that a call that got no answer (the
    connection refused or timed out, or no answer in time) is tried at most
    NETWORK_ATTEMPTS times; a connection dropped mid-call keeps its retries."""

    def increment(self, settings: dict[str, Any], response: Any = None, error: Any = None) -> bool:
        if error is not None and unanswered(error):
            settings["unanswered"] = settings.get("unanswered", 0) + 1
            if settings["unanswered"] >= NETWORK_ATTEMPTS:
                return False
        return bool(super().increment(settings, response=response, error=error))


class _NoCredential:
    """Stands in for a credential when talking to a loopback emulator: the
    pipeline has no authentication policy, so it is never asked for a token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise AssertionError("no token is requested from a loopback emulator")


class _TenantCredential:
    """Asks the wrapped credential for tokens in one tenant (--azure-tenant)."""

    def __init__(self, inner: TokenCredential, tenant: str) -> None:
        self.inner = inner
        self.tenant = tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs["tenant_id"] = self.tenant
        return self.inner.get_token(*scopes, **kwargs)


def build_credential(endpoint: Endpoint, tenant: str | None) -> Any:
    if endpoint.loopback:
        return _NoCredential()
    if not tenant:
        return DefaultAzureCredential()
    inner = DefaultAzureCredential(
        additionally_allowed_tenants=[tenant],
        interactive_browser_tenant_id=tenant,
        workload_identity_tenant_id=tenant,
        shared_cache_tenant_id=tenant,
        visual_studio_code_tenant_id=tenant,
        broker_tenant_id=tenant,
    )
    return _TenantCredential(inner, tenant)


class AzureClients:
    """SDK clients, one per (service, subscription), shared by the whole scan.
    `recorder`, when given, receives every answer (the evidence bundle)."""

    def __init__(
        self,
        endpoint: Endpoint,
        credential: Any,
        timeout: float = DEFAULT_TIMEOUT,
        recorder: Recorder | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.credential = credential
        self.timeout = timeout
        self.recorder = recorder
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.gate = ThrottleGate()  # one for the scan: a throttled subscription waits everywhere

    def _policies(self, moniker: str) -> list[Any]:
        auth = (
            None
            if self.endpoint.loopback
            else ARMChallengeAuthenticationPolicy(self.credential, self.endpoint.scope)
        )
        chain = [
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(user_agent=f"relscan/{__version__}", sdk_moniker=moniker),
            policies.ProxyPolicy(),
            policies.ContentDecodePolicy(),
            # No ARMAutoResourceProviderRegistrationPolicy: it registers resource
            # providers (a write) when a subscription has not used one yet.
            policies.RedirectPolicy(),
            WireCheck(),  # outside the retries: each call's final answer
            EvidencePolicy(self.endpoint.url, self.recorder),
            FewTriesUnanswered(
                retry_total=RETRY_TOTAL,
                retry_status=RETRY_TOTAL,
                retry_backoff_max=RETRY_BACKOFF_MAX,
            ),
            ReadOnlyGuard(self.endpoint.url),  # every attempt, before a token or a byte
            self.gate,
            auth,
            policies.CustomHookPolicy(),
            policies.NetworkTraceLoggingPolicy(),
            policies.DistributedTracingPolicy(),
            policies.SensitiveHeaderCleanupPolicy(),
            ARMHttpLoggingPolicy(),
        ]
        return [p for p in chain if p is not None]

    def _get(self, key: tuple[str, str], build: Callable[[], ClientT]) -> ClientT:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[no-any-return]

    def release(self, subscription: str) -> None:
        """Close and forget a subscription's clients once its scope is read: a
        scan of many subscriptions would otherwise keep every one's clients and
        connection pools to the end (about 5 KB a unit in a benchmark of many
        small subscriptions, docs/performance.md)."""
        with self._lock:
            keys = [key for key in self._cache if key[1] == subscription and subscription]
            done = [self._cache.pop(key) for key in keys]
        for client in done:
            with contextlib.suppress(Exception):  # tidying up: a failure loses nothing read
                client.close()

    def _options(self, moniker: str) -> dict[str, Any]:
        return {
            "base_url": self.endpoint.url,
            # Unused by a loopback pipeline (it has no authentication policy),
            # but the SDK's configuration wants a scope regardless.
            "credential_scopes": [self.endpoint.scope or f"{self.endpoint.url}/.default"],
            "policies": self._policies(moniker),
            "connection_timeout": self.timeout,
            "read_timeout": self.timeout,
        }

    def subscriptions(self) -> SubscriptionClient:
        return self._get(
            ("subscriptions", ""),
            lambda: SubscriptionClient(self.credential, **self._options("relscan-subscriptions")),
        )

    def client(self, kind: AzureKind, subscription: str) -> Any:
        """The SDK client a kind declares (`module:Class`), for one subscription;
        its module is imported on first use, so a scan loads only what it reads."""
        return self.service_client(kind.sdk_client, kind.service, subscription)

    def service_client(self, sdk_client: str, service: str, subscription: str) -> Any:
        """An SDK client (`module:Class`) under a service name, for one
        subscription: a kind's own, or one a kind's release records need
        besides it (the Activity Log's, azure-mgmt-monitor)."""
        module, _, name = sdk_client.partition(":")

        def build() -> Any:
            cls = getattr(importlib.import_module(module), name)
            return cls(self.credential, subscription, **self._options(f"relscan-{service}"))

        return self._get((service, subscription), build)
