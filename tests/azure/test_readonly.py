"""Read-only by construction: the client pipeline refuses, before sending,
anything that is not a declared read, and the custom role printed by
`relscan permissions azure` covers every call a scan and a check make."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from providers.azure import permissions
from providers.azure.appservice import KIND as APP
from providers.azure.clients import AzureClients, build_credential, resolve_endpoint
from providers.azure.plugin import plugin
from providers.azure.trafficmanager import KIND as PROFILE
from scanner.readonly import ReadOnlyViolation
from tests.azure.conftest import (
    CONTAINER_APPS,
    SCALE_SETS,
    SITES,
    SUB,
    app,
    container_app,
    estate,
    profile,
    scale_set,
)
from tests.azure.frontdoor_estate import og_id, routed, split
from tests.cli import RELSCAN


def web(c: AzureClients):
    return c.client(APP, SUB)


def traffic(c: AzureClients):
    return c.client(PROFILE, SUB)


PRIORITY = {"routing": "Priority", "endpoints": [{"name": "a"}, {"name": "b", "priority": 2}]}


def clients() -> AzureClients:
    endpoint = resolve_endpoint()
    return AzureClients(endpoint, build_credential(endpoint, None))


MUTATIONS = [
    ("DELETE", lambda c: web(c).web_apps.delete("web-rg", "portal")),
    ("POST", lambda c: web(c).web_apps.restart("web-rg", "portal")),
    ("POST", lambda c: web(c).web_apps.list_application_settings("web-rg", "portal")),
    ("POST", lambda c: web(c).web_apps.get_auth_settings("web-rg", "portal")),
    ("POST", lambda c: web(c).web_apps.begin_list_publishing_credentials("web-rg", "portal")),
    (
        "POST",
        lambda c: web(c).web_apps.begin_swap_slot_with_production(
            "web-rg", "portal", {"targetSlot": "staging", "preserveVnet": True}
        ),
    ),
    (
        "PUT",
        lambda c: web(c).web_apps.begin_create_or_update("web-rg", "x", {"location": "uk"}),
    ),
    ("PATCH", lambda c: traffic(c).profiles.update("net-rg", "portal-tm", {"tags": {}})),
    ("DELETE", lambda c: traffic(c).profiles.delete("net-rg", "portal-tm")),
    # a GET that is not declared is refused too
    ("GET", lambda c: web(c).web_apps.get_diagnostic_logs_configuration("web-rg", "portal")),
]


@pytest.mark.parametrize(("method", "call"), MUTATIONS)
def test_an_undeclared_call_is_refused_and_nothing_is_sent(serve, method, call):
    served = serve(estate([app("portal", slots=[{"name": "staging"}])], [profile(**PRIORITY)]))
    with pytest.raises(ReadOnlyViolation) as info:
        call(clients())
    message = str(info.value)
    assert message.startswith(f"relscan is read-only and refused {method} /subscriptions/{SUB}/")
    assert "not a declared read" in message and "\n" not in message
    assert served.server.requests == []


def test_every_call_of_a_scan_and_a_check_is_in_the_generated_role(serve):
    """A scan and checks with --history: the release records' reads too."""
    part = estate(
        [app(f"app{i}", slots=[{"name": "staging", "auto_swap": "production"}]) for i in range(3)],
        [profile(f"tm{i}", **PRIORITY) for i in range(3)],
        front_door=[routed(split("web"), split("api"), split("img"))],
        container_apps=[container_app(f"ca{i}") for i in range(3)],
        scale_sets=[scale_set(f"vmss{i}", upgrade={"mode": "Rolling"}) for i in range(3)],
    )
    served = serve(part)
    history = {"history_days": 30, "history_end": datetime.now(UTC)}
    served.scan(**history)
    served.check(og_id("shop-fd", "api"))
    plugin.configure(history).check(f"{SITES}/app1")
    served.check(
        f"/subscriptions/{SUB}/resourceGroups/net-rg/providers/"
        "Microsoft.Network/trafficManagerProfiles/tm2"
    )
    served.check(f"{CONTAINER_APPS}/ca2")
    served.check(f"{SCALE_SETS}/vmss2")
    granted = set(plugin.permissions().permissions)
    used = set()
    for request in served.server.requests:
        read = permissions.match(request.method, request.path)
        assert read is not None, f"{request.method} {request.path}"
        assert read.action in granted
        used.add(read.operation)
    # every declared read was exercised: the grant holds nothing unused
    assert used == {read.operation for read in permissions.READS}
    assert granted == {read.action for read in permissions.READS}


def test_a_next_link_to_another_host_is_read_from_the_configured_endpoint(serve):
    from scanner.emulators.server import Response

    served = serve(estate([app("a"), app("b"), app("c")]))
    inner = served.emulator._page

    def page(req, items):
        resp = inner(req, items)
        body = json.loads(resp.body)
        if "nextLink" in body:  # point the next page at a host that must never be called
            body["nextLink"] = body["nextLink"].replace(
                served.server.url, "https://attacker.example:8443"
            )
        return Response(resp.status, json.dumps(body).encode(), resp.headers)

    served.emulator._page = page
    assert sorted(a.name for a in served.scan(azure_subscription=(SUB,)).assessments) == [
        "a",
        "b",
        "c",
    ]
    assert sum("$skiptoken" in r.query for r in served.server.requests) == 1


def test_relscan_permissions_azure_prints_a_custom_role():
    r = subprocess.run(
        [RELSCAN, "permissions", "azure"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    role = json.loads(r.stdout)
    assert role["IsCustom"] is True and role["Name"] == "relscan reader"
    assert role["Actions"] == sorted({read.action for read in permissions.READS})
    assert all(a.endswith("/read") for a in role["Actions"])
    assert role["NotActions"] == role["DataActions"] == role["NotDataActions"] == []
    assert role["AssignableScopes"] == ["/subscriptions/{subscriptionId}"]


def test_every_declared_read_has_its_own_operation_name():
    """plugin.read_permission looks a read up by its operation: two clients'
    `profiles.get` (Traffic Manager's and the CDN client's) must not share one."""
    names = [read.operation for read in permissions.READS]
    assert len(names) == len(set(names))
    assert plugin.read_permission("cdn.profiles.get") == "Microsoft.Cdn/profiles/read"
    assert plugin.read_permission("profiles.get") == "Microsoft.Network/trafficManagerProfiles/read"
