"""ECS: every service of every cluster, with its deployment configuration, as facts.

Reads: ListClusters (100 a page), ListServices (100 a page; its default is 10),
DescribeServices (10 names a call, the API's limit, with include=TAGS).
Service Connect and VPC Lattice are not members of the service object: they
are read from the PRIMARY deployment (DescribeServices `deployments[]`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.aws.defaults import add_or_default

# --history: the service's deployments (ecs_history.py)
from providers.aws.ecs_history import HISTORY_READS
from providers.aws.ecs_history import HISTORY_SOURCE as HISTORY_SOURCE  # noqa: F401
from providers.aws.ecs_history import history as history  # noqa: F401
from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.facts import dig, plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

PAGE = 100  # ListClusters and ListServices: maxResults 1-100
BATCH = 10  # DescribeServices: "up to 10 services ... in a single operation"

# Documented defaults (ECS API reference: CreateService, DeploymentConfiguration,
# LinearConfiguration, CanaryConfiguration, DeploymentLifecycleHookTimeoutConfiguration).
ECS_CONTROLLER = "ECS"
ECS_STRATEGY = "ROLLING"
ECS_SCHEDULING = "REPLICA"
MIN_HEALTHY = {"REPLICA": 100, "DAEMON": 0}
MAX_PERCENT = {"REPLICA": 200, "DAEMON": 100}
LINEAR_STEP_PERCENT = 10.0
LINEAR_STEP_BAKE = 6
CANARY_PERCENT = 5.0
CANARY_BAKE = 10
HOOK_TARGET = "AWS_LAMBDA"
HOOK_TIMEOUT_ACTION = "ROLLBACK"

DC = "deploymentConfiguration"
PLAIN_PATHS = [
    ("desired_count", "desiredCount"),
    ("service_status", "status"),
    ("circuit_breaker_enabled", f"{DC}.deploymentCircuitBreaker.enable"),
    ("circuit_breaker_rollback", f"{DC}.deploymentCircuitBreaker.rollback"),
    ("alarms_enabled", f"{DC}.alarms.enable"),
    ("alarms_rollback", f"{DC}.alarms.rollback"),
    ("alarm_names", f"{DC}.alarms.alarmNames"),
    ("bake_time_minutes", f"{DC}.bakeTimeInMinutes"),
]
HOOKS = f"{DC}.lifecycleHooks"
PRIMARY = "deployments[status=PRIMARY]"

KIND = aws_kind(
    name="aws.ecs.service",
    title="ECS service",
    service="ecs",
    resource_prefix="service/",
    names="CLUSTER/SERVICE",
    tagging_type="ecs:service",
    facts=facts(
        ("deployment_controller", "deploymentController.type"),
        ("strategy", f"{DC}.strategy"),
        ("scheduling_strategy", "schedulingStrategy"),
        *PLAIN_PATHS,
        ("minimum_healthy_percent", f"{DC}.minimumHealthyPercent"),
        ("maximum_percent", f"{DC}.maximumPercent"),
        ("linear_step_percent", f"{DC}.linearConfiguration.stepPercent"),
        ("linear_step_bake_minutes", f"{DC}.linearConfiguration.stepBakeTimeInMinutes"),
        ("canary_percent", f"{DC}.canaryConfiguration.canaryPercent"),
        ("canary_bake_minutes", f"{DC}.canaryConfiguration.canaryBakeTimeInMinutes"),
        ("pause_hook_rollback_stages", f"{HOOKS}.lifecycleStages"),
        ("pause_hook_continue_stages", f"{HOOKS}.lifecycleStages"),
        ("lambda_hook_stages", f"{HOOKS}.lifecycleStages"),
        (
            "lb_alternate_target_groups",
            "loadBalancers.advancedConfiguration.alternateTargetGroupArn",
        ),
        (
            "lb_production_listener_rules",
            "loadBalancers.advancedConfiguration.productionListenerRule",
        ),
        ("lb_test_listener_rules", "loadBalancers.advancedConfiguration.testListenerRule"),
        ("task_set_target_groups", "taskSets.loadBalancers.targetGroupArn"),
        ("service_connect_enabled", f"{PRIMARY}.serviceConnectConfiguration.enabled"),
        ("vpc_lattice_target_groups", f"{PRIMARY}.vpcLatticeConfigurations.targetGroupArn"),
    ),
    reads=("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices", *HISTORY_READS),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every service of every cluster in the scope."""

    def read() -> Iterator[Observation | ScopeError]:
        return EcsReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The service an ARN names (NotFoundError when there is none)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = EcsReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(arn.application, arn.name, ctx.tags.get(resource_id))


class EcsReader:
    """Reads one account and region."""

    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("ecs", region)
        self.partition = clients.partition(region)
        self.account = account
        self.region = region
        self.scope = scope

    def arn(self, cluster: str, service: str) -> str:
        return f"arn:{self.partition}:ecs:{self.region}:{self.account}:service/{cluster}/{service}"

    def get(self, cluster: str, name: str, tags: dict[str, str] | None) -> Observation:
        from providers.aws.faults import AWS_ERRORS

        try:
            resp = self.client.describe_services(cluster=cluster, services=[name], include=["TAGS"])
        except AWS_ERRORS as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "ClusterNotFoundException":
                raise NotFoundError(f"no such resource: {self.arn(cluster, name)}") from None
            raise
        found = [
            s
            for s in resp.get("services") or []
            if isinstance(s, dict) and s.get("status") != "INACTIVE"
        ]
        if not found:
            raise NotFoundError(f"no such resource: {self.arn(cluster, name)}")
        return self.observe(cluster, found[0], tags)

    def collect(self) -> Iterator[Observation | ScopeError]:
        from providers.aws.faults import AWS_ERRORS, describe

        clusters = (
            arn
            for page in self.client.get_paginator("list_clusters").paginate(
                PaginationConfig={"PageSize": PAGE}
            )
            for arn in page.get("clusterArns", [])
        )

        def cluster(cluster_arn: str) -> list[Observation | ScopeError]:
            name = cluster_arn.rsplit("/", 1)[-1]
            found: list[Observation | ScopeError] = []
            try:
                arns = [
                    a
                    for page in self.client.get_paginator("list_services").paginate(
                        cluster=cluster_arn, PaginationConfig={"PageSize": PAGE}
                    )
                    for a in page.get("serviceArns", [])
                ]
                batches = [arns[i : i + BATCH] for i in range(0, len(arns), BATCH)]
                for part in fan_out(batches, lambda b: list(self._batch(cluster_arn, b))):
                    found.extend(part)
            except AWS_ERRORS as exc:
                found.append(ScopeError("aws", self.scope, f"ecs cluster {name}", describe(exc)))
            return found

        for found in fan_out(clusters, cluster):  # clusters read side by side
            yield from found

    def _batch(self, cluster_arn: str, arns: list[str]) -> Iterator[Observation | ScopeError]:
        name = cluster_arn.rsplit("/", 1)[-1]
        resp = self.client.describe_services(cluster=cluster_arn, services=arns, include=["TAGS"])
        for failure in resp.get("failures") or []:
            if isinstance(failure, dict):
                yield ScopeError(
                    "aws",
                    self.scope,
                    f"ecs cluster {name}",
                    f"DescribeServices could not read {failure.get('arn')}: "
                    f"{failure.get('reason')}",
                )
        for service in resp.get("services") or []:
            if not isinstance(service, dict) or not isinstance(service.get("serviceName"), str):
                yield ScopeError(
                    "aws",
                    self.scope,
                    f"ecs cluster {name}",
                    "DescribeServices answered a service without a serviceName; it was skipped",
                )
                continue
            yield self.observe(name, service, None)

    def observe(
        self, cluster: str, svc: dict[str, Any], tags: dict[str, str] | None
    ) -> Observation:
        name = svc["serviceName"]
        if tags is None:
            tags = {
                str(t["key"]): str(t.get("value", ""))
                for t in svc.get("tags") or []
                if isinstance(t, dict) and isinstance(t.get("key"), str) and t["key"]
            }
        obs = Observation(
            id=self.arn(cluster, name),
            provider="aws",
            kind=KIND.name,
            name=f"{cluster}/{name}",
            account=self.account,
            location=self.region,
            tags=tags,
        )
        conf = svc.get(DC) if isinstance(svc.get(DC), dict) else {}
        add_or_default(
            obs,
            "deployment_controller",
            "deploymentController.type",
            plain(dig(svc, "deploymentController.type")),
            ECS_CONTROLLER,
        )
        add_or_default(obs, "strategy", f"{DC}.strategy", plain(conf.get("strategy")), ECS_STRATEGY)
        scheduling = svc.get("schedulingStrategy")
        add_or_default(
            obs, "scheduling_strategy", "schedulingStrategy", plain(scheduling), ECS_SCHEDULING
        )
        scheduling = scheduling if scheduling in MIN_HEALTHY else ECS_SCHEDULING
        for fact, path in PLAIN_PATHS:
            obs.add(fact, path, plain(dig(svc, path)))
        for fact, member, defaults in (
            ("minimum_healthy_percent", "minimumHealthyPercent", MIN_HEALTHY),
            ("maximum_percent", "maximumPercent", MAX_PERCENT),
        ):
            add_or_default(
                obs, fact, f"{DC}.{member}", plain(conf.get(member)), defaults[scheduling]
            )
        strategy = conf.get("strategy")
        for fact, sub, member, default, used_by in (
            (
                "linear_step_percent",
                "linearConfiguration",
                "stepPercent",
                LINEAR_STEP_PERCENT,
                "LINEAR",
            ),
            (
                "linear_step_bake_minutes",
                "linearConfiguration",
                "stepBakeTimeInMinutes",
                LINEAR_STEP_BAKE,
                "LINEAR",
            ),
            ("canary_percent", "canaryConfiguration", "canaryPercent", CANARY_PERCENT, "CANARY"),
            (
                "canary_bake_minutes",
                "canaryConfiguration",
                "canaryBakeTimeInMinutes",
                CANARY_BAKE,
                "CANARY",
            ),
        ):
            value = plain(dig(conf, f"{sub}.{member}"))
            if strategy == used_by:  # defaults apply only where the strategy uses them
                add_or_default(obs, fact, f"{DC}.{sub}.{member}", value, default)
            else:
                obs.add(fact, f"{DC}.{sub}.{member}", value)
        self._hooks(obs, conf.get("lifecycleHooks"))
        self._routes(obs, svc)
        return obs

    @staticmethod
    def _hooks(obs: Observation, hooks: Any) -> None:
        """The stages of PAUSE hooks (by timeout action) and of Lambda hooks."""
        pause_rollback: list[str] = []
        pause_continue: list[str] = []
        lambdas: list[str] = []
        for hook in hooks if isinstance(hooks, list) else []:
            if not isinstance(hook, dict):
                continue
            stages = [s for s in hook.get("lifecycleStages") or [] if isinstance(s, str)]
            target = hook.get("targetType") or HOOK_TARGET
            action = dig(hook, "timeoutConfiguration.action") or HOOK_TIMEOUT_ACTION
            if target == "PAUSE":
                (pause_continue if action == "CONTINUE" else pause_rollback).extend(stages)
            elif target == "AWS_LAMBDA":
                lambdas.extend(stages)
        field = f"{HOOKS}[]"
        obs.add(
            "pause_hook_rollback_stages",
            f"{field}.lifecycleStages (of PAUSE hooks whose timeoutConfiguration.action is "
            "ROLLBACK; an absent action is ROLLBACK)",
            list(dict.fromkeys(pause_rollback)),
        )
        obs.add(
            "pause_hook_continue_stages",
            f"{field}.lifecycleStages (of PAUSE hooks whose timeoutConfiguration.action is "
            "CONTINUE)",
            list(dict.fromkeys(pause_continue)),
        )
        obs.add(
            "lambda_hook_stages",
            f"{field}.lifecycleStages (of AWS_LAMBDA hooks; an absent targetType is AWS_LAMBDA)",
            list(dict.fromkeys(lambdas)),
        )

    @staticmethod
    def _routes(obs: Observation, svc: dict[str, Any]) -> None:
        """The routes by which ECS shifts traffic itself: a load balancer's
        advanced configuration, Service Connect or VPC Lattice."""
        lbs = svc.get("loadBalancers") if isinstance(svc.get("loadBalancers"), list) else []
        obs.add(
            "lb_alternate_target_groups",
            "loadBalancers[].advancedConfiguration.alternateTargetGroupArn",
            [
                str(dig(lb, "advancedConfiguration.alternateTargetGroupArn"))
                for lb in lbs
                if isinstance(lb, dict) and dig(lb, "advancedConfiguration.alternateTargetGroupArn")
            ],
        )
        for fact, member in (
            ("lb_production_listener_rules", "productionListenerRule"),
            ("lb_test_listener_rules", "testListenerRule"),
        ):
            obs.add(
                fact,
                f"loadBalancers[].advancedConfiguration.{member}",
                [
                    str(dig(lb, f"advancedConfiguration.{member}"))
                    for lb in lbs
                    if isinstance(lb, dict) and dig(lb, f"advancedConfiguration.{member}")
                ],
            )
        # An EXTERNAL (or CODE_DEPLOY) service's task sets, answered inline by
        # DescribeServices: the target groups the controller moves traffic between.
        task_sets = svc.get("taskSets") if isinstance(svc.get("taskSets"), list) else []
        obs.add(
            "task_set_target_groups",
            "taskSets[].loadBalancers[].targetGroupArn",
            list(
                dict.fromkeys(
                    str(lb["targetGroupArn"])
                    for ts in task_sets
                    if isinstance(ts, dict)
                    for lb in ts.get("loadBalancers") or []
                    if isinstance(lb, dict) and isinstance(lb.get("targetGroupArn"), str)
                )
            ),
        )
        deployments = svc.get("deployments") if isinstance(svc.get("deployments"), list) else []
        primary = next(
            (d for d in deployments if isinstance(d, dict) and d.get("status") == "PRIMARY"), {}
        )
        enabled = dig(primary, "serviceConnectConfiguration.enabled")
        obs.add(
            "service_connect_enabled",
            f"{PRIMARY}.serviceConnectConfiguration.enabled"
            + ("" if enabled is not None else " (absent: not enabled)"),
            plain(enabled) if enabled is not None else False,
        )
        lattice = primary.get("vpcLatticeConfigurations") or []
        obs.add(
            "vpc_lattice_target_groups",
            f"{PRIMARY}.vpcLatticeConfigurations[].targetGroupArn",
            [
                str(c.get("targetGroupArn"))
                for c in lattice
                if isinstance(c, dict) and c.get("targetGroupArn")
            ],
        )
