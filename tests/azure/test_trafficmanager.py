"""Traffic Manager levels, each rule reached and just missed, through the real
azure-mgmt-trafficmanager client against the ARM emulator."""

from __future__ import annotations

from tests.azure.conftest import estate, evidence, profile

EP = "properties.endpoints[]"
ENABLED = f"{EP}.properties.endpointStatus (count of Enabled)"
WEIGHTED = f"{EP}.properties.weight (count of Enabled with weight > 0)"


def one(serve, **fields):
    [unit] = serve(estate(profiles=[profile(**fields)])).assess().values()
    return unit


def endpoints(*specs):
    return [{"name": f"ep{i}", **spec} for i, spec in enumerate(specs)]


def test_priority_with_two_enabled_endpoints_is_level_3(serve):
    a = one(
        serve,
        routing="Priority",
        monitor={"path": "/healthz"},
        endpoints=endpoints({"priority": 1}, {"priority": 2}),
    )
    assert (a.level, a.rule) == (3, "AZ-TM-3-PRIORITY")
    ev = evidence(a)
    assert ev["properties.trafficRoutingMethod"] == "Priority"
    assert ev[ENABLED] == 2
    assert ev["properties.monitorConfig.path"] == "/healthz"
    assert ev[EP] == [
        "ep0: Enabled, weight 1, priority 1, monitor Online",
        "ep1: Enabled, weight 1, priority 2, monitor Online",
    ]


def test_priority_with_one_endpoint_disabled_misses_level_3(serve):
    a = one(
        serve,
        routing="Priority",
        endpoints=endpoints({"priority": 1}, {"priority": 2, "status": "Disabled"}),
    )
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-TM-NA-ONE-ENDPOINT")
    assert a.reason.startswith("not assessed, because fewer than two endpoints are enabled")
    assert evidence(a)[ENABLED] == 1


def test_weighted_with_two_weighted_endpoints_is_level_4(serve):
    a = one(
        serve,
        routing="Weighted",
        endpoints=endpoints({"weight": 90}, {"weight": 10, "type": "externalEndpoints"}),
    )
    assert (a.level, a.rule) == (4, "AZ-TM-4-WEIGHTED")
    ev = evidence(a)
    assert (ev["properties.trafficRoutingMethod"], ev[WEIGHTED]) == ("Weighted", 2)
    assert a.next_steps[0].startswith("Move the split into the release pipeline")


def test_weighted_with_a_zero_weight_misses_level_4(serve):
    a = one(serve, routing="Weighted", endpoints=endpoints({"weight": 100}, {"weight": 0}))
    assert (a.level, a.rule) == (3, "AZ-TM-3-WEIGHTED-ONE-ACTIVE")
    ev = evidence(a)
    assert (ev[ENABLED], ev[WEIGHTED]) == (2, 1)


def test_weighted_with_a_disabled_endpoint_misses_level_4(serve):
    a = one(
        serve,
        routing="Weighted",
        endpoints=endpoints({"weight": 50}, {"weight": 50, "status": "Disabled"}),
    )
    assert (a.level, a.rule) == (None, "AZ-TM-NA-ONE-ENDPOINT")


def test_disabled_profile_is_not_assessed(serve):
    a = one(
        serve,
        routing="Weighted",
        status="Disabled",
        endpoints=endpoints({"weight": 50}, {"weight": 50}),
    )
    assert (a.level, a.rule) == (None, "AZ-TM-NA-DISABLED")
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
        endpoints=endpoints({"weight": 50}, {"weight": 50}),
    )
    assert (a.level, a.rule) == (4, "AZ-TM-4-WEIGHTED")
    assert evidence(a)["properties.profileStatus"] == "Enabled"
