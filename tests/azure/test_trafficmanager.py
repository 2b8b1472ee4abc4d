"""Traffic Manager levels, each rule reached and just missed, through the real
azure-mgmt-trafficmanager client against the ARM emulator."""

from __future__ import annotations

from tests.azure.conftest import estate, evidence, profile

EP = "properties.endpoints[]"
ENABLED = f"{EP}.properties.endpointStatus (count of Enabled)"
WEIGHTS = f"{EP}.properties.weight (Enabled endpoints; absent = 1)"
DISTINCT = f"{EP}.properties.weight (distinct among Enabled)"
ALWAYS = f"{EP}.properties.alwaysServe (Enabled: probing off)"

# The endpoint of azure-rest-api-specs' Traffic Manager example
# Profile-GET-WithEndpoints.json (2022-04-01): "My external endpoint",
# target foobar.contoso.com, weight 1, priority 1, North Europe.
SPEC_ENDPOINT = {
    "name": "My external endpoint",
    "type": "externalEndpoints",
    "target": "foobar.contoso.com",
    "location": "North Europe",
    "weight": 1,
    "priority": 1,
}


def one(serve, **fields):
    [unit] = serve(estate(profiles=[profile(**fields)])).assess().values()
    return unit


def endpoints(*specs):
    return [{"name": f"ep{i}", **spec} for i, spec in enumerate(specs)]


def spec_pair(first: dict, second: dict) -> list[dict]:
    """The spec example's endpoint twice, the second under another name and target."""
    other = dict(SPEC_ENDPOINT, name="My second endpoint", target="green.contoso.com")
    return [dict(SPEC_ENDPOINT, **first), dict(other, **second)]


def test_priority_routing_is_failover_not_assessed(serve):
    a = one(
        serve,
        routing="Priority",
        monitor={"path": "/healthz"},
        endpoints=endpoints({"priority": 1}, {"priority": 2}),
    )
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-TM-NA-PRIORITY")
    assert a.basis == "snapshot"
    assert a.reason.startswith("not assessed, because priority routing is failover")
    ev = evidence(a)
    assert ev["properties.trafficRoutingMethod"] == "Priority"
    assert ev[ENABLED] == 2
    assert ev["properties.monitorConfig.path"] == "/healthz"
    assert ev[EP] == [
        "ep0: Enabled, weight 1, priority 1, monitor Online",
        "ep1: Enabled, weight 1, priority 2, monitor Online",
    ]


def test_priority_with_one_endpoint_disabled_misses_the_priority_rule(serve):
    a = one(
        serve,
        routing="Priority",
        endpoints=endpoints({"priority": 1}, {"priority": 2, "status": "Disabled"}),
    )
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-TM-NA-ONE-ENDPOINT")
    assert a.reason.startswith("not assessed, because fewer than two endpoints are enabled")
    assert evidence(a)[ENABLED] == 1


def test_weighted_with_unequal_weights_is_level_4(serve):
    # the spec example's endpoints, one weighted 9 to the other's 1
    a = one(serve, routing="Weighted", endpoints=spec_pair({"weight": 9}, {"weight": 1}))
    assert (a.level, a.rule, a.basis) == (4, "AZ-TM-4-WEIGHTED", "snapshot")
    ev = evidence(a)
    assert ev["properties.trafficRoutingMethod"] == "Weighted"
    assert ev[DISTINCT] == 2
    assert ev[WEIGHTS] == ["My external endpoint: 9", "My second endpoint: 1"]
    assert a.next_steps[0].startswith("Move the split into the release pipeline")


def test_weighted_with_equal_weights_is_load_spreading_not_assessed(serve):
    # the spec example's endpoint, weight 1, beside a second one at the same weight
    a = one(serve, routing="Weighted", endpoints=spec_pair({}, {}))
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-TM-NA-EQUAL-WEIGHTS")
    assert a.basis == "snapshot"
    assert "load spreading, not a release" in a.reason
    ev = evidence(a)
    assert (ev[ENABLED], ev[DISTINCT]) == (2, 1)
    assert ev[WEIGHTS] == ["My external endpoint: 1", "My second endpoint: 1"]


def test_an_absent_weight_is_the_documented_default_1(serve):
    # weight left out (as in the spec's PUT example) is 1: even against a weight of 1
    a = one(serve, routing="Weighted", endpoints=spec_pair({"weight": None}, {}))
    assert a.rule == "AZ-TM-NA-EQUAL-WEIGHTS"
    assert evidence(a)[WEIGHTS] == ["My external endpoint: 1", "My second endpoint: 1"]
    assert evidence(a)[EP][0].startswith("My external endpoint: Enabled, weight None,")


def test_weighted_with_a_disabled_endpoint_misses_level_4(serve):
    a = one(
        serve,
        routing="Weighted",
        endpoints=endpoints({"weight": 90}, {"weight": 10, "status": "Disabled"}),
    )
    assert (a.level, a.rule) == (None, "AZ-TM-NA-ONE-ENDPOINT")


def test_unequal_weight_on_a_disabled_endpoint_does_not_count(serve):
    a = one(
        serve,
        routing="Weighted",
        endpoints=endpoints({"weight": 50}, {"weight": 50}, {"weight": 5, "status": "Disabled"}),
    )
    assert a.rule == "AZ-TM-NA-EQUAL-WEIGHTS"
    assert evidence(a)[WEIGHTS] == ["ep0: 50", "ep1: 50"]


def test_always_serve_goes_in_the_evidence(serve):
    a = one(
        serve,
        routing="Weighted",
        endpoints=endpoints({"weight": 90}, {"weight": 10, "always_serve": "Enabled"}),
    )
    assert a.rule == "AZ-TM-4-WEIGHTED"
    ev = evidence(a)
    assert ev[ALWAYS] == ["ep1"]
    assert ev[EP][1] == (
        "ep1: Enabled, weight 10, priority 1, monitor Online, always serve (probing off)"
    )


def test_always_serve_disabled_is_not_shown(serve):
    a = one(serve, routing="Weighted", endpoints=endpoints({"weight": 90}, {"weight": 10}))
    assert ALWAYS not in evidence(a)


def test_disabled_profile_is_not_assessed(serve):
    a = one(
        serve,
        routing="Weighted",
        status="Disabled",
        endpoints=endpoints({"weight": 50}, {"weight": 50}),
    )
    assert (a.level, a.rule, a.basis) == (None, "AZ-TM-NA-DISABLED", "snapshot")
    assert evidence(a)["properties.profileStatus"] == "Disabled"


def test_performance_routing_matches_no_rule(serve):
    a = one(serve, routing="Performance", endpoints=endpoints({}, {}))
    assert (a.level, a.rule) == (None, None)
    assert a.reason.startswith("not assessed, because the routing method routes by user")
    assert evidence(a)["properties.trafficRoutingMethod"] == "Performance"


def test_profile_identity(serve):
    [a] = (
        serve(
            estate(
                profiles=[
                    profile(
                        tags={"service": "payments"},
                        routing="Priority",
                        endpoints=endpoints({}, {}),
                    )
                ]
            )
        )
        .assess()
        .values()
    )
    assert a.id.endswith(
        "/resourceGroups/net-rg/providers/Microsoft.Network/trafficManagerProfiles/portal-tm"
    )
    assert (a.kind, a.location, a.tags) == (
        "azure.trafficmanager.profile",
        "global",
        {"service": "payments"},
    )


def test_an_enabled_profile_misses_the_disabled_rule(serve):
    a = one(
        serve,
        routing="Weighted",
        status="Enabled",
        endpoints=endpoints({"weight": 60}, {"weight": 40}),
    )
    assert (a.level, a.rule) == (4, "AZ-TM-4-WEIGHTED")
    assert evidence(a)["properties.profileStatus"] == "Enabled"
