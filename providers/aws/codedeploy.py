"""CodeDeploy: every deployment group, with its deployment config, as facts.

Two facts name what else a group releases, for the scan's link step: the
Auto Scaling groups of an EC2/on-premises group (`autoScalingGroups`, in the
group's own answer) and, for a Lambda group, the aliases its latest deployment
moved (its deployment targets' `lambdaFunctionInfo`; a Lambda group names no
function or alias itself). Only a Lambda group with a deployment on record
costs requests for them: ListDeploymentTargets, and BatchGetDeploymentTargets
per 25 targets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

# --history: the group's deployments (codedeploy_history.py)
from providers.aws.codedeploy_history import HISTORY_READS
from providers.aws.codedeploy_history import HISTORY_SOURCE as HISTORY_SOURCE  # noqa: F401
from providers.aws.codedeploy_history import history as history  # noqa: F401
from providers.aws.defaults import (
    CODEDEPLOY_COMPUTE_PLATFORM,
    CODEDEPLOY_DEPLOYMENT_CONFIG,
    add_or_default,
)
from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.facts import dig, plain, read_paths
from scanner.fanout import OncePerKey, fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

BATCH = 100  # BatchGetDeploymentGroups takes at most 100 names a call
# BatchGetDeploymentTargets: "The maximum number of deployment target IDs you
# can specify is 25" (API_BatchGetDeploymentTargets).
TARGETS_BATCH = 25

GROUP_PATHS = [
    ("deployment_type", "deploymentStyle.deploymentType"),
    ("deployment_option", "deploymentStyle.deploymentOption"),
    ("ready_action", "blueGreenDeploymentConfiguration.deploymentReadyOption.actionOnTimeout"),
    (
        "ready_wait_minutes",
        "blueGreenDeploymentConfiguration.deploymentReadyOption.waitTimeInMinutes",
    ),
    (
        "blue_fleet_action",
        "blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess.action",
    ),
    (
        "blue_termination_wait_minutes",
        "blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess"
        ".terminationWaitTimeInMinutes",
    ),
    ("auto_rollback_enabled", "autoRollbackConfiguration.enabled"),
    ("auto_rollback_events", "autoRollbackConfiguration.events"),
    ("alarms_enabled", "alarmConfiguration.enabled"),
]
IGNORE_POLL = "alarmConfiguration.ignorePollAlarmFailure"
# Shown beside the field when it is true (AlarmConfiguration, CodeDeploy API reference).
IGNORE_POLL_NOTE = (
    " (true weakens the rollback: the deployment goes on when CloudWatch cannot"
    " report the alarms' state)"
)
CONFIG_PATHS = [
    ("min_healthy_type", "minimumHealthyHosts.type"),
    ("min_healthy_value", "minimumHealthyHosts.value"),
    ("traffic_routing_type", "trafficRoutingConfig.type"),
    ("canary_percentage", "trafficRoutingConfig.timeBasedCanary.canaryPercentage"),
    ("canary_interval_minutes", "trafficRoutingConfig.timeBasedCanary.canaryInterval"),
    ("linear_percentage", "trafficRoutingConfig.timeBasedLinear.linearPercentage"),
    ("linear_interval_minutes", "trafficRoutingConfig.timeBasedLinear.linearInterval"),
]

ALARMS = "alarmConfiguration.alarms"
ECS_SERVICES = "ecsServices"  # the ECS services the group releases (CODE_DEPLOY controller)
# The target groups a blue/green group switches between (ECS, and EC2 with a
# load balancer): their listener rules are the group's, not units of their own.
TG_PAIRS = "loadBalancerInfo.targetGroupPairInfoList"
ASG = "autoScalingGroups"  # the Auto Scaling groups an EC2/on-premises group deploys to
# What a Lambda group's latest deployment moved: BatchGetDeploymentTargets'
# deploymentTargets[].lambdaTarget.lambdaFunctionInfo, as FUNCTION:ALIAS.
LAMBDA_TARGETS = "deploymentTargets.lambdaTarget.lambdaFunctionInfo.functionName:functionAlias"
LAMBDA_SHOWN = LAMBDA_TARGETS.replace("deploymentTargets.", "deploymentTargets[].", 1)
# The deployment whose targets are read: the latest attempted, else the latest successful.
LATEST_DEPLOYMENTS = ("lastAttemptedDeployment", "lastSuccessfulDeployment")

KIND = aws_kind(
    name="aws.codedeploy.deployment_group",
    title="CodeDeploy deployment group",
    service="codedeploy",
    resource_prefix="deploymentgroup:",
    names="APPLICATION/GROUP",
    tagging_type="codedeploy:deploymentgroup",
    facts=facts(
        ("compute_platform", "deploymentGroupInfo.computePlatform"),
        *((fact, f"deploymentGroupInfo.{path}") for fact, path in GROUP_PATHS),
        ("alarms_ignore_poll_failure", f"deploymentGroupInfo.{IGNORE_POLL}"),
        ("alarm_names", f"deploymentGroupInfo.{ALARMS}.name"),
        ("ecs_services", f"deploymentGroupInfo.{ECS_SERVICES}"),
        ("target_group_pairs", f"deploymentGroupInfo.{TG_PAIRS}.targetGroups.name"),
        ("autoscaling_groups", f"deploymentGroupInfo.{ASG}.name"),
        ("lambda_aliases", LAMBDA_TARGETS),
        ("deployment_config_name", "deploymentGroupInfo.deploymentConfigName"),
        *((fact, f"deploymentConfigInfo.{path}") for fact, path in CONFIG_PATHS),
    ),
    reads=(
        "codedeploy:ListApplications",
        "codedeploy:ListDeploymentGroups",
        "codedeploy:BatchGetDeploymentGroups",
        "codedeploy:GetDeploymentConfig",
        "codedeploy:ListDeploymentTargets",
        "codedeploy:BatchGetDeploymentTargets",
        *HISTORY_READS,
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every deployment group of every application in the scope."""

    def read() -> Iterator[Observation | ScopeError]:
        return CodeDeployReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect(ctx.tags)

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The deployment group an ARN names (NotFoundError when there is none)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = CodeDeployReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(arn.application, arn.name, ctx.tags.get(resource_id, {}))


class CodeDeployReader:
    """Reads one account and region. Each deployment config is fetched once."""

    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("codedeploy", region)
        self.partition = clients.partition(region)
        self.account = account
        self.region = region
        self.scope = scope
        self.config = OncePerKey(self._fetch_config)  # one GetDeploymentConfig per name

    def arn(self, app: str, group: str) -> str:
        return (
            f"arn:{self.partition}:codedeploy:{self.region}:{self.account}"
            f":deploymentgroup:{app}/{group}"
        )

    def get(self, app: str, name: str, tags: dict[str, str]) -> Observation:
        resp = self.client.batch_get_deployment_groups(
            applicationName=app, deploymentGroupNames=[name]
        )
        infos = resp.get("deploymentGroupsInfo", [])
        if not infos:
            raise NotFoundError(f"no such resource: {self.arn(app, name)}")
        return self.observe(app, infos[0], tags)

    def collect(self, tags: dict[str, dict[str, str]]) -> Iterator[Observation | ScopeError]:
        from providers.aws.faults import AWS_ERRORS, describe

        paginator = self.client.get_paginator("list_applications")
        apps = (a for page in paginator.paginate() for a in page.get("applications", []))

        def application(app: str) -> list[Observation | ScopeError]:
            found: list[Observation | ScopeError] = []
            try:
                names = [
                    g
                    for page in self.client.get_paginator("list_deployment_groups").paginate(
                        applicationName=app
                    )
                    for g in page.get("deploymentGroups", [])
                ]
                for start in range(0, len(names), BATCH):
                    found.extend(self._batch(app, names[start : start + BATCH], tags))
            except AWS_ERRORS as exc:
                found.append(
                    ScopeError("aws", self.scope, f"codedeploy application {app}", describe(exc))
                )
            return found

        for found in fan_out(apps, application):  # applications read side by side
            yield from found

    def _batch(
        self, app: str, names: list[str], tags: dict[str, dict[str, str]]
    ) -> Iterator[Observation | ScopeError]:
        resp = self.client.batch_get_deployment_groups(
            applicationName=app, deploymentGroupNames=names
        )
        if resp.get("errorMessage"):
            yield ScopeError(
                "aws", self.scope, f"codedeploy application {app}", resp["errorMessage"]
            )
        named: list[dict[str, Any]] = []
        for info in resp.get("deploymentGroupsInfo") or []:
            name = info.get("deploymentGroupName") if isinstance(info, dict) else None
            if not isinstance(name, str) or not name:
                yield ScopeError(
                    "aws",
                    self.scope,
                    f"codedeploy application {app}",
                    "BatchGetDeploymentGroups answered a group without a deploymentGroupName; "
                    "it was skipped",
                )
                continue
            named.append(info)
        # groups read side by side: a Lambda group's deployment targets cost requests
        yield from fan_out(
            named,
            lambda info: self.observe(
                app, info, tags.get(self.arn(app, info["deploymentGroupName"]), {})
            ),
        )

    def observe(self, app: str, info: dict[str, Any], tags: dict[str, str]) -> Observation:
        group = info["deploymentGroupName"]
        obs = Observation(
            id=self.arn(app, group),
            provider="aws",
            kind=KIND.name,
            name=f"{app}/{group}",
            account=self.account,
            location=self.region,
            tags=tags,
        )
        add_or_default(
            obs,
            "compute_platform",
            "deploymentGroupInfo.computePlatform",
            plain(info.get("computePlatform")),
            CODEDEPLOY_COMPUTE_PLATFORM,
        )
        read_paths(obs, info, "deploymentGroupInfo", GROUP_PATHS)
        ignore_poll = plain(dig(info, IGNORE_POLL))
        note = IGNORE_POLL_NOTE if ignore_poll is True else ""
        obs.add(
            "alarms_ignore_poll_failure", f"deploymentGroupInfo.{IGNORE_POLL}{note}", ignore_poll
        )
        alarms = (info.get("alarmConfiguration") or {}).get("alarms") or []
        obs.add(
            "alarm_names",
            f"deploymentGroupInfo.{ALARMS}[].name",
            [str(a.get("name")) for a in alarms if isinstance(a, dict)],
        )
        ecs = info.get(ECS_SERVICES) or []
        obs.add(
            "ecs_services",
            f"deploymentGroupInfo.{ECS_SERVICES} (clusterName/serviceName)",
            [
                f"{e.get('clusterName')}/{e.get('serviceName')}"
                for e in ecs
                if isinstance(e, dict) and e.get("clusterName") and e.get("serviceName")
            ],
        )
        obs.add(
            "target_group_pairs",
            f"deploymentGroupInfo.{TG_PAIRS}[].targetGroups[].name",
            _pair_names(info),
        )
        asgs = info.get(ASG) or []
        obs.add(
            "autoscaling_groups",
            f"deploymentGroupInfo.{ASG}[].name",
            [str(g["name"]) for g in asgs if isinstance(g, dict) and g.get("name")],
        )
        self._lambda_aliases(obs, info)
        config = info.get("deploymentConfigName")
        add_or_default(
            obs,
            "deployment_config_name",
            "deploymentGroupInfo.deploymentConfigName",
            plain(config),
            CODEDEPLOY_DEPLOYMENT_CONFIG,
        )
        if config is None:
            config = CODEDEPLOY_DEPLOYMENT_CONFIG
        self._config_facts(obs, config if isinstance(config, str) else None)
        return obs

    def _lambda_aliases(self, obs: Observation, info: dict[str, Any]) -> None:
        """The aliases the group's latest deployment moved (a Lambda group's
        link to the aliases it releases); an empty list for other platforms."""
        from providers.aws.faults import AWS_ERRORS, describe, error_code

        if obs.facts["compute_platform"].value != "Lambda":
            obs.add("lambda_aliases", f"{LAMBDA_SHOWN} (not read: not a Lambda group)", [])
            return
        ids: list[str] = []
        for key in LATEST_DEPLOYMENTS:
            last = info.get(key)
            deployment = last.get("deploymentId") if isinstance(last, dict) else None
            if isinstance(deployment, str) and deployment and deployment not in ids:
                ids.append(deployment)
        if not ids:
            obs.add("lambda_aliases", f"{LAMBDA_SHOWN} (no deployment on record)", [])
            return
        for n, deployment in enumerate(ids):
            field = f"{LAMBDA_SHOWN} (latest deployment {deployment})"
            try:
                obs.add("lambda_aliases", field, self._lambda_targets(deployment))
                return
            except AWS_ERRORS as exc:
                # an attempted deployment not started yet has no targets: the
                # latest successful one still names what the group releases
                if error_code(exc) == "DeploymentNotStartedException" and n + 1 < len(ids):
                    continue
                obs.unknown("lambda_aliases", field, describe(exc))
                return

    def _lambda_targets(self, deployment: str) -> list[str]:
        """FUNCTION:ALIAS of each Lambda target of the deployment, in order."""
        pages = self.client.get_paginator("list_deployment_targets").paginate(
            deploymentId=deployment
        )
        ids = [t for page in pages for t in page.get("targetIds") or [] if isinstance(t, str)]
        found: list[str] = []
        for start in range(0, len(ids), TARGETS_BATCH):
            resp = self.client.batch_get_deployment_targets(
                deploymentId=deployment, targetIds=ids[start : start + TARGETS_BATCH]
            )
            for target in resp.get("deploymentTargets") or []:
                lam = target.get("lambdaTarget") if isinstance(target, dict) else None
                fn = lam.get("lambdaFunctionInfo") if isinstance(lam, dict) else None
                if not isinstance(fn, dict):
                    continue
                name, alias = fn.get("functionName"), fn.get("functionAlias")
                if isinstance(name, str) and name and isinstance(alias, str) and alias:
                    unit = f"{function_name(name)}:{alias}"
                    if unit not in found:
                        found.append(unit)
        return found

    def _config_facts(self, obs: Observation, name: str | None) -> None:
        prefix = f"deploymentConfigInfo[{name}]"
        if not name:
            for fact, path in CONFIG_PATHS:
                obs.unknown(fact, f"{prefix}.{path}", "the group names no usable deployment config")
            return
        config = self.config(name)
        if isinstance(config, str):
            for fact, path in CONFIG_PATHS:
                obs.unknown(fact, f"{prefix}.{path}", config)
            return
        read_paths(obs, config, prefix, CONFIG_PATHS)

    def _fetch_config(self, name: str) -> dict[str, Any] | str:
        """The deployment config, or the one-line reason it could not be read.
        There is no batch call: GetDeploymentConfig once per name per scope
        (`self.config`), however many groups name it at once."""
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            resp = self.client.get_deployment_config(deploymentConfigName=name)
            return resp.get("deploymentConfigInfo", {})
        except AWS_ERRORS as exc:
            return describe(exc)


def _pair_names(info: dict[str, Any]) -> list[str]:
    """The target group names of the group's target group pairs, each once."""
    pairs = dig(info, TG_PAIRS)
    return list(
        dict.fromkeys(
            str(tg["name"])
            for pair in (pairs if isinstance(pairs, list) else [])
            if isinstance(pair, dict)
            for tg in pair.get("targetGroups") or []
            if isinstance(tg, dict) and isinstance(tg.get("name"), str) and tg["name"]
        )
    )
def function_name(name: str) -> str:
    """A Lambda function's name, from its name or its (partial, qualified) ARN:
    arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] gives NAME."""
    if ":function:" in name:
        return name.split(":function:", 1)[1].split(":", 1)[0]
    return name
