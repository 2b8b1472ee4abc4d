"""The Azure kinds are declared once, in their reader modules, and the id
parser, `check`, the scan, the grant and the evidence recorder follow the
declarations the plugin lists."""

from __future__ import annotations

import re

import pytest

from providers.azure import permissions
from providers.azure.ids import parse_resource_id
from providers.azure.kind import AzureKind, Read, arm_kind
from providers.azure.plugin import plugin
from scanner.demo.serve import load_estate, patched_environ
from scanner.demo.serve import serve as serve_estate
from scanner.engine import run_scan
from scanner.errors import NotFoundError, UsageError
from scanner.evidence import recorder as evidence
from scanner.kind import facts, undeclared_facts
from scanner.model import Observation
from tests.azure.conftest import SUB, app, estate, profile

BASE = f"/subscriptions/{SUB}/resourceGroups/web-rg/providers"
APP_ID = f"{BASE}/Microsoft.Web/sites/portal"
PROFILE_ID = (
    f"/subscriptions/{SUB}/resourceGroups/net-rg/providers"
    "/Microsoft.Network/trafficManagerProfiles/portal-tm"
)
APPS = "azure.appservice.app"
PROFILES = "azure.trafficmanager.profile"
CONTAINER_APPS = "azure.containerapps.app"
SCALE_SETS = "azure.compute.scale_set"


def test_the_plugin_lists_one_reader_module_per_kind_in_its_order():
    assert [k.name for k in plugin.kinds()] == [
        APPS,
        PROFILES,
        "azure.frontdoor.origin_group",
        CONTAINER_APPS,
        SCALE_SETS,
    ]
    assert all(isinstance(k, AzureKind) and k.provider == "azure" for k in plugin.kinds())
    assert [r.__name__ for r in plugin.reader_modules()] == list(plugin.readers)


@pytest.mark.parametrize(
    ("rid", "kind"),
    [
        (APP_ID, APPS),
        (APP_ID + "/", APPS),  # as copied from a portal URL
        (APP_ID.upper().replace(SUB.upper(), SUB), APPS),  # ARM ignores case
        (PROFILE_ID, PROFILES),
        (PROFILE_ID.replace("trafficManagerProfiles", "TRAFFICMANAGERPROFILES"), PROFILES),
    ],
)
def test_an_id_each_kind_claims_reaches_that_kinds_reader(rid, kind):
    plugin.check_id(rid)  # well-formed and supported
    reader = plugin.reader_for(rid)
    assert reader is plugin.reader(kind)
    assert reader.KIND.name == kind
    assert [k.name for k in plugin.kinds() if k.claims(rid)] == [kind]  # and no other kind


@pytest.mark.parametrize(
    "rid",
    [
        f"{BASE}/Microsoft.Web/serverFarms/plan",
        f"{BASE}/Microsoft.Web/sites/portal/slots/staging",
        f"{BASE}/Microsoft.Network/trafficManagerProfiles/portal-tm/azureEndpoints/a",
    ],
)
def test_an_id_of_another_type_or_a_child_is_claimed_by_no_kind(rid):
    assert plugin.reader_for(rid) is None


def test_check_reads_each_kind_through_its_own_reader(serve):
    serve(estate([app("portal")], [profile("portal-tm")]))
    run = plugin.configure({})
    found = run.check(APP_ID)
    assert (found.kind, found.name, found.account) == (APPS, "portal", SUB)
    assert found.id.lower() == APP_ID.lower()
    found = run.check(PROFILE_ID + "/")
    assert (found.kind, found.name, found.account) == (PROFILES, "portal-tm", SUB)


def test_a_reader_raises_not_found_for_an_absent_unit(serve):
    serve(estate([app("portal")], []))
    with pytest.raises(NotFoundError, match=r"^no such resource: .*/sites/gone \("):
        plugin.configure({}).check(f"{BASE}/Microsoft.Web/sites/gone")
    with pytest.raises(NotFoundError, match=r"^no such resource: .*/trafficManagerProfiles/gone"):
        plugin.configure({}).check(PROFILE_ID.replace("portal-tm", "gone"))


def test_an_unsupported_well_formed_id_lists_every_kinds_id_form():
    """The same message as before the kinds were declared (baseline of `relscan check`)."""
    with pytest.raises(UsageError) as err:
        plugin.check_id(f"{BASE}/Microsoft.Web/serverFarms/plan")
    assert str(err.value) == (
        "unsupported Azure resource kind Microsoft.Web/serverFarms; relscan checks "
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Microsoft.Web/sites/APP and "
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
        "Microsoft.Network/trafficManagerProfiles/PROFILE and "
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
        "Microsoft.Cdn/profiles/PROFILE/originGroups/GROUP and "
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
        "Microsoft.App/containerApps/APP and "
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/"
        "Microsoft.Compute/virtualMachineScaleSets/SCALESET"
    )
    assert str(err.value).endswith("relscan checks " + " and ".join(plugin.id_forms()))


# A kind the plugin does not ship: the parser takes it from its declaration alone.
WIDGETS = arm_kind(
    name="azure.toys.widget",
    title="Widget",
    resource_type="Contoso.Toys/widgets",
    placeholder="WIDGET",
    noun="widget",
    name_pattern=re.compile(r"^[a-z]{1,8}$"),
    name_rule="1 to 8 lower-case letters",
    folded=(("versions", "{text} is a widget version; check {base}"),),
    facts=facts(("colour", "properties.colour")),
    sdk_client="contoso.toys:ToysClient",
    service="toys",
    calls=(
        Read(
            "widgets.get",
            "toys",
            "GET",
            "/subscriptions/{s}/resourceGroups/{g}/providers/Contoso.Toys/widgets/{name}",
            "Contoso.Toys/widgets/read",
            "object",
        ),
    ),
)
WITH_WIDGETS = (*plugin.kinds(), WIDGETS)
WIDGET_ID = f"{BASE}/Contoso.Toys/widgets/blue"


def test_a_declared_kind_is_all_the_id_parser_needs():
    rid = parse_resource_id(WIDGET_ID.replace("widgets", "WIDGETS"), WITH_WIDGETS)
    assert (rid.subscription, rid.group, rid.kind, rid.name) == (
        SUB,
        "web-rg",
        "contoso.toys/widgets",
        "blue",
    )
    assert WIDGETS.claims(WIDGET_ID) and not WIDGETS.claims(APP_ID)
    assert WIDGETS.id_form == (
        "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Contoso.Toys/widgets/WIDGET"
    )
    assert WIDGETS.reads == ("widgets.get",)


@pytest.mark.parametrize(
    ("rid", "message"),
    [
        (
            WIDGET_ID + "/versions/2",
            f"{WIDGET_ID}/versions/2 is a widget version; check {WIDGET_ID}",
        ),
        (
            WIDGET_ID + "/parts/2",
            f"'{WIDGET_ID}/parts/2' names a part (parts) of a widget; relscan assesses the "
            f"widget itself: check {WIDGET_ID}",
        ),
        (
            WIDGET_ID.replace("blue", "Blue9"),
            f"malformed Azure resource id '{WIDGET_ID.replace('blue', 'Blue9')}': name 'Blue9' "
            "is not 1 to 8 lower-case letters, starting and ending with a letter or digit",
        ),
        (
            f"{BASE}/Contoso.Toys/gadgets/blue",
            "unsupported Azure resource kind Contoso.Toys/gadgets; relscan checks "
            + " and ".join(k.id_form for k in WITH_WIDGETS),
        ),
    ],
)
def test_the_id_errors_of_a_declared_kind_come_from_its_declaration(rid, message):
    with pytest.raises(UsageError) as err:
        parse_resource_id(rid, WITH_WIDGETS)
    assert str(err.value) == message


def test_the_permissions_table_is_discovery_plus_every_kinds_calls():
    calls = [call for kind in plugin.kinds() for call in kind.calls]
    assert list(permissions.READS) == [*permissions.DISCOVERY, *calls]
    assert plugin.declared_reads() == {read.operation for read in permissions.READS}
    assert plugin.read_permission("web_apps.list_slots") == "Microsoft.Web/sites/slots/read"
    assert plugin.read_permission("widgets.get") is None


def test_the_roles_description_names_what_each_kind_reads():
    assert permissions.role_definition()["Description"] == (
        "Read-only access for relscan: subscriptions, App Service apps, their slots, "
        "config/web and deployment records (with slot swaps from the Activity Log), "
        "Traffic Manager profiles, Front Door profiles, their origin groups, origins, "
        "endpoints and routes, Container Apps and their revisions, and VM scale sets."
    )


def test_the_recorder_passed_to_configure_receives_every_answer(serve, tmp_path):
    served = serve(estate([app("portal")], [profile("portal-tm")]))
    run = plugin.configure({}, recorder=evidence.Recorder(tmp_path))
    result = run_scan([(run, run.scopes())])
    assert result.errors == [] and len(result.assessments) == 2
    recorded = list(tmp_path.rglob("*.json"))
    assert len(recorded) == len(served.server.requests) > 0


@pytest.fixture(scope="module")
def demo_units() -> list[Observation]:
    with serve_estate(load_estate(None)) as env, patched_environ(env):
        run = plugin.configure({})
        return [
            found
            for scope in run.scopes()
            for found in run.collect(scope)
            if isinstance(found, Observation)
        ]


def test_the_demo_estates_units_carry_only_their_kinds_declared_facts(demo_units):
    assert {unit.kind for unit in demo_units} == {
        APPS,
        PROFILES,
        "azure.frontdoor.origin_group",
        CONTAINER_APPS,
        SCALE_SETS,
    }
    for unit in demo_units:
        kind = plugin.reader(unit.kind).KIND
        assert undeclared_facts(kind, unit) == [], unit.id
        assert plugin.reader_for(unit.id) is plugin.reader(unit.kind), unit.id


def test_every_declared_fact_is_yielded_on_the_demo_estate(demo_units):
    for kind in plugin.kinds():
        yielded = {name for unit in demo_units if unit.kind == kind.name for name in unit.facts}
        assert sorted(kind.fact_names - yielded) == [], kind.name
