"""Property tests of the id parsers (`relscan check` ids, --azure-subscription,
--azure-tenant): any text is parsed or refused with a UsageError, never
anything else, and every valid id round-trips."""

from __future__ import annotations

import uuid

from hypothesis import example, given, settings
from hypothesis import strategies as st

from providers.azure.appservice import KIND as APP
from providers.azure.ids import (
    ResourceId,
    parse_resource_id,
    subscription_id,
    tenant_id,
)
from providers.azure.plugin import plugin
from providers.azure.trafficmanager import KIND as PROFILE
from scanner.errors import UsageError

SITES, PROFILES = APP.type_key, PROFILE.type_key
SEGMENT = st.text(alphabet=st.sampled_from("abcAB-_./()%\x00\u202e😀 "), max_size=12)
PIECES = st.sampled_from(
    [
        "/subscriptions/",
        "/resourceGroups/",
        "/providers/",
        "Microsoft.Web/sites/",
        "/slots/",
        "Microsoft.Network/trafficManagerProfiles/",
        "0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4",
        "/",
    ]
)
ID_LIKE = st.lists(st.one_of(PIECES, SEGMENT), max_size=14).map("".join)
FAST = settings(max_examples=200, deadline=None)


def _only_usage_errors(parse, text: str) -> None:
    try:
        parse(text)
    except UsageError as exc:
        assert "\n" not in str(exc) or "\n" in text
    # any other exception fails the test


@FAST
@given(st.one_of(st.text(), ID_LIKE))
@example("/subscriptions/" + "9" * 100_000)
@example("/subscriptions//resourceGroups//providers///")
def test_any_text_is_an_id_or_a_usage_error(text):
    _only_usage_errors(parse_resource_id, text)
    plugin.claims(text)
    try:
        rid = parse_resource_id(text)
    except UsageError as exc:
        if not exc.args[0].startswith(("unsupported", "malformed")):
            assert "relscan assesses" in str(exc)  # a slot or a part of an app or profile
        return
    # whatever is accepted is the canonical id, perhaps with one trailing '/'
    assert parse_resource_id(rid.text) == rid
    assert text.rstrip("/").lower() == rid.text.lower() and len(text) - len(rid.text) <= 1


@FAST
@given(st.text())
def test_any_subscription_or_tenant_is_valid_or_a_usage_error(text):
    _only_usage_errors(subscription_id, text)
    _only_usage_errors(tenant_id, text)


GROUP = st.from_regex(r"\A[A-Za-z0-9_().-]{0,20}[A-Za-z0-9_()-]\Z")
SITE = st.from_regex(r"\A[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?\Z")
PROFILE = st.from_regex(r"\A[a-zA-Z0-9]([a-zA-Z0-9.-]{0,20}[a-zA-Z0-9])?\Z")


def _case(text: str, upper: bool) -> str:
    return text.upper() if upper else text


@FAST
@given(
    st.uuids(),
    GROUP,
    st.sampled_from([SITES, PROFILES]),
    st.data(),
    st.booleans(),
)
def test_valid_ids_round_trip_in_any_case(sub, group, kind, data, upper):
    name = data.draw(SITE if kind == SITES else PROFILE)
    rid = ResourceId(str(sub), group, kind, name)
    assert parse_resource_id(rid.text) == rid
    namespace, rtype = rid.text.split("/providers/")[1].rsplit("/", 1)[0].split("/")
    shouted = (
        f"/{_case('subscriptions', upper)}/{_case(str(sub), upper)}/resourceGroups/{group}"
        f"/providers/{_case(namespace, upper)}/{_case(rtype, upper)}/{name}"
    )
    assert parse_resource_id(shouted) == rid
    assert parse_resource_id(rid.text + "/") == rid  # one trailing '/', as copied from a URL
    assert plugin.claims(rid.text + "/")
    assert plugin.claims(rid.text)
    assert subscription_id(str(uuid.UUID(str(sub))).upper()) == str(sub)
