"""CloudFront continuous deployment: levels through the real client and
botocore's Stubber, and the scan, `check` and the request counts through the
emulator (rest-xml, rendered from botocore's model).

botocore's cloudfront/2020-05-31/examples-1.json is empty, so the policies are
built from the CloudFront API reference's shapes (API_ContinuousDeploymentPolicy,
API_TrafficConfig, API_ContinuousDeploymentSingleWeightConfig,
API_ContinuousDeploymentSingleHeaderConfig, API_SessionStickinessConfig) and the
Developer Guide's example values ("a value of 0.10 means 10% of traffic";
the header must start with aws-cf-cd-)."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from providers.aws.cloudfront import PAGE, CloudFrontReader
from providers.aws.emulator.app import replay_key
from scanner.classify import classify
from scanner.errors import NotFoundError, UsageError
from tests.aws.conftest import ACCOUNT
from tests.aws.inproc import emulated, scan, verdicts

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PRIMARY, STAGING = "E1PRIMARY", "E1STAGING"
ARN = f"arn:aws:cloudfront::{ACCOUNT}:distribution/{PRIMARY}"
STAGING_DNS = "d111111abcdef8.cloudfront.net"
# API_ContinuousDeploymentSingleWeightConfig: "a value of 0.10 means 10% of traffic
# is sent to the staging distribution"; API_SessionStickinessConfig: IdleTTL and
# MaximumTTL in seconds (300-3600).
WEIGHTED = {
    "Type": "SingleWeight",
    "SingleWeightConfig": {
        "Weight": 0.1,
        "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 600},
    },
}
# API_ContinuousDeploymentSingleHeaderConfig: "The header must be prefixed with aws-cf-cd-".
HEADER = {
    "Type": "SingleHeader",
    "SingleHeaderConfig": {"Header": "aws-cf-cd-test", "Value": "release-candidate"},
}


def summary(dist_id: str, staging: bool = False) -> dict:
    """A DistributionSummary with the members the API reference marks required."""
    return {
        "Id": dist_id,
        "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}",
        "Status": "Deployed",
        "LastModifiedTime": WHEN,
        "DomainName": STAGING_DNS if staging else f"{dist_id.lower()}.cloudfront.net",
        "Aliases": {"Quantity": 0},
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
        "CacheBehaviors": {"Quantity": 0},
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": "",
        "PriceClass": "PriceClass_All",
        "Enabled": True,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "Staging": staging,
    }


def policy(policy_id: str = "cdp-1", traffic: dict | None = None, enabled: bool = True) -> dict:
    config: dict = {
        "StagingDistributionDnsNames": {"Quantity": 1, "Items": [STAGING_DNS]},
        "Enabled": enabled,
    }
    if traffic is not None:
        config["TrafficConfig"] = copy.deepcopy(traffic)
    return {"Id": policy_id, "LastModifiedTime": WHEN, "ContinuousDeploymentPolicyConfig": config}


def config(policy_id: str | None) -> dict:
    found = {
        "CallerReference": "ref",
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "example.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "",
        "Enabled": True,
    }
    if policy_id:
        found["ContinuousDeploymentPolicyId"] = policy_id
    return {"DistributionConfig": found, "ETag": "E2QWRUHAPOMQZL"}


def assess(clients, policies: list[dict], attached: str | None = "cdp-1"):
    """A primary (attached to `attached`) and its staging copy, read by a scan."""
    reader = CloudFrontReader(clients, ACCOUNT, "us-east-1", f"aws:{ACCOUNT}/global")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "list_distributions",
            {
                "DistributionList": {
                    "Marker": "",
                    "MaxItems": PAGE,
                    "IsTruncated": False,
                    "Quantity": 2,
                    "Items": [summary(PRIMARY), summary(STAGING, staging=True)],
                }
            },
            {"MaxItems": str(PAGE)},
        )
        stub.add_response(
            "list_continuous_deployment_policies",
            {
                "ContinuousDeploymentPolicyList": {
                    "MaxItems": PAGE,
                    "Quantity": len(policies),
                    "Items": [{"ContinuousDeploymentPolicy": p} for p in policies],
                }
            },
            {"MaxItems": str(PAGE)},
        )
        if any(p["ContinuousDeploymentPolicyConfig"]["Enabled"] for p in policies):
            # the staging distribution's configuration is not read
            stub.add_response("get_distribution_config", config(attached), {"Id": PRIMARY})
        units = list(reader.collect())
        stub.assert_no_pending_responses()
    return [classify(u) for u in units]


def evidence(a) -> dict:
    return {e.field: e.value for e in a.evidence}


# -- level 4: weight-based ------------------------------------------------------
def test_weight_based_policy_is_level_4_with_session_stickiness_in_the_evidence(clients):
    [a] = assess(clients, [policy(traffic=WEIGHTED)])
    assert (a.id, a.level, a.rule, a.basis) == (
        ARN,
        4,
        "AWS-CLOUDFRONT-4-SINGLE-WEIGHT",
        "snapshot",
    )
    ev = evidence(a)
    base = "ContinuousDeploymentPolicyConfig.TrafficConfig.SingleWeightConfig"
    assert ev[f"{base}.Weight"] == 0.1
    assert ev[f"{base}.SessionStickinessConfig.IdleTTL"] == 300
    assert ev[f"{base}.SessionStickinessConfig.MaximumTTL"] == 600
    assert ev["DistributionConfig.ContinuousDeploymentPolicyId"] == "cdp-1"
    assert ev["ContinuousDeploymentPolicyConfig.StagingDistributionDnsNames.Items"] == [STAGING_DNS]
    assert "a person promotes or stops" in a.reason


@pytest.mark.parametrize(
    ("weight", "rule"), [(0.15, "AWS-CLOUDFRONT-4-SINGLE-WEIGHT"), (0.16, None)]
)
def test_weight_at_the_ceiling_reaches_level_4_and_above_it_is_not_assessed(clients, weight, rule):
    traffic = {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": weight}}
    [a] = assess(clients, [policy(traffic=traffic)])
    assert a.rule == rule
    if rule is None:
        assert a.level is None and "not one CloudFront documents" in a.reason


def test_no_stickiness_is_shown_as_absent(clients):
    traffic = {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.05}}
    [a] = assess(clients, [policy(traffic=traffic)])
    assert a.level == 4
    ev = evidence(a)
    sticky = "ContinuousDeploymentPolicyConfig.TrafficConfig.SingleWeightConfig"
    assert f"{sticky}.Weight" in ev
    assert not [field for field in ev if "SessionStickinessConfig" in field]


# -- level 3: header-based, or a weight of 0 --------------------------------------
def test_header_based_policy_is_level_3_and_the_header_value_is_left_out(clients):
    [a] = assess(clients, [policy(traffic=HEADER)])
    assert (a.level, a.rule, a.basis) == (3, "AWS-CLOUDFRONT-3-SINGLE-HEADER", "snapshot")
    ev = evidence(a)
    assert ev["ContinuousDeploymentPolicyConfig.TrafficConfig.SingleHeaderConfig.Header"] == (
        "aws-cf-cd-test"
    )
    assert "release-candidate" not in repr(a.evidence)


def test_weight_zero_just_misses_level_4_and_is_level_3(clients):
    traffic = {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.0}}
    [a] = assess(clients, [policy(traffic=traffic)])
    assert (a.level, a.rule) == (3, "AWS-CLOUDFRONT-3-ZERO-WEIGHT")


def test_smallest_weight_above_zero_reaches_level_4(clients):
    traffic = {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": math.ulp(0.0)}}
    [a] = assess(clients, [policy(traffic=traffic)])
    assert (a.level, a.rule) == (4, "AWS-CLOUDFRONT-4-SINGLE-WEIGHT")


def test_a_header_type_without_its_config_is_still_header_based(clients):
    [a] = assess(clients, [policy(traffic={"Type": "SingleHeader"})])
    assert a.rule == "AWS-CLOUDFRONT-3-SINGLE-HEADER"


def test_an_enabled_policy_without_a_traffic_config_is_not_assessed(clients):
    [a] = assess(clients, [policy(traffic=None)])
    assert (a.level, a.rule, a.status) == (None, None, "not_assessed")
    assert evidence(a)["ContinuousDeploymentPolicyConfig.TrafficConfig.Type"] is None


# -- not units ---------------------------------------------------------------------
def test_a_disabled_policy_makes_no_unit_and_no_config_is_read(clients):
    # promoting the staging configuration disables the policy
    assert assess(clients, [policy(traffic=WEIGHTED, enabled=False)]) == []


def test_a_primary_without_a_policy_is_not_a_unit(clients):
    assert assess(clients, [policy(traffic=WEIGHTED)], attached=None) == []


def test_a_primary_on_a_disabled_policy_beside_another_enabled_one_is_not_a_unit(clients):
    policies = [policy("cdp-1", WEIGHTED, enabled=False), policy("cdp-2", HEADER)]
    assert assess(clients, policies, attached="cdp-1") == []


def test_a_policy_id_the_list_does_not_hold_is_a_unit_whose_facts_are_unknown(clients):
    [a] = assess(clients, [policy("cdp-2", HEADER)], attached="cdp-gone")
    assert a.level is None and a.status == "not_assessed"
    assert "the continuous deployment policy cdp-gone was not found" in a.reason


# -- through the emulator ------------------------------------------------------------
ESTATE = {
    "account": ACCOUNT,
    "regions": ["eu-west-2"],
    "cloudfront": {
        "distributions": [
            {"id": "E1WEIGHT", "policy": "cdp-w", "tags": {"service": "web"}},
            {"id": "E1WSTAGE", "staging": True},
            {"id": "E2HEADER", "policy": "cdp-h"},
            {"id": "E2HSTAGE", "staging": True},
            {"id": "E3PLAIN"},
            {"id": "E4PROMOTED", "policy": "cdp-off"},
        ],
        "policies": [
            {"id": "cdp-w", "staging": ["E1WSTAGE"], "traffic": WEIGHTED},
            {"id": "cdp-h", "staging": ["E2HSTAGE"], "traffic": HEADER},
            {"id": "cdp-off", "enabled": False, "traffic": WEIGHTED},
        ],
    },
}
CF = f"arn:aws:cloudfront::{ACCOUNT}:distribution"


def _ops(server, service: str) -> list[tuple[str, str, str]]:
    """(service, operation, region) of every request to `service`, in order."""
    keys = [replay_key(r) for r in server.requests]
    return [(k["service"], k["operation"], k["region"]) for k in keys if k["service"] == service]


def _cloudfront_ops(server) -> list[tuple[str, str, str]]:
    return _ops(server, "cloudfront")


def test_scan_reads_the_global_scope_once_through_us_east_1_with_the_fewest_requests():
    with emulated(ESTATE) as (server, _app):
        result = scan({"aws_region": ["eu-west-2"]})
        ops = _cloudfront_ops(server)
        tagging = _ops(server, "tagging")
    found = {k: v for k, v in verdicts(result).items() if ":cloudfront:" in k}
    assert {k: (v["level"], v["rule"]) for k, v in found.items()} == {
        f"{CF}/E1WEIGHT": (4, "AWS-CLOUDFRONT-4-SINGLE-WEIGHT"),
        f"{CF}/E2HEADER": (3, "AWS-CLOUDFRONT-3-SINGLE-HEADER"),
    }
    assert found[f"{CF}/E1WEIGHT"]["tags"] == {"service": "web"}  # tagging API, us-east-1
    assert result.scopes == [f"aws:{ACCOUNT}/eu-west-2", f"aws:{ACCOUNT}/global"]
    units = [a for a in result.assessments if ":cloudfront:" in a.id]
    assert {(a.location, a.account) for a in units} == {("global", ACCOUNT)}
    assert not result.errors
    assert {region for _, _, region in ops} == {"us-east-1"}
    # The minimum: ceil(D/100) ListDistributions + ceil(P/100) ListContinuousDeploymentPolicies
    # + one GetDistributionConfig per distribution that is not staging (an enabled policy
    # exists). The emulator pages after 2 items: 6 distributions take 3 pages, 3 policies 2.
    counts = {op: sum(1 for _, o, _ in ops if o == op) for _, op, _ in ops}
    assert counts == {
        "ListDistributions": 3,
        "ListContinuousDeploymentPolicies": 2,
        "GetDistributionConfig": 4,
    }
    # the global scope's tags: one GetResources call in us-east-1, for distributions only
    assert [(o, region) for _, o, region in tagging if region == "us-east-1"] == [
        ("GetResources", "us-east-1")
    ]


def test_an_account_without_cloudfront_answers_empty_lists_and_reads_no_config():
    estate = {"account": ACCOUNT, "regions": ["eu-west-2"]}
    with emulated(estate) as (server, _app):
        result = scan({"aws_region": ["eu-west-2"]})
        ops = _cloudfront_ops(server)
    assert not result.errors and f"aws:{ACCOUNT}/global" in result.scopes
    assert not [a for a in result.assessments if ":cloudfront:" in a.id]
    assert [o for _, o, _ in ops] == ["ListDistributions", "ListContinuousDeploymentPolicies"]


def test_only_disabled_policies_read_no_distribution_config():
    estate = copy.deepcopy(ESTATE)
    for p in estate["cloudfront"]["policies"]:
        p["enabled"] = False
    with emulated(estate) as (server, _app):
        result = scan({"aws_region": ["eu-west-2"]})
        ops = _cloudfront_ops(server)
    assert not [a for a in result.assessments if ":cloudfront:" in a.id]
    assert "GetDistributionConfig" not in {o for _, o, _ in ops}


def test_a_refused_list_is_a_scope_error_naming_cloudfront():
    estate = {
        **ESTATE,
        "faults": [{"service": "cloudfront", "operation": "ListDistributions", "status": 403}],
    }
    with emulated(estate):
        result = scan({"aws_region": ["eu-west-2"]})
    [error] = [e for e in result.errors if e.scope == f"aws:{ACCOUNT}/global"]
    assert error.service == "cloudfront"
    assert "AccessDenied" in error.message and "ListDistributions" in error.message


def test_check_by_arn_reads_the_config_and_the_policy_in_us_east_1():
    from providers.aws.plugin import plugin

    with emulated(ESTATE) as (server, _app):
        run = plugin.configure({})
        unit = run.check(f"{CF}/E1WEIGHT")
        ops = _cloudfront_ops(server)
    assert (unit.id, unit.location, unit.account) == (f"{CF}/E1WEIGHT", "global", ACCOUNT)
    assert unit.tags == {"service": "web"}
    assert classify(unit).rule == "AWS-CLOUDFRONT-4-SINGLE-WEIGHT"
    assert ops == [
        ("cloudfront", "GetDistributionConfig", "us-east-1"),
        ("cloudfront", "GetContinuousDeploymentPolicy", "us-east-1"),
    ]


@pytest.mark.parametrize(
    ("dist", "error", "message"),
    [
        ("E1WSTAGE", UsageError, "E1WSTAGE is a staging distribution; the release unit is"),
        ("E3PLAIN", UsageError, "E3PLAIN has no continuous deployment policy, so it is not"),
        ("E4PROMOTED", UsageError, "policy cdp-off is disabled"),
        ("ENOSUCH", NotFoundError, "no such CloudFront distribution: ENOSUCH"),
    ],
)
def test_check_of_what_is_not_a_unit_says_why(dist, error, message):
    from providers.aws.plugin import plugin

    with emulated(ESTATE), pytest.raises(error, match=message):
        plugin.configure({}).check(f"{CF}/{dist}")


def test_cli_check_of_a_staging_distribution_is_a_one_line_usage_error(serve):
    from tests.aws.estate import relscan

    env = serve({**ESTATE})
    r = relscan("check", f"{CF}/E1WSTAGE", env=env)
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: CloudFront distribution E1WSTAGE is a staging")
    assert "Traceback" not in r.stderr


def test_rest_xml_answers_put_the_payload_at_the_root_and_header_members_in_headers():
    from providers.aws.emulator.wire import FixtureError, respond

    status, headers, body = respond(
        "cloudfront", "GetDistributionConfig", {**config("cdp-1"), "ETag": "E2QWRUHAPOMQZL"}
    )
    assert status == 200 and headers["ETag"] == "E2QWRUHAPOMQZL"
    text = body.decode()
    assert text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    )
    assert "<ContinuousDeploymentPolicyId>cdp-1</ContinuousDeploymentPolicyId>" in text
    assert "ETag" not in text
    with pytest.raises(FixtureError, match="no member 'Weigth'"):
        respond(
            "cloudfront",
            "GetContinuousDeploymentPolicy",
            {
                "ContinuousDeploymentPolicy": policy(
                    traffic={"Type": "SingleWeight", "SingleWeightConfig": {"Weigth": 1}}
                )
            },
        )
