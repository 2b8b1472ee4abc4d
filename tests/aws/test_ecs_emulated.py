"""ECS services through the loopback emulator: the scan's reads and their
counts, the wire answers, and `check` by ARN."""

from __future__ import annotations

from collections import Counter

import pytest

from providers.aws.context import AwsContext
from providers.aws.ecs import get
from scanner.classify import classify
from scanner.errors import NotFoundError
from tests.aws.inproc import emulated, operation_of, scan, verdicts

ACCOUNT = "210987654321"
REGION = "eu-west-2"
ALARMS = {"alarmNames": ["web-5xx"], "enable": True, "rollback": True}


def estate(count=23):
    services = [
        {
            "region": REGION,
            "cluster": "prod",
            "tags": {"service": "web"} if i == 0 else {},
            "service": {
                "serviceName": f"svc-{i:02}",
                "deploymentConfiguration": {"minimumHealthyPercent": 0 if i % 2 else 100},
            },
        }
        for i in range(count)
    ]
    services.append(
        {
            "region": REGION,
            "cluster": "edge",
            "service": {
                "serviceName": "bg",
                "deploymentConfiguration": {
                    "strategy": "BLUE_GREEN",
                    "bakeTimeInMinutes": 10,
                    "alarms": ALARMS,
                },
                "loadBalancers": [
                    {
                        "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-2:"
                        f"{ACCOUNT}:targetgroup/blue/1",
                        "advancedConfiguration": {
                            "alternateTargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-2:"
                            f"{ACCOUNT}:targetgroup/green/2",
                            "productionListenerRule": "arn:aws:elasticloadbalancing:eu-west-2:"
                            f"{ACCOUNT}:listener-rule/app/a/1/2/3",
                            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ecs",
                        },
                    }
                ],
            },
        }
    )
    return {"account": ACCOUNT, "regions": [REGION], "ecs": services}


def arn(cluster, name):
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{name}"


def test_a_scan_reads_every_cluster_and_service_at_the_documented_batch_size():
    with emulated(estate()) as (server, app):
        result = scan({"aws_region": [REGION]})
    found = verdicts(result)
    ecs = {k: v for k, v in found.items() if ":ecs:" in k}
    assert len(ecs) == 24
    assert ecs[arn("prod", "svc-01")]["level"] == 1
    assert ecs[arn("prod", "svc-00")]["level"] == 2
    assert ecs[arn("prod", "svc-00")]["tags"] == {"service": "web"}
    assert ecs[arn("edge", "bg")]["rule"] == "AWS-ECS-5-BAKE-ALARM-ROLLBACK"
    calls = Counter(op for service, op, _ in app.calls if service == "ecs")
    # The emulator pages every list after 2 items: 2 clusters -> 1 ListClusters
    # page; 23 services -> 12 ListServices pages, 1 for edge; DescribeServices
    # takes 10: 3 calls for prod, 1 for edge.
    assert calls == {"ListClusters": 1, "ListServices": 13, "DescribeServices": 4}


def test_list_services_is_asked_for_100_a_page():
    with emulated(estate(3)) as (server, app):
        scan({"aws_region": [REGION]})
        sent = [r for r in server.requests if operation_of(r) == ("ecs", "ListServices")]
    assert sent and all(b'"maxResults": 100' in r.body for r in sent)


def test_describe_services_refuses_more_than_10_names_as_ecs_does():
    import boto3
    from botocore.exceptions import ClientError

    with emulated(estate(3)):
        client = boto3.client("ecs", region_name=REGION)
        with pytest.raises(ClientError) as err:
            client.describe_services(cluster="prod", services=[f"s{i}" for i in range(11)])
        assert err.value.response["Error"]["Code"] == "InvalidParameterException"
        with pytest.raises(ClientError) as err:
            client.list_services(cluster="nowhere")
        assert err.value.response["Error"]["Code"] == "ClusterNotFoundException"


def test_check_reads_one_service_by_arn_and_names_a_missing_one():
    import boto3

    from providers.aws.clients import AwsClients

    with emulated(estate(3)):
        ctx = AwsContext(AwsClients(boto3.Session()), ACCOUNT, REGION, f"aws:{ACCOUNT}/{REGION}")
        obs = get(ctx, arn("edge", "bg"))
        assert classify(obs).level == 5
        with pytest.raises(NotFoundError, match="no such resource: arn:aws:ecs:"):
            get(ctx, arn("edge", "nope"))
        with pytest.raises(NotFoundError):
            get(ctx, arn("nowhere", "bg"))
