"""Elastic Beanstalk: every environment's deployment and managed-update options."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

# --history: the unit's release records (beanstalk_history.py)
from providers.aws.beanstalk_history import HISTORY_READS
from providers.aws.beanstalk_history import HISTORY_SOURCE as HISTORY_SOURCE  # noqa: F401
from providers.aws.beanstalk_history import history as history  # noqa: F401
from providers.aws.defaults import DEFAULT_NOTE
from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

COMMAND = "aws:elasticbeanstalk:command"
ENVIRONMENT = "aws:elasticbeanstalk:environment"

# (fact, namespace, option name, numeric?)
OPTIONS = [
    ("deployment_policy", COMMAND, "DeploymentPolicy", False),
    ("batch_size_type", COMMAND, "BatchSizeType", False),
    ("batch_size", COMMAND, "BatchSize", True),
    ("ignore_health_check", COMMAND, "IgnoreHealthCheck", False),
    ("environment_type", ENVIRONMENT, "EnvironmentType", False),
    ("traffic_split_percent", "aws:elasticbeanstalk:trafficsplitting", "NewVersionPercent", True),
    (
        "traffic_split_evaluation_minutes",
        "aws:elasticbeanstalk:trafficsplitting",
        "EvaluationTime",
        True,
    ),
    (
        "managed_actions_enabled",
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
        False,
    ),
    ("managed_update_window", "aws:elasticbeanstalk:managedactions", "PreferredStartTime", False),
    (
        "managed_update_level",
        "aws:elasticbeanstalk:managedactions:platformupdate",
        "UpdateLevel",
        False,
    ),
]

# The documented default of each option that decides a level, taken when a
# successful DescribeConfigurationSettings answer leaves the option out
# ("General options for all environments", Elastic Beanstalk developer guide:
# https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html).
DEFAULTS = {
    (COMMAND, "DeploymentPolicy"): "AllAtOnce",
    (COMMAND, "BatchSizeType"): "Percentage",
    (COMMAND, "BatchSize"): "100",
    (COMMAND, "IgnoreHealthCheck"): "false",
    (ENVIRONMENT, "EnvironmentType"): "LoadBalanced",
}


# The Auto Scaling groups the environment made (their elasticbeanstalk:environment-name
# tag): not units of their own. A scan fills this in (providers/aws/links.py); the
# environment's own answers do not name them, and `check` reads no groups.
GROUPS_LINKED = (
    "AutoScalingGroup.AutoScalingGroupName (Auto Scaling groups tagged "
    "elasticbeanstalk:environment-name with this environment, linked by a scan)"
)

KIND = aws_kind(
    name="aws.elasticbeanstalk.environment",
    title="Elastic Beanstalk environment",
    service="elasticbeanstalk",
    resource_prefix="environment/",
    names="APPLICATION/ENVIRONMENT",
    tagging_type="elasticbeanstalk:environment",
    facts=facts(
        ("environment_tier", "EnvironmentDescription.Tier.Name"),
        ("autoscaling_groups", GROUPS_LINKED),
        *((fact, f"OptionSettings[{ns}].{option}") for fact, ns, option, _ in OPTIONS),
    ),
    reads=(
        "elasticbeanstalk:DescribeEnvironments",
        "elasticbeanstalk:DescribeConfigurationSettings",
        *HISTORY_READS,
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every environment of the scope that is not terminated (or terminating)."""

    def read() -> Iterator[Observation | ScopeError]:
        return BeanstalkReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect(ctx.tags)

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The environment an ARN names (NotFoundError when there is none)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = BeanstalkReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(arn.application, arn.name, ctx.tags.get(resource_id, {}))


def _value(raw: str | None, numeric: bool) -> str | int | bool | None:
    if raw is None:
        return None
    if numeric:
        try:
            return int(raw)
        except ValueError:
            return raw  # kept as text: a rule comparing numbers calls it unusable
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


class BeanstalkReader:
    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("elasticbeanstalk", region)
        self.account = account
        self.region = region
        self.scope = scope

    def collect(self, tags: dict[str, dict[str, str]]) -> Iterator[Observation | ScopeError]:
        pages = self.client.get_paginator("describe_environments").paginate(IncludeDeleted=False)
        envs = (
            env
            for page in pages
            for env in page.get("Environments") or []
            if env.get("Status") not in ("Terminated", "Terminating")
        )
        yield from fan_out(envs, lambda env: self._one(env, tags))

    def _one(
        self, env: dict[str, Any], tags: dict[str, dict[str, str]]
    ) -> Observation | ScopeError:
        ids = [env.get(k) for k in ("ApplicationName", "EnvironmentName", "EnvironmentArn")]
        if not all(isinstance(v, str) and v for v in ids):
            return ScopeError(
                "aws",
                self.scope,
                "elasticbeanstalk",
                "DescribeEnvironments answered an environment without ApplicationName, "
                "EnvironmentName or EnvironmentArn; it was skipped",
            )
        return self.observe(env, tags.get(env["EnvironmentArn"], {}))

    def get(self, app: str, name: str, tags: dict[str, str]) -> Observation:
        envs = self.client.describe_environments(
            ApplicationName=app, EnvironmentNames=[name], IncludeDeleted=False
        ).get("Environments", [])
        if not envs:
            raise NotFoundError(f"no such Elastic Beanstalk environment: {app}/{name}")
        return self.observe(envs[0], tags)

    def observe(self, env: dict[str, Any], tags: dict[str, str]) -> Observation:
        app, name = env["ApplicationName"], env["EnvironmentName"]
        obs = Observation(
            id=env["EnvironmentArn"],
            provider="aws",
            kind=KIND.name,
            name=f"{app}/{name}",
            account=self.account,
            location=self.region,
            tags=tags,
        )
        obs.add(
            "environment_tier",
            "EnvironmentDescription.Tier.Name",
            (env.get("Tier") or {}).get("Name"),
        )
        obs.add("autoscaling_groups", GROUPS_LINKED, [])
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            resp = self.client.describe_configuration_settings(
                ApplicationName=app, EnvironmentName=name
            )
            described = resp.get("ConfigurationSettings") or []
        except AWS_ERRORS as exc:
            described, reason = [], describe(exc)
        else:
            reason = "DescribeConfigurationSettings answered no ConfigurationSettings"
        if not described or not isinstance(described[0], dict):
            for fact, ns, option, _ in OPTIONS:
                obs.unknown(fact, f"OptionSettings[{ns}].{option}", reason)
            return obs
        settings = described[0].get("OptionSettings") or []
        values = {
            (s.get("Namespace"), s.get("OptionName")): s.get("Value")
            for s in settings
            if isinstance(s, dict)
        }
        for fact, ns, option, numeric in OPTIONS:
            field = f"OptionSettings[{ns}].{option}"
            raw = values.get((ns, option))
            if raw is None and (ns, option) in DEFAULTS:
                obs.add(fact, f"{field}{DEFAULT_NOTE}", _value(DEFAULTS[(ns, option)], numeric))
                continue
            obs.add(fact, field, _value(raw, numeric), raw)
        return obs
