"""--history through botocore's Stubber, which checks every request and answer
against the service model: the published examples (botocore's
examples-1.json), and the cases the emulator's rhythms do not make (clock
skew, the other creators, batches at the APIs' limits, the ECS monitors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import Stubber

from providers.aws import (
    appconfig_history,
    autoscaling_history,
    beanstalk_history,
    codedeploy_history,
    ecs_history,
)
from providers.aws.context import AwsContext
from scanner.model import Observation
from scanner.practice.settings import Period
from tests.aws.conftest import ACCOUNT, REGION


def ctx(clients) -> AwsContext:
    return AwsContext(clients, ACCOUNT, REGION, f"aws:{ACCOUNT}/{REGION}")


def unit(kind: str, name: str, unit_id: str = "") -> Observation:
    return Observation(
        id=unit_id or f"arn:aws:x:{REGION}:{ACCOUNT}:{name}",
        provider="aws",
        kind=kind,
        name=name,
        account=ACCOUNT,
        location=REGION,
    )


# -- Published examples (botocore examples-1.json) ---------------------------------


def test_botocore_example_instance_refreshes(clients):
    """autoscaling examples-1.json, "To list instance refreshes"."""
    client = clients.get("autoscaling", REGION)
    answer = {
        "InstanceRefreshes": [
            {"AutoScalingGroupName": "my-auto-scaling-group",
             "InstanceRefreshId": "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b", "InstancesToUpdate": 0,
             "PercentageComplete": 50, "Preferences": {"AutoRollback": True},
             "StartTime": datetime(2023, 6, 13, 16, 46, 52, tzinfo=UTC), "Status": "InProgress",
             "StatusReason": "Waiting for instances to warm up before continuing."},
            {"AutoScalingGroupName": "my-auto-scaling-group",
             "EndTime": datetime(2023, 6, 2, 13, 59, 45, tzinfo=UTC),
             "InstanceRefreshId": "0e151305-1e57-4a32-a256-1fd14157c5ec", "InstancesToUpdate": 0,
             "PercentageComplete": 100, "Preferences": {"AutoRollback": True},
             "StartTime": datetime(2023, 6, 2, 13, 53, 37, tzinfo=UTC), "Status": "Successful"},
        ]
    }  # fmt: skip
    period = Period(30, datetime(2023, 6, 14, tzinfo=UTC))
    with Stubber(client) as stub:
        stub.add_response(
            "describe_instance_refreshes",
            answer,
            {"AutoScalingGroupName": "my-auto-scaling-group", "MaxRecords": 100},
        )
        h = autoscaling_history.history(
            ctx(clients), unit("aws.autoscaling.group", "my-auto-scaling-group"), period
        )
    assert [(r.id[:8], r.outcome, r.ended) for r in h.releases] == [
        ("0e151305", "succeeded", datetime(2023, 6, 2, 13, 59, 45, tzinfo=UTC)),
        ("08b91cf7", "in_progress", None),
    ]
    assert h.covers_from == period.end - timedelta(weeks=6)


def test_botocore_example_appconfig_deployment_needs_no_get_deployment(clients):
    """appconfig examples-1.json, "To list the available deployments": COMPLETE,
    so GetDeployment (one request per deployment) is not sent."""
    client = clients.get("appconfig", REGION)
    item = {
        "CompletedAt": datetime(2021, 9, 17, 21, 59, 3, 888000, tzinfo=UTC),
        "ConfigurationName": "Example-Configuration-Profile", "ConfigurationVersion": "1",
        "DeploymentDurationInMinutes": 15, "DeploymentNumber": 1, "FinalBakeTimeInMinutes": 0,
        "GrowthFactor": 25, "GrowthType": "LINEAR", "PercentageComplete": 100,
        "StartedAt": datetime(2021, 9, 17, 21, 43, 54, 205000, tzinfo=UTC), "State": "COMPLETE",
    }  # fmt: skip
    arn = f"arn:aws:appconfig:{REGION}:{ACCOUNT}:application/339ohji/environment/54j1r29"
    with Stubber(client) as stub:
        stub.add_response(
            "list_deployments",
            {"Items": [item]},
            {"ApplicationId": "339ohji", "EnvironmentId": "54j1r29", "MaxResults": 50},
        )
        h = appconfig_history.history(
            ctx(clients),
            unit("aws.appconfig.environment", "app/env", arn),
            Period(30, datetime(2021, 10, 1, tzinfo=UTC)),
        )
    (release,) = h.releases
    assert (release.id, release.outcome, release.rolled_back) == ("1", "succeeded", None)
    assert release.detail == "State COMPLETE; Example-Configuration-Profile version 1"


def test_appconfig_rollback_by_an_alarm_is_automatic_from_the_event_log(clients):
    """The EventLog as GetDeployment's published example orders it (newest first)."""
    client = clients.get("appconfig", REGION)
    started = datetime(2021, 9, 17, 21, 43, 54, tzinfo=UTC)
    arn = f"arn:aws:appconfig:{REGION}:{ACCOUNT}:application/339ohji/environment/54j1r29"
    events = [
        {"Description": "Rollback completed", "EventType": "ROLLBACK_COMPLETED",
         "OccurredAt": started + timedelta(minutes=9), "TriggeredBy": "APPCONFIG"},
        {"Description": "arn:aws:cloudwatch:eu-west-2:123456789012:alarm:5xx",
         "EventType": "ROLLBACK_STARTED", "OccurredAt": started + timedelta(minutes=6),
         "TriggeredBy": "CLOUDWATCH_ALARM"},
        {"Description": "Deployment started", "EventType": "DEPLOYMENT_STARTED",
         "OccurredAt": started, "TriggeredBy": "USER"},
    ]  # fmt: skip
    ids = {"ApplicationId": "339ohji", "EnvironmentId": "54j1r29"}
    with Stubber(client) as stub:
        stub.add_response(
            "list_deployments",
            {"Items": [{"DeploymentNumber": 2, "State": "ROLLED_BACK", "StartedAt": started}]},
            {**ids, "MaxResults": 50},
        )
        stub.add_response(
            "get_deployment",
            {**ids, "DeploymentNumber": 2, "State": "ROLLED_BACK", "EventLog": events},
            {**ids, "DeploymentNumber": 2},
        )
        h = appconfig_history.history(
            ctx(clients),
            unit("aws.appconfig.environment", "app/env", arn),
            Period(30, datetime(2021, 10, 1, tzinfo=UTC)),
        )
    (release,) = h.releases
    assert (release.outcome, release.rolled_back) == ("failed", "automatic")
    assert release.restored == started + timedelta(minutes=9)


def test_botocore_example_events_hold_no_deployment(clients):
    """elasticbeanstalk examples-1.json, "To view events for an environment": an
    update that completed, with no version deployed, is neither a release nor
    a configuration-only update; events without a RequestId are not grouped."""
    client = clients.get("elasticbeanstalk", REGION)
    events = [
        {"ApplicationName": "my-app", "EnvironmentName": "my-env",
         "EventDate": datetime(2015, 8, 20, 7, 6, 53, tzinfo=UTC),
         "Message": "Environment health has transitioned from Info to Ok.", "Severity": "INFO"},
        {"ApplicationName": "my-app", "EnvironmentName": "my-env",
         "EventDate": datetime(2015, 8, 20, 7, 6, 2, tzinfo=UTC),
         "Message": "Environment update completed successfully.",
         "RequestId": "b7f3960b-4709-11e5-ba1e-07e16200da41", "Severity": "INFO"},
    ]  # fmt: skip
    end = datetime(2015, 8, 21, tzinfo=UTC)
    with Stubber(client) as stub:
        stub.add_response(
            "describe_events",
            {"Events": events},
            {
                "ApplicationName": "my-app",
                "EnvironmentName": "my-env",
                "StartTime": end - timedelta(weeks=6),
                "EndTime": end,
                "MaxRecords": 1000,
            },
        )
        stub.add_response(
            "describe_environment_managed_action_history",
            {},  # no managed action: the list is left out (its minimum length is 1)
            {"EnvironmentName": "my-env", "MaxItems": 100},
        )
        h = beanstalk_history.history(
            ctx(clients), unit("aws.elasticbeanstalk.environment", "my-app/my-env"), Period(90, end)
        )
    assert h.releases == [] and h.left_out == {}
    assert h.covers_from == end - timedelta(weeks=6)  # 90 days asked, six weeks kept


# -- CodeDeploy ----------------------------------------------------------------------


def info(n: int, creator: str = "user", **extra: Any) -> dict[str, Any]:
    created = datetime(2026, 11, 1, 10, 0, tzinfo=UTC) + timedelta(hours=n)
    return {
        "deploymentId": f"d-{n:09d}",
        "applicationName": "shop",
        "deploymentGroupName": "web",
        "creator": creator,
        "status": "Succeeded",
        "createTime": created,
        "startTime": created + timedelta(minutes=1),
        "completeTime": created + timedelta(minutes=8),
        **extra,
    }


def test_codedeploy_creators_clock_skew_and_batches_of_25(clients):
    client = clients.get("codedeploy", REGION)
    period = Period(30, datetime(2026, 11, 29, tzinfo=UTC))
    infos = [info(n) for n in range(26)]
    skewed = infos[0]
    skewed["completeTime"] = skewed["startTime"] - timedelta(seconds=3)
    infos += [
        info(26, "autoscaling"),
        info(27, "autoscalingTermination"),
        info(28, "CodeDeployAutoUpdate"),
        info(29, "CloudFormationRollback", rollbackInfo={"rollbackTriggeringDeploymentId": "d-x"}),
        info(30, "CloudFormation"),
    ]
    ids = [i["deploymentId"] for i in infos]
    with Stubber(client) as stub:
        stub.add_response(
            "list_deployments",
            {"deployments": ids[:20], "nextToken": "page2"},
            {
                "applicationName": "shop",
                "deploymentGroupName": "web",
                "createTimeRange": {"start": period.start, "end": period.end},
            },
        )
        stub.add_response(
            "list_deployments",
            {"deployments": ids[20:]},
            {
                "applicationName": "shop",
                "deploymentGroupName": "web",
                "createTimeRange": {"start": period.start, "end": period.end},
                "nextToken": "page2",
            },
        )
        stub.add_response(
            "batch_get_deployments", {"deploymentsInfo": infos[:25]}, {"deploymentIds": ids[:25]}
        )
        stub.add_response(
            "batch_get_deployments", {"deploymentsInfo": infos[25:]}, {"deploymentIds": ids[25:]}
        )
        h = codedeploy_history.history(
            ctx(clients), unit("aws.codedeploy.deployment_group", "shop/web"), period
        )
        stub.assert_no_pending_responses()
    assert h.left_out == {
        "scale-out deployments (creator autoscaling)": 1,
        "scale-in deployments (creator autoscalingTermination)": 1,
        "outdated instances updated (creator CodeDeployAutoUpdate)": 1,
    }
    assert len(h.releases) == 28  # 26 by a user, one by CloudFormation, one rollback
    first = h.releases[0]
    assert first.ended == first.started  # completeTime 3 s before startTime: skew tolerated
    assert "completeTime before startTime" in first.detail
    cf = [r for r in h.releases if r.started_by and r.started_by.startswith("CloudFormation")]
    assert [(r.started_by, r.kind) for r in cf] == [
        ("CloudFormationRollback", "rollback"),
        ("CloudFormation", "release"),
    ]


def test_codedeploy_stop_by_a_person_and_failure_on_an_alarm(clients):
    """A MANUAL_STOP release rolled back is a person's rollback; ALARM_ACTIVE is
    CodeDeploy's own. The rollback deployment's completeTime is the restore time,
    read even though it was created after the period."""
    client = clients.get("codedeploy", REGION)
    period = Period(30, datetime(2026, 11, 29, tzinfo=UTC))
    stopped = info(1, status="Stopped", errorInformation={"code": "MANUAL_STOP"},
                   rollbackInfo={"rollbackDeploymentId": "d-000000091"})  # fmt: skip
    failed = info(2, status="Failed", errorInformation={"code": "ALARM_ACTIVE"},
                  rollbackInfo={"rollbackDeploymentId": "d-000000092"})  # fmt: skip
    rollback_late = info(700, "codeDeployRollback") | {"deploymentId": "d-000000092"}
    rollback = info(1, "codeDeployRollback") | {"deploymentId": "d-000000091"}
    listed = ["d-000000001", "d-000000002", "d-000000091"]
    with Stubber(client) as stub:
        stub.add_response("list_deployments", {"deployments": listed})
        stub.add_response(
            "batch_get_deployments",
            {"deploymentsInfo": [stopped, failed, rollback]},
            {"deploymentIds": listed},
        )
        stub.add_response(
            "batch_get_deployments",
            {"deploymentsInfo": [rollback_late]},
            {"deploymentIds": ["d-000000092"]},
        )
        h = codedeploy_history.history(
            ctx(clients), unit("aws.codedeploy.deployment_group", "shop/web"), period
        )
    by_id = {r.id: r for r in h.releases}
    assert (by_id["d-000000001"].outcome, by_id["d-000000001"].rolled_back) == ("stopped", "manual")
    assert (by_id["d-000000002"].outcome, by_id["d-000000002"].rolled_back) == (
        "failed",
        "automatic",
    )
    assert by_id["d-000000002"].restored == rollback_late["completeTime"]
    assert by_id["d-000000091"].kind == "rollback"
    assert "d-000000092" not in by_id  # created after the period: its time is used, not counted


# -- ECS -----------------------------------------------------------------------------


def sd(n: int, status: str, **extra: Any) -> dict[str, Any]:
    started = datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(hours=n)
    return {
        "serviceDeploymentArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prod/api/{n}",
        "createdAt": started - timedelta(seconds=5),
        "startedAt": started,
        "finishedAt": started + timedelta(minutes=10),
        "status": status,
        **extra,
    }


def test_ecs_pages_by_hand_describes_20_at_a_time_and_tells_who_rolled_back(clients):
    client = clients.get("ecs", REGION)
    period = Period(90, datetime(2026, 11, 29, tzinfo=UTC))
    deployments = [sd(n, "SUCCESSFUL") for n in range(21)]
    # the rollback options a deployment would use, and no rollback: not rolled back
    deployments[0]["rollback"] = {"serviceRevisionArn": "arn:aws:ecs:::service-revision/x"}
    deployments += [
        sd(21, "ROLLBACK_SUCCESSFUL", deploymentCircuitBreaker={"status": "TRIGGERED"},
           rollback={"reason": "The circuit breaker initiated the rollback."}),
        sd(22, "ROLLBACK_SUCCESSFUL", alarms={"status": "MONITORING"},
           rollback={"reason": "Rollback requested."}),
        sd(23, "STOPPED", stoppedAt=datetime(2026, 11, 21, 8, 5, tzinfo=UTC)),
    ]  # fmt: skip
    arns = [d["serviceDeploymentArn"] for d in deployments]
    asked = {
        "cluster": "prod",
        "service": "api",
        "createdAt": {"after": period.start, "before": period.end},
        "maxResults": 100,
    }
    brief = [{"serviceDeploymentArn": a} for a in arns]
    with Stubber(client) as stub:
        stub.add_response(
            "list_service_deployments",
            {"serviceDeployments": brief[:12], "nextToken": "t2"},
            asked,
        )
        stub.add_response(
            "list_service_deployments",
            {"serviceDeployments": brief[12:]},
            {**asked, "nextToken": "t2"},
        )
        stub.add_response(
            "describe_service_deployments",
            {"serviceDeployments": deployments[:20]},
            {"serviceDeploymentArns": arns[:20]},
        )
        stub.add_response(
            "describe_service_deployments",
            {"serviceDeployments": deployments[20:]},
            {"serviceDeploymentArns": arns[20:]},
        )
        h = ecs_history.history(ctx(clients), unit("aws.ecs.service", "prod/api"), period)
        stub.assert_no_pending_responses()
    tail = [(r.outcome, r.rolled_back) for r in h.releases[-3:]]
    assert tail == [("failed", "automatic"), ("stopped", "manual"), ("stopped", None)]
    assert h.releases[-3].restored == deployments[21]["finishedAt"]
    assert h.releases[-1].ended == datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(
        hours=23, minutes=10
    )  # finishedAt, else stoppedAt
    assert len(h.releases) == 24
    assert (h.releases[0].outcome, h.releases[0].rolled_back) == ("succeeded", None)
