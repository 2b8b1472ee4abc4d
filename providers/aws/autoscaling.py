"""EC2 Auto Scaling: every group, judged by its latest instance refresh.

What releases a plain Auto Scaling group is an instance refresh onto a new
launch template version, so the facts are the latest refresh's preferences
(DescribeInstanceRefreshes keeps six weeks of them, newest first), with the
group's size and its instance maintenance policy, which supplies the
refresh's healthy percentages when the refresh leaves them unset
(RefreshPreferences, EC2 Auto Scaling API reference:
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).

Tags come inline in DescribeAutoScalingGroups: the Resource Groups Tagging
API's GetResources does not support Auto Scaling groups
(https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html),
so the kind declares no tagging type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

# --history: the unit's release records (autoscaling_history.py)
from providers.aws.autoscaling_history import HISTORY_SOURCE as HISTORY_SOURCE  # noqa: F401
from providers.aws.autoscaling_history import history as history  # noqa: F401
from providers.aws.defaults import DEFAULT_NOTE
from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.facts import dig, plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

# DescribeAutoScalingGroups: "The default value is 50 and the maximum value is 100."
GROUP_PAGE = 100
# DescribeInstanceRefreshes answers newest first: one record is the latest refresh.
LATEST = 1

# Documented defaults (API_RefreshPreferences, API_InstanceRefresh).
DEFAULT_MIN_HEALTHY = 90
DEFAULT_CHECKPOINT_DELAY = 3600  # "defaults to 3600 (1 hour)" when CheckpointPercentages is set
DEFAULT_STRATEGY = "Rolling"

# The tag Elastic Beanstalk puts on the groups it creates.
BEANSTALK_TAG = "elasticbeanstalk:environment-name"
# The tags EKS puts on a managed node group's Auto Scaling group, and ECS on a
# capacity provider's (docs/aws.md, "Linked, not counted twice").
EKS_TAG = "eks:nodegroup-name"
ECS_TAG = "AmazonECSManaged"

REFRESH = "InstanceRefresh"
PREFS = f"{REFRESH}.Preferences"
POLICY = "AutoScalingGroup.InstanceMaintenancePolicy"

KIND = aws_kind(
    name="aws.autoscaling.group",
    title="EC2 Auto Scaling group",
    service="autoscaling",
    resource_prefix="autoScalingGroup:",
    names="ID:autoScalingGroupName/GROUP",
    tagging_type="",
    facts=facts(
        ("desired_capacity", "AutoScalingGroup.DesiredCapacity"),
        ("maintenance_min_healthy_percentage", f"{POLICY}.MinHealthyPercentage"),
        ("maintenance_max_healthy_percentage", f"{POLICY}.MaxHealthyPercentage"),
        ("beanstalk_environment", f"AutoScalingGroup.Tags[{BEANSTALK_TAG}]"),
        ("eks_nodegroup", f"AutoScalingGroup.Tags[{EKS_TAG}]"),
        ("ecs_managed", f"AutoScalingGroup.Tags[{ECS_TAG}]"),
        ("refresh_id", f"{REFRESH}.InstanceRefreshId"),
        ("refresh_status", f"{REFRESH}.Status"),
        ("refresh_start_time", f"{REFRESH}.StartTime"),
        ("refresh_strategy", f"{REFRESH}.Strategy"),
        ("min_healthy_percentage", f"{PREFS}.MinHealthyPercentage"),
        ("max_healthy_percentage", f"{PREFS}.MaxHealthyPercentage"),
        ("checkpoint_percentages", f"{PREFS}.CheckpointPercentages"),
        ("first_checkpoint_percentage", f"{PREFS}.CheckpointPercentages[0]"),
        ("last_checkpoint_percentage", f"{PREFS}.CheckpointPercentages[-1]"),
        ("checkpoint_delay_seconds", f"{PREFS}.CheckpointDelay"),
        ("bake_time_seconds", f"{PREFS}.BakeTime"),
        ("auto_rollback", f"{PREFS}.AutoRollback"),
        ("alarm_names", f"{PREFS}.AlarmSpecification.Alarms"),
        ("skip_matching", f"{PREFS}.SkipMatching"),
        (
            "desired_launch_template_version",
            f"{REFRESH}.DesiredConfiguration.LaunchTemplate.Version",
        ),
    ),
    reads=(
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeInstanceRefreshes",
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every Auto Scaling group of the scope, each with its latest refresh."""

    def read() -> Iterator[Observation | ScopeError]:
        return AutoScalingReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The group an ARN names (NotFoundError when there is none, or when a group
    of that name exists under another id: it was deleted and made again)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = AutoScalingReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(arn.name, resource_id)


def _int_or_none(value: Any) -> int | None:
    """An instance maintenance policy percentage; -1 means "cleared"
    (API_InstanceMaintenancePolicy)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _template_version(desired: Any) -> tuple[str, Any]:
    """(field, version) of the refresh's desired launch template, plain or in a
    mixed instances policy; version None when there is no desired configuration."""
    base = f"{REFRESH}.DesiredConfiguration"
    if not isinstance(desired, dict):
        return f"{base}.LaunchTemplate.Version", None
    if isinstance(desired.get("LaunchTemplate"), dict):
        return f"{base}.LaunchTemplate.Version", desired["LaunchTemplate"].get("Version")
    mixed = dig(desired, "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification")
    field = f"{base}.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version"
    return field, (mixed or {}).get("Version") if isinstance(mixed, dict) else None


class AutoScalingReader:
    """Reads one account and region: the groups a page of 100 at a time, then
    each group's latest refresh (one DescribeInstanceRefreshes per group: the
    call takes one group name), side by side."""

    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("autoscaling", region)
        self.account = account
        self.region = region
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        pages = self.client.get_paginator("describe_auto_scaling_groups").paginate(
            IncludeInstances=False, PaginationConfig={"PageSize": GROUP_PAGE}
        )
        groups = (g for page in pages for g in page.get("AutoScalingGroups") or [])
        yield from fan_out(groups, self._one)

    def _one(self, group: dict[str, Any]) -> Observation | ScopeError:
        name, arn = group.get("AutoScalingGroupName"), group.get("AutoScalingGroupARN")
        if not (isinstance(name, str) and name and isinstance(arn, str) and arn):
            return ScopeError(
                "aws",
                self.scope,
                "autoscaling",
                "DescribeAutoScalingGroups answered a group without AutoScalingGroupName or "
                "AutoScalingGroupARN; it was skipped",
            )
        return self.observe(group)

    def get(self, name: str, arn: str) -> Observation:
        groups = (
            self.client.describe_auto_scaling_groups(
                AutoScalingGroupNames=[name], IncludeInstances=False
            ).get("AutoScalingGroups")
            or []
        )
        found = [g for g in groups if isinstance(g, dict) and g.get("AutoScalingGroupARN") == arn]
        if not found:
            raise NotFoundError(f"no such EC2 Auto Scaling group: {arn}")
        return self.observe(found[0])

    def observe(self, group: dict[str, Any]) -> Observation:
        from providers.aws.run import tag_dict

        tags = tag_dict(group)
        obs = Observation(
            id=group["AutoScalingGroupARN"],
            provider="aws",
            kind=KIND.name,
            name=group["AutoScalingGroupName"],
            account=self.account,
            location=self.region,
            tags=tags,
        )
        obs.add(
            "desired_capacity",
            "AutoScalingGroup.DesiredCapacity",
            plain(group.get("DesiredCapacity")),
        )
        policy = group.get("InstanceMaintenancePolicy") or {}
        policy_min = _int_or_none(policy.get("MinHealthyPercentage"))
        policy_max = _int_or_none(policy.get("MaxHealthyPercentage"))
        obs.add("maintenance_min_healthy_percentage", f"{POLICY}.MinHealthyPercentage", policy_min)
        obs.add("maintenance_max_healthy_percentage", f"{POLICY}.MaxHealthyPercentage", policy_max)
        obs.add(
            "beanstalk_environment",
            f"AutoScalingGroup.Tags[{BEANSTALK_TAG}]",
            tags.get(BEANSTALK_TAG),
        )
        obs.add("eks_nodegroup", f"AutoScalingGroup.Tags[{EKS_TAG}]", tags.get(EKS_TAG))
        # ECS may set the tag with an empty value: its presence is the marker
        obs.add("ecs_managed", f"AutoScalingGroup.Tags[{ECS_TAG}] (tag present)", ECS_TAG in tags)
        self._refresh_facts(obs, group["AutoScalingGroupName"], policy_min, policy_max)
        return obs

    def _refresh_facts(
        self, obs: Observation, name: str, policy_min: int | None, policy_max: int | None
    ) -> None:
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            resp = self.client.describe_instance_refreshes(
                AutoScalingGroupName=name, MaxRecords=LATEST
            )
        except AWS_ERRORS as exc:
            reason = describe(exc)
            for spec in KIND.facts:
                if spec.name not in obs.facts:
                    obs.unknown(spec.name, spec.field, reason)
            return
        refreshes = [r for r in resp.get("InstanceRefreshes") or [] if isinstance(r, dict)]
        latest = refreshes[0] if refreshes else None
        if latest is None:
            # No refresh in the six weeks AWS keeps: every refresh fact is absent (None).
            for spec in KIND.facts:
                if spec.name not in obs.facts:
                    obs.add(spec.name, spec.field, None)
            return
        prefs = latest.get("Preferences") or {}
        obs.add(
            "refresh_id", f"{REFRESH}.InstanceRefreshId", plain(latest.get("InstanceRefreshId"))
        )
        obs.add("refresh_status", f"{REFRESH}.Status", plain(latest.get("Status")))
        start = latest.get("StartTime")
        obs.add(
            "refresh_start_time",
            f"{REFRESH}.StartTime",
            start.isoformat() if hasattr(start, "isoformat") else plain(start),
        )
        strategy = latest.get("Strategy")
        if strategy is None:
            obs.add("refresh_strategy", f"{REFRESH}.Strategy{DEFAULT_NOTE}", DEFAULT_STRATEGY)
        else:
            obs.add("refresh_strategy", f"{REFRESH}.Strategy", plain(strategy))
        self._healthy(obs, prefs, policy_min, policy_max)
        self._checkpoints(obs, prefs)
        obs.add("bake_time_seconds", f"{PREFS}.BakeTime", plain(prefs.get("BakeTime")))
        rollback = prefs.get("AutoRollback")
        if rollback is None:
            obs.add("auto_rollback", f"{PREFS}.AutoRollback{DEFAULT_NOTE}", False)
        else:
            obs.add("auto_rollback", f"{PREFS}.AutoRollback", plain(rollback))
        alarms = dig(prefs, "AlarmSpecification.Alarms")
        obs.add(
            "alarm_names", f"{PREFS}.AlarmSpecification.Alarms", plain(alarms) if alarms else []
        )
        skip = prefs.get("SkipMatching")
        if skip is None:
            obs.add("skip_matching", f"{PREFS}.SkipMatching{DEFAULT_NOTE}", False)
        else:
            obs.add("skip_matching", f"{PREFS}.SkipMatching", plain(skip))
        field, version = _template_version(latest.get("DesiredConfiguration"))
        obs.add("desired_launch_template_version", field, plain(version))

    @staticmethod
    def _healthy(
        obs: Observation, prefs: dict[str, Any], policy_min: int | None, policy_max: int | None
    ) -> None:
        """Min and max healthy percentages: the refresh's own, else the group's
        instance maintenance policy's ("or the percentage set in the instance
        maintenance policy ... if defined"), else (min) the documented 90.
        An unset maximum stays None: AWS documents that omitting it differs
        from setting it to 100."""
        field = f"{PREFS}.MinHealthyPercentage"
        if prefs.get("MinHealthyPercentage") is not None:
            obs.add("min_healthy_percentage", field, plain(prefs["MinHealthyPercentage"]))
        elif policy_min is not None:
            obs.add("min_healthy_percentage", f"{field} (from {POLICY})", policy_min)
        else:
            obs.add("min_healthy_percentage", f"{field}{DEFAULT_NOTE}", DEFAULT_MIN_HEALTHY)
        field = f"{PREFS}.MaxHealthyPercentage"
        if prefs.get("MaxHealthyPercentage") is not None:
            obs.add("max_healthy_percentage", field, plain(prefs["MaxHealthyPercentage"]))
        elif policy_max is not None:
            obs.add("max_healthy_percentage", f"{field} (from {POLICY})", policy_max)
        else:
            obs.add("max_healthy_percentage", field, None)

    @staticmethod
    def _checkpoints(obs: Observation, prefs: dict[str, Any]) -> None:
        field = f"{PREFS}.CheckpointPercentages"
        points = prefs.get("CheckpointPercentages") or []
        usable = [p for p in points if isinstance(p, int) and not isinstance(p, bool)]
        obs.add("checkpoint_percentages", field, ", ".join(str(p) for p in points) or None, points)
        if len(usable) != len(points):
            why = f"{field} holds a value that is not a whole percentage"
            obs.unknown("first_checkpoint_percentage", f"{field}[0]", why)
            obs.unknown("last_checkpoint_percentage", f"{field}[-1]", why)
        else:
            obs.add("first_checkpoint_percentage", f"{field}[0]", min(usable) if usable else None)
            obs.add("last_checkpoint_percentage", f"{field}[-1]", usable[-1] if usable else None)
        delay = prefs.get("CheckpointDelay")
        field = f"{PREFS}.CheckpointDelay"
        if delay is None and usable:
            obs.add("checkpoint_delay_seconds", f"{field}{DEFAULT_NOTE}", DEFAULT_CHECKPOINT_DELAY)
        else:
            obs.add("checkpoint_delay_seconds", field, plain(delay))
