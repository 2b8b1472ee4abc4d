"""Hostile answers from Resource Manager are data: control characters, 100 kB
strings, odd Unicode, malformed and missing fields never crash a scan; a unit
whose deciding field is unusable is not assessed, with the reason."""

from __future__ import annotations

import json

import pytest

from scanner.emulators.server import Response
from scanner.errors import CloudError
from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from tests.azure.conftest import SITES, SUB, SUB2, app, estate, profile

LONG = "x" * 100_000
ODD = "evil\x00\x1b[31m\u202egnp.exe\U0001f600\r\n\u200f"
SLOT = [{"name": "staging"}]
WEIGHTED = {"routing": "Weighted", "endpoints": [{"name": "a", "weight": 9}, {"name": "b"}]}


def scan_one(serve, fixture_app=None, fixture_profile=None):
    part = estate(
        [fixture_app] if fixture_app else [], [fixture_profile] if fixture_profile else []
    )
    result = serve(part).scan(azure_subscription=(SUB,))
    return result


def test_names_and_tags_with_control_characters_long_strings_and_odd_unicode(serve):
    hostile = app(
        "portal",
        slots=SLOT,
        tags={"service": ODD + LONG, ODD: None, "n": 5, "o": {"a": [1]}},
        wire={"name": ODD + LONG, "location": ODD, "kind": ["app", 5]},
    )
    result = scan_one(serve, hostile)
    assert result.errors == []
    [unit] = result.assessments
    assert unit.name == ODD + LONG and unit.location == ODD
    assert unit.tags == {"service": ODD + LONG, ODD: "", "n": "5", "o": '{"a": [1]}'}
    assert (unit.level, unit.rule) == (3, "AZ-APP-3-MANUAL-SWAP")
    for fmt in ("json", "markdown", "table", "csv", "html"):
        assert SCAN_FORMATS[fmt](result, RenderOptions())  # every renderer copes
    assert json.loads(SCAN_FORMATS["json"](result, RenderOptions()))["resources"][0]["name"] == (
        ODD + LONG
    )


@pytest.mark.parametrize(
    ("fields", "field", "why"),
    [
        (
            {"config_wire": {"properties": {"experiments": {"rampUpRules": "garbage"}}}},
            "rampUpRules",
            "is a string, not a list of objects",
        ),
        (
            {"config_wire": {"properties": {"experiments": {"rampUpRules": [5]}}}},
            "rampUpRules",
            "a list with a non-object item",
        ),
        (
            {"routing_rules": [{"name": "s", "reroutePercentage": "abc"}]},
            "reroutePercentage",
            "is a string ('abc'), not a number",
        ),
        (
            {"routing_rules": [{"name": "s", "changeStep": True, "reroutePercentage": 5}]},
            "changeStep",
            "is a boolean (True), not a number",
        ),
        ({"config_wire": {"properties": "nope"}}, "config/web", "not an object"),
        (
            {
                "slots": [
                    {"name": "staging", "config_wire": {"properties": {"autoSwapSlotName": 5}}}
                ]
            },
            "autoSwapSlotName",
            "is a number (5), not a string",
        ),
        (
            {"slots": [{"name": "staging", "wire": {"name": None}}]},
            "slots.value[].name",
            "not a slot name",
        ),
        ({"slots": [{"name": "staging", "wire": {"name": ["a"]}}]}, "name", "is a list"),
    ],
)
def test_an_unusable_deciding_field_leaves_the_app_not_assessed(serve, fields, field, why):
    fields.setdefault("slots", SLOT)
    [unit] = scan_one(serve, app("portal", **fields)).assessments
    assert unit.level is None and unit.status == "not_assessed"
    assert unit.reason.startswith("not assessed, because ")
    assert "malformed answer" in unit.reason and field in unit.reason and why in unit.reason
    assert len(unit.reason) < 600


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        ({"properties": {"trafficRoutingMethod": 7}}, "trafficRoutingMethod is a number (7)"),
        ({"properties": {"profileStatus": {"x": 1}}}, "profileStatus is an object"),
        ({"properties": {"endpoints": "x"}}, "endpoints[] is a string"),
        (
            {"properties": {"endpoints": [{"properties": {"endpointStatus": ["Enabled"]}}]}},
            "a list",
        ),
    ],
)
def test_an_unusable_deciding_field_leaves_the_profile_not_assessed(serve, wire, why):
    [unit] = scan_one(serve, fixture_profile=profile(wire=wire, **WEIGHTED)).assessments
    assert unit.level is None and "malformed answer" in unit.reason and why in unit.reason


def test_a_bad_weight_leaves_a_weighted_profile_not_assessed(serve):
    endpoints = [{"name": "a", "weight": 9}, {"name": "b", "weight": 1}]
    tm = profile(routing="Weighted", endpoints=endpoints)
    part = estate(profiles=[tm])
    served = serve(part)
    original = served.emulator.profiles_list

    def heavy(sub):
        out = original(sub)
        out[0]["properties"]["endpoints"][1]["properties"]["weight"] = "heavy"
        return out

    served.emulator.profiles_list = heavy
    [unit] = served.scan(azure_subscription=(SUB,)).assessments
    assert unit.level is None and "weight is a string ('heavy'), not a number" in unit.reason


def test_items_without_a_usable_id_are_scope_errors_and_the_rest_goes_on(serve):
    part = estate(
        [
            app("good", slots=SLOT),
            app("noid", wire={"id": "<absent>"}),
            app("intid", wire={"id": 5}),
            app("badid", wire={"id": "/subscriptions/x/" + LONG}),
        ],
        [profile("tm", **WEIGHTED), profile("tm-bad", wire={"id": None})],
    )
    result = serve(part).scan(azure_subscription=(SUB,))
    assert sorted(a.name for a in result.assessments) == ["good", "tm"]
    messages = [(e.service, e.message) for e in result.errors]
    assert len(messages) == 4
    assert all(len(s) < 300 and len(m) <= 500 for s, m in messages)
    assert any("the app has no id" in m for _, m in messages)
    assert any("id is a number (5), not a string" in m for _, m in messages)
    assert any("malformed Azure resource id" in m for _, m in messages)
    assert any("the profile has no id" in m for _, m in messages)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"value": "notalist"}, "value is a JSON str, not a list"),
        ({"value": None}, "value is a JSON NoneType, not a list"),
        ([1, 2], "the answer is a JSON list, not an object"),
        ({"value": [], "nextLink": 5}, "nextLink is 5, not a URL"),
        ({"value": [], "nextLink": "http://[::1/x"}, "nextLink is 'http://[::1/x', not a URL"),
        ({"value": [], "nextLink": "ftp://h/x"}, "not a URL"),
        (b"<html>gateway</html>", ""),
    ],
)
def test_a_malformed_page_is_a_scope_error_and_the_profiles_go_on(serve, body, why):
    served = serve(estate([app("a")], [profile("tm", **WEIGHTED)]))
    inner = served.emulator.__class__.__call__

    def answer(req):
        if req.path.lower().endswith("/providers/microsoft.web/sites"):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            return Response(200, raw, {"Content-Type": "application/json"})
        return inner(served.emulator, req)

    served.server._server.app = answer
    result = served.scan(azure_subscription=(SUB,))
    assert [a.name for a in result.assessments] == ["tm"]
    [error] = result.errors
    assert error.service == "App Service apps" and "\n" not in error.message
    assert why in error.message


def test_non_object_items_in_a_page_are_scope_errors(serve):
    served = serve(estate([app("a"), app("b")]))
    original = served.emulator.sites_list
    served.emulator.sites_list = lambda sub: [None, 5, "x", *original(sub)]
    served.emulator.page_size = 10
    result = served.scan(azure_subscription=(SUB,))
    assert sorted(a.name for a in result.assessments) == ["a", "b"]
    assert len(result.errors) == 3
    assert all(
        "is None, not an object" in e.message or "not an object" in e.message for e in result.errors
    )


def test_junk_in_the_subscription_list_is_left_out(serve):
    served = serve(estate([app("a"), app("b", subscription=SUB2)]))
    original = served.emulator.subscriptions_list
    served.emulator.subscriptions_list = lambda: [
        None,
        {"subscriptionId": 5},
        {"subscriptionId": "../../x"},
        {"displayName": LONG},
        *original(),
    ]
    result = served.scan()
    assert result.scopes == [f"azure:{SUB}", f"azure:{SUB2}"]
    assert sorted(a.name for a in result.assessments) == ["a", "b"]


def test_check_of_a_malformed_answer_is_one_line(serve):
    served = serve(estate([app("portal", slots=SLOT, wire={"id": 7})]))
    with pytest.raises(
        CloudError, match=r"^cannot read .*: malformed answer: id is a number \(7\)"
    ):
        served.check(f"{SITES}/portal")
