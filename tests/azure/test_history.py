"""Azure release records (--history): App Service deployment records and slot
swaps (Activity Log), Container Apps revisions, and the kinds that keep none,
through the real azure-mgmt-web, azure-mgmt-monitor and azure-mgmt-appcontainers
clients against the ARM emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from providers.azure import appservice_history as ash
from providers.azure import containerapps_history as cah
from providers.azure import slotswaps
from providers.azure.frontdoor import NO_HISTORY as FRONT_DOOR_NONE
from providers.azure.plugin import plugin
from providers.azure.scalesets import NO_HISTORY as SCALE_SET_NONE
from providers.azure.trafficmanager import NO_HISTORY as TRAFFIC_MANAGER_NONE
from scanner.model import Observation, ScopeError
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
from tests.azure.frontdoor_estate import routed, split

ACTIVITY = f"/subscriptions/{SUB}/providers/microsoft.insights/eventtypes/management/values"
MONDAYS = {"times": "weekly Mon 09:00", "count": 4, "failed": {1: "manual"}}
TUESDAYS = {"times": "weekly Tue 14:00", "count": 3}
PORTAL = f"{SITES}/portal"


def read(served, days=30, end=None, **options):
    """Every unit of SUB with its History, and the scope errors."""
    end = end or datetime.now(UTC)
    run = plugin.configure(
        {"history_days": days, "history_end": end, "azure_subscription": (SUB,), **options}
    )
    units: dict[str, Observation] = {}
    errors: list[ScopeError] = []
    for scope in run.scopes():
        for item in run.collect(scope):
            if isinstance(item, Observation):
                units[item.name] = item
            else:
                errors.append(item)
    return units, errors


def portal(**fields):
    fields.setdefault("slots", [{"name": "staging"}])
    return app("portal", releases=[TUESDAYS], swaps=[MONDAYS], **fields)


def activity_requests(served):
    return [r for r in served.server.requests if r.path.lower() == ACTIVITY]


# -- App Service -----------------------------------------------------------


def test_deployments_to_production_and_swaps_into_production_are_the_releases(serve):
    served = serve(estate([portal(author="Jo Bloggs", deployer="GitHub")]))
    units, errors = read(served)
    assert errors == []
    h = units["portal"].history
    assert (h.source, h.error, h.unavailable) == (ash.SOURCE, None, None)
    swaps = [r for r in h.releases if r.source == slotswaps.SWAP]
    deploys = [r for r in h.releases if r.source == ash.DEPLOYMENT]
    assert (len(swaps), len(deploys)) == (4, 3)
    # the second-latest swap failed (a Failed event with subStatus Conflict)
    assert [s.outcome for s in swaps] == ["succeeded", "succeeded", "failed", "succeeded"]
    assert swaps[2].detail == "swap staging with production: Conflict"
    assert {s.started_by for s in swaps} == {"release.manager@dds.example"}
    assert all(s.ended - s.started == timedelta(minutes=10) for s in swaps)
    assert all(s.started.weekday() == 0 for s in swaps)  # Mondays
    assert {d.outcome for d in deploys} == {"succeeded"}
    assert {d.started_by for d in deploys} == {"Jo Bloggs"}
    assert deploys[0].detail.startswith("status 4 (Success), deployer GitHub")
    assert [r.started for r in h.releases] == sorted(r.started for r in h.releases)
    # the staging slot's deployments reach users by the swaps: counted once, as the swaps
    assert h.left_out == {ash.SLOT_DEPLOYMENT: 4}
    assert h.covers_from is None  # 30 days, inside the Activity Log's 90
    assert h.kept == ash.KEPT and "swap back is another swap" in h.note


def test_kudu_status_values_give_the_outcome(serve):
    # status 3 is Kudu's DeployStatus.Failed (projectkudu/kudu DeployStatus.cs)
    served = serve(estate([app("portal", releases=[{**TUESDAYS, "failed": {0: "manual"}}])]))
    h = read(served)[0]["portal"].history
    assert [r.outcome for r in h.releases] == ["succeeded", "succeeded", "failed"]
    assert h.releases[-1].detail.startswith("status 3 (Failed)")
    assert ash.STATUS[0][1] == ash.STATUS[1][1] == ash.STATUS[2][1] == "in_progress"
    assert ash.STATUS[4] == ("Success", "succeeded")


def test_kudu_n_a_author_falls_back_to_the_deployer(serve):
    served = serve(estate([app("portal", releases=[TUESDAYS], deployer="ZipDeploy")]))
    h = read(served)[0]["portal"].history
    assert {r.started_by for r in h.releases} == {"ZipDeploy"}  # the author is "N/A"


def test_an_app_without_slots_reads_no_activity_log(serve):
    served = serve(estate([app("portal", releases=[TUESDAYS])]))
    h = read(served)[0]["portal"].history
    assert len(h.releases) == 3 and h.left_out == {}
    assert activity_requests(served) == []


def test_the_activity_log_is_asked_for_the_period_and_each_resource(serve):
    served = serve(estate([portal()]))
    end = datetime.now(UTC).replace(microsecond=0)
    read(served, days=30, end=end)
    start = (end - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stop = end.strftime("%Y-%m-%dT%H:%M:%SZ")
    filters = {r.query["$filter"][0] for r in activity_requests(served)}
    assert filters == {
        f"eventTimestamp ge '{start}' and eventTimestamp le '{stop}' and resourceUri eq '{PORTAL}'",
        f"eventTimestamp ge '{start}' and eventTimestamp le '{stop}' "
        f"and resourceUri eq '{PORTAL}/slots/staging'",
    }


def test_a_period_longer_than_90_days_asks_the_activity_log_for_its_90(serve):
    served = serve(estate([portal()]))
    end = datetime.now(UTC).replace(microsecond=0)
    h = read(served, days=120, end=end)[0]["portal"].history
    assert h.error is None
    # 90 days back, less five minutes: the query is sent after the period's end
    reach = end - timedelta(days=90) + timedelta(minutes=5)
    assert h.covers_from == reach
    start = reach.strftime("%Y-%m-%dT%H:%M:%SZ")
    for request in activity_requests(served):
        assert request.query["$filter"][0].startswith(f"eventTimestamp ge '{start}'")


def test_every_page_is_read_and_next_links_keep_the_filter(serve):
    served = serve(estate([portal()]), page_size=2)
    h = read(served)[0]["portal"].history
    assert len(h.releases) == 7
    pages = [r for r in activity_requests(served) if "$skiptoken" in r.query]
    # the slot's 4 swaps are 16 events, 2 a page: 7 further pages, each with the filter
    assert len(pages) == 7
    assert all("resourceUri eq" in r.query["$filter"][0] for r in pages)
    deployments = [r for r in served.server.requests if r.path.lower().endswith("/deployments")]
    assert sum("$skiptoken" in r.query for r in deployments) == 1 + 1  # 3 and 4 records


def test_records_just_outside_the_period_are_left_out(serve):
    served = serve(estate([portal()]))
    first = served.emulator._records(served.emulator.apps[0], "swaps")[0]
    days = 20
    # the period starts one second after the oldest swap started: its Started
    # event is outside the filter, its Succeeded event inside; it is not read
    end = first.started + timedelta(seconds=1) + timedelta(days=days)
    h = read(served, days=days, end=end)[0]["portal"].history
    swaps = [r for r in h.releases if r.source == slotswaps.SWAP]
    assert first.started not in [s.started for s in swaps]
    assert all(s.started >= end - timedelta(days=days) for s in h.releases)
    # one second earlier, the swap is in
    h = read(served, days=days, end=end - timedelta(seconds=1))[0]["portal"].history
    assert first.started in [s.started for s in h.releases if s.source == slotswaps.SWAP]


def test_a_deployment_just_before_the_period_is_left_out(serve):
    served = serve(estate([app("portal", releases=[TUESDAYS])]))
    first = served.emulator._records(served.emulator.apps[0], "releases")[0]
    # the period starts one second after it started: out; at its start: in
    end = first.started + timedelta(seconds=1) + timedelta(days=30)
    h = read(served, days=30, end=end)[0]["portal"].history
    assert first.started not in [r.started for r in h.releases]
    assert len(h.releases) == 2
    h = read(served, days=30, end=end - timedelta(seconds=1))[0]["portal"].history
    assert first.started in [r.started for r in h.releases]


def test_a_slot_to_slot_swap_is_left_out_and_other_events_are_ignored(serve):
    served = serve(estate([portal(slots=[{"name": "staging"}, {"name": "uat"}])]))
    now = datetime.now(UTC) - timedelta(days=2)
    uat = f"{PORTAL}/slots/uat"
    events = ash_events(uat, now, '{"targetSlot": "staging"}')
    # azure-rest-api-specs monitor example GetActivityLogsFiltered.json: a
    # support ticket write, not a swap (dated into the period, on the site)
    spec = {
        "caller": "admin@contoso.com",
        "correlationId": "1e121103-0ba6-4300-ac9d-952bb5d0c80f",
        "eventDataId": "44ade6b4-3813-45e6-ae27-7420a95fa2f8",
        "resourceId": PORTAL,
        "resourceGroupName": "web-rg",
        "operationId": "1e121103-0ba6-4300-ac9d-952bb5d0c80f",
        "operationName": {
            "value": "microsoft.support/supporttickets/write",
            "localizedValue": "microsoft.support/supporttickets/write",
        },
        "properties": {"statusCode": "Created"},
        "status": {"value": "Succeeded", "localizedValue": "Succeeded"},
        "subStatus": {"value": "Created", "localizedValue": "Created (HTTP Status Code: 201)"},
        "eventTimestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "submissionTimestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "subscriptionId": SUB,
    }
    served.emulator.apps[0]["activity"] = [*events, spec]
    h = read(served)[0]["portal"].history
    assert h.left_out[ash.SLOT_TO_SLOT] == 1
    assert len([r for r in h.releases if r.source == slotswaps.SWAP]) == 4


def ash_events(resource, at, body):
    """A swap's Started and Succeeded events, as the Activity Log writes them."""

    def event(status, when):
        return {
            "caller": "ops@dds.example",
            "correlationId": "0f4e1b9a-5a8f-4c44-9d0c-6f7e2b1a3c55",
            "eventDataId": f"ev-{status}",
            "resourceId": resource,
            "resourceGroupName": "web-rg",
            "operationName": {"value": "Microsoft.Web/sites/slots/slotsswap/action"},
            "properties": {"requestbody": body} if status == "Started" else {},
            "status": {"value": status},
            "eventTimestamp": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    return [event("Started", at), event("Succeeded", at + timedelta(minutes=3))]


def test_a_swap_still_running_is_in_progress(serve):
    served = serve(estate([portal()]))
    at = datetime.now(UTC) - timedelta(minutes=5)
    started = ash_events(f"{PORTAL}/slots/staging", at, '{"targetSlot": "production"}')[0]
    started["correlationId"] = "c0ffee00-0000-4000-8000-000000000001"
    served.emulator.apps[0]["activity"] = [started]
    h = read(served)[0]["portal"].history
    running = [r for r in h.releases if r.id == started["correlationId"]]
    assert [(r.outcome, r.ended, r.started_by) for r in running] == [
        ("in_progress", None, "ops@dds.example")
    ]


def test_a_failing_records_read_keeps_the_unit_with_the_error(serve):
    part = estate(
        [portal(), app("other", releases=[TUESDAYS])],
        faults=[{"operation": "deployments.list", "name": "portal", "status": 403}],
    )
    units, errors = read(serve(part))
    assert errors == []  # one app's records refused: no scope error
    h = units["portal"].history
    assert h.error.startswith("web_apps.list_deployments: AuthorizationFailed (HTTP 403)")
    assert "\n" not in h.error
    # what else was read is kept: the swaps
    assert len(h.releases) == 4 and {r.source for r in h.releases} == {slotswaps.SWAP}
    assert units["portal"].facts["slot_names"].value == ["staging"]  # the unit's facts stand
    assert units["other"].history.error is None and len(units["other"].history.releases) == 3


def test_a_refused_activity_log_for_every_app_is_a_scope_error(serve):
    part = estate(
        [portal(), app("other", slots=[{"name": "blue"}])],
        faults=[{"operation": "activitylog.list", "status": 403}],
    )
    units, errors = read(serve(part))
    assert [(e.service, e.message.split(":")[0]) for e in errors] == [
        ("App Service apps: release records (activity_logs.list)", "AuthorizationFailed (HTTP 403)")
    ]
    assert "microsoft.insights/eventtypes/values/read" in errors[0].message.lower()
    for unit in units.values():
        assert unit.history.error.startswith("activity_logs.list: AuthorizationFailed")
    assert len(units["portal"].history.releases) == 3  # the deployments were read


def test_a_malformed_deployment_is_the_historys_error(serve):
    served = serve(estate([app("portal", releases=[TUESDAYS])]))
    inner = served.emulator.deployments_list

    def malformed(**kw):
        items = inner(**kw)
        items[0]["properties"]["status"] = "Success"
        return items

    served.emulator.deployments_list = malformed
    unit = read(served)[0]["portal"]
    assert unit.history.error == (
        "web_apps.list_deployments: malformed answer: "
        "deployments.value[].properties.status is 'Success', not a number"
    )


def test_check_reads_the_apps_records_too(serve):
    serve(estate([portal()]))
    end = datetime.now(UTC)
    unit = plugin.configure({"history_days": 30, "history_end": end}).check(PORTAL)
    assert len(unit.history.releases) == 7
    assert plugin.configure({}).check(PORTAL).history is None  # not asked: not read


def test_without_history_no_record_is_read(serve):
    served = serve(estate([portal()], container_apps=[container_app(revisions=[TUESDAYS])]))
    served.scan()
    paths = [r.path.lower() for r in served.server.requests]
    assert not any(p.endswith(("/deployments", "/revisions", "/values")) for p in paths)


# -- Container Apps ---------------------------------------------------------

DAILY = {"times": "daily 11:30", "count": 6}


def test_revisions_are_releases_with_no_outcome_and_config_only_ones_left_out(serve):
    served = serve(estate(container_apps=[container_app(revisions=[DAILY], same_image=["r4"])]))
    h = read(served)[0]["portal-api"].history
    assert (h.source, h.error) == (cah.SOURCE, None)
    assert [r.id for r in h.releases] == [f"portal-api--r{n}" for n in (1, 2, 3, 5, 6)]
    assert {(r.outcome, r.ended, r.started_by) for r in h.releases} == {("unknown", None, None)}
    assert h.left_out == {cah.CONFIG_ONLY: 1}
    assert h.releases[0].detail.startswith("ddsregistry.azurecr.io/portal-api:1.1")
    assert "traffic" in h.note and h.kept.startswith("the last 100 inactive revisions")
    assert h.covers_from is None  # 5 inactive of at most 100


def test_revisions_page_and_a_full_inactive_list_bounds_what_the_records_cover(serve):
    fixture = container_app(revisions=[DAILY], max_inactive=5)
    served = serve(estate(container_apps=[fixture]), page_size=2)
    h = read(served)[0]["portal-api"].history
    oldest = served.emulator._records(served.emulator.container_apps[0], "revisions")[0]
    assert h.covers_from == oldest.started  # 5 inactive revisions: the most kept
    assert h.kept.startswith("the last 5 inactive revisions")
    pages = [r for r in served.server.requests if r.path.lower().endswith("/revisions")]
    assert len(pages) == 3


def test_a_revision_just_before_the_period_is_left_out(serve):
    served = serve(estate(container_apps=[container_app(revisions=[DAILY])]))
    first = served.emulator._records(served.emulator.container_apps[0], "revisions")[0]
    end = first.started + timedelta(seconds=1) + timedelta(days=3)
    h = read(served, days=3, end=end)[0]["portal-api"].history
    assert [r.id for r in h.releases] == ["portal-api--r2", "portal-api--r3", "portal-api--r4"]
    h = read(served, days=3, end=end - timedelta(seconds=1))[0]["portal-api"].history
    assert "portal-api--r1" in [r.id for r in h.releases]


def test_a_refused_revision_list_keeps_the_app(serve):
    part = estate(
        container_apps=[container_app(revisions=[DAILY]), container_app("other")],
        faults=[{"operation": "revisions.list", "name": "portal-api", "status": 403}],
    )
    units, errors = read(serve(part))
    assert errors == []
    assert units["portal-api"].history.error.startswith(
        "container_apps_revisions.list_revisions: AuthorizationFailed (HTTP 403)"
    )
    assert units["portal-api"].facts["revision_mode"].value == "Single"
    assert units["other"].history.releases == []


def test_check_of_a_container_app_reads_its_revisions(serve):
    serve(estate(container_apps=[container_app(revisions=[DAILY])]))
    run = plugin.configure({"history_days": 30, "history_end": datetime.now(UTC)})
    assert len(run.check(f"{CONTAINER_APPS}/portal-api").history.releases) == 6


# -- kinds whose cloud keeps no deployment records ---------------------------


@pytest.mark.parametrize(
    ("extra", "name", "why"),
    [
        ({"scale_sets": [scale_set(upgrade={"mode": "Rolling"})]}, "web-vmss", SCALE_SET_NONE),
        ({"traffic_manager": [profile()]}, "portal-tm", TRAFFIC_MANAGER_NONE),
        ({"front_door": [routed(split("web"))]}, None, FRONT_DOOR_NONE),
    ],
)
def test_kinds_without_records_say_why(serve, extra, name, why):
    served = serve({**estate(), **extra})
    units, errors = read(served)
    assert errors == []
    [unit] = units.values() if name is None else [units[name]]
    assert unit.history.unavailable == why
    assert unit.history.releases == [] and unit.history.error is None
    assert "latest rolling upgrade" in SCALE_SET_NONE


def test_cloud_strings_in_records_are_one_line_with_control_characters_escaped(serve):
    served = serve(estate([portal()]))
    at = datetime.now(UTC) - timedelta(hours=3)
    events = ash_events(f"{PORTAL}/slots/staging", at, '{"targetSlot": "production"}')
    for event in events:
        event["caller"] = "evil\x1b[31m\nuser@dds.example"
    served.emulator.apps[0]["activity"] = events
    h = read(served)[0]["portal"].history
    [swap] = [r for r in h.releases if r.started == at.replace(microsecond=at.microsecond)]
    assert swap.started_by == "evil\\u001b[31m user@dds.example"


def test_an_auto_swap_slots_deployments_are_the_releases_and_their_swaps_counted_once(serve):
    slots = [{"name": "staging", "auto_swap": "production"}]
    served = serve(estate([app("portal", slots=slots, swaps=[MONDAYS])]))
    h = read(served)[0]["portal"].history
    assert [r.source for r in h.releases] == [ash.DEPLOYMENT] * 4
    assert all(r.id.startswith("staging/") for r in h.releases)
    assert h.releases[0].detail.startswith("to slot staging, auto-swapped into production; ")
    assert h.left_out == {ash.AUTO_SWAPPED: 4}
    # a swap made by a person a day after the last deployment still counts
    later = datetime.now(UTC) - timedelta(hours=1)
    served.emulator.apps[0]["activity"] = ash_events(
        f"{PORTAL}/slots/staging", later, '{"targetSlot": "production"}'
    )
    h = read(served)[0]["portal"].history
    assert [r.source for r in h.releases][-1] == slotswaps.SWAP
    assert h.left_out == {ash.AUTO_SWAPPED: 4}


def test_on_linux_auto_swap_does_not_run_so_the_swaps_are_the_releases(serve):
    slots = [{"name": "staging", "auto_swap": "production"}]
    served = serve(estate([app("portal", kind="app,linux", slots=slots, swaps=[MONDAYS])]))
    h = read(served)[0]["portal"].history
    assert [r.source for r in h.releases] == [slotswaps.SWAP] * 4
    assert h.left_out == {ash.SLOT_DEPLOYMENT: 4}


def test_check_of_a_scale_set_says_it_keeps_no_records(serve):
    served = serve(estate(scale_sets=[scale_set(upgrade={"mode": "Rolling"})]))
    run = plugin.configure({"history_days": 30, "history_end": datetime.now(UTC)})
    unit = run.check(f"{SCALE_SETS}/web-vmss")
    assert unit.history.unavailable == SCALE_SET_NONE
    assert unit.history.source == "VM scale sets"
    assert len(served.server.requests) == 1  # the scale set itself; nothing else
