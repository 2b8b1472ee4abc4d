"""An AWS emulator for the operations relscan reads, serving an estate fixture.

Point the SDK at it with AWS_ENDPOINT_URL. The service and region of each call
come from the SigV4 credential scope, as on AWS. List calls page after
`page_size` items so paging is always exercised.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from providers.aws.clients import evidence_key
from providers.aws.emulator.appconfig import AppConfigServices
from providers.aws.emulator.autoscaling import AutoScalingServices
from providers.aws.emulator.cloudfront import CloudFrontServices
from providers.aws.emulator.codedeploy_targets import CodeDeployTargets
from providers.aws.emulator.ecs import EcsServices
from providers.aws.emulator.elbv2 import ElbV2Services
from providers.aws.emulator.histories import ReleaseHistories
from providers.aws.emulator.lambda_functions import LambdaServices
from providers.aws.emulator.route53 import Route53Services
from providers.aws.emulator.services import DEFAULT_CONFIGS, AwsFault, AwsServices
from providers.aws.emulator.wire import (
    error_response,
    fault_answer,
    operation,
    respond,
    rest_route,
)
from scanner.emulators.server import LoopbackServer, Request, Response

# SigV4 name -> model name (Elastic Load Balancing: only v2 is emulated)
_SIGNING_NAMES = {
    "tagging": "resourcegroupstaggingapi",
    "elasticloadbalancing": "elbv2",
    "monitoring": "cloudwatch",
}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


class AwsEmulator(
    AwsServices,
    CodeDeployTargets,
    EcsServices,
    AutoScalingServices,
    LambdaServices,
    ElbV2Services,
    Route53Services,
    AppConfigServices,
    CloudFrontServices,
    ReleaseHistories,
):
    """Callable app for LoopbackServer. `estate` is the `aws` part of a fixture."""

    def __init__(self, estate: dict[str, Any], page_size: int = 2) -> None:
        self.account = str(estate.get("account", "123456789012"))
        self.regions = list(estate.get("regions", ["eu-west-2"]))
        self.faults = [dict(f) for f in estate.get("faults", [])]
        self.latency = float(estate.get("latency_ms", 0)) / 1000  # per request
        # operation -> ms: those requests take that long (a scan blocked in one SDK call)
        self.slow = {str(op): float(ms) / 1000 for op, ms in (estate.get("slow") or {}).items()}
        self.page_size = page_size
        self.configs = dict(DEFAULT_CONFIGS)
        self.configs.update(estate.get("deployment_configs", {}))
        self.groups = list(estate.get("codedeploy", []))
        self.environments = list(estate.get("beanstalk", []))
        self.ecs = list(estate.get("ecs", []))
        self.autoscaling_groups = list(estate.get("autoscaling", []))
        self.functions = list(estate.get("lambda", []))
        self.load_balancers = list(estate.get("elbv2", []))
        self.route53 = list(estate.get("route53", []))
        self.appconfig = list(estate.get("appconfig", []))
        self.cloudfront = dict(estate.get("cloudfront") or {})
        self.calls: list[tuple[str, str, str]] = []
        # the moment the units' `releases:` rhythms count back from (histories.py)
        now = estate.get("now")
        self.history_now = (
            datetime.fromisoformat(str(now).replace("Z", "+00:00")) if now else datetime.now(UTC)
        )
        # member accounts for organizations:ListAccounts: ids, or {id, name?, status?}
        self.organization: list[Any] | None = estate.get("organization")
        # answers sent as given, bypassing the service model (malformed-answer tests):
        # {"service:Operation": JSON value, or the XML text of a query-protocol answer}
        self.raw: dict[str, Any] = dict(estate.get("raw", {}))
        self.issued: list[dict[str, str]] = []  # the credentials AssumeRole handed out
        self._lock = threading.Lock()

    # -- routing ----------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        parsed = _parse(req)
        if parsed is None:
            return Response(403, b'{"__type":"MissingAuthenticationTokenException"}')
        service, region, op, params, json_protocol = parsed
        with self._lock:
            self.calls.append((service, op, region))
        if self.latency or op in self.slow:
            time.sleep(self.slow.get(op, self.latency))
        handler: Callable[[str, dict[str, Any]], dict[str, Any]] | None = getattr(
            self, f"{service}_{op}", None
        )
        try:
            if handler is None:
                raise AwsFault(400, "InvalidAction", f"{service}:{op} is not emulated")
            self._inject(service, op, region, json_protocol=json_protocol)
            if f"{service}:{op}" in self.raw:
                return _raw_response(self.raw[f"{service}:{op}"], json_protocol)
            status, headers, body = respond(service, op, handler(region, params))
        except AwsFault as fault:
            status, headers, body = error_response(
                service, op, fault.status, fault.code, fault.message
            )
        return Response(status, body, headers)

    def fault_response(self, kind: str, req: Request) -> Response:
        """Throttling, 500 or 503 exactly as the service answers it (the
        LoopbackServer's FaultPlan injects these)."""
        parsed = _parse(req)
        if parsed is None:
            return Response(403, b'{"__type":"MissingAuthenticationTokenException"}')
        try:
            status, headers, body = fault_answer(parsed[0], parsed[2], kind)
        except Exception:  # an operation the SDK models do not know: a bare JSON error
            status = 400 if kind == "throttle" else int(kind)
            code = "ThrottlingException" if kind == "throttle" else "InternalFailure"
            headers, body = {"Content-Type": "application/json"}, json.dumps({"__type": code})
            return Response(status, body.encode(), headers)
        return Response(status, body, headers)

    def _inject(self, service: str, op: str, region: str, json_protocol: bool) -> None:
        """Answer with a declared fault: `{service, operation?, region?, code?,
        status?, times?}`; `times` counts down, absent means always."""
        with self._lock:
            for fault in self.faults:
                if fault["service"] not in ("*", service) or fault.get("operation", op) != op:
                    continue
                if fault.get("region", region) != region or fault.get("times", 1) <= 0:
                    continue
                if "times" in fault:
                    fault["times"] -= 1
                code = fault.get(
                    "code", "AccessDeniedException" if json_protocol else "AccessDenied"
                )
                message = f"injected {code} for {service}:{op} in {region}"
                if code.startswith("AccessDenied"):
                    message = f"User is not authorized to perform: {service}:{op} in {region}"
                raise AwsFault(fault.get("status", 400), code, message)


def endpoint_env(url: str) -> dict[str, str | None]:
    """The standard AWS variables that send every SDK call to `url`, with
    throwaway credentials and no user config files."""
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def start(estate: dict[str, Any], stack: ExitStack) -> dict[str, str | None]:
    """Serve `estate` until `stack` closes; return the variables pointing at it."""
    server = stack.enter_context(LoopbackServer(AwsEmulator(estate)))
    return endpoint_env(server.url)


def _parse(req: Request) -> tuple[str, str, str, dict[str, Any], bool] | None:
    """(model service name, region, operation, parameters, JSON protocol?) of a
    signed request, or None when it carries no SigV4 scope."""
    scope = _SCOPE.search(req.headers.get("authorization", ""))
    if not scope:
        return None
    service = _SIGNING_NAMES.get(scope["service"], scope["service"])
    target = req.headers.get("x-amz-target")
    routed = rest_route(service, req.method, req.path, req.query)
    if routed is not None:  # a REST protocol: the operation is in the method and path
        rest_json = operation(service, routed[0]).service_model.protocol == "rest-json"
        return service, scope["region"], routed[0], routed[1], rest_json
    if target:
        try:
            params = json.loads(req.body or b"{}")
        except ValueError:
            params = {}
        return service, scope["region"], target.rsplit(".", 1)[-1], params, True
    form = {k: v[0] for k, v in parse_qs(req.body.decode(), keep_blank_values=True).items()}
    op = form.pop("Action", "")
    form.pop("Version", None)
    return service, scope["region"], op, form, False


def _raw_response(raw: Any, json_protocol: bool) -> Response:
    if json_protocol:
        body = raw.encode() if isinstance(raw, str) else json.dumps(raw).encode()
        return Response(200, body, {"Content-Type": "application/x-amz-json-1.1"})
    return Response(200, str(raw).encode(), {"Content-Type": "text/xml"})


def replay_key(req: Request) -> dict[str, Any]:
    """What an evidence bundle's AWS exchange is matched on: the SigV4 scope's
    service and region, the operation, and the request parameters."""
    scope = _SCOPE.search(req.headers.get("authorization", ""))
    service, region = (scope["service"], scope["region"]) if scope else ("", "")
    parsed = _parse(req)
    op, params = (parsed[2], parsed[3]) if parsed else ("", {})
    return evidence_key(service, region, op, params)
