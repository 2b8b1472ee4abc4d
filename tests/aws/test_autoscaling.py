"""EC2 Auto Scaling groups: each rule reached and just missed, through real
boto3 clients against the loopback emulator (moto 5.2 has no instance
refreshes). Fixtures start from AWS's published examples where they exist:
botocore's autoscaling examples-1.json (DescribeInstanceRefreshes,
"to-list-instance-refreshes-1592959593746") and the AWS CLI reference's
describe-instance-refreshes example (CheckpointPercentages [50],
CheckpointDelay 3600, AutoRollback true, no alarms)."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest

from providers.aws.autoscaling import KIND, AutoScalingReader
from providers.aws.clients import AwsClients
from providers.aws.context import AwsContext
from scanner.classify import classify
from scanner.errors import NotFoundError
from tests.aws.conftest import REGION
from tests.aws.inproc import emulated

ACCOUNT = "123456789012"

# botocore examples-1.json, DescribeInstanceRefreshes, the newest refresh's Preferences.
BOTOCORE_EXAMPLE = {
    "AlarmSpecification": {"Alarms": ["my-alarm"]},
    "AutoRollback": True,
    "InstanceWarmup": 200,
    "MinHealthyPercentage": 90,
    "ScaleInProtectedInstances": "Ignore",
    "SkipMatching": False,
    "StandbyInstances": "Ignore",
}
# AWS CLI reference, describe-instance-refreshes example (InProgress refresh).
CLI_EXAMPLE = {
    "MinHealthyPercentage": 100,
    "InstanceWarmup": 300,
    "CheckpointPercentages": [50],
    "CheckpointDelay": 3600,
    "SkipMatching": False,
    "AutoRollback": True,
    "ScaleInProtectedInstances": "Ignore",
    "StandbyInstances": "Ignore",
}
NUMBERED = {"LaunchTemplate": {"LaunchTemplateName": "web", "Version": "7"}}
# The level-5 shape: the CLI example ending at 100, with the botocore example's alarm.
LEVEL5 = {
    **CLI_EXAMPLE,
    "CheckpointPercentages": [20, 100],
    "AlarmSpecification": {"Alarms": ["my-alarm"]},
}


def group(name="web", desired=4, refreshes=None, **extra: Any) -> dict[str, Any]:
    return {"region": REGION, "name": name, "desired": desired, "refreshes": refreshes, **extra}


def refresh(prefs: dict[str, Any], desired_config: dict[str, Any] | None = None, **extra):
    out: dict[str, Any] = {"Preferences": prefs, **extra}
    if desired_config is not None:
        out["DesiredConfiguration"] = desired_config
    return out


def read(*groups: dict[str, Any]):
    estate = {"account": ACCOUNT, "regions": [REGION], "autoscaling": list(groups)}
    with emulated(estate) as (_, app):
        clients = AwsClients(boto3.Session(region_name=REGION))
        found = list(AutoScalingReader(clients, ACCOUNT, REGION, "aws:test").collect())
    return found, app


def assess(prefs, desired=4, desired_config=NUMBERED, **kw):
    [obs], _ = read(group(desired=desired, refreshes=[refresh(prefs, desired_config)], **kw))
    return obs, classify(obs)


def evidence(a) -> dict[str, Any]:
    return {e.field: e.value for e in a.evidence}


# -- not assessed -------------------------------------------------------------
def test_no_refresh_on_record_is_not_assessed():
    [obs], _ = read(group(refreshes=[]))
    a = classify(obs)
    assert a.level is None and a.rule == "AWS-ASG-NA-NO-REFRESH"
    assert "no instance refresh on record" in a.reason


def test_a_refresh_on_record_misses_the_no_refresh_rule():
    _, a = assess(BOTOCORE_EXAMPLE)
    assert a.rule != "AWS-ASG-NA-NO-REFRESH"


def test_replace_root_volume_is_not_assessed_and_rolling_misses_it():
    [obs], _ = read(group(refreshes=[refresh(LEVEL5, NUMBERED, Strategy="ReplaceRootVolume")]))
    a = classify(obs)
    assert a.level is None and a.rule == "AWS-ASG-NA-ROOT-VOLUME"
    [obs], _ = read(group(refreshes=[refresh(LEVEL5, NUMBERED, Strategy="Rolling")]))
    assert classify(obs).rule == "AWS-ASG-5-CHECKPOINTS-ALARM-ROLLBACK"


# -- level 1 ------------------------------------------------------------------
def test_min_healthy_zero_is_level_1():
    _, a = assess({**BOTOCORE_EXAMPLE, "MinHealthyPercentage": 0})
    assert (a.level, a.rule) == (1, "AWS-ASG-1-MIN-HEALTHY-ZERO")
    assert evidence(a)["InstanceRefresh.Preferences.MinHealthyPercentage"] == 0


def test_min_healthy_one_misses_level_1():
    _, a = assess({**BOTOCORE_EXAMPLE, "MinHealthyPercentage": 1})
    assert (a.level, a.rule) == (2, "AWS-ASG-2-ROLLING")


def test_min_healthy_zero_from_the_maintenance_policy_is_level_1():
    prefs = {k: v for k, v in BOTOCORE_EXAMPLE.items() if k != "MinHealthyPercentage"}
    policy = {"MinHealthyPercentage": 0, "MaxHealthyPercentage": 100}
    _, a = assess(prefs, maintenance_policy=policy)
    assert (a.level, a.rule) == (1, "AWS-ASG-1-MIN-HEALTHY-ZERO")
    field = (
        "InstanceRefresh.Preferences.MinHealthyPercentage"
        " (from AutoScalingGroup.InstanceMaintenancePolicy)"
    )
    assert evidence(a)[field] == 0


def test_unset_min_healthy_defaults_to_90():
    prefs = {k: v for k, v in BOTOCORE_EXAMPLE.items() if k != "MinHealthyPercentage"}
    obs, a = assess(prefs)
    assert obs.facts["min_healthy_percentage"].value == 90
    assert obs.facts["min_healthy_percentage"].field.endswith("(default)")
    assert a.level == 2


def test_one_instance_without_max_healthy_is_level_1():
    _, a = assess(BOTOCORE_EXAMPLE, desired=1)
    assert (a.level, a.rule) == (1, "AWS-ASG-1-SINGLE-INSTANCE")


def test_one_instance_with_explicit_max_healthy_100_misses_level_1():
    # API_RefreshPreferences: "Explicitly setting MaxHealthyPercentage to 100 is
    # not equivalent to omitting it."
    _, a = assess({**BOTOCORE_EXAMPLE, "MaxHealthyPercentage": 100}, desired=1)
    assert (a.level, a.rule) == (2, "AWS-ASG-2-ROLLING")


def test_one_instance_with_policy_max_healthy_misses_level_1():
    _, a = assess(
        BOTOCORE_EXAMPLE,
        desired=1,
        maintenance_policy={"MinHealthyPercentage": 90, "MaxHealthyPercentage": 200},
    )
    assert a.rule == "AWS-ASG-2-ROLLING"


def test_two_instances_without_max_healthy_miss_level_1():
    _, a = assess(BOTOCORE_EXAMPLE, desired=2)
    assert a.rule == "AWS-ASG-2-ROLLING"


# -- level 2 ------------------------------------------------------------------
def test_botocore_example_rolling_with_alarm_rollback_is_level_2():
    # No checkpoints: alarms and AutoRollback do not lift a plain rolling refresh.
    _, a = assess(BOTOCORE_EXAMPLE)
    assert (a.level, a.rule) == (2, "AWS-ASG-2-ROLLING")
    ev = evidence(a)
    assert ev["InstanceRefresh.Preferences.AutoRollback"] is True
    assert ev["InstanceRefresh.Preferences.AlarmSpecification.Alarms"] == ["my-alarm"]


def test_checkpoint_delay_zero_is_no_pause():
    _, a = assess({**LEVEL5, "CheckpointDelay": 0})
    assert (a.level, a.rule) == (2, "AWS-ASG-2-ROLLING")


def test_bake_time_alone_does_not_lift_level_2():
    _, a = assess({**BOTOCORE_EXAMPLE, "BakeTime": 3600})
    assert a.rule == "AWS-ASG-2-ROLLING"
    assert evidence(a)["InstanceRefresh.Preferences.BakeTime"] == 3600


def test_only_a_100_checkpoint_is_no_partial_pause():
    _, a = assess({**LEVEL5, "CheckpointPercentages": [100]})
    assert a.rule == "AWS-ASG-2-ROLLING"


# -- level 4 ------------------------------------------------------------------
def test_cli_example_last_checkpoint_50_is_level_4():
    _, a = assess(CLI_EXAMPLE)
    assert (a.level, a.rule) == (4, "AWS-ASG-4-CHECKPOINTS")
    assert evidence(a)["InstanceRefresh.Preferences.CheckpointPercentages[-1]"] == 50


def test_checkpoints_without_delay_take_the_documented_hour():
    prefs = {k: v for k, v in CLI_EXAMPLE.items() if k != "CheckpointDelay"}
    obs, a = assess(prefs)
    assert obs.facts["checkpoint_delay_seconds"].value == 3600
    assert obs.facts["checkpoint_delay_seconds"].field.endswith("(default)")
    assert a.rule == "AWS-ASG-4-CHECKPOINTS"


@pytest.mark.parametrize(
    "change",
    [
        {"AutoRollback": False},
        {"AlarmSpecification": {"Alarms": []}},
        {"CheckpointPercentages": [20, 50]},
    ],
)
def test_level_5_just_missed_is_level_4(change):
    _, a = assess({**LEVEL5, **change})
    assert (a.level, a.rule) == (4, "AWS-ASG-4-CHECKPOINTS")


@pytest.mark.parametrize(
    "desired_config",
    [
        None,
        {"LaunchTemplate": {"LaunchTemplateName": "web", "Version": "$Latest"}},
        {"LaunchTemplate": {"LaunchTemplateName": "web", "Version": "$Default"}},
    ],
)
def test_rollback_without_a_numbered_version_is_level_4(desired_config):
    # API_RefreshPreferences: rollback is not supported without a desired
    # configuration or with the launch template's $Latest or $Default version.
    _, a = assess(LEVEL5, desired_config=desired_config)
    assert (a.level, a.rule) == (4, "AWS-ASG-4-CHECKPOINTS")


# -- level 5 ------------------------------------------------------------------
def test_checkpoints_alarms_and_rollback_are_level_5():
    _, a = assess(LEVEL5)
    assert (a.level, a.rule) == (5, "AWS-ASG-5-CHECKPOINTS-ALARM-ROLLBACK")
    ev = evidence(a)
    assert ev["InstanceRefresh.DesiredConfiguration.LaunchTemplate.Version"] == "7"
    assert ev["InstanceRefresh.Preferences.CheckpointPercentages[0]"] == 20


def test_mixed_instances_policy_version_counts():
    mixed = {
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": "web", "Version": "3"}
            }
        }
    }
    _, a = assess(LEVEL5, desired_config=mixed)
    assert a.level == 5


# -- reading --------------------------------------------------------------------
def test_only_the_latest_refresh_decides():
    older = refresh({**BOTOCORE_EXAMPLE, "MinHealthyPercentage": 0}, NUMBERED)
    [obs], _ = read(group(refreshes=[refresh(LEVEL5, NUMBERED), older]))
    assert classify(obs).level == 5


def test_reads_page_groups_and_ask_one_refresh_per_group():
    groups = [group(name=f"g{i}", refreshes=[refresh(LEVEL5, NUMBERED)]) for i in range(5)]
    found, app = read(*groups)
    assert sorted(o.name for o in found) == [f"g{i}" for i in range(5)]
    ops = [op for _, op, _ in app.calls]
    assert ops.count("DescribeAutoScalingGroups") == 3  # the emulator pages after 2
    assert ops.count("DescribeInstanceRefreshes") == 5


def test_tags_come_inline_and_name_the_beanstalk_environment():
    tags = {"elasticbeanstalk:environment-name": "portal-prod", "team": "web"}
    [obs], _ = read(group(refreshes=[refresh(LEVEL5, NUMBERED)], tags=tags))
    assert obs.tags == tags
    assert obs.facts["beanstalk_environment"].value == "portal-prod"


def test_get_by_arn_and_a_recreated_group_is_not_found():
    estate = {
        "account": ACCOUNT,
        "regions": [REGION],
        "autoscaling": [group(refreshes=[refresh(LEVEL5, NUMBERED)])],
    }
    with emulated(estate) as (_, app):
        arn = app._asg_arn(REGION, "web")
        clients = AwsClients(boto3.Session(region_name=REGION))
        ctx = AwsContext(clients, ACCOUNT, REGION, "aws:test")
        from providers.aws import autoscaling

        assert KIND.claims(arn)
        obs = autoscaling.get(ctx, arn)
        assert obs.id == arn and classify(obs).level == 5
        other = arn.replace(arn.split(":")[6], "00000000-0000-0000-0000-000000000000")
        with pytest.raises(NotFoundError, match="no such EC2 Auto Scaling group"):
            autoscaling.get(ctx, other)


def test_refresh_read_failure_leaves_the_group_not_assessed():
    estate = {
        "account": ACCOUNT,
        "regions": [REGION],
        "autoscaling": [group(refreshes=[refresh(LEVEL5, NUMBERED)])],
        "faults": [{"service": "autoscaling", "operation": "DescribeInstanceRefreshes"}],
    }
    with emulated(estate):
        clients = AwsClients(boto3.Session(region_name=REGION))
        [obs] = list(AutoScalingReader(clients, ACCOUNT, REGION, "aws:test").collect())
    a = classify(obs)
    assert a.level is None
    assert "not authorized" in a.reason


def test_fixture_copy_is_untouched():
    g = group(refreshes=[refresh(LEVEL5, NUMBERED)])
    before = copy.deepcopy(g)
    read(g)
    assert g == before
