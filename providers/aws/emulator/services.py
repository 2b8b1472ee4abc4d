"""The AWS services the emulator answers for, one method per operation
(`<service>_<Operation>(region, params) -> result`), reading the estate the
emulator holds. Mixed into AwsEmulator (providers/aws/emulator/app.py), which does
the routing, the wire format and the faults."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

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

# What the tagging API answers for each of its resource types: the emulator
# method (of whichever mixin holds that service) listing a region's
# (ARN, tags), in the order the answer lists them.
TAGGED = {
    "codedeploy:deploymentgroup": "_codedeploy_tagged",
    "lambda:function": "_lambda_tagged",
    "elasticbeanstalk:environment": "_beanstalk_tagged",
    "ecs:service": "_ecs_tagged",
    "elasticloadbalancing:listener-rule": "_elb_tagged",
    "route53:hostedzone": "route53_tagged",
    "appconfig": "appconfig_tagged",
    "cloudfront:distribution": "_cf_tagged",
}

# Lambda answers at most this many items a page whatever MaxItems asks
# (API_ListFunctions, API_ListEventSourceMappings).


class AwsFault(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _platform_of(config_name: str) -> str:
    for marker, platform in _PLATFORM.items():
        if f".{marker}" in config_name:
            return platform
    return "Server"


class AwsServices:
    """Operation handlers; `self` is the AwsEmulator."""

    account: str
    regions: list[str]
    page_size: int
    configs: dict[str, dict[str, Any]]
    groups: list[dict[str, Any]]
    environments: list[dict[str, Any]]
    organization: list[Any] | None
    _lock: threading.Lock

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
        from providers.aws.emulator.codedeploy_targets import last_deployment

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
            if "deployment" in entry and "lastAttemptedDeployment" not in info:
                info["lastAttemptedDeployment"] = last_deployment(entry)
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
    def _codedeploy_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        return [
            (
                self._arn_group(region, g["application"], g["group"]["deploymentGroupName"]),
                g.get("tags", {}),
            )
            for g in self.groups
            if g["region"] == region
        ]

    def _beanstalk_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        return [
            (self._arn_env(region, e["application"], e["environment"]), e.get("tags", {}))
            for e in self.environments
            if e["region"] == region
        ]

    def resourcegroupstaggingapi_GetResources(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        tagged: list[tuple[str, dict[str, str]]] = []
        types = set(p.get("ResourceTypeFilters") or [])
        for tagging_type, listed in TAGGED.items():
            if not types or tagging_type in types:
                tagged += getattr(self, listed)(region)
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
