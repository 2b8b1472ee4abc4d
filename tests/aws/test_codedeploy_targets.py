"""What a CodeDeploy group releases besides itself, for the scan's link step:
`autoscaling_groups` (the group's own autoScalingGroups) and, for a Lambda
group, `lambda_aliases` (its latest deployment's Lambda targets).

botocore's codedeploy examples-1.json is empty and the AWS CLI reference has
no list-deployment-targets or batch-get-deployment-targets example, so the
Stubber answers are built from the API reference's shapes
(https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_LambdaTarget.html,
API_LambdaFunctionInfo.html); the Stubber checks them against botocore's model.
The group with an Auto Scaling group is the AWS CLI reference's
get-deployment-group example (tests/aws/test_codedeploy.py)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from providers.aws.codedeploy import CodeDeployReader, function_name
from scanner.classify import classify
from scanner.model import Observation
from tests.aws.conftest import ACCOUNT, REGION
from tests.aws.inproc import emulated, operation_of
from tests.aws.test_codedeploy import (
    ALARMS,
    CANARY,
    CLI_GET_DEPLOYMENT_GROUP,
    ONE_AT_A_TIME,
    collect,
    group,
)

FIELD = "deploymentTargets[].lambdaTarget.lambdaFunctionInfo.functionName:functionAlias"
CANARY_CONFIG = "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def lambda_group(**extra):
    return group(
        name="mailer-prod",
        platform="Lambda",
        config=CANARY_CONFIG,
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        **ALARMS,
        **extra,
    )


def last(deployment_id, status="Succeeded"):
    return {"deploymentId": deployment_id, "status": status}


def lambda_target(deployment, name, alias, n=1):
    return {
        "deploymentTargetType": "LambdaTarget",
        "lambdaTarget": {
            "deploymentId": deployment,
            "targetId": f"{name}-{n}" if n > 1 else name,
            "targetArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{alias}",
            "status": "Succeeded",
            "lambdaFunctionInfo": {
                "functionName": name,
                "functionAlias": alias,
                "currentVersion": "4",
                "targetVersion": "5",
                "targetVersionWeight": 1.0,
            },
        },
    }


def observe(clients, info, stub_targets):
    """One group through reader.get (BatchGetDeploymentGroups, its config, then
    whatever `stub_targets(stub)` queues)."""
    reader = CodeDeployReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "batch_get_deployment_groups",
            {"deploymentGroupsInfo": [info]},
            {"applicationName": "app", "deploymentGroupNames": [info["deploymentGroupName"]]},
        )
        stub_targets(stub)
        stub.add_response(
            "get_deployment_config",
            {"deploymentConfigInfo": CANARY},
            {"deploymentConfigName": info.get("deploymentConfigName")},
        )
        obs = reader.get("app", info["deploymentGroupName"], {})
        stub.assert_no_pending_responses()
    return obs


def targets_of(deployment, ids_pages, batches):
    def queue(stub):
        for n, page in enumerate(ids_pages):
            params = {"deploymentId": deployment, **({"nextToken": f"t{n}"} if n else {})}
            answer = {"targetIds": page}
            if n + 1 < len(ids_pages):
                answer["nextToken"] = f"t{n + 1}"
            stub.add_response("list_deployment_targets", answer, params)
        for ids, found in batches:
            stub.add_response(
                "batch_get_deployment_targets",
                {"deploymentTargets": found},
                {"deploymentId": deployment, "targetIds": ids},
            )

    return queue


def test_a_lambda_groups_latest_deployment_names_the_alias_it_moved(clients):
    info = lambda_group(lastAttemptedDeployment=last("d-A1B2C3D4E"))
    obs = observe(
        clients,
        info,
        targets_of(
            "d-A1B2C3D4E",
            [["mailer"]],
            [(["mailer"], [lambda_target("d-A1B2C3D4E", "mailer", "live")])],
        ),
    )
    fact = obs.facts["lambda_aliases"]
    assert fact.value == ["mailer:live"]
    assert fact.field == f"{FIELD} (latest deployment d-A1B2C3D4E)"
    assert obs.facts["autoscaling_groups"].value == []
    a = classify(obs)
    assert a.level == 5  # the facts change no level
    ev = {e.field: e.value for e in a.evidence}  # the alias is context in the evidence
    assert ev[f"{FIELD} (latest deployment d-A1B2C3D4E)"] == ["mailer:live"]


def test_the_latest_successful_deployment_is_read_when_none_was_attempted_after(clients):
    info = lambda_group(lastSuccessfulDeployment=last("d-SUCCESS01"))
    obs = observe(
        clients,
        info,
        targets_of("d-SUCCESS01", [["f"]], [(["f"], [lambda_target("d-SUCCESS01", "f", "prod")])]),
    )
    assert obs.facts["lambda_aliases"].value == ["f:prod"]


def test_a_function_named_by_its_arn_is_reduced_to_its_name(clients):
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mailer"
    target = lambda_target("d-ARN000001", "mailer", "live")
    target["lambdaTarget"]["lambdaFunctionInfo"]["functionName"] = arn
    info = lambda_group(lastAttemptedDeployment=last("d-ARN000001"))
    obs = observe(clients, info, targets_of("d-ARN000001", [["mailer"]], [(["mailer"], [target])]))
    assert obs.facts["lambda_aliases"].value == ["mailer:live"]
    assert function_name(f"{arn}:live") == "mailer"
    assert function_name(f"{ACCOUNT}:function:mailer") == "mailer"


def test_targets_are_paged_and_fetched_25_at_a_time(clients):
    ids = [f"fn{i:02}" for i in range(26)]
    found = [lambda_target("d-MANY00001", i, "live") for i in ids]
    info = lambda_group(lastAttemptedDeployment=last("d-MANY00001"))
    obs = observe(
        clients,
        info,
        targets_of(
            "d-MANY00001", [ids[:20], ids[20:]], [(ids[:25], found[:25]), (ids[25:], found[25:])]
        ),
    )
    assert obs.facts["lambda_aliases"].value == [f"{i}:live" for i in ids]


def test_a_lambda_group_without_a_deployment_costs_no_request(clients):
    obs = observe(clients, lambda_group(), lambda stub: None)
    fact = obs.facts["lambda_aliases"]
    assert (fact.value, fact.field) == ([], f"{FIELD} (no deployment on record)")


def test_an_attempted_deployment_not_started_falls_back_to_the_latest_successful(clients):
    info = lambda_group(
        lastAttemptedDeployment=last("d-QUEUED001", "Queued"),
        lastSuccessfulDeployment=last("d-DONE00001"),
    )

    def queue(stub):
        stub.add_client_error(
            "list_deployment_targets",
            "DeploymentNotStartedException",
            "The specified deployment has not started.",
            400,
            expected_params={"deploymentId": "d-QUEUED001"},
        )
        targets_of(
            "d-DONE00001",
            [["mailer"]],
            [(["mailer"], [lambda_target("d-DONE00001", "mailer", "live")])],
        )(stub)

    obs = observe(clients, info, queue)
    fact = obs.facts["lambda_aliases"]
    assert fact.value == ["mailer:live"]
    assert fact.field == f"{FIELD} (latest deployment d-DONE00001)"


def test_a_denied_targets_read_is_an_unknown_fact_and_changes_no_level(clients):
    info = lambda_group(lastAttemptedDeployment=last("d-DENIED001"))

    def queue(stub):
        stub.add_response(
            "list_deployment_targets", {"targetIds": ["mailer"]}, {"deploymentId": "d-DENIED001"}
        )
        stub.add_client_error(
            "batch_get_deployment_targets",
            "AccessDeniedException",
            "User is not authorized to perform: codedeploy:BatchGetDeploymentTargets",
            400,
            expected_params={"deploymentId": "d-DENIED001", "targetIds": ["mailer"]},
        )

    obs = observe(clients, info, queue)
    fact = obs.facts["lambda_aliases"]
    assert not fact.known
    assert fact.field == f"{FIELD} (latest deployment d-DENIED001)"
    assert fact.error == (
        "AccessDeniedException on BatchGetDeploymentTargets: User is not authorized to "
        "perform: codedeploy:BatchGetDeploymentTargets"
    )
    a = classify(obs)
    assert (a.level, a.rule) == (5, "AWS-CD-5-SHIFT-ALARM-ROLLBACK")


def test_an_ec2_group_names_its_auto_scaling_groups_and_reads_no_targets(clients):
    # The AWS CLI reference's get-deployment-group example: autoScalingGroups
    # [CodeDeployDemo-ASG]; a last deployment on an EC2 group costs nothing
    # (the Stubber has no target answer queued: a target read would leave the
    # fact unknown).
    info = {**CLI_GET_DEPLOYMENT_GROUP, "lastAttemptedDeployment": last("d-EC2000001")}
    [obs] = collect(clients, [info], {"CodeDeployDefault.OneAtATime": ONE_AT_A_TIME})
    assert (obs.facts["autoscaling_groups"].field, obs.facts["autoscaling_groups"].value) == (
        "deploymentGroupInfo.autoScalingGroups[].name",
        ["CodeDeployDemo-ASG"],
    )
    fact = obs.facts["lambda_aliases"]
    assert (fact.known, fact.field, fact.value) == (
        True,
        f"{FIELD} (not read: not a Lambda group)",
        [],
    )
    a = classify(obs)
    assert (a.level, a.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    ev = {e.field: e.value for e in a.evidence}  # the groups are context in the evidence
    assert ev["deploymentGroupInfo.autoScalingGroups[].name"] == ["CodeDeployDemo-ASG"]


# -- through the emulator ------------------------------------------------------
def cd_group(app, name, config, **group_extra):
    entry = {
        "region": REGION,
        "application": app,
        "group": {"deploymentGroupName": name, "deploymentConfigName": config, **group_extra},
    }
    return entry


ESTATE = {
    "account": ACCOUNT,
    "regions": [REGION],
    "codedeploy": [
        {
            **cd_group("mailer", "mailer-prod", CANARY_CONFIG),
            "deployment": {
                "deploymentId": "d-MAILER001",
                "targets": [{"functionName": "mailer", "functionAlias": "live"}],
            },
        },
        {
            # three targets: the emulator pages after 2, so 2 ListDeploymentTargets
            **cd_group("mailer", "digest", CANARY_CONFIG),
            "deployment": {
                "targets": [
                    {"functionName": "digest", "functionAlias": "live"},
                    {"functionName": "digest-eu", "functionAlias": "live"},
                    {"functionName": "digest", "functionAlias": "live"},
                ]
            },
        },
        cd_group("mailer", "never-deployed", CANARY_CONFIG),
        cd_group(
            "web",
            "fleet",
            "CodeDeployDefault.OneAtATime",
            autoScalingGroups=[{"name": "web-asg"}, {"name": "web-asg-2"}],
        ),
        {
            # an EC2 group with a deployment on record: its targets are not read
            **cd_group("web", "batch", "CodeDeployDefault.AllAtOnce"),
            "deployment": {"deploymentId": "d-EC2000001", "targets": []},
        },
    ],
}
ARN = f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup"


def collected(estate):
    """The observations and scope errors of a scan's reads, and the operations sent."""
    from providers.aws.plugin import plugin

    with emulated(estate) as (server, _app):
        run = plugin.configure({"aws_region": (REGION,)})
        items = [x for scope in run.scopes() for x in run.collect(scope)]
        ops = [operation_of(r) for r in server.requests]
    units = {o.id: o for o in items if isinstance(o, Observation)}
    errors = [x for x in items if not isinstance(x, Observation)]
    return units, errors, ops


def shown(obs, fact):
    return obs.facts[fact].field, obs.facts[fact].value


def test_scan_reads_targets_only_for_lambda_groups_with_a_deployment():
    units, errors, ops = collected(ESTATE)
    assert not errors
    assert shown(units[f"{ARN}:mailer/mailer-prod"], "lambda_aliases") == (
        f"{FIELD} (latest deployment d-MAILER001)",
        ["mailer:live"],
    )
    field, value = shown(units[f"{ARN}:mailer/digest"], "lambda_aliases")
    assert field.startswith(f"{FIELD} (latest deployment d-") and value == [
        "digest:live",
        "digest-eu:live",
    ]
    assert shown(units[f"{ARN}:mailer/never-deployed"], "lambda_aliases") == (
        f"{FIELD} (no deployment on record)",
        [],
    )
    assert shown(units[f"{ARN}:web/fleet"], "autoscaling_groups") == (
        "deploymentGroupInfo.autoScalingGroups[].name",
        ["web-asg", "web-asg-2"],
    )
    assert shown(units[f"{ARN}:web/batch"], "lambda_aliases") == (
        f"{FIELD} (not read: not a Lambda group)",
        [],
    )
    # mailer-prod: 1 + 1; digest: 2 pages of ids (the emulator pages after 2) + 1
    # batch; never-deployed, fleet and batch: none
    assert ops.count(("codedeploy", "ListDeploymentTargets")) == 3
    assert ops.count(("codedeploy", "BatchGetDeploymentTargets")) == 2


def test_each_lambda_group_with_a_deployment_costs_exactly_two_requests():
    without = {**ESTATE, "codedeploy": [g for g in ESTATE["codedeploy"] if "deployment" not in g]}
    only_mailer = {**ESTATE, "codedeploy": [*without["codedeploy"], ESTATE["codedeploy"][0]]}
    _, _, before = collected(without)
    _, _, after = collected(only_mailer)
    extra = [op for op in after if op[0] == "codedeploy"]
    for op in before:
        if op[0] == "codedeploy":
            extra.remove(op)
    # mailer-prod joins never-deployed in the same application and page of names
    assert sorted(extra) == [
        ("codedeploy", "BatchGetDeploymentTargets"),
        ("codedeploy", "ListDeploymentTargets"),
    ]


def test_check_by_arn_gives_the_scans_facts():
    from providers.aws.plugin import plugin

    units, _, _ = collected(ESTATE)
    with emulated(ESTATE):
        run = plugin.configure({})
        for arn in (f"{ARN}:mailer/mailer-prod", f"{ARN}:mailer/digest", f"{ARN}:web/fleet"):
            checked = run.check(arn)
            assert {n: (f.field, f.value) for n, f in checked.facts.items()} == {
                n: (f.field, f.value) for n, f in units[arn].facts.items()
            }


def test_a_denied_targets_read_through_the_emulator_is_unknown_with_the_error():
    estate = {
        **ESTATE,
        "faults": [{"service": "codedeploy", "operation": "ListDeploymentTargets"}],
    }
    units, errors, _ = collected(estate)
    assert not errors  # never a scope error
    fact = units[f"{ARN}:mailer/mailer-prod"].facts["lambda_aliases"]
    assert not fact.known
    assert fact.field == f"{FIELD} (latest deployment d-MAILER001)"
    assert fact.error == (
        "AccessDeniedException on ListDeploymentTargets: User is not authorized to perform: "
        f"codedeploy:ListDeploymentTargets in {REGION}"
    )
    # the level is the one the group has when the targets are read
    clean, _, _ = collected(ESTATE)
    assert (
        classify(units[f"{ARN}:mailer/mailer-prod"]).level
        == classify(clean[f"{ARN}:mailer/mailer-prod"]).level
    )


def test_the_emulator_answers_as_codedeploy_does():
    with emulated(ESTATE):
        client = boto3.client("codedeploy", region_name=REGION)
        assert client.list_deployment_targets(deploymentId="d-MAILER001")["targetIds"] == ["mailer"]
        [target] = client.batch_get_deployment_targets(
            deploymentId="d-MAILER001", targetIds=["mailer"]
        )["deploymentTargets"]
        assert target["deploymentTargetType"] == "LambdaTarget"
        assert target["lambdaTarget"]["lambdaFunctionInfo"] == {
            "functionName": "mailer",
            "functionAlias": "live",
        }
        with pytest.raises(ClientError) as err:
            client.batch_get_deployment_targets(
                deploymentId="d-MAILER001", targetIds=[f"t{i}" for i in range(26)]
            )
        assert err.value.response["Error"]["Code"] == "DeploymentTargetListSizeExceededException"
        with pytest.raises(ClientError) as err:
            client.list_deployment_targets(deploymentId="d-NOSUCH001")
        assert err.value.response["Error"]["Code"] == "DeploymentDoesNotExistException"
        with pytest.raises(ClientError) as err:
            client.batch_get_deployment_targets(deploymentId="d-MAILER001", targetIds=["other"])
        assert err.value.response["Error"]["Code"] == "DeploymentTargetDoesNotExistException"
