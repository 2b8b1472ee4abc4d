"""Load balancer listener rules with weighted target groups (issue 17): levels
through the real elbv2 client and botocore's Stubber, built from botocore's
elbv2 examples-1.json (DescribeLoadBalancers, DescribeListeners, DescribeRules:
my-load-balancer, its HTTP:80 listener and its rule 10), and the reads,
`check` and request counts through the emulator."""

from __future__ import annotations

import copy
import math

import botocore.loaders
import pytest
from botocore.stub import Stubber

from providers.aws.emulator.app import replay_key
from providers.aws.emulator.elbv2 import listener_rule_arn
from providers.aws.listener_rules import PAGE, ListenerRuleReader
from providers.aws.plugin import plugin
from scanner.classify import classify
from scanner.errors import NotFoundError, UsageError
from tests.aws.estate import ACCOUNT, ESTATE_ALL_KINDS, LISTENER_RULE_ARN
from tests.aws.inproc import emulated, operation_of, scan

EXAMPLES = botocore.loaders.Loader().load_service_model("elbv2", "examples-1")["examples"]
# "To describe a load balancer" (elbv2-describe-load-balancers-1): my-load-balancer.
BALANCERS = EXAMPLES["DescribeLoadBalancers"][0]["output"]
LB = BALANCERS["LoadBalancers"][0]
# "To describe a listener" (elbv2-describe-listeners-1): HTTP:80, forward to my-targets.
LISTENERS = EXAMPLES["DescribeListeners"][0]["output"]
LISTENER = LISTENERS["Listeners"][0]
# "To describe a rule" (elbv2-describe-rules-1): priority 10, /img/*, forward to my-targets.
RULES = EXAMPLES["DescribeRules"][0]["output"]
RULE = RULES["Rules"][0]
RULE_ARN = RULE["RuleArn"]
MY_TARGETS = RULE["Actions"][0]["TargetGroupArn"]
OTHER_TARGETS = MY_TARGETS.replace("my-targets/73e2d6bc24d8a067", "my-new-targets/0123456789abcdef")
THIRD_TARGETS = MY_TARGETS.replace(
    "my-targets/73e2d6bc24d8a067", "my-spare-targets/fedcba9876543210"
)


def weighted(*weights: int | None, sticky: dict | None = None) -> dict:
    """The example rule, forwarding to my-targets, my-new-targets (and
    my-spare-targets) with these weights; None leaves a Weight out."""
    rule = copy.deepcopy(RULE)
    arns = [MY_TARGETS, OTHER_TARGETS, THIRD_TARGETS][: len(weights)]
    groups = [
        {"TargetGroupArn": arn, **({} if w is None else {"Weight": w})}
        for arn, w in zip(arns, weights, strict=True)
    ]
    config: dict = {"TargetGroups": groups}
    if sticky is not None:
        config["TargetGroupStickinessConfig"] = sticky
    rule["Actions"] = [{"Type": "forward", "ForwardConfig": config}]
    return rule


def collect(clients, rules: list[dict]):
    """A scan of the example load balancer whose listener answers `rules`."""
    reader = ListenerRuleReader(clients, "123456789012", "us-west-2", "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("describe_load_balancers", BALANCERS, {"PageSize": PAGE})
        stub.add_response(
            "describe_listeners",
            LISTENERS,
            {"LoadBalancerArn": LB["LoadBalancerArn"], "PageSize": PAGE},
        )
        stub.add_response(
            "describe_rules",
            {"Rules": rules},
            {"ListenerArn": LISTENER["ListenerArn"], "PageSize": PAGE},
        )
        units = list(reader.collect())
        stub.assert_no_pending_responses()
    return units


def check(clients, rule: dict):
    """`check` of the example rule's ARN, answering `rule`."""
    reader = ListenerRuleReader(clients, "123456789012", "us-west-2", "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("describe_rules", {"Rules": [rule]}, {"RuleArns": [RULE_ARN]})
        stub.add_response(
            "describe_listeners", LISTENERS, {"ListenerArns": [LISTENER["ListenerArn"]]}
        )
        stub.add_response(
            "describe_load_balancers", BALANCERS, {"LoadBalancerArns": [LB["LoadBalancerArn"]]}
        )
        obs = reader.get(RULE_ARN, {"service": "images"})
        stub.assert_no_pending_responses()
    return obs


def evidence(a):
    return {e.field: e.value for e in a.evidence}


# -- which rules are units ----------------------------------------------------
def test_the_examples_rule_forwards_to_one_target_group_and_is_no_unit(clients):
    assert collect(clients, [RULE]) == []


def test_check_of_the_examples_rule_reads_it_and_it_is_not_assessed(clients):
    obs = check(clients, RULE)
    a = classify(obs)
    assert (a.level, a.rule, a.basis) == (None, "AWS-ELB-NA-ONE-TARGET-GROUP", "snapshot")
    assert obs.id == RULE_ARN and obs.name == "my-load-balancer:80 rule 10"
    assert obs.tags == {"service": "images"}
    ev = evidence(a)
    assert ev["Actions[Type=forward].TargetGroupArn"] == [MY_TARGETS]
    assert ev["Actions[Type=forward].TargetGroupArn (how many)"] == 1
    assert ev["LoadBalancer.Type"] == "application" and ev["Listener.Port"] == 80


def test_two_target_groups_just_miss_the_one_group_rule(clients):
    a = classify(check(clients, weighted(90, 10)))
    assert a.rule == "AWS-ELB-4-WEIGHTED-SPLIT"


# -- level 4 ----------------------------------------------------------------------
def test_unequal_weights_above_0_are_a_split_moved_by_hand_level_4(clients):
    sticky = {"Enabled": True, "DurationSeconds": 3600}
    [obs] = collect(clients, [RULE, weighted(90, 10, sticky=sticky)])
    a = classify(obs)
    assert (a.level, a.rule, a.basis) == (4, "AWS-ELB-4-WEIGHTED-SPLIT", "snapshot")
    ev = evidence(a)
    tuples = "Actions[Type=forward].ForwardConfig.TargetGroups"
    assert ev[f"{tuples}[].Weight (target group name: weight)"] == [
        "my-targets: 90",
        "my-new-targets: 10",
    ]
    assert ev[f"{tuples}[].TargetGroupArn"] == [MY_TARGETS, OTHER_TARGETS]
    sticky_field = "Actions[Type=forward].ForwardConfig.TargetGroupStickinessConfig"
    assert ev[f"{sticky_field}.Enabled"] is True
    assert ev[f"{sticky_field}.DurationSeconds"] == 3600
    assert "splits its traffic unevenly" in a.reason


def test_a_standby_beside_an_unequal_split_is_still_level_4(clients):
    [obs] = collect(clients, [weighted(90, 10, 0)])
    assert classify(obs).rule == "AWS-ELB-4-WEIGHTED-SPLIT"


# -- not assessed: equal weights ----------------------------------------------------
def test_equal_weights_as_in_the_cloudformation_example_are_load_spreading(clients):
    # AWS::ElasticLoadBalancingV2::ListenerRule ForwardConfig, "Weighted Target
    # Groups Example": two target groups at Weight 1, "traffic is split 50/50".
    [obs] = collect(clients, [weighted(1, 1)])
    a = classify(obs)
    assert (a.level, a.rule, a.basis) == (None, "AWS-ELB-NA-EQUAL-WEIGHTS", "snapshot")
    assert a.reason.startswith("not assessed, because the target groups that take traffic")


def test_equal_live_weights_beside_a_zero_are_spreading_too(clients):
    [obs] = collect(clients, [weighted(50, 50, 0)])
    assert classify(obs).rule == "AWS-ELB-NA-EQUAL-WEIGHTS"


def test_weights_one_apart_just_miss_equal(clients):
    [obs] = collect(clients, [weighted(1, 2)])
    assert classify(obs).rule == "AWS-ELB-4-WEIGHTED-SPLIT"


# -- level 3 ----------------------------------------------------------------------
def test_one_group_live_and_the_other_at_0_is_a_standby_level_3(clients):
    [obs] = collect(clients, [weighted(1, 0)])
    a = classify(obs)
    assert (a.level, a.rule, a.basis) == (3, "AWS-ELB-3-STANDBY", "snapshot")
    ev = evidence(a)
    tuples = "Actions[Type=forward].ForwardConfig.TargetGroups"
    assert ev[f"{tuples}[].Weight (how many above 0)"] == 1


def test_no_weight_above_0_just_misses_the_standby_and_is_not_assessed(clients):
    [obs] = collect(clients, [weighted(0, 0)])
    a = classify(obs)
    assert (a.level, a.rule) == (None, None)
    assert a.reason.startswith("not assessed, because the rule's forward action gives no")


def test_a_missing_weight_is_unknown_never_a_level(clients):
    [obs] = collect(clients, [weighted(90, None)])
    a = classify(obs)
    assert a.level is None
    fact = obs.facts["groups_with_traffic"]
    assert fact.error == "a target group in the forward action has no Weight"


# -- the emulator: reads, requests, check ------------------------------------------------
def _estate(load_balancers: list[dict]) -> dict:
    return {**ESTATE_ALL_KINDS, "elbv2": load_balancers}


def _lb(name: str, listeners: int, rules: int, kind: str = "application") -> dict:
    return {
        "region": "eu-west-2",
        "name": name,
        "type": kind,
        "listeners": [
            {
                "port": 8000 + n,
                # an NLB's forward takes one target group (the emulator's default)
                "default": {}
                if kind == "network"
                else {"forward": {f"{name}-{n}-blue": 9, f"{name}-{n}-green": 1}},
                "rules": [{"forward": {f"{name}-{n}-{r}": 1}} for r in range(rules)],
            }
            for n in range(listeners)
        ],
    }


def test_a_scan_sends_the_minimum_requests_at_the_largest_pages():
    """ceil(LBs/page) DescribeLoadBalancers + ceil(listeners/page) per load
    balancer + ceil(rules/page) per ALB listener, the default rule counted; a
    Network Load Balancer's listeners cost no DescribeRules."""
    balancers = [_lb("shop", 3, 4), _lb("admin", 1, 0), _lb("tcp", 2, 0, "network")]
    with emulated(_estate(balancers)) as (server, app):
        result = scan({"aws_region": ("eu-west-2",)})
        keys = [r for r in server.requests if operation_of(r)[0] == "elasticloadbalancing"]
        sent = [operation_of(r)[1] for r in keys]
        page = app.page_size
    assert not result.errors
    # shop: 3 listeners, each its default rule (9:1) and 4 single-target rules;
    # admin: one listener's default rule (9:1); tcp: none
    units = [a for a in result.assessments if a.kind == "aws.elbv2.listener_rule"]
    assert sorted(a.name for a in units) == [
        "admin:8000 default rule",
        "shop:8000 default rule",
        "shop:8001 default rule",
        "shop:8002 default rule",
    ]
    expected = (
        math.ceil(3 / page)
        + math.ceil(3 / page)
        + math.ceil(1 / page)
        + math.ceil(2 / page)
        + 3 * math.ceil(5 / page)
        + 1 * math.ceil(1 / page)
    )
    assert len(sent) == expected
    assert sent.count("DescribeRules") == 3 * math.ceil(5 / page) + 1
    assert all(replay_key(r)["params"].get("PageSize") == "400" for r in keys)


def test_check_through_the_emulator_reads_the_rule_its_listener_and_balancer():
    with emulated(ESTATE_ALL_KINDS) as (server, _):
        obs = plugin.configure({}).check(LISTENER_RULE_ARN)
        sent = [operation_of(r) for r in server.requests]
    a = classify(obs)
    assert (a.level, a.rule) == (4, "AWS-ELB-4-WEIGHTED-SPLIT")
    assert obs.name == "shop:443 default rule" and obs.tags == {"service": "shop"}
    assert evidence(a)["IsDefault"] is True
    assert [op for s, op in sent if s == "elasticloadbalancing"] == [
        "DescribeRules",
        "DescribeListeners",
        "DescribeLoadBalancers",
    ]


def test_check_of_a_rule_that_does_not_exist_is_not_found():
    gone = listener_rule_arn(ACCOUNT, "eu-west-2", {"name": "shop"}, 443, 7)
    with emulated(ESTATE_ALL_KINDS), pytest.raises(NotFoundError) as err:
        plugin.configure({}).check(gone)
    assert str(err.value).startswith(f"no such resource: {gone}")


def test_a_malformed_listener_rule_arn_is_named_by_the_kinds_title():
    bad = f"arn:aws:elasticloadbalancing:eu-west-2:{ACCOUNT}:listener-rule/app/shop/1/2"
    with pytest.raises(UsageError) as err:
        plugin.check_id(bad)
    assert str(err.value) == (
        f"malformed load balancer listener rule ARN {bad!r}: the resource part does not "
        "have the form listener-rule/app|net/LB/LBID/LISTENERID/RULEID"
    )


def test_a_failed_listener_is_a_scope_error_and_the_other_rules_are_kept():
    balancers = [_lb("shop", 1, 0), _lb("admin", 1, 0)]
    estate = _estate(balancers)
    estate["faults"] = [
        {"service": "elbv2", "operation": "DescribeRules", "code": "AccessDenied", "times": 1}
    ]
    with emulated(estate):
        result = scan({"aws_region": ("eu-west-2",)})
    units = [a for a in result.assessments if a.kind == "aws.elbv2.listener_rule"]
    [error] = [e for e in result.errors if "load balancer" in e.service]
    # the two load balancers are read side by side: either may meet the fault
    failed = error.service.split()[2]
    assert error.service == f"load balancer {failed} listener 8000"
    assert "AccessDenied on DescribeRules" in error.message
    assert [a.name for a in units] == [f"{({'shop', 'admin'} - {failed}).pop()}:8000 default rule"]
