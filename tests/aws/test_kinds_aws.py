"""The AWS kinds as declared (providers/aws/kind.py and each reader's KIND)
drive `check`, the ARN parser, the scan's tagging filters and reads, and the
evidence recorder the plugin is given; run against the loopback emulator."""

from __future__ import annotations

import json
import re

import pytest

from providers.aws.arn import parse_arn
from providers.aws.emulator.app import replay_key
from providers.aws.history import history_reads
from providers.aws.permissions import SIGNING_NAMES
from providers.aws.plugin import known_regions, plugin, services
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.model import Observation
from tests.aws.estate import (
    APPCONFIG_ARN,
    ASG_ARN,
    CD_ARN,
    CLOUDFRONT_ARN,
    EB_ARN,
    ESTATE_ALL_KINDS,
    R53_ARN,
)
from tests.aws.inproc import emulated, operation_of

# The message before the kinds were declared (relscan 0.1.0, `relscan check
# arn:aws:lambda:eu-west-2:123456789012:function:f`), word for word, with the
# kinds declared since added to its list (the Lambda kind, issue 16, took
# lambda:function off, so the example is now an SNS topic; issue 17 added the
# listener rule).
UNSUPPORTED = (
    "unsupported ARN kind sns:topic; relscan checks "
    "arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APPLICATION/GROUP and "
    "arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APPLICATION/ENVIRONMENT and "
    "arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE and "
    "arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:ID:autoScalingGroupName/GROUP and "
    "arn:aws:lambda:REGION:ACCOUNT:function:FUNCTION[:ALIAS] and "
    "arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app|net/LB/LBID/LISTENERID/RULEID"
    " and "
    "arn:aws:route53:::hostedzone/ZONE/recordset/NAME/TYPE and "
    "arn:aws:appconfig:REGION:ACCOUNT:application/APPID/environment/ENVID and "
    "arn:aws:cloudfront::ACCOUNT:distribution/ID"
)


def test_the_plugin_reads_the_kinds_in_order():
    assert [k.name for k in plugin.kinds()] == [
        "aws.codedeploy.deployment_group",
        "aws.elasticbeanstalk.environment",
        "aws.ecs.service",
        "aws.autoscaling.group",
        "aws.lambda.function",
        "aws.elbv2.listener_rule",
        "aws.route53.weighted_record",
        "aws.appconfig.environment",
        "aws.cloudfront.distribution",
    ]
    # botocore's client names: Elastic Load Balancing v2's ARNs say elasticloadbalancing
    assert services() == (
        "codedeploy",
        "elasticbeanstalk",
        "ecs",
        "autoscaling",
        "lambda",
        "elbv2",
        "route53",
        "appconfig",
        "cloudfront",
    )


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        (CD_ARN, "aws.codedeploy.deployment_group"),
        (EB_ARN, "aws.elasticbeanstalk.environment"),
        (ASG_ARN, "aws.autoscaling.group"),
        (R53_ARN, "aws.route53.weighted_record"),
        (APPCONFIG_ARN, "aws.appconfig.environment"),
        (CLOUDFRONT_ARN, "aws.cloudfront.distribution"),
    ],
)
def test_check_of_an_id_a_kind_claims_reaches_that_kinds_reader(arn, kind):
    assert plugin.reader_for(arn).KIND.name == kind
    with emulated(ESTATE_ALL_KINDS) as (server, _):
        obs = plugin.configure({}).check(arn)
        sent = [operation_of(r) for r in server.requests]
    assert isinstance(obs, Observation)
    assert (obs.id, obs.kind) == (arn, kind)
    reads = set(plugin.reader(kind).KIND.reads)
    discovery = set(plugin.discovery_reads)
    # every call is the kind's own or the provider's (identity, tags)
    assert {f"{SIGNING_NAMES.get(s, s)}:{o}" for s, o in sent} <= (reads | discovery)
    assert any(f"{s}:{o}" in reads for s, o in sent)


# What a kind with its own resource regex puts where its names go (an "app"
# and a "unit" where ParsedArn reads the application and the name).
RESOURCE_SAMPLES = {
    "aws.elbv2.listener_rule": "app/app/50dc6c495c0c9188/f2f7dc8efc522ab2/unit",
    "aws.route53.weighted_record": "ZAPP/recordset/unit.example./A",
    "aws.appconfig.environment": "app/environment/unit",
    "aws.cloudfront.distribution": "unit",
}


@pytest.mark.parametrize("kind", plugin.kinds(), ids=lambda k: k.name)
def test_the_id_form_written_out_is_claimed_by_its_kind_alone_and_parses(kind):
    arn = (
        kind.id_form.replace("REGION", "eu-west-2")
        .replace("ACCOUNT", "123456789012")
        .replace(
            kind.names,
            RESOURCE_SAMPLES.get(kind.name, f"app{kind.separator}unit"),
        )
    )
    assert [k.name for k in plugin.kinds() if k.claims(arn)] == [kind.name]
    parsed = parse_arn(arn)
    assert parsed.service == kind.service
    if kind.name == "aws.route53.weighted_record":  # a zone, a record name and a type
        parts = [parsed.part(p) for p in ("zone", "record", "type")]
        assert parts == ["ZAPP", "unit.example.", "A"]
    elif kind.name == "aws.cloudfront.distribution":  # one name, the distribution's ID
        assert (parsed.application, parsed.name) == ("", "unit")
    else:
        assert (parsed.application, parsed.name) == ("app", "unit")
    assert parsed.text == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:app/unit/x",
        "arn:aws:codedeploy::123456789012:deploymentgroup:app/unit",
        "arn:aws:elasticbeanstalk:eu-west-2:123456789012:deploymentgroup:app/unit",
        "arn:aws:codedeploy:eu-west-2:123456789012:environment/app/unit",
        "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:app/unit\n",
    ],
)
def test_no_kind_claims_an_id_the_parser_refuses(arn):
    assert plugin.reader_for(arn) is None
    with pytest.raises(UsageError):
        parse_arn(arn)


def test_an_unsupported_well_formed_arn_gets_the_same_message_listing_the_id_forms():
    with pytest.raises(UsageError) as err:
        plugin.check_id("arn:aws:sns:eu-west-2:123456789012:topic")
    assert str(err.value) == UNSUPPORTED
    assert str(err.value).endswith(" and ".join(plugin.id_forms()))


def test_a_kinds_malformed_arn_is_named_by_its_title():
    with pytest.raises(UsageError) as err:
        parse_arn("arn:aws:elasticbeanstalk:eu-west-2:123456789012:environment/shop")
    assert str(err.value) == (
        "malformed Elastic Beanstalk environment ARN "
        "'arn:aws:elasticbeanstalk:eu-west-2:123456789012:environment/shop': the environment "
        "name is missing (expected environment/APPLICATION/ENVIRONMENT)"
    )


def test_known_regions_are_those_of_the_kinds_services():
    import boto3

    session = boto3.Session()
    regions = known_regions(session)
    assert "eu-west-2" in regions and "cn-north-1" in regions
    assert "nowhere-1" not in regions


def test_a_scan_sends_exactly_the_kinds_reads_and_tags_by_the_kinds_types():
    """Every read a kind declares is sent, and nothing undeclared: the grant
    built from the declarations is neither short nor wide."""
    with emulated(ESTATE_ALL_KINDS) as (server, _):
        run = plugin.configure({"aws_region": ("eu-west-2",)})
        items = [x for scope in run.scopes() for x in run.collect(scope)]
        keys = [replay_key(r) for r in server.requests]
    assert {o.kind for o in items if isinstance(o, Observation)} == {k.name for k in plugin.kinds()}
    sent = {f"{SIGNING_NAMES.get(k['service'], k['service'])}:{k['operation']}" for k in keys}
    # GetFunctionConfiguration reads the one function `check` names; a scan lists them
    # (likewise Route 53's GetHostedZone, AppConfig's GetEnvironment and GetApplication,
    # CloudFront's GetContinuousDeploymentPolicy)
    check_only = {
        "lambda:GetFunctionConfiguration",
        "route53:GetHostedZone",
        "appconfig:GetEnvironment",
        "appconfig:GetApplication",
        "cloudfront:GetContinuousDeploymentPolicy",
    }
    assert (
        sent - {"resourcegroupstaggingapi:GetResources", "sts:GetCallerIdentity"}
        == {read for kind in plugin.kinds() for read in kind.reads} - check_only - history_reads()
    )  # the release records' reads are sent only with --history (tests/aws/test_history.py)
    # the emulator pages after 2; each scope asks for its own kinds' types: the
    # region's, and the global scope's (through us-east-1) Route 53 hosted zones and CloudFront
    # distributions
    pages = [k for k in keys if k["service"] == "tagging"]
    by_region: dict[str, list[list[str]]] = {}
    for page in pages:
        by_region.setdefault(page["region"], []).append(_filters(page["params"]))
    assert set(by_region) == {"eu-west-2", "us-east-1"}
    assert all(
        f
        == [
            "codedeploy:deploymentgroup",
            "elasticbeanstalk:environment",
            "ecs:service",
            "lambda:function",
            "elasticloadbalancing:listener-rule",
            "appconfig",
        ]
        for f in by_region["eu-west-2"]
    )
    assert all(
        f == ["route53:hostedzone", "cloudfront:distribution"] for f in by_region["us-east-1"]
    )


def _filters(params: dict) -> list[str]:
    value = params.get("ResourceTypeFilters")
    return value if isinstance(value, list) else json.loads(value)


def test_each_evidence_field_is_its_facts_declared_field_with_decorations():
    """What the evidence shows for a fact is the declared API field, with at
    most a config name in brackets, an element marker [] or a note."""
    with emulated(ESTATE_ALL_KINDS) as (_, _app):
        run = plugin.configure({})
        found = [
            x for scope in run.scopes() for x in run.collect(scope) if isinstance(x, Observation)
        ]
    kinds = {k.name: k for k in plugin.kinds()}
    assert found
    for obs in found:
        kind = kinds[obs.kind]
        assert set(obs.facts) == kind.fact_names, obs.id
        for fact in obs.facts.values():
            shown = re.sub(r"^deploymentConfigInfo\[[^\]]*\]", "deploymentConfigInfo", fact.field)
            shown = shown.replace("[].", ".").split(" (")[0]
            # a declared field may carry a note, or name alternatives ("A | B")
            declared = kind.field(fact.name).split(" (")[0].split(" | ")
            assert shown in declared, (obs.id, fact.name)


def test_the_recorder_given_to_configure_receives_the_exchanges(tmp_path):
    recorder = Recorder(tmp_path / "bundle")
    with emulated(ESTATE_ALL_KINDS):
        plugin.configure({}, recorder).check(CD_ARN)
    names = sorted(p.name for p in (tmp_path / "bundle" / "responses").iterdir())
    assert any(n.endswith("-aws-codedeploy-BatchGetDeploymentGroups.json") for n in names)
    assert any(n.endswith("-aws-sts-GetCallerIdentity.json") for n in names)
