"""CodeDeploy levels through the real client and botocore's Stubber (which checks
requests and responses against the service model). moto 5.2 lacks
BatchGetDeploymentGroups and GetDeploymentConfig, hence the Stubber.

Level 5 needs, on every platform, an automatic shift, DEPLOYMENT_STOP_ON_ALARM
rollback with an enabled alarm, and a window in which the alarm can act (canary
or linear steps, or a blue/green termination wait with TERMINATE)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from providers.aws.codedeploy import CodeDeployReader
from scanner.classify import classify
from scanner.model import Observation, ScopeError
from tests.aws.conftest import ACCOUNT, REGION

ALL_AT_ONCE = {"minimumHealthyHosts": {"type": "HOST_COUNT", "value": 0}}
ONE_AT_A_TIME = {"minimumHealthyHosts": {"type": "MOST_CONCURRENCY", "value": 1}}
HALF = {"minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50}}
CANARY = {
    "trafficRoutingConfig": {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    }
}
LINEAR = {
    "trafficRoutingConfig": {
        "type": "TimeBasedLinear",
        "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1},
    }
}
SHIFT_ALL = {"trafficRoutingConfig": {"type": "AllAtOnce"}}
ALARMS = {
    "autoRollbackConfiguration": {
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    },
    "alarmConfiguration": {"enabled": True, "alarms": [{"name": "api-5xx"}]},
}
BG_CONTINUE = {
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE"},
    },
}


def bg_continue(action="TERMINATE", wait=None):
    """A blue/green group that shifts on its own; `wait` is the termination wait."""
    terminate: dict = {"action": action}
    if wait is not None:
        terminate["terminationWaitTimeInMinutes"] = wait
    return {
        "deploymentStyle": BG_CONTINUE["deploymentStyle"],
        "blueGreenDeploymentConfiguration": {
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
            "terminateBlueInstancesOnDeploymentSuccess": terminate,
        },
    }


DEFAULT_CONFIG = "CodeDeployDefault.OneAtATime"
TERMINATE = (
    "deploymentGroupInfo.blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess"
)
BG_STOP = {
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {
        "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 60}
    },
}
IN_PLACE = {
    "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"}
}


def group(name="prod", platform="Server", config="CodeDeployDefault.AllAtOnce", **extra):
    info = {
        "applicationName": "app",
        "deploymentGroupName": name,
        "computePlatform": platform,
        "deploymentConfigName": config,
    }
    info.update(extra)
    return info


def collect(clients, groups, configs, config_error=None):
    """Run the reader over one application with the given groups; `configs`
    maps each config name (in first-use order) to its deploymentConfigInfo."""
    reader = CodeDeployReader(clients, ACCOUNT, REGION, "aws:test")
    names = [g["deploymentGroupName"] for g in groups]
    queued: set[str] = set()  # a config is expected once per scan, at first use
    with Stubber(reader.client) as stub:
        stub.add_response("list_applications", {"applications": ["app"]}, {})
        stub.add_response(
            "list_deployment_groups",
            {"applicationName": "app", "deploymentGroups": names},
            {"applicationName": "app"},
        )
        for start in range(0, len(groups), 100):
            chunk = groups[start : start + 100]
            stub.add_response(
                "batch_get_deployment_groups",
                {"deploymentGroupsInfo": chunk},
                {
                    "applicationName": "app",
                    "deploymentGroupNames": [g["deploymentGroupName"] for g in chunk],
                },
            )
            used = {g.get("deploymentConfigName", DEFAULT_CONFIG) for g in chunk}
            for name, info in configs.items():
                if name in used and name not in queued:
                    queued.add(name)
                    if config_error:
                        stub.add_client_error(
                            "get_deployment_config",
                            config_error,
                            "not authorised",
                            400,
                            expected_params={"deploymentConfigName": name},
                        )
                    else:
                        stub.add_response(
                            "get_deployment_config",
                            {"deploymentConfigInfo": {"deploymentConfigName": name, **info}},
                            {"deploymentConfigName": name},
                        )
        items = list(reader.collect({}))
        stub.assert_no_pending_responses()
    return items


def assess(clients, info, config):
    [obs] = collect(clients, [info], {info.get("deploymentConfigName", DEFAULT_CONFIG): config})
    a = classify(obs)
    assert a.basis == ("policy" if a.rule else None)  # every CodeDeploy rule rests on policy
    return a


def evidence(a):
    return {e.field: e.value for e in a.evidence}


def test_in_place_all_at_once_is_level_1(clients):
    a = assess(clients, group(**IN_PLACE), ALL_AT_ONCE)
    assert (a.level, a.rule) == (1, "AWS-CD-1-IN-PLACE-ALL-AT-ONCE")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.deploymentStyle.deploymentType"] == "IN_PLACE"
    assert ev["deploymentConfigInfo[CodeDeployDefault.AllAtOnce].minimumHealthyHosts.type"] == (
        "HOST_COUNT"
    )
    assert ev["deploymentConfigInfo[CodeDeployDefault.AllAtOnce].minimumHealthyHosts.value"] == 0
    assert a.id == f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:app/prod"
    assert any("OneAtATime" in s for s in a.next_steps)


def test_custom_config_with_zero_healthy_percent_is_level_1(clients):
    info = group(config="Custom.Zero", **IN_PLACE)
    a = assess(clients, info, {"minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 0}})
    assert (a.level, a.rule) == (1, "AWS-CD-1-IN-PLACE-ALL-AT-ONCE")


def test_one_healthy_host_just_misses_level_1(clients):
    info = group(config="Custom.One", **IN_PLACE)
    a = assess(clients, info, {"minimumHealthyHosts": {"type": "HOST_COUNT", "value": 1}})
    assert (a.level, a.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    assert evidence(a)["deploymentConfigInfo[Custom.One].minimumHealthyHosts.value"] == 1


@pytest.mark.parametrize(
    ("config", "body"),
    [
        ("CodeDeployDefault.OneAtATime", ONE_AT_A_TIME),
        ("CodeDeployDefault.HalfAtATime", HALF),
    ],
)
def test_in_place_one_or_half_at_a_time_is_level_2(clients, config, body):
    a = assess(clients, group(config=config, **IN_PLACE), body)
    assert (a.level, a.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    assert (
        evidence(a)[f"deploymentConfigInfo[{config}].minimumHealthyHosts.type"]
        == (body["minimumHealthyHosts"]["type"])
    )


def test_unset_deployment_style_counts_as_in_place(clients):
    a = assess(clients, group(config="CodeDeployDefault.HalfAtATime"), HALF)
    assert (a.level, a.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    assert evidence(a)["deploymentGroupInfo.deploymentStyle.deploymentType"] is None


def test_blue_green_waiting_for_a_person_is_level_3(clients):
    a = assess(clients, group(**BG_STOP), ALL_AT_ONCE)
    assert (a.level, a.rule) == (3, "AWS-CD-3-BLUE-GREEN-MANUAL")
    ev = evidence(a)
    assert (
        ev[
            "deploymentGroupInfo.blueGreenDeploymentConfiguration.deploymentReadyOption"
            ".actionOnTimeout"
        ]
        == "STOP_DEPLOYMENT"
    )
    assert (
        ev[
            "deploymentGroupInfo.blueGreenDeploymentConfiguration.deploymentReadyOption"
            ".waitTimeInMinutes"
        ]
        == 60
    )


def test_blue_green_waiting_for_a_person_stays_3_even_with_alarms(clients):
    a = assess(clients, group(**BG_STOP, **ALARMS), ALL_AT_ONCE)
    assert (a.level, a.rule) == (3, "AWS-CD-3-BLUE-GREEN-MANUAL")


def test_blue_green_continuing_on_its_own_is_level_4(clients):
    a = assess(clients, group(**BG_CONTINUE), ALL_AT_ONCE)
    assert (a.level, a.rule) == (4, "AWS-CD-4-BLUE-GREEN-AUTO-SHIFT")
    assert evidence(a)[f"{TERMINATE}.action"] == "TERMINATE"


ECS_SHIFTS = [
    ("CodeDeployDefault.ECSCanary10Percent5Minutes", CANARY),
    ("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", LINEAR),
    (
        "Custom.ECSCanary25Percent15Minutes",
        {
            "computePlatform": "ECS",
            "trafficRoutingConfig": {
                "type": "TimeBasedCanary",
                "timeBasedCanary": {"canaryPercentage": 25, "canaryInterval": 15},
            },
        },
    ),
]
LAMBDA_SHIFTS = [
    ("CodeDeployDefault.LambdaCanary10Percent5Minutes", CANARY),
    ("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", LINEAR),
]
SHIFTS = [("Lambda", c, b) for c, b in LAMBDA_SHIFTS] + [("ECS", c, b) for c, b in ECS_SHIFTS]


@pytest.mark.parametrize(("platform", "config", "body"), SHIFTS)
def test_canary_or_linear_without_alarms_is_level_4_on_lambda_and_ecs(
    clients, platform, config, body
):
    info = group(platform=platform, config=config, **BG_CONTINUE)
    a = assess(clients, info, body)
    assert (a.level, a.rule, a.basis) == (4, "AWS-CD-4-SHIFT", "policy")
    assert (
        evidence(a)[f"deploymentConfigInfo[{config}].trafficRoutingConfig.type"]
        == body["trafficRoutingConfig"]["type"]
    )


@pytest.mark.parametrize(("platform", "config", "body"), SHIFTS)
def test_canary_or_linear_with_alarm_rollback_is_level_5_on_lambda_and_ecs(
    clients, platform, config, body
):
    # KEEP_ALIVE does not matter here: the steps themselves are the window.
    info = group(platform=platform, config=config, **bg_continue("KEEP_ALIVE"), **ALARMS)
    a = assess(clients, info, body)
    assert (a.level, a.rule, a.basis) == (5, "AWS-CD-5-SHIFT-ALARM-ROLLBACK", "policy")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.autoRollbackConfiguration.events"] == [
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
    ]
    assert ev["deploymentGroupInfo.alarmConfiguration.enabled"] is True
    assert ev["deploymentGroupInfo.alarmConfiguration.alarms[].name"] == ["api-5xx"]


def test_ecs_canary_waiting_for_a_person_just_misses_the_shift_rules(clients):
    info = group(
        platform="ECS", config="CodeDeployDefault.ECSCanary10Percent5Minutes", **BG_STOP, **ALARMS
    )
    a = assess(clients, info, CANARY)
    assert (a.level, a.rule) == (3, "AWS-CD-3-BLUE-GREEN-MANUAL")


@pytest.mark.parametrize(("platform", "config"), [("Server", "CodeDeployDefault.AllAtOnce")])
def test_blue_green_with_a_termination_wait_and_alarm_rollback_is_level_5(
    clients, platform, config
):
    info = group(platform=platform, config=config, **bg_continue("TERMINATE", 60), **ALARMS)
    a = assess(clients, info, ALL_AT_ONCE)
    assert (a.level, a.rule, a.basis) == (5, "AWS-CD-5-BLUE-GREEN-ALARM-ROLLBACK", "policy")
    ev = evidence(a)
    assert ev[f"{TERMINATE}.action"] == "TERMINATE"
    assert ev[f"{TERMINATE}.terminationWaitTimeInMinutes"] == 60


@pytest.mark.parametrize(
    ("action", "wait"),
    [("KEEP_ALIVE", None), ("KEEP_ALIVE", 60), ("TERMINATE", 0), ("TERMINATE", None)],
)
def test_blue_green_without_a_window_after_the_switch_is_level_4_even_with_alarms(
    clients, action, wait
):
    a = assess(clients, group(**bg_continue(action, wait), **ALARMS), ALL_AT_ONCE)
    assert (a.level, a.rule, a.basis) == (4, "AWS-CD-4-BLUE-GREEN-NO-WINDOW", "policy")
    ev = evidence(a)
    assert ev[f"{TERMINATE}.action"] == action
    assert ev[f"{TERMINATE}.terminationWaitTimeInMinutes"] == wait
    assert any("terminationWaitTimeInMinutes" in s for s in a.next_steps)


@pytest.mark.parametrize(
    ("wait", "level", "rule"),
    [(5, 5, "AWS-CD-5-BLUE-GREEN-ALARM-ROLLBACK"), (0, 4, "AWS-CD-4-BLUE-GREEN-NO-WINDOW")],
)
def test_ecs_all_at_once_with_alarms_needs_a_termination_wait_for_level_5(
    clients, wait, level, rule
):
    info = group(
        platform="ECS", config="CodeDeployDefault.ECSAllAtOnce", **bg_continue("TERMINATE", wait)
    )
    a = assess(clients, {**info, **ALARMS}, SHIFT_ALL)
    assert (a.level, a.rule) == (level, rule)


def test_lambda_all_at_once_with_alarms_stays_level_4(clients):
    # Like ECS all at once with no termination wait: the deployment ends at the switch.
    info = group(
        platform="Lambda", config="CodeDeployDefault.LambdaAllAtOnce", **BG_CONTINUE, **ALARMS
    )
    a = assess(clients, info, SHIFT_ALL)
    assert (a.level, a.rule, a.basis) == (4, "AWS-CD-4-LAMBDA-ALL-AT-ONCE", "policy")


@pytest.mark.parametrize(
    "broken",
    [
        {"autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}},
        {"autoRollbackConfiguration": {"enabled": False, "events": ["DEPLOYMENT_STOP_ON_ALARM"]}},
        {"alarmConfiguration": {"enabled": False, "alarms": [{"name": "api-5xx"}]}},
        {"alarmConfiguration": {"enabled": True, "alarms": []}},
    ],
)
def test_each_missing_piece_of_alarm_rollback_just_misses_level_5(clients, broken):
    info = group(**bg_continue("TERMINATE", 60), **{**ALARMS, **broken})
    a = assess(clients, info, ALL_AT_ONCE)
    assert (a.level, a.rule) == (4, "AWS-CD-4-BLUE-GREEN-AUTO-SHIFT")
    ecs = group(platform="ECS", config="CodeDeployDefault.ECSCanary10Percent5Minutes")
    a = assess(clients, {**ecs, **BG_CONTINUE, **ALARMS, **broken}, CANARY)
    assert (a.level, a.rule) == (4, "AWS-CD-4-SHIFT")


def test_ignoring_unreadable_alarms_is_shown_as_weakening_the_rollback(clients):
    alarms = {**ALARMS["alarmConfiguration"], "ignorePollAlarmFailure": True}
    info = group(**bg_continue("TERMINATE", 60), **{**ALARMS, "alarmConfiguration": alarms})
    a = assess(clients, info, ALL_AT_ONCE)
    assert (a.level, a.rule) == (5, "AWS-CD-5-BLUE-GREEN-ALARM-ROLLBACK")
    [(field, value)] = [
        (e.field, e.value) for e in a.evidence if "ignorePollAlarmFailure" in e.field
    ]
    assert value is True
    assert field == (
        "deploymentGroupInfo.alarmConfiguration.ignorePollAlarmFailure (true weakens the "
        "rollback: the deployment goes on when CloudWatch cannot report the alarms' state)"
    )


def test_alarms_that_stop_the_deployment_when_unreadable_are_shown_plainly(clients):
    alarms = {**ALARMS["alarmConfiguration"], "ignorePollAlarmFailure": False}
    info = group(**bg_continue("TERMINATE", 60), **{**ALARMS, "alarmConfiguration": alarms})
    ev = evidence(assess(clients, info, ALL_AT_ONCE))
    assert ev["deploymentGroupInfo.alarmConfiguration.ignorePollAlarmFailure"] is False
    assert not any("weakens" in field for field in ev)


# The AWS CLI reference's `get-deployment-group` example (awscli/examples/deploy/
# get-deployment-group.rst): the answer has no computePlatform and no
# deploymentStyle. Its autoScalingGroups, printed there as names, are given in
# the service model's shape ({"name": ...}) so the Stubber accepts them.
CLI_GET_DEPLOYMENT_GROUP = {
    "applicationName": "WordPress_App",
    "autoScalingGroups": [{"name": "CodeDeployDemo-ASG"}],
    "deploymentConfigName": "CodeDeployDefault.OneAtATime",
    "ec2TagFilters": [{"Type": "KEY_AND_VALUE", "Value": "CodeDeployDemo", "Key": "Name"}],
    "deploymentGroupId": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
    "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployDemoRole",
    "deploymentGroupName": "WordPress_DG",
}


def test_cli_example_without_compute_platform_is_server_and_level_2(clients):
    a = assess(clients, dict(CLI_GET_DEPLOYMENT_GROUP), ONE_AT_A_TIME)
    assert (a.level, a.rule, a.basis) == (2, "AWS-CD-2-IN-PLACE-ROLLING", "policy")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.computePlatform (default)"] == "Server"
    assert "deploymentGroupInfo.computePlatform" not in ev
    assert ev["deploymentGroupInfo.deploymentConfigName"] == "CodeDeployDefault.OneAtATime"
    assert a.id.endswith(":deploymentgroup:app/WordPress_DG")


def test_cli_example_with_another_platform_just_misses_the_server_rules(clients):
    info = {**CLI_GET_DEPLOYMENT_GROUP, "computePlatform": "Lambda"}
    a = assess(clients, info, ONE_AT_A_TIME)
    assert a.level is None and a.rule is None and a.basis is None
    assert evidence(a)["deploymentGroupInfo.computePlatform"] == "Lambda"


def test_a_group_without_a_deployment_config_uses_one_at_a_time(clients):
    info = {k: v for k, v in CLI_GET_DEPLOYMENT_GROUP.items() if k != "deploymentConfigName"}
    a = assess(clients, info, ONE_AT_A_TIME)  # GetDeploymentConfig is asked for OneAtATime
    assert (a.level, a.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.deploymentConfigName (default)"] == DEFAULT_CONFIG
    assert ev[f"deploymentConfigInfo[{DEFAULT_CONFIG}].minimumHealthyHosts.type"] == (
        "MOST_CONCURRENCY"
    )


# The AWS CLI reference's `batch-get-deployment-groups` example
# (awscli/examples/deploy/batch-get-deployment-groups.rst): two in-place groups
# that name computePlatform Server and CodeDeployDefault.AllAtOnce.
CLI_BATCH_GROUP = {
    "deploymentStyle": {
        "deploymentOption": "WITHOUT_TRAFFIC_CONTROL",
        "deploymentType": "IN_PLACE",
    },
    "autoRollbackConfiguration": {"enabled": False},
    "onPremisesTagSet": {"onPremisesTagSetList": []},
    "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployServiceRole",
    "autoScalingGroups": [],
    "deploymentGroupName": "my-deployment-group-2",
    "ec2TagSet": {
        "ec2TagSetList": [[{"Type": "KEY_AND_VALUE", "Value": "my-EC2-instance", "Key": "Name"}]]
    },
    "deploymentGroupId": "a1b2c3d4-5678-90ab-cdef-22222example",
    "triggerConfigurations": [],
    "applicationName": "my-codedeploy-application",
    "computePlatform": "Server",
    "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
}


def test_cli_batch_example_names_its_platform_and_is_level_1(clients):
    a = assess(clients, dict(CLI_BATCH_GROUP), ALL_AT_ONCE)
    assert (a.level, a.rule, a.basis) == (1, "AWS-CD-1-IN-PLACE-ALL-AT-ONCE", "policy")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.computePlatform"] == "Server"
    assert not any(field.endswith("(default)") for field in ev)


def test_unreadable_deployment_config_means_not_assessed(clients):
    info = group(**IN_PLACE)
    [obs] = collect(
        clients,
        [info],
        {"CodeDeployDefault.AllAtOnce": ALL_AT_ONCE},
        config_error="AccessDeniedException",
    )
    a = classify(obs)
    assert a.level is None and a.status == "not_assessed"
    assert "minimumHealthyHosts" in a.reason
    assert "AccessDeniedException on GetDeploymentConfig" in a.reason


def test_unreadable_config_does_not_matter_when_a_person_holds_the_switch(clients):
    [obs] = collect(
        clients,
        [group(**BG_STOP)],
        {"CodeDeployDefault.AllAtOnce": ALL_AT_ONCE},
        config_error="AccessDeniedException",
    )
    assert classify(obs).level == 3


def test_each_config_is_read_once_and_groups_are_batched_by_100(clients):
    groups = [group(name=f"g{i:03}", **IN_PLACE) for i in range(150)]
    items = collect(clients, groups, {"CodeDeployDefault.AllAtOnce": ALL_AT_ONCE})
    assert len(items) == 150 and all(isinstance(i, Observation) for i in items)
    assert {classify(i).level for i in items} == {1}


def test_batch_error_message_is_a_scope_error_and_found_groups_are_kept(clients):
    reader = CodeDeployReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("list_applications", {"applications": ["app"]}, {})
        stub.add_response(
            "list_deployment_groups",
            {"deploymentGroups": ["a", "gone"]},
            {"applicationName": "app"},
        )
        stub.add_response(
            "batch_get_deployment_groups",
            {
                "deploymentGroupsInfo": [group(name="a", **IN_PLACE)],
                "errorMessage": "gone: deployment group not found",
            },
            {"applicationName": "app", "deploymentGroupNames": ["a", "gone"]},
        )
        stub.add_response(
            "get_deployment_config",
            {"deploymentConfigInfo": ALL_AT_ONCE},
            {"deploymentConfigName": "CodeDeployDefault.AllAtOnce"},
        )
        items = list(reader.collect({}))
    errors = [i for i in items if isinstance(i, ScopeError)]
    assert [e.message for e in errors] == ["gone: deployment group not found"]
    assert [i.name for i in items if isinstance(i, Observation)] == ["app/a"]


def test_access_denied_on_one_application_keeps_the_others(clients):
    reader = CodeDeployReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("list_applications", {"applications": ["locked", "open"]}, {})
        stub.add_client_error(
            "list_deployment_groups",
            "AccessDeniedException",
            "no",
            400,
            expected_params={"applicationName": "locked"},
        )
        stub.add_response(
            "list_deployment_groups", {"deploymentGroups": ["a"]}, {"applicationName": "open"}
        )
        stub.add_response(
            "batch_get_deployment_groups",
            {"deploymentGroupsInfo": [group(name="a", **IN_PLACE)]},
            {"applicationName": "open", "deploymentGroupNames": ["a"]},
        )
        stub.add_response(
            "get_deployment_config",
            {"deploymentConfigInfo": HALF},
            {"deploymentConfigName": "CodeDeployDefault.AllAtOnce"},
        )
        items = list(reader.collect({}))
    [error] = [i for i in items if isinstance(i, ScopeError)]
    assert error.service == "codedeploy application locked"
    assert error.message.startswith("AccessDeniedException on ListDeploymentGroups")
    assert [classify(i).level for i in items if isinstance(i, Observation)] == [2]


def test_an_ecs_group_names_the_services_it_releases_in_its_evidence(clients):
    # The ECS service's own unit (CODE_DEPLOY controller) is not assessed and
    # points here: AWS-ECS-NA-CODE-DEPLOY in mappings/aws_ecs.yaml.
    info = group(
        platform="ECS",
        config="CodeDeployDefault.ECSCanary10Percent5Minutes",
        ecsServices=[{"serviceName": "payments-api", "clusterName": "dds-prod"}],
        **bg_continue(),
        **ALARMS,
    )
    a = assess(clients, info, CANARY)
    assert a.level == 5
    assert evidence(a)["deploymentGroupInfo.ecsServices (clusterName/serviceName)"] == [
        "dds-prod/payments-api"
    ]
