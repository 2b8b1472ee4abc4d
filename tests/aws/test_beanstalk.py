"""Elastic Beanstalk levels through the real client and botocore's Stubber
(moto 5.2 lacks DescribeConfigurationSettings)."""

from __future__ import annotations

import botocore.loaders
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
ENVIRONMENT = "aws:elasticbeanstalk:environment"
SPLIT = "aws:elasticbeanstalk:trafficsplitting"

# Published option settings, from the Elastic Beanstalk developer guide's
# "Deployment policies and settings" (.ebextensions examples):
ROLLING_25 = {"DeploymentPolicy": "Rolling", "BatchSizeType": "Percentage", "BatchSize": "25"}
ADDITIONAL_BATCH_5 = {
    "DeploymentPolicy": "RollingWithAdditionalBatch",
    "BatchSizeType": "Fixed",
    "BatchSize": "5",
}
IMMUTABLE_IGNORE_HEALTH = {
    "DeploymentPolicy": "Immutable",
    "HealthCheckSuccessThreshold": "Warning",
    "IgnoreHealthCheck": "true",
    "Timeout": "900",
}


@pytest.mark.parametrize(
    ("command", "environment", "level", "rule"),
    [
        ({"DeploymentPolicy": "AllAtOnce"}, None, 1, "AWS-EB-1-ALL-AT-ONCE"),
        (ROLLING_25, None, 2, "AWS-EB-2-ROLLING"),
        (ADDITIONAL_BATCH_5, None, 2, "AWS-EB-2-ROLLING"),
        ({"DeploymentPolicy": "Immutable"}, None, 5, "AWS-EB-5-IMMUTABLE"),
        ({"DeploymentPolicy": "Immutable"}, "LoadBalanced", 5, "AWS-EB-5-IMMUTABLE"),
        (IMMUTABLE_IGNORE_HEALTH, None, 4, "AWS-EB-4-IMMUTABLE"),
        ({"DeploymentPolicy": "Immutable"}, "SingleInstance", 4, "AWS-EB-4-IMMUTABLE"),
        ({"DeploymentPolicy": "TrafficSplitting"}, None, 5, "AWS-EB-5-TRAFFIC-SPLITTING"),
        (
            {"DeploymentPolicy": "TrafficSplitting", "IgnoreHealthCheck": "false"},
            "LoadBalanced",
            5,
            "AWS-EB-5-TRAFFIC-SPLITTING",
        ),
        (
            {"DeploymentPolicy": "TrafficSplitting", "IgnoreHealthCheck": "true"},
            None,
            4,
            "AWS-EB-4-TRAFFIC-SPLITTING",
        ),
        # Rolling at the default batch (Percentage, 100) is the whole fleet at once.
        ({"DeploymentPolicy": "Rolling"}, None, 1, "AWS-EB-1-ROLLING-WHOLE-FLEET"),
        ({**ROLLING_25, "BatchSize": "100"}, None, 1, "AWS-EB-1-ROLLING-WHOLE-FLEET"),
        ({**ROLLING_25, "BatchSize": "99"}, None, 2, "AWS-EB-2-ROLLING"),
        ({**ROLLING_25, "BatchSizeType": "Fixed", "BatchSize": "100"}, None, 2, "AWS-EB-2-ROLLING"),
        # The extra batch keeps full capacity, whatever the batch size.
        ({"DeploymentPolicy": "RollingWithAdditionalBatch"}, None, 2, "AWS-EB-2-ROLLING"),
        # No rolling policy exists for a single instance: it is updated in place.
        (ROLLING_25, "SingleInstance", 1, "AWS-EB-1-SINGLE-INSTANCE"),
        (ADDITIONAL_BATCH_5, "SingleInstance", 1, "AWS-EB-1-SINGLE-INSTANCE"),
        ({"DeploymentPolicy": "AllAtOnce"}, "SingleInstance", 1, "AWS-EB-1-SINGLE-INSTANCE"),
        ({"DeploymentPolicy": "TrafficSplitting"}, "SingleInstance", None, None),
    ],
)
def test_deployment_options_decide_the_level(clients, command, environment, level, rule):
    options = {COMMAND: command}
    if environment:
        options[ENVIRONMENT] = {"EnvironmentType": environment}
    a = assess(clients, options, tags={"service": "portal"})
    if rule is None:  # a single instance cannot split traffic: not assessed, and why
        assert a.level is None and a.rule == "AWS-EB-NA-SINGLE-INSTANCE-SPLIT"
        assert a.reason.startswith("not assessed, because traffic splitting needs a load balancer")
    assert (a.level, a.rule if rule else None) == (level, rule)
    assert a.basis == "policy"
    ev = evidence(a)
    assert ev[POLICY] == command["DeploymentPolicy"]
    env_field = f"OptionSettings[{ENVIRONMENT}].EnvironmentType"
    assert ev[env_field if environment else f"{env_field} (default)"] == (
        environment or "LoadBalanced"
    )
    assert a.id == ARN and a.name == "portal/portal-prod" and a.tags == {"service": "portal"}


def test_ignored_health_checks_are_shown_as_set(clients):
    a = assess(clients, {COMMAND: IMMUTABLE_IGNORE_HEALTH})
    assert evidence(a)[f"OptionSettings[{COMMAND}].IgnoreHealthCheck"] is True


@pytest.mark.parametrize("policy", ["rolling", "Blue/Green", ""])
def test_a_policy_relscan_does_not_know_just_misses_every_rule(clients, policy):
    a = assess(clients, {COMMAND: {"DeploymentPolicy": policy}})
    assert a.level is None and a.status == "not_assessed" and a.basis is None
    assert "DeploymentPolicy" in a.reason


def test_absent_options_take_their_documented_defaults_marked_as_such(clients):
    a = assess(clients, {COMMAND: {"Timeout": "600"}})
    assert (a.level, a.rule, a.basis) == (1, "AWS-EB-1-ALL-AT-ONCE", "policy")
    ev = evidence(a)
    assert ev[f"{POLICY} (default)"] == "AllAtOnce"
    assert ev[f"OptionSettings[{COMMAND}].BatchSizeType (default)"] == "Percentage"
    assert ev[f"OptionSettings[{COMMAND}].BatchSize (default)"] == 100
    assert ev[f"OptionSettings[{COMMAND}].IgnoreHealthCheck (default)"] is False
    assert ev[f"OptionSettings[{ENVIRONMENT}].EnvironmentType (default)"] == "LoadBalanced"
    assert POLICY not in ev


def test_botocore_example_answer_has_no_deployment_options_and_is_level_1(clients):
    """botocore's own examples-1.json answer to DescribeConfigurationSettings
    (elasticbeanstalk/2010-12-01), which lists no deployment option at all."""
    examples = botocore.loaders.create_loader().load_service_model("elasticbeanstalk", "examples-1")
    [example] = examples["examples"]["DescribeConfigurationSettings"]
    assert example["input"] == {"ApplicationName": "my-app", "EnvironmentName": "my-env"}
    reader = BeanstalkReader(clients, ACCOUNT, REGION, "aws:test")
    arn = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/my-app/my-env"
    described = {
        "EnvironmentName": "my-env",
        "ApplicationName": "my-app",
        "EnvironmentArn": arn,
        "Status": "Ready",
    }
    with Stubber(reader.client) as stub:
        stub.add_response(
            "describe_environments", {"Environments": [described]}, {"IncludeDeleted": False}
        )
        stub.add_response("describe_configuration_settings", example["output"], example["input"])
        [obs] = list(reader.collect({}))
        stub.assert_no_pending_responses()
    a = classify(obs)
    assert (a.level, a.rule, a.basis) == (1, "AWS-EB-1-ALL-AT-ONCE", "policy")
    assert evidence(a)[f"{POLICY} (default)"] == "AllAtOnce"


def test_an_answer_without_configuration_settings_is_not_assessed(clients):
    reader = BeanstalkReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "describe_environments", {"Environments": [env()]}, {"IncludeDeleted": False}
        )
        stub.add_response("describe_configuration_settings", {"ConfigurationSettings": []})
        [obs] = list(reader.collect({}))
    a = classify(obs)
    assert a.level is None and a.status == "not_assessed"
    assert "DescribeConfigurationSettings answered no ConfigurationSettings" in a.reason


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
            SPLIT: {
                "NewVersionPercent": "15",
                "EvaluationTime": "10",
            },
        },
    )
    ev = evidence(a)
    assert a.level == 5
    assert ev[f"OptionSettings[{SPLIT}].NewVersionPercent"] == 15
    assert ev[f"OptionSettings[{SPLIT}].EvaluationTime"] == 10


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
