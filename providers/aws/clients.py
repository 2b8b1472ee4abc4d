"""The one place AWS SDK clients are built for a scan.

Every client refuses, before anything is sent, any operation that is not
declared in `providers/aws/permissions.py` (ReadOnlyViolation). Clients are
cached per (service, region) for the whole scan and share one botocore config:
connect and read timeouts (`--timeout`), adaptive retry (client-side rate
limiting that backs off on throttling, and exponential backoff with jitter on
throttling, 5xx answers and dropped connections) and a bounded connection
pool. A call that gets no answer (refused, timed out) is tried at most twice.
`AWS_ENDPOINT_URL` and the rest of the SDK's standard configuration chain
apply as usual: `AWS_MAX_ATTEMPTS`/`max_attempts` and
`AWS_RETRY_MODE`/`retry_mode` (environment or the profile's config) replace
relscan's own retry settings.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import boto3
from botocore.config import Config

from providers.aws.faults import SafeParserFactory
from providers.aws.permissions import require_read
from scanner import __version__
from scanner.evidence import recorder as evidence
from scanner.network import DEFAULT_TIMEOUT, NETWORK_ATTEMPTS, unanswered

RETRY_ATTEMPTS = 5  # total tries of a throttled or failed (5xx) call


def _configured(session: boto3.Session | None, name: str, variable: str) -> bool:
    """Whether the user set an SDK setting (environment, or the profile's config file)."""
    if os.environ.get(variable):
        return True
    if session is None:
        return False
    try:
        return session._session.get_scoped_config().get(name) is not None
    except Exception:  # a missing profile is reported elsewhere
        return False


def client_config(timeout: float = DEFAULT_TIMEOUT, session: boto3.Session | None = None) -> Config:
    """Timeouts from --timeout; adaptive retry with 5 attempts, unless the
    standard retry settings (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, or retry_mode
    and max_attempts in the profile) say otherwise."""
    retries: dict[str, Any] = {}
    if not _configured(session, "retry_mode", "AWS_RETRY_MODE"):
        retries["mode"] = "adaptive"
    if not _configured(session, "max_attempts", "AWS_MAX_ATTEMPTS"):
        retries["total_max_attempts"] = RETRY_ATTEMPTS
    return Config(
        retries=retries,
        user_agent_extra=f"relscan/{__version__}",
        max_pool_connections=16,
        connect_timeout=timeout,
        read_timeout=timeout,
    )


def limit_network_retries(client: Any) -> None:
    """A call that got no answer (refused, timed out) is not tried again after
    NETWORK_ATTEMPTS tries: the failure is raised as botocore would raise it
    once out of retries. A connection closed mid-call keeps the usual retries.
    (Registered first, this handler runs before the SDK's retry handler and
    ends the call instead of letting it retry.)"""

    def give_up(attempts: int, caught_exception: BaseException | None = None, **_: Any) -> None:
        if attempts >= NETWORK_ATTEMPTS and unanswered(caught_exception):
            raise caught_exception

    client.meta.events.register_first("needs-retry", give_up)


class AwsClients:
    def __init__(
        self,
        session: boto3.Session,
        timeout: float = DEFAULT_TIMEOUT,
        recorder: evidence.Recorder | None = None,
    ) -> None:
        self.session = session
        self.timeout = timeout
        # Receives every exchange of the run's clients (the evidence bundle).
        self.recorder = recorder
        # a malformed answer becomes a BotoCoreError (a read failure), never a crash
        session._session.register_component("response_parser_factory", SafeParserFactory())
        self._config = client_config(timeout, session)
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:  # boto3 sessions are not safe for concurrent client creation
            if key not in self._cache:
                client = self.session.client(service, region_name=region, config=self._config)
                guard(client)
                limit_network_retries(client)
                if self.recorder is not None:
                    _record_into(client, self.recorder)
                self._cache[key] = client
            return self._cache[key]

    def partition(self, region: str) -> str:
        return self.session.get_partition_for_region(region)


def guard(client: Any) -> None:
    """Refuse every operation not declared as a read, before its request is built."""
    service = client.meta.service_model.service_name

    def refuse_undeclared(model: Any, **_: Any) -> None:
        require_read(service, model.name)

    client.meta.events.register("provide-client-params", refuse_undeclared)


def evidence_key(service: str, region: str, operation: str, params: Any) -> dict[str, Any]:
    """What an evidence bundle's AWS exchange is matched on, written once for
    the recording here and the emulator's replay: the signing service, the
    region, the operation, and the request parameters."""
    return {"service": service, "region": region, "operation": operation, "params": params}


def _record_into(client: Any, recorder: evidence.Recorder) -> None:
    """Write every response this client receives into the evidence bundle,
    keyed the way the AWS emulator's replay matches requests."""
    region = client.meta.region_name

    def stash(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["relscan_request"] = params

    def stash_api(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        # A REST call (Lambda) sends its parameters in the path and query, not the
        # body: keep them by member name, as text, as the emulator's replay reads them.
        if model.service_model.protocol.startswith("rest"):
            members = model.input_shape.members if model.input_shape else {}
            context["relscan_rest"] = {
                k: str(v)
                for k, v in params.items()
                if k in members
                and members[k].serialization.get("location") in ("uri", "querystring")
            }

    def record(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        request = context.get("relscan_request") or {}
        body = request.get("body")
        if "relscan_rest" in context:
            params: Any = context["relscan_rest"]
        elif isinstance(body, dict):  # query protocol: form fields, sent as text
            params = {k: str(v) for k, v in body.items() if k not in ("Action", "Version")}
        else:
            params = json.loads(body or b"{}")
        service = model.service_model.signing_name
        recorder.record(
            "aws",
            service,
            model.name,
            request.get("method", "POST"),
            request.get("url", ""),
            json.dumps(params),
            http_response.status_code,
            dict(http_response.headers),
            http_response.content,
            key=evidence_key(service, region, model.name, params),
        )

    client.meta.events.register("before-parameter-build", stash_api)
    client.meta.events.register("before-call", stash)
    client.meta.events.register("after-call", record)
