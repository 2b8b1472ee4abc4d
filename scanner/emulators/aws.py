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
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from scanner.emulators.aws_wire import error_response, fault_answer, respond
from scanner.emulators.server import LoopbackServer, Request, Response

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")

DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "CodeDeployDefault.AllAtOnce": {"minimumHealthyHosts": {"type": "HOST_COUNT", "value": 0}},
    "CodeDeployDefault.HalfAtATime": {
        "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50}
    },
    "CodeDeployDefault.OneAtATime": {
        "minimumHealthyHosts": {"type": "MOST_CONCURRENCY", "value": 1}
    },
    "CodeDeployDefault.LambdaAllAtOnce": {"trafficRoutingConfig": {"type": "AllAtOnce"}},
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": {
        "trafficRoutingConfig": {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
        }
    },
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": {
        "trafficRoutingConfig": {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1},
        }
    },
    "CodeDeployDefault.ECSAllAtOnce": {"trafficRoutingConfig": {"type": "AllAtOnce"}},
    "CodeDeployDefault.ECSCanary10Percent5Minutes": {
        "trafficRoutingConfig": {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
        }
    },
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": {
        "trafficRoutingConfig": {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1},
        }
    },
}
_PLATFORM = {"Lambda": "Lambda", "ECS": "ECS"}
_SIGNING_NAMES = {"tagging": "resourcegroupstaggingapi"}  # SigV4 name -> model name


class AwsFault(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _platform_of(config_name: str) -> str:
    for marker, platform in _PLATFORM.items():
        if f".{marker}" in config_name:
            return platform
    return "Server"


class AwsEmulator:
    """Callable app for LoopbackServer. `estate` is the `aws` part of a fixture."""

    def __init__(self, estate: dict[str, Any], page_size: int = 2) -> None:
        self.account = str(estate.get("account", "123456789012"))
        self.regions = list(estate.get("regions", ["eu-west-2"]))
        self.faults = [dict(f) for f in estate.get("faults", [])]
        self.latency = float(estate.get("latency_ms", 0)) / 1000  # per request
        self.page_size = page_size
        self.configs = dict(DEFAULT_CONFIGS)
        self.configs.update(estate.get("deployment_configs", {}))
        self.groups = list(estate.get("codedeploy", []))
        self.environments = list(estate.get("beanstalk", []))
        self.calls: list[tuple[str, str, str]] = []
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
        if self.latency:
            time.sleep(self.latency)
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

    def _page(self, items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
        start = int(token or 0)
        end = start + self.page_size
        return items[start:end], (str(end) if end < len(items) else None)

    def _arn_group(self, region: str, app: str, name: str) -> str:
        return f"arn:aws:codedeploy:{region}:{self.account}:deploymentgroup:{app}/{name}"

    def _arn_env(self, region: str, app: str, name: str) -> str:
        return f"arn:aws:elasticbeanstalk:{region}:{self.account}:environment/{app}/{name}"

    # -- STS and EC2 ------------------------------------------------------
    def sts_GetCallerIdentity(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "Account": self.account,
            "UserId": "AIDADEMO",
            "Arn": f"arn:aws:iam::{self.account}:user/relscan-demo",
        }

    def ec2_DescribeRegions(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "Regions": [
                {
                    "RegionName": r,
                    "Endpoint": f"ec2.{r}.amazonaws.com",
                    "OptInStatus": "opt-in-not-required",
                }
                for r in self.regions
            ]
        }

    # -- STS AssumeRole and Organizations (multi-account scans) -------------
    def sts_AssumeRole(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        role_arn, session = p["RoleArn"], p.get("RoleSessionName", "relscan")
        account, role = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
        credentials = {
            "AccessKeyId": f"ASIA{account}",
            "SecretAccessKey": f"emulated-secret-{uuid.uuid4().hex}",
            "SessionToken": f"emulated-token-{account}-{session}-{uuid.uuid4().hex}",
        }
        with self._lock:
            self.issued.append(credentials)
        return {
            "Credentials": {**credentials, "Expiration": datetime.now(UTC) + timedelta(hours=1)},
            "AssumedRoleUser": {
                "AssumedRoleId": f"AROADEMO:{session}",
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            },
        }

    def organizations_ListAccounts(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        if self.organization is None:
            raise AwsFault(
                400,
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            )
        members = [m if isinstance(m, dict) else {"id": m} for m in self.organization]
        accounts = [
            {
                "Id": str(m["id"]),
                "Arn": f"arn:aws:organizations::{self.account}:account/o-demo/{m['id']}",
                "Email": f"{m['id']}@example.com",
                "Name": m.get("name", str(m["id"])),
                "Status": m.get("status", "ACTIVE"),
                "JoinedMethod": "CREATED",
                "JoinedTimestamp": "2024-01-01T00:00:00Z",
            }
            for m in members
        ]
        page, token = self._page(accounts, p.get("NextToken"))
        return {"Accounts": page, **({"NextToken": token} if token else {})}

    # -- CodeDeploy -------------------------------------------------------
    def _apps(self, region: str) -> list[str]:
        return list(dict.fromkeys(g["application"] for g in self.groups if g["region"] == region))

    def codedeploy_ListApplications(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        page, token = self._page(self._apps(region), p.get("nextToken"))
        return {"applications": page, **({"nextToken": token} if token else {})}

    def _groups_of(self, region: str, app: str) -> list[dict[str, Any]]:
        if app not in self._apps(region):
            raise AwsFault(
                400, "ApplicationDoesNotExistException", f"No application found for name: {app}"
            )
        return [g for g in self.groups if g["region"] == region and g["application"] == app]

    def codedeploy_ListDeploymentGroups(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        app = p["applicationName"]
        names = [g["group"]["deploymentGroupName"] for g in self._groups_of(region, app)]
        page, token = self._page(names, p.get("nextToken"))
        return {
            "applicationName": app,
            "deploymentGroups": page,
            **({"nextToken": token} if token else {}),
        }

    def codedeploy_BatchGetDeploymentGroups(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        app = p["applicationName"]
        by_name = {g["group"]["deploymentGroupName"]: g for g in self._groups_of(region, app)}
        infos, missing = [], []
        for name in p["deploymentGroupNames"]:
            entry = by_name.get(name)
            if entry is None:
                missing.append(name)
                continue
            info = {
                "applicationName": app,
                "deploymentGroupId": f"dg-{abs(hash(name)) % 10**8}",
                "computePlatform": _platform_of(entry["group"].get("deploymentConfigName", "")),
            }
            info.update(entry["group"])
            infos.append(info)
        result: dict[str, Any] = {"deploymentGroupsInfo": infos}
        if missing:
            result["errorMessage"] = f"Deployment groups not found: {', '.join(missing)}"
        return result

    def codedeploy_GetDeploymentConfig(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        name = p["deploymentConfigName"]
        if name not in self.configs:
            raise AwsFault(400, "DeploymentConfigDoesNotExistException", f"No config: {name}")
        info = {
            "deploymentConfigName": name,
            "deploymentConfigId": f"cfg-{len(name)}",
            "computePlatform": _platform_of(name),
        }
        info.update(self.configs[name])
        return {"deploymentConfigInfo": info}

    # -- Tagging ----------------------------------------------------------
    def resourcegroupstaggingapi_GetResources(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        tagged: list[tuple[str, dict[str, str]]] = []
        types = set(p.get("ResourceTypeFilters") or [])
        if not types or "codedeploy:deploymentgroup" in types:
            tagged += [
                (
                    self._arn_group(region, g["application"], g["group"]["deploymentGroupName"]),
                    g.get("tags", {}),
                )
                for g in self.groups
                if g["region"] == region
            ]
        if not types or "elasticbeanstalk:environment" in types:
            tagged += [
                (self._arn_env(region, e["application"], e["environment"]), e.get("tags", {}))
                for e in self.environments
                if e["region"] == region
            ]
        wanted = set(p.get("ResourceARNList") or [])
        items = [
            {"ResourceARN": arn, "Tags": [{"Key": k, "Value": str(v)} for k, v in tags.items()]}
            for arn, tags in tagged
            if tags and (not wanted or arn in wanted)
        ]
        page, token = self._page(items, p.get("PaginationToken") or None)
        return {"ResourceTagMappingList": page, "PaginationToken": token or ""}

    # -- Elastic Beanstalk --------------------------------------------------
    def _env_description(self, region: str, e: dict[str, Any]) -> dict[str, Any]:
        return {
            "EnvironmentName": e["environment"],
            "ApplicationName": e["application"],
            "EnvironmentId": f"e-{abs(hash(e['environment'])) % 10**10}",
            "EnvironmentArn": self._arn_env(region, e["application"], e["environment"]),
            "Status": e.get("status", "Ready"),
            "Health": "Green",
            "Tier": {"Name": e.get("tier", "WebServer"), "Type": "Standard", "Version": "1.0"},
            "SolutionStackName": e.get(
                "stack", "64bit Amazon Linux 2023 v4.3.0 running Python 3.11"
            ),
        }

    def elasticbeanstalk_DescribeEnvironments(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        names = {v for k, v in p.items() if k.startswith("EnvironmentNames.member.")}
        envs = [
            e
            for e in self.environments
            if e["region"] == region
            and p.get("ApplicationName", e["application"]) == e["application"]
            and (not names or e["environment"] in names)
        ]
        page, token = self._page(envs, p.get("NextToken"))
        return {
            "Environments": [self._env_description(region, e) for e in page],
            **({"NextToken": token} if token else {}),
        }

    def elasticbeanstalk_DescribeConfigurationSettings(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        for e in self.environments:
            if (e["region"], e["application"], e["environment"]) == (
                region,
                p.get("ApplicationName"),
                p.get("EnvironmentName"),
            ):
                settings = [
                    {"Namespace": ns, "OptionName": k, "Value": str(v)}
                    for ns, opts in e.get("options", {}).items()
                    for k, v in opts.items()
                ]
                return {
                    "ConfigurationSettings": [
                        {
                            "ApplicationName": e["application"],
                            "EnvironmentName": e["environment"],
                            "DeploymentStatus": "deployed",
                            "OptionSettings": settings,
                        }
                    ]
                }
        raise AwsFault(400, "InvalidParameterValue", "No Environment found")


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
    return {"service": service, "region": region, "operation": op, "params": params}
