"""Weighted listener rules that a deployment switches are that deployment's
(issue 17, "no unit counted twice"): a scan through the loopback emulator
leaves out the rule an ECS service's advancedConfiguration names, a rule that
forwards to an ECS service's alternate target group or to its EXTERNAL task
sets' target groups, and a rule whose target groups a CodeDeploy group's
targetGroupPairInfoList names; the owner's evidence names the rule or its
target groups, and a rule no one names stays a unit."""

from __future__ import annotations

import copy

from providers.aws.emulator.elbv2 import listener_rule_arn, target_group_arn
from tests.aws.estate import ACCOUNT, ESTATE
from tests.aws.inproc import emulated, scan, verdicts

REGION = "eu-west-2"
LB = {"name": "shop"}
# The listener's default rule is index 0; its estate rules follow.
DEFAULT_RULE = listener_rule_arn(ACCOUNT, REGION, LB, 443, 0)
SEARCH_RULE = listener_rule_arn(ACCOUNT, REGION, LB, 443, 1)
MISC_RULE = listener_rule_arn(ACCOUNT, REGION, LB, 443, 2)


def tg(name: str) -> str:
    return target_group_arn(ACCOUNT, REGION, name)


def estate(ecs_service: dict | None = None, pairs: list[str] | None = None) -> dict:
    """ESTATE with one load balancer: the default rule 90/10 (cart-blue,
    cart-green), rule 1 1/0 (search-blue, search-green) and rule 2 1/0 (misc-a,
    misc-b); the ECS service and the CodeDeploy group's target group pairs as given."""
    e = copy.deepcopy(ESTATE)
    e["elbv2"] = [
        {
            "region": REGION,
            "name": "shop",
            "listeners": [
                {
                    "port": 443,
                    "protocol": "HTTPS",
                    "default": {"forward": {"cart-blue": 90, "cart-green": 10}},
                    "rules": [
                        {"forward": {"search-blue": 1, "search-green": 0}},
                        {"forward": {"misc-a": 1, "misc-b": 0}},
                    ],
                }
            ],
        }
    ]
    if ecs_service is not None:
        e["ecs"] = [{"region": REGION, "cluster": "web", "service": ecs_service}]
    if pairs is not None:
        e["codedeploy"][0]["group"]["loadBalancerInfo"] = {
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": n} for n in pairs],
                    "prodTrafficRoute": {"listenerArns": ["arn:aws:elasticloadbalancing:x"]},
                }
            ]
        }
    return e


def _scan(e: dict) -> dict[str, dict]:
    with emulated(e):
        result = scan({"aws_region": (REGION,)})
    assert not result.errors
    return verdicts(result)


def _evidence(verdict: dict) -> dict:
    return {e["field"]: e["value"] for e in verdict["evidence"]}


def _rules(found: dict[str, dict]) -> set[str]:
    return {arn for arn in found if ":listener-rule/" in arn}


def test_no_owner_leaves_every_weighted_rule_a_unit():
    found = _scan(estate())
    assert _rules(found) == {DEFAULT_RULE, SEARCH_RULE, MISC_RULE}
    assert (found[DEFAULT_RULE]["level"], found[DEFAULT_RULE]["rule"]) == (
        4,
        "AWS-ELB-4-WEIGHTED-SPLIT",
    )


def test_the_rule_an_ecs_services_production_listener_rule_names_is_left_out():
    service = {
        "serviceName": "cart",
        "deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 10},
        "loadBalancers": [
            {
                "targetGroupArn": tg("cart-blue"),
                "containerName": "web",
                "containerPort": 8080,
                "advancedConfiguration": {
                    "alternateTargetGroupArn": tg("cart-green"),
                    "productionListenerRule": DEFAULT_RULE,
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ecs-lb",
                },
            }
        ],
    }
    found = _scan(estate(ecs_service=service))
    assert _rules(found) == {SEARCH_RULE, MISC_RULE}
    ev = _evidence(found[f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/cart"])
    assert ev["loadBalancers[].advancedConfiguration.productionListenerRule"] == [DEFAULT_RULE]


def test_a_rule_forwarding_to_an_ecs_services_alternate_target_group_is_left_out():
    service = {
        "serviceName": "search",
        "deploymentConfiguration": {"strategy": "BLUE_GREEN"},
        "loadBalancers": [
            {
                "targetGroupArn": tg("search-blue"),
                "containerName": "web",
                "containerPort": 8080,
                "advancedConfiguration": {
                    "alternateTargetGroupArn": tg("search-green"),
                    "productionListenerRule": "arn:aws:elasticloadbalancing:elsewhere",
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ecs-lb",
                },
            }
        ],
    }
    found = _scan(estate(ecs_service=service))
    assert _rules(found) == {DEFAULT_RULE, MISC_RULE}
    ev = _evidence(found[f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/search"])
    assert ev["loadBalancers[].advancedConfiguration.alternateTargetGroupArn"] == [
        tg("search-green")
    ]


def test_a_rule_forwarding_to_an_external_services_task_set_target_group_is_left_out():
    # DescribeServices answers an EXTERNAL service's task sets inline (Service.taskSets).
    service = {
        "serviceName": "misc",
        "deploymentController": {"type": "EXTERNAL"},
        "taskSets": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "loadBalancers": [{"targetGroupArn": tg("misc-a"), "containerPort": 80}],
            },
            {
                "id": "ecs-svc/2",
                "status": "ACTIVE",
                "loadBalancers": [{"targetGroupArn": tg("misc-b"), "containerPort": 80}],
            },
        ],
    }
    found = _scan(estate(ecs_service=service))
    assert _rules(found) == {DEFAULT_RULE, SEARCH_RULE}
    misc = found[f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/misc"]
    assert misc["rule"] == "AWS-ECS-NA-EXTERNAL"
    assert _evidence(misc)["taskSets[].loadBalancers[].targetGroupArn"] == [
        tg("misc-a"),
        tg("misc-b"),
    ]


def test_a_rule_whose_target_groups_a_codedeploy_group_pairs_is_left_out():
    found = _scan(estate(pairs=["search-blue", "search-green"]))
    assert _rules(found) == {DEFAULT_RULE, MISC_RULE}
    group = found[f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:payments/prod"]
    field = "deploymentGroupInfo.loadBalancerInfo.targetGroupPairInfoList[].targetGroups[].name"
    assert _evidence(group)[field] == ["search-blue", "search-green"]


def test_a_codedeploy_pair_naming_other_target_groups_leaves_the_rules_units():
    found = _scan(estate(pairs=["billing-blue", "billing-green"]))
    assert _rules(found) == {DEFAULT_RULE, SEARCH_RULE, MISC_RULE}
