"""The one place OCI SDK clients are built for a scan.

Clients are cached per (service, region) for the whole scan and share one retry
strategy (providers/oci/retry.py: backoff with jitter, Retry-After honoured,
few tries of an endpoint that does not answer, a budget for the scan) and
`--timeout` for connecting and for each answer. Each client refuses any call that is not a declared
read operation and records every response into the evidence bundle the run
was configured with (providers/oci/guard.py). Which SDK client class serves a
service comes from the kinds (providers/oci/kind.py). `RELSCAN_OCI_ENDPOINT`
replaces the service endpoint of every client; a `{region}` in it is filled
with the client's region, so one emulator can serve several regions.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from oci.circuit_breaker import NoCircuitBreakerStrategy

from providers.oci import guard
from providers.oci.auth import Credentials, endpoint
from providers.oci.retry import strategy
from scanner import __version__
from scanner.evidence.recorder import Recorder
from scanner.network import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from providers.oci.kind import OciKind

# The provider's own client (listing compartments); each kind names its own.
DISCOVERY_CLIENTS = {"identity": "oci.identity.IdentityClient"}


def client_classes(kinds: Iterable[OciKind] | None = None) -> dict[str, str]:
    """Every service a scan builds clients for, with its SDK client class (as
    a dotted path): the provider's own, and each kind's (default: the kinds
    the OCI plugin declares)."""
    if kinds is None:
        from providers.oci.plugin import plugin

        kinds = plugin.oci_kinds()
    return {**DISCOVERY_CLIENTS, **{kind.service: kind.client for kind in kinds}}


def _class(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


class OciClients:
    def __init__(
        self,
        creds: Credentials,
        timeout: float = DEFAULT_TIMEOUT,
        recorder: Recorder | None = None,
        kinds: Iterable[OciKind] | None = None,
    ) -> None:
        self.creds = creds
        self.timeout = timeout
        self.recorder = recorder  # the evidence bundle, if the run records one
        self.classes = client_classes(kinds)
        self.retry = strategy()
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._build(service, region)
            return self._cache[key]

    def _build(self, service: str, region: str) -> Any:
        config = {**self.creds.config, "region": region}
        if not config.get("tenancy"):
            config["tenancy"] = "ocid1.tenancy.oc1..unknowntenancy"
        kwargs: dict[str, Any] = {
            "signer": self.creds.signer,
            "retry_strategy": self.retry,
            # The breaker is shared per client: one compartment's throttling would
            # fail every other scope fast. Bounded retries handle throttling instead.
            "circuit_breaker_strategy": NoCircuitBreakerStrategy(),
            "timeout": (self.timeout, self.timeout),  # connect, read: --timeout
            # Names and tags are data: a raw control character in an answer must
            # not fail the whole page it is on.
            "allow_control_chars": True,
        }
        url = endpoint()
        if url:
            kwargs["service_endpoint"] = url.replace("{region}", region).rstrip("/")
        client = _class(self.classes[service])(config, **kwargs)
        client.base_client.user_agent = f"{client.base_client.user_agent} relscan/{__version__}"
        guard.install(client, service, region, self.recorder)
        return client
