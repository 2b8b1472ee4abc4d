"""Container Apps levels, each rule reached and just missed, through the real
azure-mgmt-appcontainers client against the ARM emulator."""

from __future__ import annotations

import pytest

from scanner.errors import NotFoundError, UsageError
from tests.azure.conftest import CONTAINER_APPS, SUB, container_app, estate, evidence

CONFIG = "properties.configuration"
MODE = f"{CONFIG}.activeRevisionsMode (absent = Single)"
INGRESS = f"{CONFIG}.ingress (present)"
TRAFFIC = f"{CONFIG}.ingress.traffic[]"
WEIGHTED = f"{TRAFFIC}.weight (count above 0; no rules = latest at 100)"
SOLE = f"{TRAFFIC}.latestRevision (of the one rule above 0)"
LABELS = f"{TRAFFIC}.label"
READINESS = "properties.template.containers[].probes[type Readiness]"

# The traffic rules and configuration of azure-rest-api-specs' Container Apps
# example ContainerApps_ListBySubscription.json (Microsoft.App,
# 2025-02-02-preview): testcontainerApp0-ab1234 at 80 and the revision
# labelled staging at 20, revisionTransitionThreshold 100, maxInactiveRevisions
# 10, and no activeRevisionsMode.
SPEC_TRAFFIC = [
    {"revisionName": "testcontainerApp0-ab1234", "weight": 80},
    {"label": "staging", "revisionName": "testcontainerApp0-ab4321", "weight": 20},
]
SPEC = {
    "name": "testcontainerapp0",
    "location": "East US",
    "traffic": SPEC_TRAFFIC,
    "transition_threshold": 100,
    "max_inactive": 10,
    "latest_revision": "testcontainerApp0-pjxhsye",
}


def one(serve, **fields):
    [unit] = serve(estate(container_apps=[container_app(**fields)])).assess().values()
    return unit


def test_the_spec_examples_split_in_multiple_mode_is_level_4(serve):
    a = one(serve, **SPEC, mode="Multiple")
    assert (a.level, a.rule, a.basis) == (4, "AZ-CA-4-SPLIT", "snapshot")
    ev = evidence(a)
    assert ev[MODE] == "Multiple"
    assert ev[WEIGHTED] == 2
    assert ev[TRAFFIC] == [
        "testcontainerApp0-ab1234: 80",
        "testcontainerApp0-ab4321 (label staging): 20",
    ]
    assert ev[LABELS] == ["staging"]
    assert ev[f"{CONFIG}.revisionTransitionThreshold"] == 100
    assert ev[f"{CONFIG}.maxInactiveRevisions"] == 10
    assert ev["properties.latestRevisionName"] == "testcontainerApp0-pjxhsye"
    assert a.location == "East US"


def test_the_spec_example_without_a_mode_is_single_the_documented_default(serve):
    # the example leaves activeRevisionsMode out: Single, whose switch ignores weights
    a = one(serve, **SPEC, mode=None)
    assert (a.level, a.rule, a.basis) == (4, "AZ-CA-4-SINGLE", "policy")
    assert evidence(a)[MODE] == "Single"
    assert "the old one is deactivated and a person rolls back" in a.reason


def test_single_mode_with_ingress_is_level_4_and_shows_the_readiness_probes(serve):
    a = one(serve, mode="Single")
    assert (a.level, a.rule) == (4, "AZ-CA-4-SINGLE")
    ev = evidence(a)
    assert (ev[MODE], ev[INGRESS]) == ("Single", True)
    assert ev[READINESS] == ["portal-api"]
    assert a.next_steps[0].startswith("Switch to Multiple revision mode")


def test_single_mode_without_a_readiness_probe_says_none(serve):
    a = one(serve, mode="single", readiness=False)  # the service takes any case
    assert a.rule == "AZ-CA-4-SINGLE"
    assert evidence(a)[MODE] == "Single"
    assert evidence(a)[READINESS] == "none (no container has a readiness probe)"


def test_single_mode_without_ingress_misses_the_ingress_rule_and_takes_its_own(serve):
    a = one(serve, mode="Single", ingress=False)
    assert (a.level, a.rule, a.basis) == (4, "AZ-CA-4-SINGLE-NO-INGRESS", "policy")
    ev = evidence(a)
    assert ev[INGRESS] is False
    assert TRAFFIC not in ev


def test_multiple_mode_without_ingress_is_not_assessed(serve):
    a = one(serve, mode="Multiple", ingress=False)
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-CA-NA-NO-INGRESS")
    assert a.reason.startswith("not assessed, because the app has no ingress")


def test_multiple_mode_with_ingress_misses_the_no_ingress_rule(serve):
    a = one(serve, mode="Multiple", traffic=[{"latestRevision": True, "weight": 100}])
    assert (a.level, a.rule, a.basis) == (4, "AZ-CA-4-LATEST", "policy")
    ev = evidence(a)
    assert (ev[WEIGHTED], ev[SOLE]) == (1, "latest")
    assert ev[TRAFFIC] == ["latest revision: 100"]


def test_ingress_without_traffic_rules_is_all_traffic_to_the_latest_revision(serve):
    a = one(serve, mode="Multiple", traffic=[])
    assert a.rule == "AZ-CA-4-LATEST"
    assert evidence(a)[TRAFFIC] == ["latest revision: 100"]


def test_one_named_revision_at_100_is_level_3(serve):
    traffic = [
        {"revisionName": "portal-api--r41", "weight": 100},
        {"latestRevision": True, "weight": 0},
    ]
    a = one(serve, mode="Multiple", traffic=traffic)
    assert (a.level, a.rule, a.basis) == (3, "AZ-CA-3-PINNED", "policy")
    ev = evidence(a)
    assert (ev[WEIGHTED], ev[SOLE]) == (1, "pinned")  # the rule at 0 sends nothing
    assert ev[TRAFFIC] == ["portal-api--r41: 100", "latest revision: 0"]


def test_a_second_rule_above_0_turns_the_pin_into_a_split(serve):
    traffic = [
        {"revisionName": "portal-api--r41", "weight": 99},
        {"latestRevision": True, "weight": 1},
    ]
    a = one(serve, mode="Multiple", traffic=traffic)
    assert (a.level, a.rule) == (4, "AZ-CA-4-SPLIT")
    assert evidence(a)[WEIGHTED] == 2
    assert SOLE not in evidence(a)  # decided before the single-target rules are tried


def test_an_equal_split_between_revisions_is_two_versions_not_load_spreading(serve):
    traffic = [
        {"revisionName": "portal-api--blue", "weight": 50},
        {"revisionName": "portal-api--green", "weight": 50},
    ]
    assert one(serve, mode="Multiple", traffic=traffic).rule == "AZ-CA-4-SPLIT"


def test_labels_mode_split_over_labels_is_level_4(serve):
    traffic = [
        {"label": "blue", "revisionName": "portal-api--v41", "weight": 90},
        {"label": "green", "revisionName": "portal-api--v42", "weight": 10},
    ]
    a = one(serve, mode="labels", traffic=traffic, target_label="green")
    assert (a.level, a.rule) == (4, "AZ-CA-4-SPLIT")
    ev = evidence(a)
    assert ev[MODE] == "Labels"
    assert ev[LABELS] == ["blue", "green"]
    assert ev[f"{CONFIG}.targetLabel"] == "green"


def test_labels_mode_one_label_at_100_on_a_named_revision_is_level_3(serve):
    traffic = [
        {"label": "blue", "revisionName": "portal-api--v41", "weight": 100},
        {"label": "green", "revisionName": "portal-api--v42", "weight": 0},
    ]
    a = one(serve, mode="Labels", traffic=traffic)
    assert (a.level, a.rule) == (3, "AZ-CA-3-PINNED")


def test_an_unknown_mode_matches_no_rule(serve):
    a = one(serve, mode="Shadow")
    assert (a.level, a.status, a.rule) == (None, "not_assessed", None)
    assert a.reason.startswith("not assessed, because the revision mode and traffic rules")
    assert evidence(a)[MODE] == "Shadow"


def test_a_weight_that_is_not_a_number_leaves_the_app_not_assessed(serve):
    traffic = [{"revisionName": "a", "weight": "80"}, {"revisionName": "b", "weight": 20}]
    a = one(serve, mode="Multiple", traffic=traffic)
    assert (a.level, a.status) == (None, "not_assessed")
    assert "malformed answer: properties.configuration.ingress.traffic[].weight is a string" in (
        a.reason
    )


def test_a_mode_that_is_not_a_string_leaves_the_app_not_assessed(serve):
    a = one(serve, wire={"properties": {"configuration": {"activeRevisionsMode": 7}}})
    assert (a.level, a.status) == (None, "not_assessed")
    assert "activeRevisionsMode is a number (7), not a string" in a.reason


def test_check_reads_one_app_and_folds_a_revision_into_it(serve):
    served = serve(estate(container_apps=[container_app(mode="Single")]))
    a = served.check(f"{CONTAINER_APPS}/PORTAL-API/")
    assert (a.name, a.rule, a.account) == ("portal-api", "AZ-CA-4-SINGLE", SUB)
    assert ("containerapps.get", SUB) in served.emulator.calls
    with pytest.raises(UsageError, match="is a revision; relscan assesses the container app"):
        served.check(f"{CONTAINER_APPS}/portal-api/revisions/portal-api--r1")
    with pytest.raises(NotFoundError, match=r"^no such resource: .*/containerApps/gone \("):
        served.check(f"{CONTAINER_APPS}/gone")


def test_a_refused_list_is_a_scope_error_naming_container_apps(serve):
    part = estate(
        container_apps=[container_app()],
        faults=[{"operation": "containerapps.list", "subscription": SUB, "status": 403}],
    )
    result = serve(part).scan()
    assert [(e.scope, e.service) for e in result.errors] == [(f"azure:{SUB}", "Container Apps")]
    assert result.errors[0].message.startswith("AuthorizationFailed (HTTP 403): ")


def test_a_second_page_is_followed(serve):
    apps = [container_app(f"app-{i}", mode="Single") for i in range(5)]
    result = serve(estate(container_apps=apps)).assess()
    assert sorted(result) == [f"app-{i}" for i in range(5)]


def test_an_app_without_an_id_is_a_scope_error_and_the_others_go_on(serve):
    apps = [container_app("good", mode="Single"), container_app("bad", wire={"id": "<absent>"})]
    result = serve(estate(container_apps=apps)).scan()
    assert [a.name for a in result.assessments] == ["good"]
    [error] = result.errors
    assert error.service.startswith("Container App ")
    assert error.message == "malformed answer: the container app has no id"


def test_malformed_traffic_rules_do_not_matter_in_single_mode(serve):
    # Single mode uses no weights: the switch is decided without them
    a = one(serve, mode="Single", traffic="all of it")
    assert (a.level, a.rule) == (4, "AZ-CA-4-SINGLE")
    assert evidence(a)[INGRESS] is True


def test_an_ingress_that_is_not_an_object_leaves_single_mode_undecided(serve):
    a = one(
        serve, mode="Single", ingress=False, wire={"properties": {"configuration": {"ingress": 5}}}
    )
    assert (a.level, a.status) == (None, "not_assessed")
    assert "malformed answer: properties.configuration.ingress is 5" in a.reason
