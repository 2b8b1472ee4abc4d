"""Managed instance groups: every rule, and the case that just misses it."""

from __future__ import annotations

from typing import Any

from tests.gcp.conftest import PROJECT, REGION, ZONE, evidence, project

MIG_ID = f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web"


def mig(policy: dict[str, Any] | None = None, size: int = 4, **extra: Any) -> dict[str, Any]:
    group: dict[str, Any] = {"zone": ZONE, "name": "web", "targetSize": size,
                             "instanceTemplate": "web-v1"}  # fmt: skip
    if policy is not None:
        group["updatePolicy"] = policy
    group.update(extra)
    return group


def estate(*groups: dict[str, Any], templates: list[dict[str, Any]] | None = None):
    return {"projects": [project(instance_group_managers=list(groups),
                                 instance_templates=templates or [])]}  # fmt: skip


def proactive(**unavailable: int) -> dict[str, Any]:
    return {"type": "PROACTIVE", "minimalAction": "REPLACE", "replacementMethod": "SUBSTITUTE",
            "maxSurge": {"fixed": 0}, "maxUnavailable": unavailable}  # fmt: skip


def test_proactive_with_every_instance_unavailable_by_percent_is_level_1(gcp):
    a = gcp.scan(estate(mig(proactive(percent=100)))).one()
    assert (a.level, a.rule) == (1, "GCP-MIG-1-PROACTIVE-ALL-UNAVAILABLE")
    assert a.basis == "policy"
    ev = evidence(a)
    assert ev["updatePolicy.type"] == "PROACTIVE"
    assert ev["updatePolicy.maxUnavailable.percent"] == 100
    assert ev["updatePolicy.maxUnavailable.calculated"] == 4
    assert ev["targetSize"] == 4
    assert a.id == MIG_ID
    assert (a.account, a.location, a.name) == (PROJECT, ZONE, "web")
    assert any("maxUnavailable" in step for step in a.next_steps)


def test_fixed_max_unavailable_at_the_target_size_is_level_1(gcp):
    a = gcp.scan(estate(mig(proactive(fixed=4)))).one()
    assert (a.level, a.rule) == (1, "GCP-MIG-1-PROACTIVE-ALL-UNAVAILABLE")
    ev = evidence(a)
    assert ev["updatePolicy.maxUnavailable.fixed"] == 4
    assert ev["targetSize - updatePolicy.maxUnavailable.calculated (instances left serving)"] == 0


def test_fixed_max_unavailable_above_the_target_size_is_level_1(gcp):
    a = gcp.scan(estate(mig(proactive(fixed=10), size=3))).one()
    assert (a.level, a.rule) == (1, "GCP-MIG-1-PROACTIVE-ALL-UNAVAILABLE")


def test_one_instance_left_serving_just_misses_level_1(gcp):
    a = gcp.scan(estate(mig(proactive(fixed=3)))).one()
    assert (a.level, a.rule) == (2, "GCP-MIG-2-PROACTIVE-ROLLING")
    assert a.basis == "policy"
    ev = evidence(a)
    assert ev["targetSize - updatePolicy.maxUnavailable.calculated (instances left serving)"] == 1
    assert ev["updatePolicy.maxUnavailable.fixed"] == 3


def test_99_percent_unavailable_just_misses_level_1(gcp):
    a = gcp.scan(estate(mig(proactive(percent=99), size=200))).one()
    assert (a.level, a.rule) == (2, "GCP-MIG-2-PROACTIVE-ROLLING")
    assert evidence(a)["updatePolicy.maxUnavailable.calculated"] == 198


def test_proactive_surge_update_is_level_2(gcp):
    policy = proactive(fixed=0)
    policy["maxSurge"] = {"percent": 25}
    a = gcp.scan(estate(mig(policy))).one()
    assert (a.level, a.rule) == (2, "GCP-MIG-2-PROACTIVE-ROLLING")
    ev = evidence(a)
    assert ev["updatePolicy.maxSurge.percent"] == 25
    assert ev["updatePolicy.maxSurge.calculated"] == 1
    assert ev["updatePolicy.replacementMethod"] == "SUBSTITUTE"
    assert any("canary" in step for step in a.next_steps)


def test_opportunistic_is_level_2(gcp):
    a = gcp.scan(estate(mig({"type": "OPPORTUNISTIC", "minimalAction": "REPLACE"}))).one()
    assert (a.level, a.rule) == (2, "GCP-MIG-2-OPPORTUNISTIC")
    assert a.basis == "policy"
    assert evidence(a)["updatePolicy.type"] == "OPPORTUNISTIC"


def test_unknown_update_type_just_misses_opportunistic(gcp):
    # PROACTIVE is missing from the SDK's enum; any other text must not be guessed at
    a = gcp.scan(estate(mig({"type": "SOMETHING_NEW"}))).one()
    assert a.level is None and a.rule is None
    assert "neither PROACTIVE nor OPPORTUNISTIC" in a.reason
    assert evidence(a)["updatePolicy.type"] == "SOMETHING_NEW"


def test_proactive_without_max_unavailable_is_not_assessed(gcp):
    a = gcp.scan(estate(mig({"type": "PROACTIVE"}))).one()
    assert a.level is None
    assert "maxUnavailable" in a.reason


def canary(size: dict[str, int]) -> list[dict[str, Any]]:
    return [{"name": "stable", "instanceTemplate": "web-v1"},
            {"name": "canary", "instanceTemplate": "web-v2", "targetSize": size}]  # fmt: skip


def test_canary_version_is_level_4(gcp):
    group = mig(proactive(fixed=0), size=10, versions=canary({"percent": 10}))
    del group["instanceTemplate"]
    a = gcp.scan(estate(group)).one()
    assert (a.level, a.rule) == (4, "GCP-MIG-4-CANARY-VERSION")
    assert a.basis == "snapshot"
    ev = evidence(a)
    assert ev["versions[] (count)"] == 2
    assert ev["versions[].targetSize (versions given at least one instance)"] == 1
    assert ev["versions[] (name: template, targetSize)"] == [
        "stable: web-v1, the rest", "canary: web-v2, 10%"]  # fmt: skip
    assert any("never show level 5" in step for step in a.next_steps)


def test_canary_with_a_fixed_size_on_an_opportunistic_group_is_level_4(gcp):
    group = mig({"type": "OPPORTUNISTIC"}, size=6, versions=canary({"fixed": 1}))
    a = gcp.scan(estate(group)).one()
    assert (a.level, a.rule) == (4, "GCP-MIG-4-CANARY-VERSION")


def test_canary_sized_to_zero_instances_just_misses_level_4(gcp):
    group = mig(proactive(fixed=1), size=6, versions=canary({"fixed": 0}))
    a = gcp.scan(estate(group)).one()
    assert (a.level, a.rule) == (2, "GCP-MIG-2-PROACTIVE-ROLLING")
    assert evidence(a)["versions[].targetSize (versions given at least one instance)"] == 0


def test_single_version_just_misses_level_4(gcp):
    a = gcp.scan(estate(mig(proactive(fixed=1)))).one()
    assert a.rule == "GCP-MIG-2-PROACTIVE-ROLLING"
    assert evidence(a)["versions[] (count)"] == 1


def test_regional_group_and_template_labels(gcp):
    group = mig(proactive(fixed=3), size=6, zone=None, region=REGION, name="api")
    del group["zone"]
    templates = [{"name": "web-v1", "properties": {"labels": {"service": "citizen-portal"}}}]
    a = gcp.scan(estate(group, templates=templates)).one()
    assert a.id == (
        f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/instanceGroupManagers/api"
    )
    assert a.location == REGION
    assert a.tags == {"service": "citizen-portal"}


def test_one_aggregated_list_per_project_over_every_page(gcp):
    groups = [mig(proactive(fixed=1), name=f"web-{i}", zone=f"europe-west2-{z}")
              for i, z in enumerate("abcab")]  # fmt: skip
    result = gcp.scan(estate(*groups))
    assert len(result.units) == 5  # the emulator pages after 2 items
    calls = [c for c in result.emulator.calls if c[0] == "compute"]
    assert calls == [("compute", "instanceGroupManagers.aggregatedList", PROJECT)] * 1 + [
        ("compute", "instanceTemplates.aggregatedList", PROJECT)
    ] + [("compute", "instanceGroupManagers.aggregatedList", PROJECT)] * 2 + [
        ("compute", "urlMaps.aggregatedList", PROJECT)
    ]  # 5 groups on 3 pages; templates once, on first use; no per-zone or per-group call


def test_check_reads_one_group(gcp):
    a = gcp.check(estate(mig(proactive(percent=100))), MIG_ID)
    assert (a.level, a.rule) == (1, "GCP-MIG-1-PROACTIVE-ALL-UNAVAILABLE")
    assert a.id == MIG_ID
