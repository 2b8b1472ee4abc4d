"""Linked, not counted twice (providers/aws/links.py): a scan through the
loopback emulator leaves out the ECS services a CodeDeploy group deploys and
the Auto Scaling groups an Elastic Beanstalk environment made, and the owner's
evidence names them; what no owner in the scope names stays a unit."""

from __future__ import annotations

import copy
import uuid

from providers.aws.plugin import plugin
from scanner.classify import classify
from tests.aws.estate import ACCOUNT, EB_ARN, ESTATE
from tests.aws.inproc import emulated, scan, verdicts

REGION = "eu-west-2"
ECS = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service"


def _service(name: str, controller: str) -> dict:
    return {
        "region": REGION,
        "cluster": "web",
        "service": {"serviceName": name, "deploymentController": {"type": controller}},
    }


def _group(name: str, tags: dict[str, str]) -> dict:
    return {"region": REGION, "name": name, "desired": 2, "tags": tags, "refreshes": []}


def estate() -> dict:
    """ESTATE, whose CodeDeploy group payments/prod (eu-west-2) now deploys the
    ECS service web/checkout, with services and groups around it."""
    e = copy.deepcopy(ESTATE)
    e["codedeploy"][0]["group"]["ecsServices"] = [{"clusterName": "web", "serviceName": "checkout"}]
    e["ecs"] = [
        _service("checkout", "CODE_DEPLOY"),  # named by payments/prod: left out
        _service("orphan", "CODE_DEPLOY"),  # named by no group: not assessed
        _service("frontend", "ECS"),  # its own deployments: a unit
    ]
    e["autoscaling"] = [
        _group("awseb-portal-prod", {"elasticbeanstalk:environment-name": "portal-prod"}),
        _group("awseb-gone", {"elasticbeanstalk:environment-name": "no-such-env"}),
        _group("eks-general", {"eks:nodegroup-name": "general", "eks:cluster-name": "prod"}),
        _group("ecs-capacity", {"AmazonECSManaged": ""}),
        _group("plain", {}),
        # just missing the owner rules: an unmanaged group of an EKS cluster (no
        # node group tag), a Beanstalk tag with no environment, a look-alike key
        _group("eks-self-managed", {"eks:cluster-name": "prod"}),
        _group("awseb-blank", {"elasticbeanstalk:environment-name": ""}),
        _group("ecs-lookalike", {"AmazonECSManagedBy": "team"}),
    ]
    return e


def test_a_scan_counts_each_release_once_and_the_owner_names_what_it_releases():
    with emulated(estate()):
        result = scan({"aws_region": (REGION,)})
    found = verdicts(result)
    names = {v["name"]: (v["level"], v["rule"]) for v in found.values()}
    # left out: the CodeDeploy group and the environment are their units
    assert "web/checkout" not in names and "awseb-portal-prod" not in names
    assert names["web/orphan"] == (None, "AWS-ECS-NA-CODE-DEPLOY")
    assert names["web/frontend"][1] == "AWS-ECS-2-ROLLING"
    assert names["awseb-gone"] == (None, "AWS-ASG-NA-BEANSTALK")
    assert names["eks-general"] == (None, "AWS-ASG-NA-EKS-NODEGROUP")
    assert names["ecs-capacity"] == (None, "AWS-ASG-NA-ECS-CAPACITY")
    assert names["plain"] == (None, "AWS-ASG-NA-NO-REFRESH")
    for near_miss in ("eks-self-managed", "awseb-blank", "ecs-lookalike"):
        assert names[near_miss] == (None, "AWS-ASG-NA-NO-REFRESH"), near_miss
    group = next(v for v in found.values() if v["name"] == "payments/prod")
    evidence = {e["field"]: e["value"] for e in group["evidence"]}
    assert evidence["deploymentGroupInfo.ecsServices (clusterName/serviceName)"] == ["web/checkout"]
    env = {e["field"]: e["value"] for e in found[EB_ARN]["evidence"]}
    linked = next(
        v for k, v in env.items() if k.startswith("AutoScalingGroup.AutoScalingGroupName")
    )
    assert linked == ["awseb-portal-prod"]
    assert not result.errors


def test_without_links_every_one_of_those_resources_would_be_a_unit():
    """The same estate, the CodeDeploy group naming nothing and the Beanstalk
    tag on no group: nothing is left out (the test above can fail)."""
    e = estate()
    del e["codedeploy"][0]["group"]["ecsServices"]
    e["autoscaling"][0]["tags"] = {}
    with emulated(e):
        names = {v["name"] for v in verdicts(scan({"aws_region": (REGION,)})).values()}
    assert {"web/checkout", "awseb-portal-prod"} <= names


def test_check_of_a_linked_resource_says_which_unit_releases_it():
    """`check` reads one resource, so it cannot leave it out: its verdict is
    "not assessed" and names the owner."""
    group = uuid.uuid5(uuid.NAMESPACE_URL, f"{ACCOUNT}/{REGION}/awseb-portal-prod")
    asg = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:{group}"
    with emulated(estate()):
        run = plugin.configure({})
        service = classify(run.check(f"{ECS}/web/checkout"))
        made = classify(run.check(f"{asg}:autoScalingGroupName/awseb-portal-prod"))
    assert (service.level, service.rule) == (None, "AWS-ECS-NA-CODE-DEPLOY")
    assert (made.level, made.rule) == (None, "AWS-ASG-NA-BEANSTALK")
    ev = {e.field: e.value for e in made.evidence}
    assert ev["AutoScalingGroup.Tags[elasticbeanstalk:environment-name]"] == "portal-prod"
