"""Read-only by construction: the client factory refuses anything undeclared
before sending it, and every call a scan makes is in the generated grant."""

from __future__ import annotations

import json

import boto3
import pytest

from providers.aws.clients import AwsClients
from providers.aws.permissions import READ_OPERATIONS, grant, permission_for
from providers.aws.plugin import plugin
from scanner.readonly import ReadOnlyViolation
from tests.aws.estate import CD_ARN, EB_ARN, ESTATE, relscan
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
        ("codedeploy", "list_deployments", {}),  # likewise
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


def _permissions_used(server) -> set[str]:
    return {permission_for(*operation_of(r)) for r in server.requests}


def test_every_call_of_scans_and_checks_is_in_the_grant():
    granted = set(grant().permissions)
    estate = {**ESTATE, "organization": [ESTATE["account"], MEMBER]}
    used: set[str] = set()
    with emulated(estate) as (server, _):
        plain = scan({})  # every enabled region: ec2:DescribeRegions
        org = scan({"aws_organization": True, "aws_assume_role": "relscan-read"})
        run = plugin.configure({"aws_assume_role": "relscan-read"})
        checked = [run.check(CD_ARN), run.check(EB_ARN)]
        used = _permissions_used(server)
    assert len(plain.assessments) == 3 and not plain.errors
    assert len(org.assessments) == 6 and not org.errors
    assert [o.id for o in checked] == [CD_ARN, EB_ARN]
    assert used <= granted
    # every declared operation was exercised: the grant is no wider than the scans
    assert used == granted == {op.action for op in READ_OPERATIONS}


def test_relscan_permissions_aws_prints_the_iam_policy(serve):
    r = relscan("permissions", "aws", env=serve())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc == json.loads(grant().document)
    assert doc["Version"] == "2012-10-17"
    actions = []
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions += [listed] if isinstance(listed, str) else listed
        assert not any("*" in a for a in actions)  # no wildcards: exactly what is called
    assert sorted(actions) == grant().permissions
    [assume] = [s for s in doc["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"].startswith("arn:aws:iam::*:role/")
