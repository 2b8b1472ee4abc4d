"""Elastic Beanstalk levels through the real client and botocore's Stubber
(moto 5.2 lacks DescribeConfigurationSettings)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from providers.aws.beanstalk import BeanstalkReader
from scanner.classify import classify
from tests.aws.conftest import ACCOUNT, REGION

ARN = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/portal/portal-prod"
COMMAND = "aws:elasticbeanstalk:command"


def env(status="Ready"):
    return {
        "EnvironmentName": "portal-prod",
        "ApplicationName": "portal",
        "EnvironmentArn": ARN,
        "Status": status,
        "Tier": {"Name": "WebServer", "Type": "Standard", "Version": "1.0"},
    }


def settings(options):
    return {
        "ConfigurationSettings": [
            {
                "ApplicationName": "portal",
                "EnvironmentName": "portal-prod",
                "OptionSettings": [
                    {"Namespace": ns, "OptionName": k, "Value": v}
                    for ns, opts in options.items()
                    for k, v in opts.items()
                ],
            }
        ]
    }


def assess(clients, options, tags=None):
    reader = BeanstalkReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "describe_environments", {"Environments": [env()]}, {"IncludeDeleted": False}
        )
        stub.add_response(
            "describe_configuration_settings",
            settings(options),
            {"ApplicationName": "portal", "EnvironmentName": "portal-prod"},
        )
        [obs] = list(reader.collect({ARN: tags or {}}))
        stub.assert_no_pending_responses()
    return classify(obs)


def evidence(a):
    return {e.field: e.value for e in a.evidence}


POLICY = f"OptionSettings[{COMMAND}].DeploymentPolicy"


@pytest.mark.parametrize(
    ("policy", "level", "rule"),
    [
        ("AllAtOnce", 1, "AWS-EB-1-ALL-AT-ONCE"),
        ("Rolling", 2, "AWS-EB-2-ROLLING"),
        ("RollingWithAdditionalBatch", 2, "AWS-EB-2-ROLLING"),
        ("Immutable", 4, "AWS-EB-4-IMMUTABLE"),
        ("TrafficSplitting", 5, "AWS-EB-5-TRAFFIC-SPLITTING"),
    ],
)
def test_deployment_policy_decides_the_level(clients, policy, level, rule):
    a = assess(clients, {COMMAND: {"DeploymentPolicy": policy}}, tags={"service": "portal"})
    assert (a.level, a.rule) == (level, rule)
    assert evidence(a)[POLICY] == policy
    assert a.id == ARN and a.name == "portal/portal-prod" and a.tags == {"service": "portal"}


@pytest.mark.parametrize("policy", ["rolling", "Blue/Green", ""])
def test_a_policy_relscan_does_not_know_just_misses_every_rule(clients, policy):
    a = assess(clients, {COMMAND: {"DeploymentPolicy": policy}})
    assert a.level is None and a.status == "not_assessed"
    assert "DeploymentPolicy" in a.reason


def test_rolling_reports_batch_size_and_the_managed_update_window(clients):
    a = assess(
        clients,
        {
            COMMAND: {
                "DeploymentPolicy": "Rolling",
                "BatchSizeType": "Percentage",
                "BatchSize": "30",
            },
            "aws:elasticbeanstalk:managedactions": {
                "ManagedActionsEnabled": "true",
                "PreferredStartTime": "Sun:02:00",
            },
        },
    )
    ev = evidence(a)
    assert (a.level, ev[f"OptionSettings[{COMMAND}].BatchSize"]) == (2, 30)
    assert ev[f"OptionSettings[{COMMAND}].BatchSizeType"] == "Percentage"
    assert ev["OptionSettings[aws:elasticbeanstalk:managedactions].PreferredStartTime"] == (
        "Sun:02:00"
    )
    assert ev["OptionSettings[aws:elasticbeanstalk:managedactions].ManagedActionsEnabled"] is True


def test_traffic_splitting_reports_its_share_and_evaluation_time(clients):
    a = assess(
        clients,
        {
            COMMAND: {"DeploymentPolicy": "TrafficSplitting"},
            "aws:elasticbeanstalk:trafficsplitting": {
                "NewVersionPercent": "15",
                "EvaluationTime": "10",
            },
        },
    )
    ev = evidence(a)
    assert a.level == 5
    assert ev["OptionSettings[aws:elasticbeanstalk:trafficsplitting].NewVersionPercent"] == 15


def test_unreadable_settings_mean_not_assessed_with_the_cause(clients):
    reader = BeanstalkReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "describe_environments", {"Environments": [env()]}, {"IncludeDeleted": False}
        )
        stub.add_client_error(
            "describe_configuration_settings", "AccessDenied", "User is not authorized", 403
        )
        [obs] = list(reader.collect({}))
    a = classify(obs)
    assert a.level is None
    assert "AccessDenied on DescribeConfigurationSettings: User is not authorized" in a.reason


def test_terminated_environments_are_skipped(clients):
    reader = BeanstalkReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "describe_environments",
            {"Environments": [env("Terminated")]},
            {"IncludeDeleted": False},
        )
        assert list(reader.collect({})) == []
