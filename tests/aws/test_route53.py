"""Route 53 weighted records: levels through the real client and botocore's
Stubber, built from the record sets of botocore's route53 examples-1.json
(ChangeResourceRecordSets: weighted, weighted alias, failover, latency and
basic records, as ListResourceRecordSets would answer them), and the reads,
paging, tags and `check` through the loopback emulator."""

from __future__ import annotations

import copy
import json
from collections import Counter

import botocore.loaders
import pytest
from botocore.stub import Stubber

from providers.aws.plugin import plugin
from providers.aws.route53 import KIND, Route53Reader
from scanner.classify import classify
from scanner.errors import NotFoundError, UsageError
from tests.aws.conftest import ACCOUNT
from tests.aws.estate import relscan
from tests.aws.inproc import emulated, scan, verdicts

EXAMPLES = botocore.loaders.Loader().load_service_model("route53", "examples-1")["examples"]
# botocore route53/2013-04-01/examples-1.json, ChangeResourceRecordSets, by example id.
_CHANGES = {
    e["id"]: e["input"]["ChangeBatch"]["Changes"] for e in EXAMPLES["ChangeResourceRecordSets"]
}
# "To get information about a hosted zone" (GetHostedZone): Z3M3LMPEXAMPLE, myawsbucket.com.
ZONE = EXAMPLES["GetHostedZone"][0]["output"]["HostedZone"]
ZONE_ID = "Z3M3LMPEXAMPLE"


def example(example_id: str) -> list[dict]:
    """The example's record sets as ListResourceRecordSets answers them: the
    name fully qualified with its trailing dot, lower case."""
    records = []
    for change in _CHANGES[example_id]:
        record = copy.deepcopy(change["ResourceRecordSet"])
        record["Name"] = record["Name"].lower().rstrip(".") + "."
        alias = record.get("AliasTarget")
        if alias:  # the example's DNS names end in a stray space
            alias["DNSName"] = alias["DNSName"].strip()
        records.append(record)
    return records


# "To create weighted resource record sets": Seattle 100, Portland 200, both with a health check.
WEIGHTED = example("to-create-weighted-resource-record-sets-1484348208522")
# "To create weighted alias resource record sets": Ohio 100, Oregon 200, EvaluateTargetHealth.
WEIGHTED_ALIAS = example("to-create-weighted-alias-resource-record-sets-1484349467416")
# "To create failover resource record sets": PRIMARY and SECONDARY with health checks.
FAILOVER = example("to-create-failover-resource-record-sets-1484604541740")
LATENCY = example("to-create-latency-resource-record-sets-1484350219917")
BASIC = example("to-create-update-or-delete-resource-record-sets-1484344703668")
GEOLOCATION = example("to-create-geolocation-resource-record-sets-1484612462466")


def assess_zone(clients, records, zone=ZONE):
    """Every unit of one hosted zone, through the Stubber (the reads' parameters checked)."""
    reader = Route53Reader(clients, ACCOUNT, "us-east-1", "aws:test/global")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "list_hosted_zones",
            {"HostedZones": [zone], "Marker": "", "IsTruncated": False, "MaxItems": "100"},
            {"MaxItems": "100"},
        )
        stub.add_response(
            "list_resource_record_sets",
            {"ResourceRecordSets": records, "IsTruncated": False, "MaxItems": "300"},
            {"HostedZoneId": ZONE_ID, "MaxItems": "300"},
        )
        found = list(reader.collect())
        stub.assert_no_pending_responses()
    return found


def assess(clients, records):
    units = assess_zone(clients, records)
    [unit] = units
    return unit, classify(unit)


def evidence(a):
    return {e.field: e.value for e in a.evidence}


def weighted(*weights, health=(), alias_health=()):
    """Plain weighted A records of app.myawsbucket.com. with these weights; the
    indexes in `health` get a health check, those in `alias_health` become
    alias records with EvaluateTargetHealth."""
    records = []
    for i, weight in enumerate(weights):
        record = {
            "Name": "app.myawsbucket.com.",
            "Type": "A",
            "SetIdentifier": f"v{i}",
            "Weight": weight,
            "TTL": 60,
            "ResourceRecords": [{"Value": f"192.0.2.{i + 1}"}],
        }
        if i in health:
            record["HealthCheckId"] = f"abcdef{i:02}-2222-3333-4444-555555fedcba"
        if i in alias_health:
            del record["TTL"], record["ResourceRecords"]
            record["AliasTarget"] = {
                "HostedZoneId": "Z3AADJGX6KTTL2",
                "DNSName": f"v{i}-123456789.us-east-2.elb.amazonaws.com",
                "EvaluateTargetHealth": True,
            }
        records.append(record)
    return records


# -- level 4 ---------------------------------------------------------------------------
def test_examples_weighted_records_split_unequally_are_level_4_with_their_health_checks(clients):
    unit, a = assess(clients, WEIGHTED)
    assert (a.level, a.rule, a.basis) == (4, "AWS-R53-4-UNEQUAL-WEIGHTS", "snapshot")
    assert unit.id == f"arn:aws:route53:::hostedzone/{ZONE_ID}/recordset/example.com./A"
    assert unit.location == "global" and unit.name == "example.com. A"
    ev = evidence(a)
    assert ev["ListResourceRecordSets.ResourceRecordSets.HealthCheckId"] == [
        "Seattle data center: health check abcdef11-2222-3333-4444-555555fedcba",
        "Portland data center: health check abcdef66-7777-8888-9999-000000fedcba",
    ]
    assert ev["ListResourceRecordSets.ResourceRecordSets"] == [
        "Seattle data center: weight 100 -> 192.0.2.44, "
        "health check abcdef11-2222-3333-4444-555555fedcba",
        "Portland data center: weight 200 -> 192.0.2.45, "
        "health check abcdef66-7777-8888-9999-000000fedcba",
    ]
    assert (
        ev["HostedZone.Name"] == "myawsbucket.com." and ev["HostedZone.Config.PrivateZone"] is False
    )


def test_examples_weighted_alias_records_are_level_4_with_target_health(clients):
    _, a = assess(clients, WEIGHTED_ALIAS)
    assert (a.level, a.rule) == (4, "AWS-R53-4-UNEQUAL-WEIGHTS")
    assert evidence(a)["ListResourceRecordSets.ResourceRecordSets"][0] == (
        "Ohio region: weight 100 -> alias example-com-123456789.us-east-2.elb.amazonaws.com "
        "(EvaluateTargetHealth)"
    )
    assert evidence(a)["ListResourceRecordSets.ResourceRecordSets.HealthCheckId"] == [
        "Ohio region: alias target health (EvaluateTargetHealth)",
        "Oregon region: alias target health (EvaluateTargetHealth)",
    ]


def test_smallest_split_reaches_level_4(clients):
    """AWS's own example of a tiny share: weights 1 and 255 (routing-policy-weighted)."""
    _, a = assess(clients, weighted(255, 1))
    assert (a.level, a.rule) == (4, "AWS-R53-4-UNEQUAL-WEIGHTS")


def test_unequal_live_weights_beside_a_health_checked_standby_are_still_level_4(clients):
    _, a = assess(clients, weighted(90, 10, 0, health=(0, 1, 2)))
    assert (a.level, a.rule) == (4, "AWS-R53-4-UNEQUAL-WEIGHTS")


def test_equal_weights_just_miss_level_4_as_spreading(clients):
    _, a = assess(clients, weighted(100, 100))
    assert (a.level, a.rule, a.basis) == (None, "AWS-R53-NA-EQUAL-WEIGHTS", "snapshot")
    assert "load spreading" in a.reason


def test_all_zero_is_spreading_too(clients):
    _, a = assess(clients, weighted(0, 0, 0, health=(0, 1, 2)))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-EQUAL-WEIGHTS")


def test_equal_live_weights_with_a_zero_standby_just_miss_level_4(clients):
    _, a = assess(clients, weighted(50, 50, 0))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-EQUAL-LIVE-WEIGHTS")
    ev = evidence(a)
    assert ev["ListResourceRecordSets.ResourceRecordSets.Weight (count above 0)"] == 2
    assert ev["ListResourceRecordSets.ResourceRecordSets.Weight (distinct values above 0)"] == 1


# -- level 3 and the failover standby ------------------------------------------------
def test_one_live_record_and_a_zero_weight_standby_without_health_checks_is_level_3(clients):
    _, a = assess(clients, weighted(100, 0))
    assert (a.level, a.rule, a.basis) == (3, "AWS-R53-3-STANDBY", "snapshot")
    ev = evidence(a)
    assert ev["ListResourceRecordSets.ResourceRecordSets.HealthCheckId (count)"] == 0
    assert ev["ListResourceRecordSets.ResourceRecordSets.Weight (count at 0)"] == 1


def test_a_health_check_makes_the_zero_weight_record_a_failover_standby(clients):
    """health-checks-how-route-53-chooses-records: zero-weight records are
    considered only when every record above 0 is unhealthy."""
    _, a = assess(clients, weighted(100, 0, health=(0, 1)))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-HEALTH-CHECKED-STANDBY")
    assert "active-passive failover" in a.reason


def test_one_health_check_in_the_group_is_enough_to_miss_level_3(clients):
    _, a = assess(clients, weighted(100, 0, health=(1,)))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-HEALTH-CHECKED-STANDBY")


def test_an_alias_evaluating_target_health_misses_level_3(clients):
    _, a = assess(clients, weighted(100, 0, alias_health=(0,)))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-HEALTH-CHECKED-STANDBY")


def test_an_alias_not_evaluating_target_health_stays_level_3(clients):
    records = weighted(100, 0, alias_health=(0,))
    records[0]["AliasTarget"]["EvaluateTargetHealth"] = False
    _, a = assess(clients, records)
    assert (a.level, a.rule) == (3, "AWS-R53-3-STANDBY")


# -- not assessed, and not units ------------------------------------------------------
def test_examples_failover_records_are_not_assessed(clients):
    _, a = assess(clients, FAILOVER)
    assert (a.level, a.rule, a.basis) == (None, "AWS-R53-NA-FAILOVER", "snapshot")
    records = evidence(a)["ListResourceRecordSets.ResourceRecordSets"]
    assert [r.split(" -> ")[0] for r in records] == [
        "Ohio region: failover PRIMARY",
        "Oregon region: failover SECONDARY",
    ]


def test_a_weighted_group_just_misses_the_failover_rule(clients):
    _, a = assess(clients, weighted(100, 0))
    assert a.rule != "AWS-R53-NA-FAILOVER"


def test_one_weighted_record_is_not_assessed(clients):
    _, a = assess(clients, weighted(100))
    assert (a.level, a.rule) == (None, "AWS-R53-NA-ONE-RECORD")


def test_two_weighted_records_just_miss_the_one_record_rule(clients):
    _, a = assess(clients, weighted(100, 50))
    assert a.rule != "AWS-R53-NA-ONE-RECORD"


def test_examples_latency_geolocation_and_basic_records_are_not_units(clients):
    assert assess_zone(clients, LATENCY + GEOLOCATION + BASIC) == []


def test_groups_are_split_by_name_and_type(clients):
    aaaa = [
        dict(r, Type="AAAA", ResourceRecords=[{"Value": "2001:db8::1"}]) for r in weighted(1, 0)
    ]
    units = assess_zone(clients, weighted(9, 1) + aaaa + BASIC)
    assert sorted(u.name for u in units) == ["app.myawsbucket.com. A", "app.myawsbucket.com. AAAA"]
    levels = {u.name: classify(u).level for u in units}
    assert levels == {"app.myawsbucket.com. A": 4, "app.myawsbucket.com. AAAA": 3}


def test_a_weight_that_is_no_whole_number_is_not_assessed_without_a_rule(clients):
    """A weight the guard cannot count (a boolean) leaves the counts unread:
    no rule decides, rather than a guessed level."""
    records = weighted(100, 0)
    records[1]["Weight"] = True
    reader = Route53Reader(clients, ACCOUNT, "us-east-1", "aws:test/global")
    a = classify(reader.observe(ZONE, records))
    assert (a.level, a.rule) == (None, None)
    assert "whole number" in a.reason


def test_a_private_zone_is_read_and_said(clients):
    private = dict(ZONE, Config={"PrivateZone": True})
    [unit] = assess_zone(clients, weighted(100, 0), zone=private)
    assert unit.facts["private_zone"].value is True
    assert classify(unit).level == 3


# -- through the emulator: reads, paging, tags, check ------------------------------------
EMULATED_ACCOUNT = "123456789012"
ZONES = [
    {
        "id": "Z1PUBLIC",
        "name": "shop.example",
        "tags": {"service": "shop"},
        "records": [
            *[dict(r, Name="www.shop.example") for r in weighted(90, 10)],
            *[dict(r, Name="api.shop.example") for r in weighted(100, 0, 0)],
            {
                "Name": "*.shop.example",
                "Type": "A",
                "SetIdentifier": "a",
                "Weight": 1,
                "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.7"}],
            },
            {
                "Name": "*.shop.example",
                "Type": "A",
                "SetIdentifier": "b",
                "Weight": 3,
                "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.8"}],
            },
            {
                "Name": "shop.example",
                "Type": "A",
                "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.9"}],
            },
        ],
    },
    {
        "id": "Z2PRIVATE",
        "name": "internal.example",
        "private": True,
        "records": [dict(r, Name="db.internal.example") for r in FAILOVER],
    },
    {"id": "Z3EMPTY", "name": "empty.example", "records": []},
]


def r53_arn(zone, name, rtype="A"):
    return f"arn:aws:route53:::hostedzone/{zone}/recordset/{name}/{rtype}"


def _estate():
    return {"account": EMULATED_ACCOUNT, "regions": ["eu-west-2"], "route53": ZONES}


def test_a_scan_reads_every_zone_once_per_account_at_the_minimum_request_count():
    with emulated(_estate()) as (server, app):
        result = scan({"aws_region": ["eu-west-2"]})
    found = {k: v for k, v in verdicts(result).items() if ":route53:" in k}
    assert {k: (v["level"], v["rule"]) for k, v in found.items()} == {
        r53_arn("Z1PUBLIC", "www.shop.example."): (4, "AWS-R53-4-UNEQUAL-WEIGHTS"),
        r53_arn("Z1PUBLIC", "api.shop.example."): (3, "AWS-R53-3-STANDBY"),
        r53_arn("Z1PUBLIC", "\\052.shop.example."): (4, "AWS-R53-4-UNEQUAL-WEIGHTS"),
        r53_arn("Z2PRIVATE", "db.internal.example."): (None, "AWS-R53-NA-FAILOVER"),
    }
    # the hosted zone's tags, through the tagging API in the global region
    assert found[r53_arn("Z1PUBLIC", "www.shop.example.")]["tags"] == {"service": "shop"}
    assert found[r53_arn("Z2PRIVATE", "db.internal.example.")]["tags"] == {}
    calls = Counter((s, op, region) for s, op, region in app.calls if s == "route53")
    # The emulator pages after 2: 3 zones -> 2 ListHostedZones pages; 8 record
    # sets -> 4 pages, 2 -> 1, none -> 1 (a zone is always asked once). The
    # minimum: ceil(zones/page) + the sum over zones of max(1, ceil(records/page)).
    assert calls == {
        ("route53", "ListHostedZones", "us-east-1"): 2,
        ("route53", "ListResourceRecordSets", "us-east-1"): 6,
    }
    tagging = [(op, region) for s, op, region in app.calls if s == "resourcegroupstaggingapi"]
    assert ("GetResources", "us-east-1") in tagging


def test_a_scan_asks_for_the_largest_pages_route53_allows():
    with emulated(_estate()) as (server, _):
        scan({"aws_region": ["eu-west-2"]})
        sent = [(r.path, r.query) for r in server.requests if "/2013-04-01/" in r.path]
    zones = [q for path, q in sent if path.endswith("/hostedzone")]
    records = [q for path, q in sent if path.endswith("/rrset")]
    assert len(zones) == 2 and all(q["maxitems"] == ["100"] for q in zones)
    assert len(records) == 6 and all(q["maxitems"] == ["300"] for q in records)


def test_one_zone_failing_keeps_the_other_zones_units():
    estate = _estate()
    estate["faults"] = [{"service": "route53", "operation": "ListResourceRecordSets", "times": 1}]
    with emulated(estate):
        result = scan({"aws_region": ["eu-west-2"]})
    errors = [e for e in result.errors if e.service == "route53"]
    assert len(errors) == 1 and "hosted zone Z" in errors[0].message
    assert "AccessDenied" in errors[0].message
    assert any(":route53:" in a.id for a in result.assessments)


def _check(arn):
    return plugin.configure({}).check(arn)


def test_check_reads_one_record_set_by_its_id_with_the_zones_tags():
    with emulated(_estate()) as (server, app):
        obs = _check(r53_arn("Z1PUBLIC", "www.shop.example."))
    assert classify(obs).rule == "AWS-R53-4-UNEQUAL-WEIGHTS"
    assert obs.tags == {"service": "shop"}
    sent = Counter(op for s, op, _ in app.calls if s == "route53")
    # GetHostedZone, then the group from where it starts (2 records: one page)
    assert sent == {"GetHostedZone": 1, "ListResourceRecordSets": 1}


def test_check_accepts_a_name_without_the_trailing_dot_and_a_star_wildcard():
    with emulated(_estate()):
        plain = _check(r53_arn("Z1PUBLIC", "API.shop.example"))
        star = _check(r53_arn("Z1PUBLIC", "*.shop.example"))
    assert plain.id == r53_arn("Z1PUBLIC", "api.shop.example.")
    assert classify(plain).level == 3
    assert star.id == r53_arn("Z1PUBLIC", "\\052.shop.example.")


def test_check_follows_a_group_across_pages():
    zone = {
        "id": "Z9",
        "name": "big.example",
        "records": [dict(r, Name="a.big.example") for r in weighted(5, 4, 3, 0, 0)],
    }
    with emulated({"account": EMULATED_ACCOUNT, "route53": [zone]}) as (_, app):
        obs = _check(r53_arn("Z9", "a.big.example."))
    assert obs.facts["weighted_records"].value == 5
    assert Counter(op for s, op, _ in app.calls if s == "route53")["ListResourceRecordSets"] == 3


def test_check_of_a_private_zones_failover_record():
    with emulated(_estate()):
        obs = _check(r53_arn("Z2PRIVATE", "db.internal.example."))
    assert classify(obs).rule == "AWS-R53-NA-FAILOVER"
    assert obs.facts["private_zone"].value is True


def test_check_names_a_missing_zone_a_missing_record_and_a_record_that_is_no_unit():
    with emulated(_estate()):
        with pytest.raises(NotFoundError, match="no such Route 53 hosted zone: ZNOPE"):
            _check(r53_arn("ZNOPE", "www.shop.example."))
        with pytest.raises(NotFoundError, match="no AAAA record named www.shop.example."):
            _check(r53_arn("Z1PUBLIC", "www.shop.example.", "AAAA"))
        with pytest.raises(UsageError, match="uses simple routing; relscan assesses weighted"):
            _check(r53_arn("Z1PUBLIC", "shop.example."))


def test_the_id_names_the_zone_name_and_type_and_is_claimed_by_the_kind_alone():
    arn = r53_arn("Z1PUBLIC", "\\052.shop.example.", "AAAA")
    assert [k.name for k in plugin.kinds() if k.claims(arn)] == [KIND.name]
    assert KIND.tag_owner(arn) == "arn:aws:route53:::hostedzone/Z1PUBLIC"
    for bad in (
        "arn:aws:route53:::hostedzone/Z1PUBLIC",
        "arn:aws:route53:::hostedzone/Z1PUBLIC/recordset/www.shop.example.",
        "arn:aws:route53:::hostedzone/Z1PUBLIC/recordset/a/b.example./A",
        "arn:aws:route53:eu-west-2::hostedzone/Z1/recordset/www.shop.example./A\n",
    ):
        assert not KIND.claims(bad), bad


def test_cli_check_of_a_record_set_is_exactly_its_scan_resource(serve):
    """As a user runs it: the id with its backslash escape, quoted in a shell."""
    env = serve({"account": EMULATED_ACCOUNT, "regions": ["eu-west-2"], "route53": ZONES})
    arn = r53_arn("Z1PUBLIC", "\\052.shop.example.")
    scanned = json.loads(relscan("scan", "-p", "aws", "-f", "json", env=env).stdout)
    r = relscan("check", arn, "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    one = json.loads(r.stdout)
    [same] = [u for u in scanned["resources"] if u["id"] == arn]
    assert one == same
    assert (one["level"], one["rule"], one["tags"]) == (
        4,
        "AWS-R53-4-UNEQUAL-WEIGHTS",
        {"service": "shop"},
    )


def test_cli_check_of_a_simple_record_is_a_one_line_usage_error(serve):
    env = serve({"account": EMULATED_ACCOUNT, "regions": ["eu-west-2"], "route53": ZONES})
    r = relscan("check", r53_arn("Z1PUBLIC", "shop.example."), env=env)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "uses simple routing" in r.stderr
