"""App Service levels, each rule reached and just missed, through the real
azure-mgmt-web client against the ARM emulator."""

from __future__ import annotations

import pytest

from tests.azure.conftest import app, estate, evidence

RULES = "config/web.properties.experiments.rampUpRules"
AUTO_SWAP = "slots[].config/web.properties.autoSwapSlotName"
CALLBACK = "https://portal.scm.azurewebsites.net/api/tipcallback?code=s3cret"
RAMP = {
    "name": "staging",
    "reroutePercentage": 5,
    "changeStep": 5,
    "changeIntervalInMinutes": 10,
    "minReroutePercentage": 5,
    "maxReroutePercentage": 50,
}


def one(serve, **fields):
    [unit] = serve(estate([app(**fields)])).assess().values()
    return unit


def test_no_slots_is_level_1(serve):
    a = one(serve, health_check_path="/healthz")
    assert (a.level, a.rule, a.basis) == (1, "AZ-APP-1-NO-SLOTS", "policy")
    ev = evidence(a)
    assert ev["slots.value[].name"] == []
    assert ev["config/web.properties.healthCheckPath"] == "/healthz"
    assert a.next_steps and "slot" in a.next_steps[0]


def test_one_slot_misses_level_1_and_is_a_manual_swap(serve):
    a = one(
        serve,
        slots=[{"name": "staging"}],
        last_swap={
            "timestampUtc": "2026-11-01T09:00:00Z",
            "sourceSlotName": "staging",
            "destinationSlotName": "production",
        },
    )
    assert (a.level, a.rule) == (3, "AZ-APP-3-MANUAL-SWAP")
    ev = evidence(a)
    assert ev["slots.value[].name"] == ["staging"]
    assert ev[AUTO_SWAP] == []
    assert ev[f"{RULES}[].reroutePercentage"] is None
    assert ev["site.properties.slotSwapStatus.sourceSlotName"] == "staging"
    assert ev["site.properties.slotSwapStatus.timestampUtc"] == "2026-11-01T09:00:00Z"


def test_auto_swap_into_production_is_level_4(serve):
    a = one(serve, slots=[{"name": "dev"}, {"name": "staging", "auto_swap": "Production"}])
    assert (a.level, a.rule) == (4, "AZ-APP-4-AUTO-SWAP")
    ev = evidence(a)
    assert ev[AUTO_SWAP] == ["production"]
    assert ev["slots[autoSwapSlotName set].name"] == ["staging"]


def test_auto_swap_into_another_slot_misses_level_4(serve):
    a = one(serve, slots=[{"name": "dev", "auto_swap": "staging"}, {"name": "staging"}])
    assert (a.level, a.rule) == (3, "AZ-APP-3-MANUAL-SWAP")
    assert evidence(a)[AUTO_SWAP] == ["staging"]


def test_fixed_percentage_routing_is_level_4(serve):
    a = one(
        serve,
        slots=[{"name": "canary"}],
        routing_rules=[{"name": "canary", "reroutePercentage": 10}],
    )
    assert (a.level, a.rule, a.basis) == (4, "AZ-APP-4-FIXED-SPLIT", "snapshot")
    ev = evidence(a)
    assert ev[f"{RULES}[canary].reroutePercentage"] == 10
    assert ev[f"{RULES}[canary].changeStep"] is None
    assert ev[f"{RULES}[canary].actionHostName"] == "portal-canary.azurewebsites.net"
    assert ev[f"{RULES}[].name"] == ["canary"]


def test_zero_percent_routing_misses_level_4(serve):
    a = one(
        serve,
        slots=[{"name": "canary"}],
        routing_rules=[{"name": "canary", "reroutePercentage": 0}],
    )
    assert (a.level, a.rule) == (3, "AZ-APP-3-MANUAL-SWAP")
    assert evidence(a)[f"{RULES}[canary].reroutePercentage"] == 0


def test_auto_ramp_with_decision_callback_is_level_5(serve):
    a = one(
        serve,
        slots=[{"name": "staging"}],
        routing_rules=[{**RAMP, "changeDecisionCallbackUrl": CALLBACK}],
    )
    assert (a.level, a.rule, a.basis) == (5, "AZ-APP-5-AUTO-RAMP-CALLBACK", "policy")
    ev = evidence(a)
    assert ev[f"{RULES}[staging].changeStep"] == 5
    assert ev[f"{RULES}[staging].changeIntervalInMinutes"] == 10
    assert ev[f"{RULES}[staging].maxReroutePercentage"] == 50
    # the callback's query string (often a function key) is never reported
    assert ev[f"{RULES}[staging].changeDecisionCallbackUrl"] == (
        "https://portal.scm.azurewebsites.net/api/tipcallback?<redacted>"
    )
    assert "s3cret" not in str(a.as_dict())
    assert any("cannot read" in s for s in a.next_steps)


def test_auto_ramp_without_callback_misses_level_5(serve):
    a = one(serve, slots=[{"name": "staging"}], routing_rules=[RAMP])
    assert (a.level, a.rule) == (4, "AZ-APP-4-AUTO-RAMP")
    assert evidence(a)[f"{RULES}[staging].changeDecisionCallbackUrl"] is None


def test_ramp_without_interval_misses_auto_ramp(serve):
    rule = {**RAMP, "changeIntervalInMinutes": 0, "changeDecisionCallbackUrl": CALLBACK}
    a = one(serve, slots=[{"name": "staging"}], routing_rules=[rule])
    assert (a.level, a.rule) == (4, "AZ-APP-4-FIXED-SPLIT")
    assert evidence(a)[f"{RULES}[staging].changeIntervalInMinutes"] == 0


def test_several_rules_are_described_by_the_automatic_one(serve):
    rules = [
        {"name": "canary", "reroutePercentage": 20},
        {**RAMP, "changeDecisionCallbackUrl": CALLBACK},
    ]
    a = one(serve, slots=[{"name": "canary"}, {"name": "staging"}], routing_rules=rules)
    assert (a.level, a.rule) == (5, "AZ-APP-5-AUTO-RAMP-CALLBACK")
    assert evidence(a)[f"{RULES}[].name"] == ["canary", "staging"]


def test_function_apps_are_assessed_like_web_apps(serve):
    a = one(serve, kind="functionapp", slots=[{"name": "staging", "auto_swap": "production"}])
    assert (a.kind, a.rule) == ("azure.appservice.app", "AZ-APP-4-AUTO-SWAP")
    assert evidence(a)["site.kind"] == "functionapp"


# Auto-swap "isn't supported in web apps on Linux and Web App for Containers"
# (https://learn.microsoft.com/en-us/azure/app-service/deploy-staging-slots).
@pytest.mark.parametrize(
    "kind", ["app,linux", "app,linux,container", "app,container,windows", "functionapp,linux"]
)
def test_auto_swap_on_linux_or_containers_does_not_count(serve, kind):
    a = one(serve, kind=kind, slots=[{"name": "staging", "auto_swap": "production"}])
    assert (a.level, a.rule, a.basis) == (3, "AZ-APP-3-MANUAL-SWAP", "policy")
    ev = evidence(a)
    assert ev[AUTO_SWAP] == ["production"]
    assert ev["site.kind (parts)"] == kind.split(",")


def test_auto_swap_on_a_windows_code_app_counts(serve):
    # the neighbour: kind "app" (Windows code), as in the spec's CreateOrUpdateWebApp.json
    a = one(serve, kind="app", slots=[{"name": "staging", "auto_swap": "production"}])
    assert (a.level, a.rule, a.basis) == (4, "AZ-APP-4-AUTO-SWAP", "policy")
    assert evidence(a)["site.kind (parts)"] == ["app"]


# Flex Consumption apps, shaped as azure-rest-api-specs' example
# CreateOrUpdateFunctionAppFlexConsumptionWithDetails.json (2024-11-01): kind
# "functionapp,linux", properties.functionAppConfig with deployment storage,
# runtime python 3.11 and scaleAndConcurrency, and no siteUpdateStrategy.
FLEX = "site.properties.functionAppConfig"
FLEX_APP = {"kind": "functionapp,linux"}


def test_flex_consumption_as_in_the_spec_example_is_recreate_level_1(serve):
    a = one(serve, flex=None, **FLEX_APP)
    assert (a.level, a.rule, a.basis) == (1, "AZ-APP-1-FLEX-RECREATE", "policy")
    ev = evidence(a)
    assert ev[f"{FLEX} (present: Flex Consumption)"] is True
    assert ev[f"{FLEX}.siteUpdateStrategy.type"] is None


def test_flex_consumption_recreate_is_level_1(serve):
    a = one(serve, flex="Recreate", **FLEX_APP)
    assert (a.level, a.rule) == (1, "AZ-APP-1-FLEX-RECREATE")
    assert evidence(a)[f"{FLEX}.siteUpdateStrategy.type"] == "Recreate"


def test_flex_consumption_rolling_update_is_level_2(serve):
    # `az functionapp update-strategy config set --type RollingUpdate`
    a = one(serve, flex="RollingUpdate", **FLEX_APP)
    assert (a.level, a.rule, a.basis) == (2, "AZ-APP-2-FLEX-ROLLING", "policy")
    assert evidence(a)[f"{FLEX}.siteUpdateStrategy.type"] == "RollingUpdate"
    assert a.next_steps[0].startswith("Flex Consumption apps have no slots")


def test_a_function_app_without_function_app_config_misses_the_flex_rules(serve):
    a = one(serve, kind="functionapp,linux")
    assert (a.level, a.rule) == (1, "AZ-APP-1-NO-SLOTS")
    assert evidence(a)[f"{FLEX} (present: Flex Consumption)"] is False


def test_a_malformed_function_app_config_makes_the_app_not_assessed(serve):
    a = one(serve, kind="functionapp,linux", wire={"properties": {"functionAppConfig": "flex"}})
    assert (a.level, a.status, a.rule) == (None, "not_assessed", None)
    assert a.reason.startswith(f"not assessed, because {FLEX} (present: Flex Consumption) could")
    assert "not an object" in a.reason


@pytest.mark.parametrize(
    ("fault", "field"),
    [
        ({"operation": "slotconfig.get"}, AUTO_SWAP),
        ({"operation": "slots.list"}, "slots.value[].name"),
        ({"operation": "config.get"}, f"{RULES}[].changeStep"),
    ],
)
def test_an_unreadable_fact_makes_the_app_not_assessed(serve, fault, field):
    part = estate([app(slots=[{"name": "staging"}])], faults=[{**fault, "status": 403}])
    [a] = serve(part).assess().values()
    assert (a.level, a.status, a.rule) == (None, "not_assessed", None)
    assert a.reason.startswith(f"not assessed, because {field} could not be read (")
    assert "AuthorizationFailed (HTTP 403)" in a.reason
    assert a.next_steps == [
        f"Fix what stopped relscan reading {field} (see the reason), then scan again."
    ]


def test_without_slots_an_unreadable_config_does_not_matter(serve):
    part = estate([app()], faults=[{"operation": "config.get", "status": 403}])
    [a] = serve(part).assess().values()
    assert (a.level, a.rule) == (1, "AZ-APP-1-NO-SLOTS")


def test_unit_identity_tags_and_location(serve):
    [a] = (
        serve(estate([app(tags={"service": "citizen-portal"}, location="UK West")]))
        .assess()
        .values()
    )
    assert a.id == (
        "/subscriptions/0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4/resourceGroups/web-rg"
        "/providers/Microsoft.Web/sites/portal"
    )
    assert (a.provider, a.name, a.account, a.location) == (
        "azure",
        "portal",
        "0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4",
        "UK West",
    )
    assert a.tags == {"service": "citizen-portal"}
