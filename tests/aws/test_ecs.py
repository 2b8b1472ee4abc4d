"""ECS service levels through the real client and botocore's Stubber (which
checks requests and responses against the service model). moto 5.2 drops
`deploymentConfiguration` on CreateService and invents a deploymentController,
hence the Stubber.

Published examples used: botocore's ecs examples-1.json DescribeServices
"to-describe-a-service-1472513256350" (SIMPLE); the ECS developer guide's alarm
example, deployment-alarm-failure.html (ALARM_EXAMPLE); and its pause-hook
service definition, pause-lifecycle-hooks.html (PAUSE_EXAMPLE)."""

from __future__ import annotations

import copy

import pytest
from botocore.stub import Stubber

from providers.aws.ecs import EcsReader
from scanner.classify import classify
from scanner.model import Observation, ScopeError
from tests.aws.conftest import ACCOUNT, REGION

CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/default"
# botocore ecs examples-1.json, DescribeServices "to-describe-a-service-1472513256350"
SIMPLE = {
    "clusterArn": "arn:aws:ecs:us-east-1:012345678910:cluster/default",
    "createdAt": "2016-08-29T16:25:52.130Z",
    "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
    "deployments": [
        {
            "createdAt": "2016-08-29T16:25:52.130Z",
            "desiredCount": 1,
            "id": "ecs-svc/9223370564341623665",
            "pendingCount": 0,
            "runningCount": 0,
            "status": "PRIMARY",
            "taskDefinition": "arn:aws:ecs:us-east-1:012345678910:task-definition/hello_world:6",
            "updatedAt": "2016-08-29T16:25:52.130Z",
        }
    ],
    "desiredCount": 1,
    "loadBalancers": [],
    "pendingCount": 0,
    "runningCount": 0,
    "serviceArn": "arn:aws:ecs:us-east-1:012345678910:service/ecs-simple-service",
    "serviceName": "ecs-simple-service",
    "status": "ACTIVE",
    "taskDefinition": "arn:aws:ecs:us-east-1:012345678910:task-definition/hello_world:6",
}
# deployment-alarm-failure.html:
# --deployment-configuration "alarms={alarmNames=[alarm1Name,alarm2Name],enable=true,rollback=true}"
ALARM_EXAMPLE = {"alarmNames": ["alarm1Name", "alarm2Name"], "enable": True, "rollback": True}
# pause-lifecycle-hooks.html: a PAUSE hook after test traffic, rolled back after 10 minutes
PAUSE_EXAMPLE = {
    "targetType": "PAUSE",
    "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
    "timeoutConfiguration": {"timeoutInMinutes": 10, "action": "ROLLBACK"},
}
ADVANCED_LB = [
    {
        "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/blue/1",
        "containerName": "web",
        "containerPort": 80,
        "advancedConfiguration": {
            "alternateTargetGroupArn": (
                "arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/green/2"
            ),
            "productionListenerRule": (
                "arn:aws:elasticloadbalancing:eu-west-2:123456789012:listener-rule/app/a/1/2/3"
            ),
            "roleArn": "arn:aws:iam::123456789012:role/ecs-infra",
        },
    }
]


def service(name="web", config=None, **extra):
    """SIMPLE, renamed, with `config` as its deploymentConfiguration and `extra` members."""
    svc = copy.deepcopy(SIMPLE)
    svc["serviceName"] = name
    if config is not None:
        svc["deploymentConfiguration"] = config
    svc.update(extra)
    return svc


def shifted(strategy, **config):
    """A service of `strategy` whose load balancer lets ECS shift the traffic."""
    return service(config={"strategy": strategy, **config}, loadBalancers=ADVANCED_LB)


def collect(clients, services, cluster=CLUSTER):
    reader = EcsReader(clients, ACCOUNT, REGION, "aws:test")
    arns = [f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/default/{s['serviceName']}" for s in services]
    with Stubber(reader.client) as stub:
        stub.add_response("list_clusters", {"clusterArns": [cluster]}, {"maxResults": 100})
        stub.add_response(
            "list_services", {"serviceArns": arns}, {"cluster": cluster, "maxResults": 100}
        )
        for start in range(0, len(services), 10):
            stub.add_response(
                "describe_services",
                {"services": services[start : start + 10], "failures": []},
                {"cluster": cluster, "services": arns[start : start + 10], "include": ["TAGS"]},
            )
        items = list(reader.collect())
        stub.assert_no_pending_responses()
    return items


def assess(clients, svc):
    [obs] = collect(clients, [svc])
    a = classify(obs)
    assert a.basis == ("policy" if a.rule else None)  # every ECS rule rests on policy
    return a


def evidence(a):
    return {e.field: e.value for e in a.evidence}


# -- ROLLING ------------------------------------------------------------------


def test_botocore_example_rolling_service_is_level_2(clients):
    a = assess(clients, SIMPLE)
    assert (a.level, a.rule) == (2, "AWS-ECS-2-ROLLING")
    ev = evidence(a)
    assert ev["deploymentConfiguration.strategy (default)"] == "ROLLING"
    assert ev["deploymentController.type (default)"] == "ECS"
    assert ev["deploymentConfiguration.minimumHealthyPercent"] == 100


def test_rolling_with_zero_minimum_healthy_is_level_1(clients):
    a = assess(clients, service(config={"minimumHealthyPercent": 0, "maximumPercent": 100}))
    assert (a.level, a.rule) == (1, "AWS-ECS-1-ROLLING-STOP-ALL")


@pytest.mark.parametrize("minimum", [1, 50])
def test_any_positive_minimum_just_misses_level_1(clients, minimum):
    a = assess(clients, service(config={"minimumHealthyPercent": minimum}))
    assert (a.level, a.rule) == (2, "AWS-ECS-2-ROLLING")


def test_zero_minimum_with_no_desired_tasks_just_misses_level_1(clients):
    a = assess(clients, service(config={"minimumHealthyPercent": 0}, desiredCount=0))
    assert (a.level, a.rule) == (2, "AWS-ECS-2-ROLLING")


def test_daemon_without_a_minimum_uses_the_documented_zero_and_is_level_1(clients):
    a = assess(clients, service(config={}, schedulingStrategy="DAEMON", desiredCount=3))
    assert (a.level, a.rule) == (1, "AWS-ECS-1-ROLLING-STOP-ALL")
    assert evidence(a)["deploymentConfiguration.minimumHealthyPercent (default)"] == 0


def test_rolling_with_alarm_rollback_and_circuit_breaker_stays_level_2_and_shows_both(clients):
    a = assess(
        clients,
        service(
            config={
                "minimumHealthyPercent": 100,
                "alarms": ALARM_EXAMPLE,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            }
        ),
    )
    assert (a.level, a.rule) == (2, "AWS-ECS-2-ROLLING")
    ev = evidence(a)
    assert ev["deploymentConfiguration.alarms.alarmNames"] == ["alarm1Name", "alarm2Name"]
    assert ev["deploymentConfiguration.alarms.rollback"] is True
    assert ev["deploymentConfiguration.deploymentCircuitBreaker.rollback"] is True


# -- controllers ----------------------------------------------------------------


def test_external_controller_is_not_assessed(clients):
    a = assess(clients, service(deploymentController={"type": "EXTERNAL"}))
    assert (a.level, a.rule) == (None, "AWS-ECS-NA-EXTERNAL")
    assert a.reason.startswith("not assessed, because an outside deployment controller")


def test_code_deploy_controller_is_left_to_its_deployment_group(clients):
    a = assess(clients, service(deploymentController={"type": "CODE_DEPLOY"}))
    assert (a.level, a.rule) == (None, "AWS-ECS-NA-CODE-DEPLOY")


def test_an_explicit_ecs_controller_just_misses_the_controller_rules(clients):
    a = assess(clients, service(deploymentController={"type": "ECS"}))
    assert (a.level, a.rule) == (2, "AWS-ECS-2-ROLLING")


# -- BLUE_GREEN, LINEAR, CANARY ---------------------------------------------------


@pytest.mark.parametrize("strategy", ["BLUE_GREEN", "LINEAR", "CANARY"])
def test_without_a_route_ecs_can_shift_is_level_2(clients, strategy):
    svc = service(config={"strategy": strategy, "alarms": ALARM_EXAMPLE, "bakeTimeInMinutes": 15})
    a = assess(clients, svc)
    assert (a.level, a.rule) == (2, "AWS-ECS-2-UNMANAGED-SHIFT")


def test_service_connect_on_the_primary_deployment_is_a_managed_route(clients):
    svc = service(config={"strategy": "BLUE_GREEN"})
    svc["deployments"][0]["serviceConnectConfiguration"] = {"enabled": True, "namespace": "ns"}
    a = assess(clients, svc)
    assert (a.level, a.rule) == (4, "AWS-ECS-4-MANAGED-SHIFT")


def test_service_connect_on_an_older_deployment_only_just_misses_managed_shifting(clients):
    svc = service(config={"strategy": "BLUE_GREEN"})
    old = copy.deepcopy(svc["deployments"][0])
    old.update(status="ACTIVE", serviceConnectConfiguration={"enabled": True})
    svc["deployments"].append(old)
    a = assess(clients, svc)
    assert (a.level, a.rule) == (2, "AWS-ECS-2-UNMANAGED-SHIFT")


def test_vpc_lattice_on_the_primary_deployment_is_a_managed_route(clients):
    svc = service(config={"strategy": "CANARY"})
    svc["deployments"][0]["vpcLatticeConfigurations"] = [
        {
            "roleArn": "arn:aws:iam::123456789012:role/lattice",
            "targetGroupArn": "arn:aws:vpc-lattice:eu-west-2:123456789012:targetgroup/tg-1",
            "portName": "http",
        }
    ]
    a = assess(clients, svc)
    assert (a.level, a.rule) == (4, "AWS-ECS-4-MANAGED-SHIFT")


def test_blue_green_with_alarm_rollback_and_a_bake_is_level_5(clients):
    a = assess(clients, shifted("BLUE_GREEN", alarms=ALARM_EXAMPLE, bakeTimeInMinutes=15))
    assert (a.level, a.rule) == (5, "AWS-ECS-5-BAKE-ALARM-ROLLBACK")


@pytest.mark.parametrize(
    "change",
    [
        {"bakeTimeInMinutes": 0},
        {"alarms": {**ALARM_EXAMPLE, "rollback": False}},
        {"alarms": {**ALARM_EXAMPLE, "enable": False}},
        {"alarms": {**ALARM_EXAMPLE, "alarmNames": []}},
    ],
)
def test_each_missing_piece_of_blue_green_level_5_makes_it_4(clients, change):
    config = {"alarms": ALARM_EXAMPLE, "bakeTimeInMinutes": 15, **change}
    a = assess(clients, shifted("BLUE_GREEN", **config))
    assert (a.level, a.rule) == (4, "AWS-ECS-4-MANAGED-SHIFT")


def test_pause_hook_example_makes_blue_green_level_3(clients):
    svc = shifted(
        "BLUE_GREEN", alarms=ALARM_EXAMPLE, bakeTimeInMinutes=15, lifecycleHooks=[PAUSE_EXAMPLE]
    )
    a = assess(clients, svc)
    assert (a.level, a.rule) == (3, "AWS-ECS-3-BLUE-GREEN-PAUSE")


def test_pause_hook_without_a_timeout_action_rolls_back_by_default(clients):
    hook = {"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}
    a = assess(clients, shifted("BLUE_GREEN", lifecycleHooks=[hook]))
    assert (a.level, a.rule) == (3, "AWS-ECS-3-BLUE-GREEN-PAUSE")


@pytest.mark.parametrize(
    "hook",
    [
        {**PAUSE_EXAMPLE, "timeoutConfiguration": {"timeoutInMinutes": 10, "action": "CONTINUE"}},
        {**PAUSE_EXAMPLE, "lifecycleStages": ["POST_PRODUCTION_TRAFFIC_SHIFT"]},
        {**PAUSE_EXAMPLE, "targetType": "AWS_LAMBDA"},
    ],
)
def test_a_pause_that_only_delays_or_comes_after_the_shift_just_misses_level_3(clients, hook):
    svc = shifted("BLUE_GREEN", alarms=ALARM_EXAMPLE, bakeTimeInMinutes=15, lifecycleHooks=[hook])
    a = assess(clients, svc)
    assert (a.level, a.rule) == (5, "AWS-ECS-5-BAKE-ALARM-ROLLBACK")


def test_lambda_hooks_go_in_the_evidence(clients):
    hook = {
        "targetType": "AWS_LAMBDA",
        "hookTargetArn": "arn:aws:lambda:eu-west-2:123456789012:function:smoke",
        "roleArn": "arn:aws:iam::123456789012:role/hooks",
        "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
    }
    a = assess(clients, shifted("BLUE_GREEN", lifecycleHooks=[hook]))
    assert a.level == 4
    [stages] = [
        e.value
        for e in a.evidence
        if e.field.startswith(
            "deploymentConfiguration.lifecycleHooks[].lifecycleStages (of AWS_LAMBDA"
        )
    ]
    assert stages == ["POST_TEST_TRAFFIC_SHIFT"]


def test_linear_with_documented_defaults_and_alarm_rollback_is_level_5(clients):
    a = assess(clients, shifted("LINEAR", alarms=ALARM_EXAMPLE))
    assert (a.level, a.rule) == (5, "AWS-ECS-5-LINEAR-ALARM-ROLLBACK")
    ev = evidence(a)
    assert ev["deploymentConfiguration.linearConfiguration.stepPercent (default)"] == 10.0
    assert ev["deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes (default)"] == 6


@pytest.mark.parametrize(
    "linear",
    [
        {"stepPercent": 100.0, "stepBakeTimeInMinutes": 6},
        {"stepPercent": 10.0, "stepBakeTimeInMinutes": 0},
    ],
)
def test_linear_with_one_full_step_or_no_step_bake_just_misses_level_5(clients, linear):
    a = assess(clients, shifted("LINEAR", alarms=ALARM_EXAMPLE, linearConfiguration=linear))
    assert (a.level, a.rule) == (4, "AWS-ECS-4-MANAGED-SHIFT")


def test_canary_with_documented_defaults_and_alarm_rollback_is_level_5(clients):
    a = assess(clients, shifted("CANARY", alarms=ALARM_EXAMPLE))
    assert (a.level, a.rule) == (5, "AWS-ECS-5-CANARY-ALARM-ROLLBACK")
    assert evidence(a)["deploymentConfiguration.canaryConfiguration.canaryPercent (default)"] == 5.0


@pytest.mark.parametrize(
    "canary",
    [
        {"canaryPercent": 100.0, "canaryBakeTimeInMinutes": 10},
        {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 0},
    ],
)
def test_canary_of_everything_or_without_a_bake_just_misses_level_5(clients, canary):
    a = assess(clients, shifted("CANARY", alarms=ALARM_EXAMPLE, canaryConfiguration=canary))
    assert (a.level, a.rule) == (4, "AWS-ECS-4-MANAGED-SHIFT")


def test_a_full_canary_with_a_deployment_bake_is_level_5_like_blue_green(clients):
    svc = shifted(
        "CANARY",
        alarms=ALARM_EXAMPLE,
        bakeTimeInMinutes=20,
        canaryConfiguration={"canaryPercent": 100.0, "canaryBakeTimeInMinutes": 0},
    )
    a = assess(clients, svc)
    assert (a.level, a.rule) == (5, "AWS-ECS-5-BAKE-ALARM-ROLLBACK")


@pytest.mark.parametrize("strategy", ["LINEAR", "CANARY"])
def test_a_pause_before_each_step_makes_linear_or_canary_level_4(clients, strategy):
    hook = {"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}
    a = assess(clients, shifted(strategy, alarms=ALARM_EXAMPLE, lifecycleHooks=[hook]))
    assert (a.level, a.rule) == (4, "AWS-ECS-4-STEPS-PAUSE")


def test_a_pause_that_continues_on_timeout_just_misses_the_steps_pause_rule(clients):
    hook = {
        "targetType": "PAUSE",
        "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"],
        "timeoutConfiguration": {"timeoutInMinutes": 30, "action": "CONTINUE"},
    }
    a = assess(clients, shifted("LINEAR", alarms=ALARM_EXAMPLE, lifecycleHooks=[hook]))
    assert (a.level, a.rule) == (5, "AWS-ECS-5-LINEAR-ALARM-ROLLBACK")


# -- reads ------------------------------------------------------------------------


def test_services_are_listed_100_a_page_and_described_10_at_a_time(clients):
    services = [service(name=f"s{i:02}") for i in range(25)]
    items = collect(clients, services)
    assert [i.name for i in items] == [f"default/s{i:02}" for i in range(25)]
    assert items[0].id == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/default/s00"


def test_tags_come_from_describe_services(clients):
    [obs] = collect(clients, [service(tags=[{"key": "team", "value": "<b>pay</b>"}])])
    assert obs.tags == {"team": "<b>pay</b>"}


def test_describe_failures_are_scope_errors_and_found_services_are_kept(clients):
    reader = EcsReader(clients, ACCOUNT, REGION, "aws:test")
    arns = [f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/default/{n}" for n in ("web", "gone")]
    with Stubber(reader.client) as stub:
        stub.add_response("list_clusters", {"clusterArns": [CLUSTER]}, {"maxResults": 100})
        stub.add_response(
            "list_services", {"serviceArns": arns}, {"cluster": CLUSTER, "maxResults": 100}
        )
        stub.add_response(
            "describe_services",
            {"services": [service()], "failures": [{"arn": arns[1], "reason": "MISSING"}]},
            {"cluster": CLUSTER, "services": arns, "include": ["TAGS"]},
        )
        items = list(reader.collect())
    [error] = [i for i in items if isinstance(i, ScopeError)]
    assert error.service == "ecs cluster default"
    assert error.message == f"DescribeServices could not read {arns[1]}: MISSING"
    assert [i.name for i in items if isinstance(i, Observation)] == ["default/web"]


def test_access_denied_on_one_cluster_keeps_the_others(clients):
    reader = EcsReader(clients, ACCOUNT, REGION, "aws:test")
    locked = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/locked"
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/default/web"
    with Stubber(reader.client) as stub:
        stub.add_response("list_clusters", {"clusterArns": [locked, CLUSTER]}, {"maxResults": 100})
        stub.add_client_error(
            "list_services",
            "AccessDeniedException",
            "no",
            400,
            expected_params={"cluster": locked, "maxResults": 100},
        )
        stub.add_response(
            "list_services", {"serviceArns": [arn]}, {"cluster": CLUSTER, "maxResults": 100}
        )
        stub.add_response(
            "describe_services",
            {"services": [service()], "failures": []},
            {"cluster": CLUSTER, "services": [arn], "include": ["TAGS"]},
        )
        items = list(reader.collect())
    [error] = [i for i in items if isinstance(i, ScopeError)]
    assert error.service == "ecs cluster locked"
    assert error.message.startswith("AccessDeniedException on ListServices")
    assert [classify(i).level for i in items if isinstance(i, Observation)] == [2]
