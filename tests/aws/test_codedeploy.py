"""CodeDeploy levels through the real client and botocore's Stubber (which checks
requests and responses against the service model). moto 5.2 lacks
BatchGetDeploymentGroups and GetDeploymentConfig, hence the Stubber."""

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
            for name, info in configs.items():
                if name in {g["deploymentConfigName"] for g in chunk} and name not in queued:
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
    [obs] = collect(clients, [info], {info["deploymentConfigName"]: config})
    return classify(obs)


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
    assert (
        evidence(a)[
            "deploymentGroupInfo.blueGreenDeploymentConfiguration"
            ".terminateBlueInstancesOnDeploymentSuccess.action"
        ]
        == "TERMINATE"
    )


@pytest.mark.parametrize(
    ("config", "body"),
    [
        ("CodeDeployDefault.LambdaCanary10Percent5Minutes", CANARY),
        ("CodeDeployDefault.LambdaLinear10PercentEvery1Minute", LINEAR),
    ],
)
def test_lambda_canary_or_linear_without_alarms_is_level_4(clients, config, body):
    info = group(platform="Lambda", config=config, **BG_CONTINUE)
    a = assess(clients, info, body)
    assert (a.level, a.rule) == (4, "AWS-CD-4-LAMBDA-SHIFT")
    assert (
        evidence(a)[f"deploymentConfigInfo[{config}].trafficRoutingConfig.type"]
        == (body["trafficRoutingConfig"]["type"])
    )


def test_ecs_canary_without_alarms_is_level_4(clients):
    info = group(
        platform="ECS", config="CodeDeployDefault.ECSCanary10Percent5Minutes", **BG_CONTINUE
    )
    a = assess(clients, info, CANARY)
    assert (a.level, a.rule) == (4, "AWS-CD-4-BLUE-GREEN-AUTO-SHIFT")
    assert (
        evidence(a)[
            "deploymentConfigInfo[CodeDeployDefault.ECSCanary10Percent5Minutes]"
            ".trafficRoutingConfig.timeBasedCanary.canaryPercentage"
        ]
        == 10
    )


def test_blue_green_with_alarm_rollback_is_level_5(clients):
    a = assess(
        clients,
        group(
            platform="ECS",
            config="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
            **BG_CONTINUE,
            **ALARMS,
        ),
        LINEAR,
    )
    assert (a.level, a.rule) == (5, "AWS-CD-5-BLUE-GREEN-ALARM-ROLLBACK")
    ev = evidence(a)
    assert ev["deploymentGroupInfo.autoRollbackConfiguration.events"] == [
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
    ]
    assert ev["deploymentGroupInfo.alarmConfiguration.enabled"] is True
    assert ev["deploymentGroupInfo.alarmConfiguration.alarms[].name"] == ["api-5xx"]


def test_lambda_canary_with_alarm_rollback_is_level_5(clients):
    info = group(
        platform="Lambda",
        config="CodeDeployDefault.LambdaCanary10Percent5Minutes",
        **BG_CONTINUE,
        **ALARMS,
    )
    a = assess(clients, info, CANARY)
    assert (a.level, a.rule) == (5, "AWS-CD-5-SHIFT-ALARM-ROLLBACK")


def test_lambda_all_at_once_with_alarms_stays_level_4(clients):
    info = group(
        platform="Lambda", config="CodeDeployDefault.LambdaAllAtOnce", **BG_CONTINUE, **ALARMS
    )
    a = assess(clients, info, SHIFT_ALL)
    assert (a.level, a.rule) == (4, "AWS-CD-4-LAMBDA-ALL-AT-ONCE")


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
    info = group(**BG_CONTINUE, **{**ALARMS, **broken})
    a = assess(clients, info, ALL_AT_ONCE)
    assert (a.level, a.rule) == (4, "AWS-CD-4-BLUE-GREEN-AUTO-SHIFT")


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
