"""Elastic Beanstalk: every environment's deployment and managed-update options."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.aws.clients import AwsClients
from providers.aws.faults import AWS_ERRORS, describe
from scanner.model import Observation, ScopeError

KIND = "aws.elasticbeanstalk.environment"

# (fact, namespace, option name, numeric?)
OPTIONS = [
    ("deployment_policy", "aws:elasticbeanstalk:command", "DeploymentPolicy", False),
    ("batch_size_type", "aws:elasticbeanstalk:command", "BatchSizeType", False),
    ("batch_size", "aws:elasticbeanstalk:command", "BatchSize", True),
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
        for page in pages:
            for env in page.get("Environments") or []:
                if env.get("Status") in ("Terminated", "Terminating"):
                    continue
                ids = [env.get(k) for k in ("ApplicationName", "EnvironmentName", "EnvironmentArn")]
                if not all(isinstance(v, str) and v for v in ids):
                    yield ScopeError(
                        "aws",
                        self.scope,
                        "elasticbeanstalk",
                        "DescribeEnvironments answered an environment without ApplicationName, "
                        "EnvironmentName or EnvironmentArn; it was skipped",
                    )
                    continue
                yield self.observe(env, tags.get(env["EnvironmentArn"], {}))

    def observe(self, env: dict[str, Any], tags: dict[str, str]) -> Observation:
        app, name = env["ApplicationName"], env["EnvironmentName"]
        obs = Observation(
            id=env["EnvironmentArn"],
            provider="aws",
            kind=KIND,
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
        try:
            resp = self.client.describe_configuration_settings(
                ApplicationName=app, EnvironmentName=name
            )
            settings = (resp.get("ConfigurationSettings") or [{}])[0].get("OptionSettings") or []
        except AWS_ERRORS as exc:
            reason = describe(exc)
            for fact, ns, option, _ in OPTIONS:
                obs.unknown(fact, f"OptionSettings[{ns}].{option}", reason)
            return obs
        values = {
            (s.get("Namespace"), s.get("OptionName")): s.get("Value")
            for s in settings
            if isinstance(s, dict)
        }
        for fact, ns, option, numeric in OPTIONS:
            raw = values.get((ns, option))
            obs.add(fact, f"OptionSettings[{ns}].{option}", _value(raw, numeric), raw)
        return obs
