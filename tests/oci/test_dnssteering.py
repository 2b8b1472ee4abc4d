"""Every DNS steering policy rule, reached and just missed, through the real
SDK against the emulator.

The policies follow the shapes of OCI's Traffic Management Steering Policies
API Guide (https://docs.oracle.com/iaas/Content/TrafficManagement/Concepts/trafficmanagementapi.htm):
the LOAD_BALANCE template's FILTER (`answer.isDisabled != true`, shouldKeep
true), HEALTH, WEIGHTED (one value per answer, by `answer.name`) and LIMIT
(defaultCount 1), and the FAILOVER template's FILTER, HEALTH, PRIORITY, LIMIT.
Weights are 0-255 (SteeringPolicyWeightedAnswerData, DNS API reference).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.oci.conftest import PROD, REGION, TEAM, estate, evidence

P = "steeringPolicy"
W = f"{P}.rules[WEIGHTED].defaultAnswerData|cases[].answerData[].value"
MONITOR = "ocid1.httpmonitor.oc1..aaaaaaaamonitor0000000000000000000000000000000000000000"
ENABLED = {
    "ruleType": "FILTER",
    "defaultAnswerData": [{"answerCondition": "answer.isDisabled != true", "shouldKeep": True}],
}
HEALTH = {"ruleType": "HEALTH"}
LIMIT1 = {"ruleType": "LIMIT", "defaultCount": 1}


def answers(*names: str, **extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": n, "rtype": "A", "rdata": f"192.0.2.{i + 10}", **extra.get(n, {})}
        for i, n in enumerate(names)
    ]


def weighted(**weights: int) -> dict[str, Any]:
    return {
        "ruleType": "WEIGHTED",
        "defaultAnswerData": [
            {"answerCondition": f"answer.name == '{n}'", "value": w} for n, w in weights.items()
        ],
    }


def entry(
    name: str,
    rules: list[dict[str, Any]],
    names: tuple[str, ...] = ("blue", "green"),
    template: str = "CUSTOM",
    monitor: str | None = None,
    attached: bool = True,
    compartment: str = PROD,
    **answer_extra: dict[str, Any],
) -> dict[str, Any]:
    pol = {
        "displayName": name,
        "template": template,
        "answers": answers(*names, **answer_extra),
        "rules": rules,
        "healthCheckMonitorId": monitor,
    }
    domains = [{"domainName": f"{name}.example.com"}] if attached else []
    return {"compartment": compartment, "policy": pol, "attachments": domains}


LOAD_BALANCE = [ENABLED, HEALTH, weighted(blue=90, green=10), LIMIT1]

CASES = [
    # id, entry kwargs, level, rule, {evidence field: value}
    (
        "lb-template",
        dict(rules=LOAD_BALANCE, template="LOAD_BALANCE", monitor=MONITOR),
        4,
        "OCI-DNS-4-WEIGHTED-SPLIT",
        {W: ["default: blue=90, green=10"], f"{P}.healthCheckMonitorId": MONITOR},
    ),
    (
        # a CUSTOM template holding a WEIGHTED rule is judged by the rule
        "custom-weighted",
        dict(rules=[weighted(blue=200, green=55), LIMIT1]),
        4,
        "OCI-DNS-4-WEIGHTED-SPLIT",
        {f"{P}.template": "CUSTOM", W: ["default: blue=200, green=55"]},
    ),
    (
        # neighbour: the light answer is disabled and FILTER drops it: one answer
        "disabled-canary",
        dict(rules=LOAD_BALANCE, green={"isDisabled": True}),
        None,
        "OCI-DNS-NA-EVERY-ANSWER",
        {f"{P}.answers (kept by FILTER rules)": ["blue"], f"{P}.answers[].isDisabled": ["green"]},
    ),
    (
        # without a FILTER, isDisabled decides nothing: the split stands
        "disabled-unfiltered",
        dict(rules=[weighted(blue=90, green=10), LIMIT1], green={"isDisabled": True}),
        4,
        "OCI-DNS-4-WEIGHTED-SPLIT",
        {f"{P}.answers[].isDisabled": ["green"]},
    ),
    (
        "standby-by-hand",
        dict(rules=[ENABLED, weighted(blue=100, green=0), LIMIT1]),
        3,
        "OCI-DNS-3-WEIGHTED-STANDBY",
        {f"{P}.healthCheckMonitorId + rules[HEALTH]": False},
    ),
    (
        # neighbour: the same standby behind a health check is failover
        "standby-health",
        dict(rules=[ENABLED, HEALTH, weighted(blue=100, green=0), LIMIT1], monitor=MONITOR),
        None,
        "OCI-DNS-NA-HEALTH-STANDBY",
        {f"{P}.healthCheckMonitorId + rules[HEALTH]": True},
    ),
    (
        # a HEALTH rule without a monitor filters nothing: still level 3
        "standby-health-no-monitor",
        dict(rules=[ENABLED, HEALTH, weighted(blue=100, green=0), LIMIT1]),
        3,
        "OCI-DNS-3-WEIGHTED-STANDBY",
        {f"{P}.healthCheckMonitorId + rules[HEALTH]": False},
    ),
    (
        "even",
        dict(rules=[weighted(blue=50, green=50), LIMIT1]),
        None,
        "OCI-DNS-NA-EVEN-WEIGHTS",
        {W: ["default: blue=50, green=50"]},
    ),
    (
        # neighbour: two equal above 0 and one at 0 is still spreading
        "even-plus-zero",
        dict(rules=[weighted(a=50, b=50, c=0), LIMIT1], names=("a", "b", "c")),
        None,
        "OCI-DNS-NA-EVEN-WEIGHTS",
        {W: ["default: a=50, b=50, c=0"]},
    ),
    (
        "failover",
        dict(
            rules=[
                ENABLED,
                HEALTH,
                {
                    "ruleType": "PRIORITY",
                    "defaultAnswerData": [
                        {"answerCondition": "answer.name == 'blue'", "value": 1},
                        {"answerCondition": "answer.name == 'green'", "value": 2},
                    ],
                },
                LIMIT1,
            ],
            template="FAILOVER",
            monitor=MONITOR,
        ),
        None,
        "OCI-DNS-NA-PRIORITY-FAILOVER",
        {f"{P}.rules[WEIGHTED|PRIORITY] (last before LIMIT)": "PRIORITY"},
    ),
    (
        # a WEIGHTED rule after the PRIORITY rule re-orders: the weights decide
        "weighted-after-priority",
        dict(
            rules=[
                {
                    "ruleType": "PRIORITY",
                    "defaultAnswerData": [{"answerCondition": "answer.name == 'blue'", "value": 1}],
                },
                weighted(blue=9, green=1),
                LIMIT1,
            ]
        ),
        4,
        "OCI-DNS-4-WEIGHTED-SPLIT",
        {f"{P}.rules[WEIGHTED|PRIORITY] (last before LIMIT)": "WEIGHTED"},
    ),
    (
        # neighbour: no LIMIT, every response carries both answers
        "no-limit",
        dict(rules=[weighted(blue=90, green=10)]),
        None,
        "OCI-DNS-NA-EVERY-ANSWER",
        {f"{P}.rules[WEIGHTED] then rules[LIMIT] below the answers": False},
    ),
    (
        # neighbour: a LIMIT of 2 keeps both answers
        "limit-two",
        dict(rules=[weighted(blue=90, green=10), {"ruleType": "LIMIT", "defaultCount": 2}]),
        None,
        "OCI-DNS-NA-EVERY-ANSWER",
        {f"{P}.rules[LIMIT].defaultCount|cases[].count": 2},
    ),
    (
        # a LIMIT before the WEIGHTED rule cuts the shuffled list first
        "limit-first",
        dict(rules=[LIMIT1, weighted(blue=90, green=10)]),
        None,
        "OCI-DNS-NA-EVERY-ANSWER",
        {},
    ),
    (
        "unattached",
        dict(rules=LOAD_BALANCE, attached=False),
        None,
        "OCI-DNS-NA-UNATTACHED",
        {"steeringPolicyAttachments[].domainName": []},
    ),
    (
        "no-ordering",
        dict(rules=[ENABLED, LIMIT1]),
        None,
        None,
        {f"{P}.rules[].ruleType": ["FILTER", "LIMIT"]},
    ),
    (
        # per-query cases: a split for one subnet is still a split
        "cases",
        dict(
            rules=[
                {
                    "ruleType": "WEIGHTED",
                    "cases": [
                        {
                            "caseCondition": "query.client.address in ('192.0.2.0/24')",
                            "answerData": [
                                {"answerCondition": "answer.name == 'blue'", "value": 99},
                                {"answerCondition": "answer.name == 'green'", "value": 1},
                            ],
                        },
                        {"answerData": [{"answerCondition": "answer.pool == 'web'", "value": 10}]},
                    ],
                },
                LIMIT1,
            ],
            blue={"pool": "web"},
            green={"pool": "web"},
        ),
        4,
        "OCI-DNS-4-WEIGHTED-SPLIT",
        {
            W: [
                "case 1 (query.client.address in ('192.0.2.0/24')): blue=99, green=1",
                "case 2: blue=10, green=10",
            ]
        },
    ),
]


@pytest.mark.parametrize("name,kw,level,rule,expected", CASES, ids=[c[0] for c in CASES])
def test_rule(serve, name, kw, level, rule, expected):
    served = serve(estate(steering_policies=[entry(name, **kw)]))
    found, errors = served.scan()
    assert errors == []
    a = found[name]
    assert (a.level, a.rule) == (level, rule)
    ev = evidence(a)
    for field, value in expected.items():
        assert ev[field] == value


def test_unreadable_condition_is_not_guessed(serve):
    rules = [
        {
            "ruleType": "WEIGHTED",
            "defaultAnswerData": [
                {"answerCondition": "answer.name == 'blue' && answer.pool == 'x'", "value": 90},
                {"answerCondition": "answer.name == 'green'", "value": 10},
            ],
        },
        LIMIT1,
    ]
    served = serve(estate(steering_policies=[entry("odd", rules)]))
    a = served.scan()[0]["odd"]
    assert a.level is None and a.rule is None
    assert "is not a form relscan evaluates" in a.reason


def test_unweighted_answer_is_not_guessed(serve):
    served = serve(estate(steering_policies=[entry("gap", [weighted(blue=90), LIMIT1])]))
    a = served.scan()[0]["gap"]
    assert a.level is None
    assert "no answerCondition of the WEIGHTED rule selects 'green'" in a.reason


def test_global_policies_are_read_once_in_the_first_region(serve):
    """Two regions, three compartments: the policy is one unit, read through
    the first region; the second region's scopes ask DNS nothing."""
    served = serve(estate(steering_policies=[entry("web", LOAD_BALANCE)]), page_size=1)
    found, errors = served.collect(oci_region=(REGION, "uk-cardiff-1"))
    assert errors == []
    units = [o for o in found if o.kind == "oci.dns.steering_policy"]
    assert [(u.name, u.location) for u in units] == [("web", REGION)]
    dns_calls = [c for c in served.emulator.calls if "Steering" in c[0]]
    assert {c[1] for c in dns_calls} == {REGION}
    # one list per compartment, one get for the policy, one attachment list where it lives
    ops = [c[0] for c in dns_calls]
    assert ops.count("GetSteeringPolicy") == 1
    assert ops.count("ListSteeringPolicyAttachments") == 1


def test_one_get_per_policy_and_paged_lists(serve):
    many = [entry(f"p{i}", LOAD_BALANCE) for i in range(5)]
    served = serve(estate(steering_policies=many), page_size=2)
    found, errors = served.scan()
    assert errors == []
    assert sorted(n for n in found if n.startswith("p")) == [f"p{i}" for i in range(5)]
    ops = [c[0] for c in served.emulator.calls if c[2] == PROD]
    assert ops.count("ListSteeringPolicies") == 3  # pages of 2, 2, 1
    gets = [c for c in served.emulator.calls if c[0] == "GetSteeringPolicy"]
    assert len(gets) == 5


def test_check_by_ocid(serve):
    served = serve(estate(steering_policies=[entry("web", LOAD_BALANCE, compartment=TEAM)]))
    found, _ = served.collect()
    ocid = next(o.id for o in found if o.name == "web")
    assert ocid.startswith("ocid1.dnspolicy.oc1..")
    a = served.check(ocid)
    assert (a.level, a.rule) == (4, "OCI-DNS-4-WEIGHTED-SPLIT")
    assert evidence(a)["steeringPolicyAttachments[].domainName"] == ["web.example.com (A)"]


def test_check_unknown_ocid_is_not_found(serve):
    from scanner.errors import NotFoundError

    served = serve(estate())
    with pytest.raises(NotFoundError, match="no such resource: ocid1.dnspolicy"):
        served.check(
            "ocid1.dnspolicy.oc1..aaaaaaaanosuchpolicy000000000000000000000000000000000000"
        )


def test_a_failed_get_leaves_that_policy_unassessed(serve):
    part = estate(
        steering_policies=[entry("web", LOAD_BALANCE)],
        faults=[{"operation": "GetSteeringPolicy", "status": 404}],
    )
    a = serve(part).scan()[0]["web"]
    assert a.level is None
    assert "cannot read the steering policy: 404 NotAuthorizedOrNotFound" in a.reason


def test_attachment_in_the_zone_compartment_elsewhere(serve):
    """An attachment lives in its zone's compartment; relscan looks in the
    policy's, so a policy attached from elsewhere is not judged, with why."""
    e = entry("web", LOAD_BALANCE)
    e["attachments"] = [{"domainName": "web.example.com", "compartment": TEAM}]
    a = serve(estate(steering_policies=[e])).scan()[0]["web"]
    assert (a.level, a.rule) == (None, "OCI-DNS-NA-UNATTACHED")


def test_an_unknown_rule_type_is_not_guessed(serve):
    rules = [weighted(blue=90, green=10), {"ruleType": "GEOLOCATION"}, LIMIT1]
    a = serve(estate(steering_policies=[entry("geo", rules)])).scan()[0]["geo"]
    assert a.level is None and a.rule is None
    # the SDK turns a ruleType it does not know into UNKNOWN_ENUM_VALUE
    assert "rule type 'UNKNOWN_ENUM_VALUE' is not one OCI documents" in a.reason


def test_a_deleted_policy_is_skipped(serve):
    gone = entry("gone", LOAD_BALANCE)
    gone["policy"]["lifecycleState"] = "DELETED"
    found, errors = serve(estate(steering_policies=[gone, entry("web", LOAD_BALANCE)])).scan()
    assert errors == [] and "gone" not in found and "web" in found


def test_the_gets_are_read_side_by_side(monkeypatch):
    """GetSteeringPolicy, one per policy, goes through scanner.fanout.fan_out:
    the gets are in flight together, with the same result as one by one."""
    from collections import Counter

    from providers.oci.emulator.app import OciEmulator
    from providers.oci.plugin import plugin
    from scanner.emulators.server import LoopbackServer
    from scanner.engine import run_scan
    from tests.azure.inflight import InFlight

    part = estate(
        steering_policies=[entry(f"p{i}", LOAD_BALANCE, compartment=TEAM) for i in range(4)]
    )

    def op(req):
        parts = [p for p in req.path.split("/") if p]
        return OciEmulator.ROUTES[(parts[1], parts[2], len(parts) == 4)]

    def scan(per_account: int, gauge: bool):
        emulator = OciEmulator(part, page_size=2)
        app = InFlight(emulator, op, {"GetSteeringPolicy"}, alongside="GetSteeringPolicy")
        with LoopbackServer(app if gauge else emulator) as server:
            monkeypatch.setenv("RELSCAN_OCI_ENDPOINT", server.url + "/{region}")
            monkeypatch.setenv("RELSCAN_OCI_TENANCY", emulator.tenancy)
            monkeypatch.setenv("OCI_REGION", emulator.regions[0])
            run = plugin.configure({"oci_compartment": (TEAM,), "oci_region": (REGION,)})
            result = run_scan([(run, run.scopes())], concurrency=4, per_account=per_account)
        return result, Counter(c[0] for c in emulator.calls), app

    serial, serial_calls, _ = scan(1, gauge=False)
    result, calls, gauge = scan(4, gauge=True)
    assert calls == serial_calls and calls["GetSteeringPolicy"] == 4
    assert [a.as_dict() for a in result.assessments] == [a.as_dict() for a in serial.assessments]
    assert gauge.peaks["GetSteeringPolicy"] > 1


def test_attachments_that_cannot_be_listed_leave_the_policies_unassessed(serve):
    """Nothing already read is lost: the policies are units, not assessed with why."""
    part = estate(
        steering_policies=[entry("web", LOAD_BALANCE)],
        faults=[{"operation": "ListSteeringPolicyAttachments", "status": 404}],
    )
    found, errors = serve(part).scan()
    assert errors == []
    a = found["web"]
    assert (a.level, a.rule) == (None, None)
    assert "cannot list the steering policy attachments: 404 NotAuthorizedOrNotFound" in a.reason
