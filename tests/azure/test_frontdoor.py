"""Front Door Standard/Premium origin groups: each rule reached and just
missed, a group used by several routes counted once, `check` by the group's
id, and failed or malformed reads, through the real azure-mgmt-cdn client
against the ARM emulator."""

from __future__ import annotations

import json
import subprocess
from contextlib import ExitStack

import pytest

from providers.azure.emulator.app import start
from providers.azure.frontdoor import KIND
from providers.azure.ids import parse_resource_id
from providers.azure.plugin import plugin
from scanner.demo.serve import load_estate
from scanner.errors import NotFoundError, UsageError
from tests.azure.conftest import SUB, estate, evidence
from tests.azure.frontdoor_estate import fd_profile, og_id, routed, served_id, split
from tests.cli import RELSCAN, clean_env, relscan

ORIGINS = "origins[]"
ENABLED = f"{ORIGINS}.properties.enabledState (count of Enabled)"
TIER = f"{ORIGINS}.properties.priority (Enabled origins in the first tier)"
WEIGHTS = f"{ORIGINS}.properties.weight (first tier; absent = 50)"
DISTINCT = f"{ORIGINS}.properties.weight (distinct in the first tier)"
STANDBY = f"{ORIGINS}.properties.priority (Enabled, below the first tier)"
LATENCY = "properties.loadBalancingSettings.additionalLatencyInMilliseconds (absent = 0)"
ROUTES = "afdEndpoints[].routes[originGroup.id = this]"
ENABLED_ROUTES = "afdEndpoints[].routes[].properties.enabledState (Enabled, on an Enabled endpoint)"
PROBE = "properties.healthProbeSettings"

# The origin group of azure-rest-api-specs' AFDOriginGroups_ListByProfile.json
# (Cdn.Management 2025-06-01): latency sensitivity 1000 ms, 3 of 3 samples,
# probe HEAD /path1 over Http every 10 s, traffic restored after 5 minutes.
SPEC_GROUP = {
    "name": "origingroup1",
    "latency": 1000,
    "sample_size": 3,
    "successful_samples": 3,
    "probe": {
        "probeIntervalInSeconds": 10,
        "probePath": "/path1",
        "probeProtocol": "Http",
        "probeRequestType": "HEAD",
    },
    "wire": {"properties": {"trafficRestorationTimeToHealedOrNewEndpointsInMinutes": 5}},
}
# The origin of AFDOrigins_ListByOriginGroup.json: origin1 on
# host1.blob.core.windows.net, enabled, weight and priority null (unset).
SPEC_ORIGIN = {"name": "origin1", "host": "host1.blob.core.windows.net", "enabled": "Enabled"}


def spec_group(*origins: dict) -> dict:
    return dict(SPEC_GROUP, origins=list(origins))


def spec_origin(name: str = "origin1", **fields) -> dict:
    return dict(SPEC_ORIGIN, name=name, **fields)


def one(serve, group: dict, **profile_fields):
    [unit] = serve(estate(front_door=[routed(group, **profile_fields)])).assess().values()
    return unit


# -- levels -------------------------------------------------------------------


def test_unequal_weights_in_one_tier_with_a_latency_window_is_level_4(serve):
    a = one(serve, spec_group(spec_origin(weight=900), spec_origin("origin2", weight=100)))
    assert (a.level, a.status, a.rule, a.basis) == (
        4,
        "assessed",
        "AZ-FD-4-WEIGHTED-SPLIT",
        "snapshot",
    )
    assert a.kind == "azure.frontdoor.origin_group" and a.name == "shop-fd/origingroup1"
    assert a.id == served_id("shop-fd", "origingroup1")
    ev = evidence(a)
    assert ev[WEIGHTS] == ["origin1: 900", "origin2: 100"]
    assert (ev[DISTINCT], ev[TIER], ev[LATENCY]) == (2, 2, 1000)
    assert ev[ORIGINS] == [
        "origin1: Enabled, weight 900, priority 1, host host1.blob.core.windows.net",
        "origin2: Enabled, weight 100, priority 1, host host1.blob.core.windows.net",
    ]
    # the health probe settings are in the evidence
    assert ev[f"{PROBE} (present: probes on)"] is True
    assert ev[f"{PROBE}.probePath"] == "/path1"
    assert ev[f"{PROBE}.probeProtocol"] == "Http"
    assert ev[f"{PROBE}.probeRequestType"] == "HEAD"
    assert ev[f"{PROBE}.probeIntervalInSeconds"] == 10
    assert ev["properties.loadBalancingSettings.sampleSize"] == 3
    assert ev["properties.trafficRestorationTimeToHealedOrNewEndpointsInMinutes"] == 5
    assert ev[ROUTES] == ["www/r-origingroup1: Enabled"]


def test_equal_weights_just_miss_level_4_and_are_spreading(serve):
    a = one(serve, spec_group(spec_origin(weight=500), spec_origin("origin2", weight=500)))
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-FD-NA-EQUAL-WEIGHTS")
    assert a.reason.startswith("not assessed, because the enabled origins of the first priority")
    assert evidence(a)[DISTINCT] == 1


def test_an_unset_weight_is_the_documented_default_50(serve):
    # the spec example's origin has "weight": null: Front Door uses 50
    a = one(serve, spec_group(spec_origin(weight=None), spec_origin("origin2", weight=50)))
    assert a.rule == "AZ-FD-NA-EQUAL-WEIGHTS"
    assert evidence(a)[WEIGHTS] == ["origin1: 50", "origin2: 50"]
    b = one(serve, spec_group(spec_origin(weight=None), spec_origin("origin2", weight=100)))
    assert (b.level, b.rule) == (4, "AZ-FD-4-WEIGHTED-SPLIT")


def test_a_disabled_origin_is_left_out_of_the_comparison(serve):
    group = spec_group(
        spec_origin(weight=500),
        spec_origin("origin2", weight=500),
        spec_origin("origin3", weight=10, enabled="Disabled"),
    )
    a = one(serve, group)
    assert a.rule == "AZ-FD-NA-EQUAL-WEIGHTS"
    assert evidence(a)[ENABLED] == 2
    assert (
        "origin3: Disabled, weight 10, priority 1, host host1.blob.core.windows.net"
        in (evidence(a)[ORIGINS])
    )


def test_one_enabled_origin_is_not_assessed(serve):
    a = one(
        serve,
        spec_group(spec_origin(weight=900), spec_origin("o2", weight=100, enabled="Disabled")),
    )
    assert (a.level, a.rule) == (None, "AZ-FD-NA-ONE-ORIGIN")
    assert a.reason.startswith("not assessed, because fewer than two origins are enabled")
    assert evidence(a)[ENABLED] == 1


def test_one_origin_per_priority_tier_is_failover(serve):
    a = one(
        serve,
        spec_group(spec_origin(priority=1, weight=900), spec_origin("o2", priority=2, weight=100)),
    )
    assert (a.level, a.rule) == (None, "AZ-FD-NA-FAILOVER")
    assert a.reason.startswith("not assessed, because one origin takes all traffic")
    ev = evidence(a)
    assert (ev[TIER], ev[STANDBY]) == (1, ["o2: priority 2"])


def test_a_split_in_the_first_tier_with_a_standby_tier_is_level_4(serve):
    # just misses failover: two origins share the first tier, one waits in the second
    group = spec_group(
        spec_origin("blue", priority=2, weight=900),
        spec_origin("green", priority=2, weight=100),
        spec_origin("dr", priority=3, weight=100),
    )
    a = one(serve, group)
    assert (a.level, a.rule) == (4, "AZ-FD-4-WEIGHTED-SPLIT")
    ev = evidence(a)
    assert ev[f"{ORIGINS}.properties.priority (lowest among Enabled: the first tier)"] == 2
    assert ev[STANDBY] == ["dr: priority 3"]
    assert ev[WEIGHTS] == ["blue: 900", "green: 100"]


@pytest.mark.parametrize(
    ("latency", "rule"),
    [(0, "AZ-FD-NA-LATENCY-ZERO"), (1, "AZ-FD-4-WEIGHTED-SPLIT")],
)
def test_a_latency_sensitivity_of_0_ms_ignores_the_weights(serve, latency, rule):
    a = one(serve, dict(split("web"), latency=latency))
    assert a.rule == rule
    assert evidence(a)[LATENCY] == latency


def test_no_load_balancing_settings_is_the_default_0_ms(serve):
    group = dict(split("web"), wire={"properties": {"loadBalancingSettings": "<absent>"}})
    a = one(serve, group)
    assert (a.level, a.rule) == (None, "AZ-FD-NA-LATENCY-ZERO")
    assert a.reason.startswith("not assessed, because the latency sensitivity is 0 ms")
    assert evidence(a)[LATENCY] == 0


def test_no_health_probe_settings_is_shown_as_probes_off(serve):
    a = one(serve, dict(split("web"), probe=None))
    assert a.rule == "AZ-FD-4-WEIGHTED-SPLIT"
    assert evidence(a)[f"{PROBE} (present: probes on)"] is False


# -- which origin groups are units --------------------------------------------


def test_a_group_used_by_several_routes_is_counted_once(serve):
    profile = fd_profile(
        origin_groups=[split("web"), split("api"), split("unused")],
        endpoints=[
            {"name": "www", "routes": [{"name": "pages", "origin_group": "web"}]},
            {
                "name": "cymraeg",
                "routes": [
                    {"name": "tudalennau", "origin_group": "web"},
                    {"name": "api", "origin_group": "api"},
                    {"name": "api-v2", "origin_group": "api"},
                ],
            },
            {"name": "old", "routes": [{"name": "legacy", "origin_group": "web"}]},
        ],
    )
    cdn = fd_profile("static-cdn", sku="Standard_Microsoft", origin_groups=[split("x")])
    served = serve(estate(front_door=[profile, cdn]))
    units = served.assess()
    assert sorted(units) == ["shop-fd/api", "shop-fd/web"]  # unused: no route uses it
    web = evidence(units["shop-fd/web"])
    assert web[ROUTES] == [
        "www/pages: Enabled",
        "cymraeg/tudalennau: Enabled",
        "old/legacy: Enabled",
    ]
    assert web[ENABLED_ROUTES] == 3
    assert evidence(units["shop-fd/api"])[ROUTES] == [
        "cymraeg/api: Enabled",
        "cymraeg/api-v2: Enabled",
    ]
    # the CDN profile is not read past the list; the lists were paged (2 a page)
    calls = served.emulator.calls
    assert ("origingroups.list", SUB) in calls
    assert calls.count(("origingroups.list", SUB)) == 2  # shop-fd's 3 groups, two pages
    assert calls.count(("afdendpoints.list", SUB)) == 2  # 3 endpoints, two pages
    assert calls.count(("origins.list", SUB)) == 2  # only the two used groups


def test_a_group_whose_routes_are_all_disabled_serves_no_traffic(serve):
    profile = fd_profile(
        origin_groups=[split("web")],
        endpoints=[
            {
                "name": "www",
                "routes": [{"name": "a", "origin_group": "web", "enabled": "Disabled"}],
            },
            {
                "name": "off",
                "enabled": "Disabled",
                "routes": [{"name": "b", "origin_group": "web"}],
            },
        ],
    )
    [a] = serve(estate(front_door=[profile])).assess().values()
    assert (a.level, a.rule) == (None, "AZ-FD-NA-NO-ENABLED-ROUTE")
    assert a.reason.startswith("not assessed, because every route that uses the origin group")
    ev = evidence(a)
    assert ev[ROUTES] == ["www/a: Disabled", "off/b: Enabled (endpoint disabled)"]
    assert ev[ENABLED_ROUTES] == 0


def test_one_enabled_route_among_disabled_ones_just_misses(serve):
    profile = fd_profile(
        origin_groups=[split("web")],
        endpoints=[
            {
                "name": "www",
                "routes": [
                    {"name": "a", "origin_group": "web", "enabled": "Disabled"},
                    {"name": "b", "origin_group": "web"},
                ],
            }
        ],
    )
    [a] = serve(estate(front_door=[profile])).assess().values()
    assert a.rule == "AZ-FD-4-WEIGHTED-SPLIT"
    assert evidence(a)[ENABLED_ROUTES] == 1


# -- check by id ----------------------------------------------------------------


def test_check_by_the_groups_id_in_any_case_matches_the_scan(serve):
    served = serve(estate(front_door=[routed(split("web"), split("api"))]))
    scanned = served.assess()["shop-fd/web"]
    for rid in (
        og_id("shop-fd", "web"),
        og_id("shop-fd", "WEB").upper().replace(SUB.upper(), SUB),
        served_id("shop-fd", "web") + "/",
    ):
        checked = served.check(rid)
        assert checked.as_dict() == scanned.as_dict(), rid


def test_check_refuses_what_is_not_a_unit(serve):
    cdn = fd_profile("static-cdn", sku="Standard_Microsoft", origin_groups=[split("x")])
    profile = fd_profile(
        origin_groups=[split("web"), split("unused")],
        endpoints=[{"name": "www", "routes": [{"name": "a", "origin_group": "web"}]}],
    )
    served = serve(estate(front_door=[profile, cdn]))
    with pytest.raises(UsageError, match="is used by no route of its profile"):
        served.check(og_id("shop-fd", "unused"))
    with pytest.raises(UsageError, match="sku Standard_Microsoft, not Azure Front Door"):
        served.check(og_id("static-cdn", "x"))
    with pytest.raises(NotFoundError, match="no such resource: .*ResourceNotFound"):
        served.check(og_id("shop-fd", "gone"))


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        ("", "is a Front Door profile; relscan assesses its Front Door origin groups: check "),
        ("/originGroups/web/origins/blue", "names a part (origins) of a Front Door origin group"),
        ("/endpoints/e1", "unsupported Azure resource kind Microsoft.Cdn/profiles/endpoints"),
        ("/originGroups/we_b", "name 'we_b' is not 1 to 90 letters, digits and hyphens"),
    ],
)
def test_ids_around_an_origin_group_are_refused_naming_the_unit(suffix, message):
    base = og_id("shop-fd", "web").rsplit("/originGroups/", 1)[0]
    with pytest.raises(UsageError) as err:
        parse_resource_id(base + suffix)
    assert message in str(err.value)
    if suffix.endswith("/origins/blue"):
        assert str(err.value).endswith(f"check {og_id('shop-fd', 'web')}")


def test_a_child_kinds_id_parses_with_its_parent_and_round_trips():
    rid = parse_resource_id(og_id("shop-fd", "web"))
    assert (rid.kind, rid.parents, rid.name) == (KIND.type_key, ("shop-fd",), "web")
    assert rid.text == og_id("shop-fd", "web")
    assert plugin.reader_for(og_id("shop-fd", "web")).KIND is KIND
    assert KIND.id_form == (
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
        "Microsoft.Cdn/profiles/PROFILE/originGroups/GROUP"
    )


# -- failed and malformed reads ---------------------------------------------------


def test_a_refused_origins_read_leaves_that_group_not_assessed(serve):
    part = estate(front_door=[routed(split("web"), split("api"))])
    part["faults"] = [{"operation": "origins.list", "name": "shop-fd", "status": 403, "times": 1}]
    result = serve(part).scan()
    assert result.errors == []
    # the groups' origins are read side by side: either may meet the one refusal
    refused, judged = sorted(result.assessments, key=lambda a: a.level or 0)
    assert (refused.level, refused.status) == (None, "not_assessed")
    assert "AuthorizationFailed (HTTP 403)" in refused.reason
    assert judged.rule == "AZ-FD-4-WEIGHTED-SPLIT"
    assert {refused.name, judged.name} == {"shop-fd/web", "shop-fd/api"}


def test_a_refused_routes_read_is_a_scope_error_naming_the_profile(serve):
    profile = fd_profile(
        origin_groups=[split("web"), split("api")],
        endpoints=[
            {"name": "www", "routes": [{"name": "a", "origin_group": "web"}]},
            {"name": "m", "routes": [{"name": "b", "origin_group": "api"}]},
        ],
    )
    part = estate(front_door=[profile])
    # the first endpoint's routes are read, the second's refused
    part["faults"] = [{"operation": "routes.list", "status": 403, "times": 1}]
    result = serve(part).scan()
    [error] = result.errors
    assert error.service.startswith("Front Door profile '/subscriptions/")
    assert "routes of endpoint" in error.message and "AuthorizationFailed" in error.message
    # the group an unrefused route uses is still judged
    assert [a.rule for a in result.assessments] == ["AZ-FD-4-WEIGHTED-SPLIT"]


def test_a_weight_of_the_wrong_type_is_a_malformed_answer(serve):
    group = split("web")
    group["origins"][0]["wire"] = {"properties": {"weight": "heavy"}}
    a = one(serve, group)
    assert (a.level, a.status) == (None, "not_assessed")
    assert "malformed answer: origins[].weight is a string ('heavy'), not a number" in a.reason


def test_a_failed_profile_list_is_a_scope_error_and_other_kinds_go_on(serve):
    part = estate(front_door=[routed(split("web"))])
    part["faults"] = [{"operation": "cdnprofiles.list", "subscription": SUB, "status": 403}]
    result = serve(part).scan()
    assert [(e.service, e.message.split(":")[0]) for e in result.errors] == [
        ("Front Door origin groups", "AuthorizationFailed (HTTP 403)")
    ]
    assert result.assessments == []


# -- permissions ------------------------------------------------------------------


def test_the_printed_role_grants_the_front_door_reads():
    r = subprocess.run(
        [RELSCAN, "permissions", "azure"], capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    actions = json.loads(r.stdout)["Actions"]
    for action in (
        "Microsoft.Cdn/profiles/read",
        "Microsoft.Cdn/profiles/originGroups/read",
        "Microsoft.Cdn/profiles/originGroups/origins/read",
        "Microsoft.Cdn/profiles/afdEndpoints/read",
        "Microsoft.Cdn/profiles/afdEndpoints/routes/read",
    ):
        assert action in actions
    assert not any(a.startswith("Microsoft.Cdn/") and not a.endswith("/read") for a in actions)


def test_a_profile_without_an_id_is_a_scope_error_and_the_others_go_on(serve):
    broken = routed(split("web"), name="broken-fd", wire={"id": "<absent>"})
    part = estate(front_door=[broken, routed(split("web"))])
    result = serve(part).scan()
    [error] = result.errors
    assert error.service == "Front Door profile None"
    assert (
        error.message
        == "malformed answer: the profile's id None is not a Microsoft.Cdn/profiles id"
    )
    assert [a.name for a in result.assessments] == ["shop-fd/web"]


# -- the command a user runs, on the demo estate -------------------------------------

DEMO_SUB = "5b1d0c2e-7a43-4c7e-9f0e-3d1a2b4c6e01"
CITIZEN_WEB = (
    f"/subscriptions/{DEMO_SUB}/resourceGroups/dds-citizen-rg/providers/Microsoft.Cdn"
    "/profiles/dds-citizen-fd/originGroups/citizen-web"
)


@pytest.fixture
def demo_env():
    with ExitStack() as stack:
        env = clean_env("AZURE_", "RELSCAN_")
        env.update({k: v for k, v in start(load_estate()["azure"], stack).items() if v})
        yield env


def test_relscan_check_of_the_demo_group_is_its_scan_resource_counted_once(demo_env):
    scan = json.loads(relscan("scan", "-p", "azure", "-f", "json", env=demo_env).stdout)
    groups = [u for u in scan["resources"] if u["kind"] == KIND.name]
    names = [u["name"] for u in groups]
    assert sorted(names) == [
        "dds-citizen-fd/citizen-assets",
        "dds-citizen-fd/citizen-web",
        "dds-licensing-fd/licensing-api",
        "dds-licensing-fd/licensing-maintenance",
        "dds-payments-fd/payments-api",
        "dds-payments-fd/payments-web",
    ]  # two routes use citizen-web: one unit; citizen-legacy-pool and the CDN profile: none
    r = relscan("check", CITIZEN_WEB, "--format", "json", env=demo_env)
    assert r.returncode == 0, r.stderr
    checked = json.loads(r.stdout)
    [same] = [u for u in groups if u["name"] == "dds-citizen-fd/citizen-web"]
    assert checked == same
    assert (checked["level"], checked["rule"], checked["tags"]["service"]) == (
        4,
        "AZ-FD-4-WEIGHTED-SPLIT",
        "citizen-portal",
    )
    unused = CITIZEN_WEB.replace("citizen-web", "citizen-legacy-pool")
    r = relscan("check", unused, env=demo_env)
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: ") and r.stderr.count("\n") == 1
    assert "is used by no route of its profile" in r.stderr


def test_a_route_state_of_the_wrong_type_is_not_guessed(serve):
    profile = fd_profile(
        origin_groups=[split("web")],
        endpoints=[
            {
                "name": "www",
                "routes": [
                    {
                        "name": "a",
                        "origin_group": "web",
                        "wire": {"properties": {"enabledState": 7}},
                    }
                ],
            }
        ],
    )
    result = serve(estate(front_door=[profile])).scan()
    [error] = result.errors
    assert error.message == (
        "routes of endpoint www: malformed answer: routes[].properties.enabledState is a "
        "number (7), not a string"
    )
    assert result.assessments == []  # the group's only route is unread: not a unit
