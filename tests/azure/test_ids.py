"""Resource ids, subscription ids and tenants are parsed strictly; the
endpoint variable is the only switch between an emulator and a cloud."""

from __future__ import annotations

import pytest

from providers.azure.appservice import KIND as APP
from providers.azure.clients import ENDPOINT_VARIABLE, resolve_endpoint
from providers.azure.ids import parse_resource_id, tenant_id
from providers.azure.plugin import plugin
from providers.azure.trafficmanager import KIND as PROFILE
from scanner.errors import UsageError

SITES, PROFILES = APP.type_key, PROFILE.type_key
SUB = "0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4"
BASE = f"/subscriptions/{SUB}/resourceGroups/web-rg/providers"


@pytest.mark.parametrize(
    ("rid", "kind", "name"),
    [
        (f"{BASE}/Microsoft.Web/sites/portal", SITES, "portal"),
        (f"{BASE}/Microsoft.Web/sites/portal/", SITES, "portal"),  # as copied from a URL
        (f"{BASE}/microsoft.web/SITES/Portal-2", SITES, "Portal-2"),
        (f"{BASE}/Microsoft.Network/trafficManagerProfiles/portal-tm", PROFILES, "portal-tm"),
        (
            f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/web-rg/PROVIDERS/"
            "MICROSOFT.NETWORK/TRAFFICMANAGERPROFILES/tm.v2",
            PROFILES,
            "tm.v2",
        ),
    ],
)
def test_supported_ids_in_any_case(rid, kind, name):
    parsed = parse_resource_id(rid)
    assert (parsed.subscription, parsed.group, parsed.kind, parsed.name) == (
        SUB,
        "web-rg",
        kind,
        name,
    )
    assert plugin.claims(rid)


@pytest.mark.parametrize(
    ("rid", "message"),
    [
        (
            "/subscriptions/0000-1111/resourceGroups/web-rg/providers/Microsoft.Web/sites/portal",
            "subscription '0000-1111' is not a GUID",
        ),
        (f"/subscriptions/{SUB}/resourceGroups/web-rg", ": it ends before /providers/ (expected"),
        (f"{BASE}/Microsoft.Web/sites/por_tal", "name 'por_tal' is not 1 to 60 letters"),
        (f"{BASE}/Microsoft.Web/sites/", ": the resource name is empty (expected /subscriptions/"),
        (f"{BASE}/Microsoft.Web/sites", ": the resource name is missing (expected /subscriptions/"),
        (f"{BASE}/Microsoft.Web/sites/a//", "malformed Azure resource id"),
        (
            f"/subscriptions/{SUB}/resourceGroup/web-rg/providers/Microsoft.Web/sites/portal",
            "expected 'resourceGroups' where it has 'resourceGroup'",
        ),
        ("subscriptions/x", "it must start with /subscriptions/"),
        (
            f"/subscriptions/{SUB}/resourceGroups/web rg./providers/Microsoft.Web/sites/portal",
            "resource group name 'web rg.' is not 1 to 90 letters",
        ),
        (
            f"{BASE}/Microsoft.Compute/virtualMachines/vm1",
            "unsupported Azure resource kind Microsoft.Compute/virtualMachines; relscan checks",
        ),
        (
            f"{BASE}/Microsoft.Web/sites/portal/config/web",
            "names a part (config) of a web app; relscan assesses the web app itself: check "
            f"{BASE}/Microsoft.Web/sites/portal",
        ),
        (
            f"{BASE}/Microsoft.Web/sites/portal/slots/staging",
            "is a deployment slot; relscan assesses the app with its slots: check "
            f"{BASE}/Microsoft.Web/sites/portal",
        ),
    ],
)
def test_bad_ids_are_one_line_usage_errors(rid, message):
    with pytest.raises(UsageError) as info:
        parse_resource_id(rid)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_foreign_ids_are_not_claimed():
    assert not plugin.claims("arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:a/b")
    assert not plugin.claims("projects/p/locations/l/services/s")


@pytest.mark.parametrize("value", [SUB, "contoso.onmicrosoft.com", "dds.gov.example"])
def test_tenants(value):
    assert tenant_id(value) == value


@pytest.mark.parametrize("value", ["contoso", "-bad.example", "a b.example"])
def test_bad_tenants(value):
    with pytest.raises(UsageError, match="malformed Azure tenant"):
        tenant_id(value)


@pytest.mark.parametrize(
    ("value", "url", "loopback", "scope"),
    [
        ("", "https://management.azure.com", False, "https://management.azure.com/.default"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", True, ""),
        ("http://127.5.0.1:80", "http://127.5.0.1:80", True, ""),
        ("http://localhost:9", "http://localhost:9", True, ""),
        ("http://[::1]:9", "http://[::1]:9", True, ""),
        (
            "https://management.usgovcloudapi.net",
            "https://management.usgovcloudapi.net",
            False,
            "https://management.core.usgovcloudapi.net/.default",
        ),
        (
            "https://management.chinacloudapi.cn/",
            "https://management.chinacloudapi.cn",
            False,
            "https://management.chinacloudapi.cn/.default",
        ),
        (
            "https://arm.private.example:8443",
            "https://arm.private.example:8443",
            False,
            "https://arm.private.example:8443/.default",
        ),
        ("https://127.0.0.1:9", "https://127.0.0.1:9", False, "https://127.0.0.1:9/.default"),
    ],
)
def test_endpoint_variable(value, url, loopback, scope):
    endpoint = resolve_endpoint({ENDPOINT_VARIABLE: value})
    assert (endpoint.url, endpoint.loopback, endpoint.scope) == (url, loopback, scope)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://10.0.0.5:8080", "plain http is only for a loopback emulator"),
        ("http://example.com", "plain http is only for a loopback emulator"),
        ("ftp://127.0.0.1", "is not an http(s) URL"),
        ("127.0.0.1:8080", "is not an http(s) URL"),
        ("http://127.0.0.1:notaport", "is not an http(s) URL"),
    ],
)
def test_bad_endpoint_variable(value, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_endpoint({ENDPOINT_VARIABLE: value})


def test_a_tenant_pins_every_token_request():
    from providers.azure.clients import Endpoint, build_credential

    endpoint = Endpoint(
        "https://management.azure.com", False, "https://management.azure.com/.default"
    )
    credential = build_credential(endpoint, "contoso.onmicrosoft.com")
    seen = {}

    class Recorder:
        def get_token(self, *scopes, **kwargs):
            seen.update(scopes=scopes, **kwargs)
            return "token"

    credential.inner = Recorder()  # the SDK credential's place, not a relscan function
    assert credential.get_token("https://management.azure.com/.default") == "token"
    assert seen == {
        "scopes": ("https://management.azure.com/.default",),
        "tenant_id": "contoso.onmicrosoft.com",
    }
    assert (
        build_credential(Endpoint("http://127.0.0.1:1", True, ""), "t.example").__class__.__name__
        == "_NoCredential"
    )
