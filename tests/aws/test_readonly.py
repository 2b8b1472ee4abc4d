"""Read-only by construction: the client factory refuses anything undeclared
before sending it, and every call a scan makes is in the generated grant."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from providers.aws.clients import AwsClients
from providers.aws.history import history_reads
from providers.aws.permissions import READ_OPERATIONS, grant, permission_for
from providers.aws.plugin import plugin
from scanner.readonly import ReadOnlyViolation
from tests.aws.estate import (
    APPCONFIG_ARN,
    ASG_ARN,
    CD_ARN,
    CLOUDFRONT_ARN,
    EB_ARN,
    ECS_ARN,
    ESTATE,
    ESTATE_ALL_KINDS,
    LAMBDA_ARN,
    LISTENER_RULE_ARN,
    R53_ARN,
    relscan,
)
from tests.aws.inproc import emulated, operation_of, scan

MEMBER = "333344445555"
REGION = "eu-west-2"


@pytest.mark.parametrize(
    ("service", "call", "params"),
    [
        ("codedeploy", "delete_application", {"applicationName": "payments"}),
        (
            "codedeploy",
            "create_deployment",
            {"applicationName": "payments", "deploymentGroupName": "prod"},
        ),
        ("elasticbeanstalk", "terminate_environment", {"EnvironmentName": "portal-prod"}),
        ("ec2", "terminate_instances", {"InstanceIds": ["i-0123456789abcdef0"]}),
        ("sts", "get_session_token", {}),  # a read, but not one relscan declares
        ("codedeploy", "list_deployment_configs", {}),  # likewise
    ],
)
def test_an_undeclared_call_is_refused_and_nothing_is_sent(service, call, params):
    with emulated(ESTATE) as (server, _):
        client = AwsClients(boto3.Session()).get(service, REGION)
        with pytest.raises(ReadOnlyViolation) as refused:
            getattr(client, call)(**params)
        assert server.requests == []
    message = str(refused.value)
    assert "\n" not in message
    operation = "".join(part.title() for part in call.split("_"))
    assert f"refused AWS call {service}:{operation}" in message
    assert "nothing was sent" in message


def test_a_declared_read_goes_through():
    with emulated(ESTATE) as (server, _):
        client = AwsClients(boto3.Session()).get("codedeploy", REGION)
        assert client.list_applications()["applications"] == ["payments"]
        assert [operation_of(r) for r in server.requests] == [("codedeploy", "ListApplications")]


def _permissions_used(requests) -> set[str]:
    return {permission_for(*operation_of(r)) for r in requests}


def test_every_call_of_scans_and_checks_is_in_the_grant_for_that_kind_of_scan():
    """Each grant is exactly what its kind of scan calls: nothing missing, and
    nothing unused, so the single-account grant is truly least privilege."""
    estate = {**ESTATE_ALL_KINDS, "organization": [ESTATE["account"], MEMBER]}
    with emulated(estate) as (server, _):
        plain = scan({})  # every enabled region: ec2:DescribeRegions
        arns = (
            CD_ARN,
            EB_ARN,
            ECS_ARN,
            ASG_ARN,
            LAMBDA_ARN,
            LISTENER_RULE_ARN,
            R53_ARN,
            APPCONFIG_ARN,
            CLOUDFRONT_ARN,
        )
        checked = [plugin.configure({}).check(arn) for arn in arns]
        own_account = _permissions_used(server.requests)
        seen = len(server.requests)
        org = scan({"aws_organization": True, "aws_assume_role": "relscan-read"})
        organization = _permissions_used(server.requests[seen:])
        seen = len(server.requests)
        role = f"arn:aws:iam::{MEMBER}:role/relscan-read"
        member = scan({"aws_account": (role,)})
        assumed = _permissions_used(server.requests[seen:])
    # 9 regional units (one a CodeDeploy Lambda group), and a Route 53 record set and a
    # CloudFront distribution in each account's global scope
    assert len(plain.assessments) == 11 and not plain.errors
    assert len(org.assessments) == 22 and not org.errors
    assert len(member.assessments) == 11 and not member.errors
    assert [o.id for o in checked] == list(arns)
    # the release records' reads are sent only with --history (tests/aws/test_history.py)
    assert own_account == set(grant().permissions) - history_reads()
    # reads only `check` sends (the scans above check nothing in other accounts)
    check_only = {
        "lambda:GetFunctionConfiguration",
        "route53:GetHostedZone",
        "appconfig:GetEnvironment",
        "appconfig:GetApplication",
        "cloudfront:GetContinuousDeploymentPolicy",
    }
    assert check_only <= own_account
    # The emulator serves one estate to every account: its AppConfig monitor's alarm
    # is in the estate's own account, so the member's scan finds it in another
    # account and reads no alarm there (that unit is not assessed, and says why).
    elsewhere = {"cloudwatch:DescribeAlarms"}
    assert elsewhere <= own_account and elsewhere <= organization
    assert assumed | check_only | elsewhere | history_reads() == set(
        grant("assume-role").permissions
    )
    assert organization | check_only | history_reads() == set(grant("organization").permissions)
    assert set(grant("organization").permissions) == {op.action for op in READ_OPERATIONS}


def _actions(doc: dict) -> list[str]:
    actions = []
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions += [listed] if isinstance(listed, str) else listed
    assert not any("*" in a for a in actions)  # no wildcards: exactly what is called
    return sorted(actions)


def test_relscan_permissions_aws_prints_the_single_account_policy(serve):
    r = relscan("permissions", "aws", env=serve())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc == json.loads(grant().document)
    assert doc["Version"] == "2012-10-17"
    assert [s["Sid"] for s in doc["Statement"]] == ["RelscanRead"]
    actions = _actions(doc)
    assert actions == grant().permissions
    assert "sts:AssumeRole" not in actions and "organizations:ListAccounts" not in actions


@pytest.mark.parametrize(
    ("option", "sids"),
    [
        ("--organization",
         ["RelscanRead", "RelscanListOrganizationAccounts", "RelscanAssumeReadRole"]),
        ("--assume-role", ["RelscanRead", "RelscanAssumeReadRole"]),
    ],
)  # fmt: skip
def test_relscan_permissions_aws_adds_the_cross_account_rights_only_when_asked(serve, option, sids):
    r = relscan("permissions", "aws", option, env=serve())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["Sid"] for s in doc["Statement"]] == sids
    [assume] = [s for s in doc["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"].startswith("arn:aws:iam::*:role/")
    assert _actions(doc) == grant(option.removeprefix("--")).permissions


def test_the_readme_lists_the_single_account_grant():
    """README's IAM list stays in step with `relscan permissions aws`."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### AWS", 1)[1].split("###", 1)[0]
    single = section.split("single account:", 1)[1].split(".", 1)[0]
    assert sorted(re.findall(r"`([a-z0-9]+:[A-Za-z]+)`", single)) == grant().permissions
    for option, scope in (("--organization", "organization"), ("--assume-role", "assume-role")):
        extra = sorted(set(grant(scope).permissions) - set(grant().permissions))
        line = section.split(f"`relscan permissions aws {option}`", 1)[1].split("\n- ", 1)[0]
        line = line.split("\n\n", 1)[0]
        assert sorted(re.findall(r"`([a-z0-9]+:[A-Za-z]+)`", line)) == extra, option
