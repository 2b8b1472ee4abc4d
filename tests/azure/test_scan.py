"""Subscriptions, paging, bounded calls, faults and retries, and `check`."""

from __future__ import annotations

import time

import pytest

from providers.azure.plugin import plugin
from scanner.errors import CredentialsError, NotFoundError, UsageError
from tests.azure.conftest import SITES, SUB, SUB2, app, estate, profile

PRIORITY = {"routing": "Priority", "endpoints": [{"name": "a"}, {"name": "b", "priority": 2}]}


def mixed():
    apps = [app(f"app{i}", slots=[{"name": "staging"}, {"name": "qa"}]) for i in range(5)]
    apps.append(app("other", subscription=SUB2))
    profiles = [profile(f"tm{i}", **PRIORITY) for i in range(3)]
    return estate(apps, profiles)


def test_every_visible_subscription_is_scanned_and_lists_are_paged(serve):
    served = serve(mixed())
    result = served.scan()
    assert result.scopes == [f"azure:{SUB}", f"azure:{SUB2}"]
    assert result.errors == []
    names = sorted(a.name for a in result.assessments)
    assert names == ["app0", "app1", "app2", "app3", "app4", "other", "tm0", "tm1", "tm2"]
    calls = served.emulator.calls
    # page size 2: five apps take three pages, three profiles two
    assert calls.count(("sites.list", SUB)) == 3
    assert calls.count(("profiles.list", SUB)) == 2
    # one slots list and one config/web per app, one config/web per slot: nothing twice
    assert calls.count(("slots.list", SUB)) == 5
    assert calls.count(("config.get", SUB)) == 5
    assert calls.count(("slotconfig.get", SUB)) == 10
    assert calls.count(("subscriptions.list", "")) == 1


def test_the_pipeline_only_reads_and_sends_no_token_to_a_loopback_emulator(serve):
    served = serve(mixed())
    served.scan()
    requests = served.server.requests
    assert requests and {r.method for r in requests} == {"GET"}
    assert all("authorization" not in r.headers for r in requests)
    assert all(r.arg("api-version") for r in requests)
    assert all("relscan/" in r.headers["user-agent"] for r in requests)


def test_named_subscriptions_only(serve):
    result = serve(mixed()).scan(azure_subscription=(SUB2.upper(), SUB2))
    assert result.scopes == [f"azure:{SUB2}"]
    assert [a.name for a in result.assessments] == ["other"]


def test_an_unknown_subscription_is_bad_usage(serve):
    with pytest.raises(
        UsageError,
        match=r"unknown Azure subscription "
        r"99999999-0000-4000-8000-000000000000: the credential",
    ):
        serve(mixed()).scan(azure_subscription=("99999999-0000-4000-8000-000000000000",))


@pytest.mark.parametrize("value", ["0000-1111", "not-a-guid", "0b5e1c2d3f4a4b5c8d6e7f8091a2b3c4"])
def test_a_malformed_subscription_is_bad_usage(serve, value):
    with pytest.raises(UsageError, match="malformed Azure subscription id"):
        serve(mixed()).scan(azure_subscription=(value,))


def test_a_malformed_tenant_is_bad_usage(serve):
    with pytest.raises(UsageError, match="malformed Azure tenant 'contoso'"):
        serve(mixed()).scan(azure_tenant="contoso")


def test_disabled_subscriptions_are_skipped_unless_named(serve):
    part = mixed()
    part["subscriptions"][1]["state"] = "Disabled"
    served = serve(part)
    assert served.scan().scopes == [f"azure:{SUB}"]
    assert served.scan(azure_subscription=(SUB2,)).scopes == [f"azure:{SUB2}"]


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_subscription_keeps_the_others(serve, status):
    part = mixed()
    part["faults"] = [{"subscription": SUB, "status": status}]
    result = serve(part).scan()
    assert [a.name for a in result.assessments] == ["other"]
    assert [(e.scope, e.service) for e in result.errors] == [
        (f"azure:{SUB}", "App Service apps"),
        (f"azure:{SUB}", "Container Apps"),
        (f"azure:{SUB}", "Front Door origin groups"),
        (f"azure:{SUB}", "Traffic Manager profiles"),
        (f"azure:{SUB}", "VM scale sets"),
    ]
    code = "AuthorizationFailed" if status == 403 else "InvalidAuthenticationToken"
    assert all(e.message.startswith(f"{code} (HTTP {status}): ") for e in result.errors)
    assert "\n" not in result.errors[0].message


def test_a_failed_second_page_keeps_the_first(serve):
    part = mixed()
    part["faults"] = [{"operation": "sites.list", "page": 1, "status": 403}]
    result = serve(part).scan(azure_subscription=(SUB,))
    assert sorted(a.name for a in result.assessments) == ["app0", "app1", "tm0", "tm1", "tm2"]
    [error] = result.errors
    assert error.service == "App Service apps"
    assert error.message.startswith("AuthorizationFailed (HTTP 403): The client")
    assert "Microsoft.Web/sites/read" in error.message


def test_throttling_is_retried_after_retry_after_to_the_same_result(serve):
    clean = serve(mixed()).scan()
    part = mixed()
    part["faults"] = [
        {
            "operation": "sites.list",
            "subscription": SUB,
            "status": 429,
            "times": 2,
            "retry_after": 0.5,
        },
        {"operation": "profiles.list", "status": 503, "times": 1, "retry_after": 0.1},
    ]
    served = serve(part)
    started = time.monotonic()
    result = served.scan()
    assert time.monotonic() - started >= 1.0  # two waits of Retry-After: 0.5
    assert result.errors == []
    assert [a.as_dict() for a in result.assessments] == [a.as_dict() for a in clean.assessments]
    assert served.emulator.calls.count(("sites.list", SUB)) == 3 + 2


def test_throttling_past_the_retry_limit_is_a_scope_error(serve):
    part = mixed()
    part["faults"] = [
        {"operation": "profiles.list", "subscription": SUB2, "status": 429, "retry_after": 0.01}
    ]
    result = serve(part).scan()
    [error] = result.errors
    assert (error.scope, error.service) == (f"azure:{SUB2}", "Traffic Manager profiles")
    assert error.message.startswith("throttled and out of retries: TooManyRequests (HTTP 429)")
    assert len(result.assessments) == 9


def test_a_refused_subscription_list_is_a_credentials_error(serve):
    part = mixed()
    part["faults"] = [{"operation": "subscriptions.list", "status": 401}]
    with pytest.raises(CredentialsError, match=r"Azure credentials: InvalidAuthenticationToken"):
        serve(part).scan()


def test_no_credentials_for_a_real_endpoint(monkeypatch):
    monkeypatch.setenv("RELSCAN_AZURE_ENDPOINT", "https://127.0.0.1:9")
    with pytest.raises(CredentialsError, match=r"^Azure credentials: no Azure credentials found"):
        plugin.configure({}).scopes()


# -- check ---------------------------------------------------------------------
def test_check_matches_ids_case_insensitively_and_reports_the_canonical_id(serve):
    served = serve(estate([app("portal", slots=[{"name": "staging", "auto_swap": "production"}])]))
    a = served.check(f"{SITES.upper().replace('SUBSCRIPTIONS', 'subscriptions')}/PORTAL")
    assert (a.id, a.rule) == (f"{SITES}/portal", "AZ-APP-4-AUTO-SWAP")
    [scanned] = served.scan().assessments
    assert a.as_dict() == scanned.as_dict()


def test_check_a_traffic_manager_profile(serve):
    served = serve(estate(profiles=[profile(**PRIORITY)]))
    a = served.check(
        f"/subscriptions/{SUB}/resourceGroups/net-rg/providers/"
        "microsoft.network/trafficmanagerprofiles/portal-tm"
    )
    assert (a.level, a.rule) == (None, "AZ-TM-NA-PRIORITY")


@pytest.mark.parametrize(
    ("rid", "code"),
    [
        (f"{SITES}/nope", "ResourceNotFound"),
        (
            f"/subscriptions/{SUB}/resourceGroups/nope-rg/providers/Microsoft.Web/sites/portal",
            "ResourceGroupNotFound",
        ),
        (
            "/subscriptions/99999999-0000-4000-8000-000000000000/resourceGroups/web-rg/providers/"
            "Microsoft.Web/sites/portal",
            "SubscriptionNotFound",
        ),
    ],
)
def test_check_of_a_missing_resource_is_not_found(serve, rid, code):
    served = serve(estate([app("portal")]))
    with pytest.raises(NotFoundError, match=rf"^no such resource: .* \({code} \(HTTP 404\)"):
        served.check(rid)
