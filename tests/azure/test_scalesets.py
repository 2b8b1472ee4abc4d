"""VM scale set levels, each rule reached and just missed, through the real
azure-mgmt-compute client against the ARM emulator."""

from __future__ import annotations

import pytest

from scanner.errors import NotFoundError, UsageError
from tests.azure.conftest import SCALE_SETS, SUB, estate, evidence, scale_set

POLICY = "properties.upgradePolicy"
ROLLING = f"{POLICY}.rollingUpgradePolicy"
MODE = f"{POLICY}.mode (absent = Manual)"
BATCH = f"{ROLLING}.maxBatchInstancePercent"
SURGE = f"{ROLLING}.maxSurge"
EXTENSIONS = "properties.virtualMachineProfile.extensionProfile.extensions[]"
HEALTH_EXTENSIONS = f"{EXTENSIONS} (type ApplicationHealthLinux or ApplicationHealthWindows)"
PROBE = "properties.virtualMachineProfile.networkProfile.healthProbe.id"
MONITORING = f"{EXTENSIONS}.properties.type and {PROBE}"

# The rolling upgrade policy of Microsoft's "Configure rolling upgrades on
# Virtual Machine Scale Sets" page (az vmss update --set
# upgradePolicy.mode=Rolling --max-batch-instance-percent 10
# --max-unhealthy-instance-percent 20 --max-unhealthy-upgraded-instance-percent
# 20 --prioritize-unhealthy-instances true --pause-time-between-batches PT2S
# --max-surge true).
DOCS_ROLLING = {
    "mode": "Rolling",
    "rollingUpgradePolicy": {
        "maxBatchInstancePercent": 10,
        "maxUnhealthyInstancePercent": 20,
        "maxUnhealthyUpgradedInstancePercent": 20,
        "prioritizeUnhealthyInstances": True,
        "pauseTimeBetweenBatches": "PT2S",
        "maxSurge": True,
    },
}


def one(serve, **fields):
    [unit] = serve(estate(scale_sets=[scale_set(**fields)])).assess().values()
    return unit


def rolling(**policy):
    return {"mode": "Rolling", "rollingUpgradePolicy": policy}


def test_the_docs_rolling_policy_is_level_2_with_its_settings_in_the_evidence(serve):
    # the application health extension as Microsoft's health extension page sets it up
    a = one(serve, upgrade=DOCS_ROLLING, health_extension="ApplicationHealthLinux")
    assert (a.level, a.rule, a.basis) == (2, "AZ-VMSS-2-ROLLING", "policy")
    ev = evidence(a)
    assert ev[MODE] == "Rolling"
    assert (ev[BATCH], ev[SURGE]) == (10, True)
    assert ev[f"{ROLLING}.maxUnhealthyInstancePercent"] == 20
    assert ev[f"{ROLLING}.maxUnhealthyUpgradedInstancePercent"] == 20
    assert ev[f"{ROLLING}.prioritizeUnhealthyInstances"] is True
    assert ev[f"{ROLLING}.pauseTimeBetweenBatches"] == "PT2S"
    assert ev[HEALTH_EXTENSIONS] == ["HealthExtension (ApplicationHealthLinux)"]
    assert ev[MONITORING] == "application health extension"
    assert ev["properties.orchestrationMode"] == "Uniform"


def test_rolling_without_a_policy_body_is_level_2_at_the_default_batch(serve):
    a = one(serve, upgrade={"mode": "rolling"}, health_probe="http")  # any case
    assert a.rule == "AZ-VMSS-2-ROLLING"
    ev = evidence(a)
    assert (ev[MODE], ev[BATCH], ev[SURGE]) == ("Rolling", None, None)
    assert ev[MONITORING] == "load balancer health probe"
    assert ev[PROBE].endswith("/loadBalancers/web-vmss-lb/probes/http")


def test_rolling_in_one_batch_of_100_without_max_surge_is_level_1(serve):
    a = one(serve, upgrade=rolling(maxBatchInstancePercent=100), health_probe="http")
    assert (a.level, a.rule, a.basis) == (1, "AZ-VMSS-1-ONE-BATCH", "policy")
    assert (evidence(a)[BATCH], evidence(a)[SURGE]) == (100, None)


def test_max_surge_false_is_still_one_batch(serve):
    a = one(serve, upgrade=rolling(maxBatchInstancePercent=100, maxSurge=False))
    assert a.rule == "AZ-VMSS-1-ONE-BATCH"


def test_one_batch_with_max_surge_just_misses_level_1(serve):
    a = one(
        serve,
        orchestration="Flexible",
        upgrade=rolling(maxBatchInstancePercent=100, maxSurge=True),
        health_extension="ApplicationHealthWindows",
    )
    assert (a.level, a.rule) == (2, "AZ-VMSS-2-ROLLING")
    assert evidence(a)["properties.orchestrationMode"] == "Flexible"


def test_a_batch_of_99_just_misses_level_1(serve):
    a = one(serve, upgrade=rolling(maxBatchInstancePercent=99))
    assert a.rule == "AZ-VMSS-2-ROLLING"


def test_automatic_is_level_1_and_os_upgrades_are_evidence_only(serve):
    upgrade = {
        "mode": "Automatic",
        "automaticOSUpgradePolicy": {
            "enableAutomaticOSUpgrade": True,
            "disableAutomaticRollback": False,
        },
    }
    a = one(serve, upgrade=upgrade)
    assert (a.level, a.rule, a.basis) == (1, "AZ-VMSS-1-AUTOMATIC", "policy")
    ev = evidence(a)
    assert ev[f"{POLICY}.automaticOSUpgradePolicy.enableAutomaticOSUpgrade"] is True
    assert ev[f"{POLICY}.automaticOSUpgradePolicy.disableAutomaticRollback"] is False
    assert ev[MONITORING].startswith("none")
    assert a.next_steps[0].startswith("Use the Rolling upgrade policy")


def test_automatic_os_upgrades_on_a_manual_set_do_not_make_it_a_release(serve):
    upgrade = {"mode": "Manual", "automaticOSUpgradePolicy": {"enableAutomaticOSUpgrade": True}}
    a = one(serve, upgrade=upgrade)
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-VMSS-NA-MANUAL")
    assert a.reason.startswith("not assessed, because the upgrade policy is Manual")


def test_no_upgrade_policy_is_the_default_manual_not_assessed(serve):
    a = one(serve, upgrade=None, orchestration="Flexible")
    assert (a.level, a.status, a.rule) == (None, "not_assessed", "AZ-VMSS-NA-NO-POLICY")
    assert evidence(a)[MODE] is None
    assert a.reason.startswith("not assessed, because no upgrade policy is set, which means Manual")


def test_an_unknown_mode_matches_no_rule(serve):
    a = one(serve, upgrade={"mode": "Sometimes"})
    assert (a.level, a.status, a.rule) == (None, "not_assessed", None)
    assert a.reason.startswith("not assessed, because the upgrade policy mode is not one")


def test_both_health_signals_are_named(serve):
    a = one(
        serve,
        upgrade=rolling(),
        health_extension="ApplicationHealthLinux",
        health_probe="http",
    )
    assert evidence(a)[MONITORING] == "application health extension and load balancer health probe"


def test_a_batch_that_is_not_a_number_leaves_a_rolling_set_not_assessed(serve):
    a = one(serve, upgrade=rolling(maxBatchInstancePercent="100"))
    assert (a.level, a.status) == (None, "not_assessed")
    assert f"malformed answer: {BATCH} is a string ('100'), not a number" in a.reason


def test_a_max_surge_that_is_not_a_boolean_leaves_one_batch_undecided(serve):
    a = one(serve, upgrade=rolling(maxBatchInstancePercent=100, maxSurge="yes"))
    assert (a.level, a.status) == (None, "not_assessed")
    assert f"{SURGE} is 'yes', not a boolean" in a.reason


def test_a_malformed_batch_does_not_matter_under_automatic(serve):
    # a false condition rules a rule out whatever else is unknown: Automatic decides first
    a = one(serve, upgrade={"mode": "Automatic", "rollingUpgradePolicy": {"maxSurge": "yes"}})
    assert a.rule == "AZ-VMSS-1-AUTOMATIC"


def test_an_upgrade_policy_that_is_not_an_object_is_not_assessed(serve):
    a = one(serve, upgrade=None, wire={"properties": {"upgradePolicy": "Rolling"}})
    assert (a.level, a.status) == (None, "not_assessed")
    assert "properties.upgradePolicy is 'Rolling', not an object" in a.reason


def test_check_reads_one_scale_set_and_folds_its_instances_into_it(serve):
    served = serve(estate(scale_sets=[scale_set(upgrade=rolling())]))
    a = served.check(f"{SCALE_SETS}/WEB-VMSS")
    assert (a.name, a.rule, a.account) == ("web-vmss", "AZ-VMSS-2-ROLLING", SUB)
    assert ("scalesets.get", SUB) in served.emulator.calls
    with pytest.raises(UsageError, match="is an instance of a scale set"):
        served.check(f"{SCALE_SETS}/web-vmss/virtualMachines/0")
    with pytest.raises(UsageError, match="is an extension of a scale set"):
        served.check(f"{SCALE_SETS}/web-vmss/extensions/HealthExtension")
    with pytest.raises(NotFoundError, match=r"^no such resource: .*/virtualMachineScaleSets/gone"):
        served.check(f"{SCALE_SETS}/gone")


def test_a_failed_second_page_keeps_the_first_and_is_a_scope_error(serve):
    sets = [scale_set(f"vmss-{i}", upgrade=rolling()) for i in range(3)]
    part = estate(
        scale_sets=sets,
        faults=[{"operation": "scalesets.list", "page": 1, "status": 403}],
    )
    result = serve(part).scan()
    assert [a.name for a in result.assessments if a.kind == "azure.compute.scale_set"] == [
        "vmss-0",
        "vmss-1",
    ]
    assert [(e.scope, e.service) for e in result.errors] == [(f"azure:{SUB}", "VM scale sets")]


def test_a_scale_set_without_an_id_is_a_scope_error_and_the_others_go_on(serve):
    sets = [scale_set("good", upgrade=rolling()), scale_set("bad", wire={"id": "<absent>"})]
    result = serve(estate(scale_sets=sets)).scan()
    assert [a.name for a in result.assessments] == ["good"]
    [error] = result.errors
    assert error.service.startswith("VM scale set ")
    assert error.message == "malformed answer: the scale set has no id"


def test_a_probe_alone_on_a_flexible_set_is_flagged(serve):
    a = one(serve, orchestration="Flexible", upgrade=rolling(), health_probe="http")
    assert a.rule == "AZ-VMSS-2-ROLLING"
    assert evidence(a)[MONITORING] == (
        "load balancer health probe (rolling upgrades of Flexible scale sets need the extension)"
    )
