"""The one place OCI SDK clients are built for a scan.

Clients are cached per (service, region) for the whole scan and share one retry
strategy: the SDK does not retry unless told to. `RELSCAN_OCI_ENDPOINT` replaces
the service endpoint of every client; a `{region}` in it is filled with the
client's region, so one emulator can serve several regions.
"""

from __future__ import annotations

import threading
from typing import Any

import oci
from oci.circuit_breaker import NoCircuitBreakerStrategy

from providers.oci.auth import Credentials, endpoint
from scanner import __version__

RETRY_ATTEMPTS = 8
RETRY_SECONDS = 300
SERVICES: dict[str, Any] = {
    "identity": oci.identity.IdentityClient,
    "loadbalancer": oci.load_balancer.LoadBalancerClient,
    "devops": oci.devops.DevopsClient,
}


def retry_strategy() -> oci.retry.RetryStrategyBuilder:
    """Up to 8 attempts within 5 minutes on 429, 409 IncorrectState, any 5xx and
    connection errors, with exponential backoff and jitter. The OCI SDK has no
    Retry-After support, so the backoff is its own."""
    return oci.retry.RetryStrategyBuilder(
        max_attempts_check=True,
        max_attempts=RETRY_ATTEMPTS,
        total_elapsed_time_check=True,
        total_elapsed_time_seconds=RETRY_SECONDS,
        service_error_check=True,
        service_error_retry_config={429: [], 409: ["IncorrectState"]},
        service_error_retry_on_any_5xx=True,
        retry_base_sleep_time_seconds=1,
        retry_exponential_growth_factor=2,
        retry_max_wait_between_calls_seconds=30,
        backoff_type=oci.retry.BACKOFF_FULL_JITTER_EQUAL_ON_THROTTLE_VALUE,
    ).get_retry_strategy()


class OciClients:
    def __init__(self, creds: Credentials) -> None:
        self.creds = creds
        self._retry = retry_strategy()
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
            "retry_strategy": self._retry,
            # The breaker is shared per client: one compartment's throttling would
            # fail every other scope fast. Bounded retries handle throttling instead.
            "circuit_breaker_strategy": NoCircuitBreakerStrategy(),
            "timeout": (10, 60),
        }
        url = endpoint()
        if url:
            kwargs["service_endpoint"] = url.replace("{region}", region).rstrip("/")
        client = SERVICES[service](config, **kwargs)
        client.base_client.user_agent = f"{client.base_client.user_agent} relscan/{__version__}"
        return client
