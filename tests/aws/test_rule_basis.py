"""Every AWS rule rests on policy (the deployment group's or environment's own
configuration says how each release runs) and names the documentation that
decides it (issue 12)."""

from __future__ import annotations

import pytest

from scanner.rules import load_rulebook

RULES = [rule for kind in load_rulebook().values() if kind.provider == "aws" for rule in kind.rules]


def test_every_aws_rule_file_is_covered():
    kinds = {kind.kind for kind in load_rulebook().values() if kind.provider == "aws"}
    assert kinds == {
        "aws.codedeploy.deployment_group",
        "aws.elasticbeanstalk.environment",
        "aws.ecs.service",
        "aws.autoscaling.group",
        "aws.lambda.function",
        "aws.elbv2.listener_rule",
        "aws.route53.weighted_record",
        "aws.appconfig.environment",
        "aws.cloudfront.distribution",
    }
    assert len(RULES) >= 18


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_aws_rule_rests_on_policy_and_cites_aws_documentation(rule):
    # A Lambda alias's version and weights are its current traffic state (issue 16):
    # nothing in the alias says how the next release will move it.
    snapshot = {"AWS-LAMBDA-3-ALIAS-ON-VERSION", "AWS-LAMBDA-4-WEIGHTED-ALIAS"}
    # So are a listener rule's target group weights (issue 17).
    snapshot |= {
        "AWS-ELB-NA-ONE-TARGET-GROUP",
        "AWS-ELB-4-WEIGHTED-SPLIT",
        "AWS-ELB-NA-EQUAL-WEIGHTS",
        "AWS-ELB-3-STANDBY",
    }
    # Route 53 answers by the weights as they stand (issue 17): every rule is snapshot.
    snapshot |= {r.id for r in RULES if r.id.startswith("AWS-R53-")}
    # An AppConfig environment's levels rest on its latest deployment, a record of
    # how the last release ran; each deployment names its own strategy (issue 17).
    snapshot |= {r.id for r in RULES if r.id.startswith("AWS-APPCONFIG-")}
    # And a CloudFront continuous deployment policy: the split as it stands (issue 17).
    snapshot |= {
        "AWS-CLOUDFRONT-4-SINGLE-WEIGHT",
        "AWS-CLOUDFRONT-3-SINGLE-HEADER",
        "AWS-CLOUDFRONT-3-ZERO-WEIGHT",
    }
    assert rule.basis == ("snapshot" if rule.id in snapshot else "policy"), rule.id
    assert rule.sources, rule.id
    for source in rule.sources:
        assert source.startswith("https://docs.aws.amazon.com/") and " " not in source, rule.id


def test_the_lambda_only_shift_rule_is_gone():
    # ECS canary and linear configs are read like Lambda's, by AWS-CD-4-SHIFT.
    ids = {rule.id for rule in RULES}
    assert "AWS-CD-4-LAMBDA-SHIFT" not in ids and "AWS-CD-4-SHIFT" in ids
