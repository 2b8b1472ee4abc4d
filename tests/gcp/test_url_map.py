"""URL maps: weighted backend services in every kind of route action."""

from __future__ import annotations

from typing import Any

from tests.gcp.conftest import PROJECT, REGION, evidence, project

GLOBAL_ID = f"//compute.googleapis.com/projects/{PROJECT}/global/urlMaps/lb"
WBS = "*.routeAction.weightedBackendServices"


def weighted(**weights: int) -> dict[str, Any]:
    return {"weightedBackendServices": [{"backendService": name.replace("_", "-"), "weight": w}
                                        for name, w in weights.items()]}  # fmt: skip


def estate(*maps: dict[str, Any]) -> dict[str, Any]:
    return {"projects": [project(url_maps=list(maps))]}


def test_default_route_split_between_two_services_is_level_4(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(web_blue=90, web_green=10)}
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.rule) == (4, "GCP-URLMAP-4-WEIGHTED-SPLIT")
    assert a.basis == "snapshot"
    ev = evidence(a)
    assert ev[f"{WBS}[].weight (most backend services above 0 in one route)"] == 2
    assert ev[f"{WBS}[] (route: service=weight)"] == [
        "defaultRouteAction: web-blue=90, web-green=10"]  # fmt: skip
    assert a.id == GLOBAL_ID and a.location == "global"
    assert any("never show level 5" in step for step in a.next_steps)


def test_split_in_a_path_matchers_route_rule_is_level_4(gcp):
    lb = {
        "name": "lb",
        "defaultService": "web-blue",
        "hostRules": [{"hosts": ["*"], "pathMatcher": "api"}],
        "pathMatchers": [{
            "name": "api",
            "defaultService": "web-blue",
            "routeRules": [
                {"priority": 1, "matchRules": [{"prefixMatch": "/static"}], "service": "cdn"},
                {"priority": 2, "matchRules": [{"prefixMatch": "/api"}],
                 "routeAction": weighted(api_v1=95, api_v2=5)},
            ],
        }],
    }  # fmt: skip
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.rule) == (4, "GCP-URLMAP-4-WEIGHTED-SPLIT")
    assert evidence(a)[f"{WBS}[] (route: service=weight)"] == [
        "pathMatchers[api].routeRules[priority=2].routeAction: api-v1=95, api-v2=5"]  # fmt: skip
    assert evidence(a)["defaultService"] == "web-blue"


def test_second_service_at_weight_zero_just_misses_level_4(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(web_blue=100, web_green=0)}
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.rule) == (3, "GCP-URLMAP-3-WEIGHTED-STANDBY")
    assert a.basis == "snapshot"
    ev = evidence(a)
    assert ev[f"{WBS}[].weight (most backend services above 0 in one route)"] == 1
    assert ev[f"{WBS}[].backendService (most in one route)"] == 2


def test_split_in_a_path_rule_of_a_regional_map_is_level_4(gcp):
    lb = {"name": "internal", "region": REGION, "defaultService": "svc-a",
          "pathMatchers": [{"name": "pm", "defaultService": "svc-a", "pathRules": [
              {"paths": ["/v2/*"], "routeAction": weighted(svc_a=60, svc_b=40)}]}]}  # fmt: skip
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.rule) == (4, "GCP-URLMAP-4-WEIGHTED-SPLIT")
    assert a.id == f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/urlMaps/internal"


def test_equal_live_weights_are_load_spreading_not_assessed(gcp):
    # The URL map reference's own weightedBackendServices example shape, at 50/50.
    lb = {"name": "lb", "defaultRouteAction": weighted(web_blue=50, web_green=50, web_old=0)}
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "GCP-URLMAP-NA-EQUAL-WEIGHTS")
    assert a.reason.startswith("not assessed, because every route that weighs backend services")
    ev = evidence(a)
    assert ev[f"{WBS}[].weight (a route splits traffic at unequal weights)"] is False
    assert ev[f"{WBS}[].weight (most backend services above 0 in one route)"] == 2


def test_one_unequal_route_beside_an_equal_one_is_level_4(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(a=50, b=50),
          "pathMatchers": [{"name": "pm", "defaultService": "a", "pathRules": [
              {"paths": ["/v2/*"], "routeAction": weighted(a=51, b=49)}]}]}  # fmt: skip
    a = gcp.scan(estate(lb)).one()
    assert (a.level, a.rule) == (4, "GCP-URLMAP-4-WEIGHTED-SPLIT")


def test_one_weighted_service_just_misses_level_3(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(web_blue=100)}
    a = gcp.check(estate(lb), GLOBAL_ID)
    assert a.level is None and a.rule is None
    assert "no route in the URL map weighs two backend services" in a.reason
    assert evidence(a)[f"{WBS}[].backendService (most in one route)"] == 1


def test_plain_routing_maps_are_not_release_units_in_a_scan(gcp):
    plain = {"name": "plain", "defaultService": "web"}
    split = {"name": "lb", "defaultRouteAction": weighted(a=1, b=1)}
    result = gcp.scan(estate(plain, split))
    assert list(result.units) == [GLOBAL_ID]
    assert result.errors == []


def test_check_reads_a_regional_map(gcp):
    lb = {"name": "internal", "region": REGION,
          "defaultRouteAction": weighted(svc_a=100, svc_b=0)}  # fmt: skip
    a = gcp.check(
        estate(lb), f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/urlMaps/internal"
    )
    assert (a.level, a.rule) == (3, "GCP-URLMAP-3-WEIGHTED-STANDBY")


FRONTENDS = {
    "target_https_proxies": [{"name": "lb-https", "urlMap": "lb"}],
    "target_http_proxies": [{"name": "lb-http", "urlMap": "lb"},
                            {"name": "other-http", "urlMap": "other"}],
    "forwarding_rules": [
        {"name": "lb-fr-https", "target": "targetHttpsProxies/lb-https", "IPProtocol": "TCP",
         "portRange": "443-443", "loadBalancingScheme": "EXTERNAL_MANAGED",
         "labels": {"service": "payments", "owner": "payments-team"}},
        {"name": "lb-fr-http", "target": "targetHttpProxies/lb-http",
         "labels": {"service": "ignored-second", "tier": "web"}},
        {"name": "other-fr", "target": "targetHttpProxies/other-http",
         "labels": {"service": "not-this-map"}},
    ],
}  # fmt: skip


def test_labels_come_from_the_forwarding_rules_in_front_of_the_map(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(blue=90, green=10)}
    data = {"projects": [project(url_maps=[lb], **FRONTENDS)]}
    result = gcp.scan(data)
    a = result.one()
    # merged in rule-name order (lb-fr-http before lb-fr-https); the first to set a key wins
    assert a.tags == {"service": "ignored-second", "tier": "web", "owner": "payments-team"}
    assert result.errors == []
    compute = [op for api, op, _ in result.emulator.calls if api == "compute"]
    assert compute.count("forwardingRules.aggregatedList") == 2  # 3 rules, 2 a page
    assert compute.count("targetHttpsProxies.aggregatedList") == 1


def test_unreadable_forwarding_rules_cost_the_labels_not_the_verdict(gcp):
    lb = {"name": "lb", "defaultRouteAction": weighted(blue=90, green=10)}
    data = {"projects": [project(url_maps=[lb], **FRONTENDS)],
            "faults": [{"api": "compute", "op": "forwardingRules.aggregatedList",
                        "status": 403}]}  # fmt: skip
    result = gcp.scan(data)
    a = result.one()
    assert (a.level, a.tags) == (4, {})
    [error] = result.errors
    assert error.service == "compute forwarding rules"
    assert "cannot read forwarding rule labels: 403 Forbidden" in error.message
