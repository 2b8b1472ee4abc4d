"""The emulator's JSON, for every fixture and the demo part, matches the SDK
models field for field: a misspelt key fails here, not silently in a scan."""

from __future__ import annotations

import pytest

from providers.oci.emulator.app import OciEmulator
from scanner.demo.serve import load_estate
from tests.oci import test_devops, test_loadbalancer
from tests.oci.conftest import estate, lb_entry, pipeline_entry
from tests.oci.wire_check import problems, unknown_enums


def _estates() -> dict[str, dict]:
    out = {"demo": load_estate()["oci"]}
    for case in test_loadbalancer.CASES:
        out[f"lb-{case[0]}"] = estate(load_balancers=[lb_entry(case[0], case[1], case[2])])
    for case in test_devops.CASES:
        out[f"devops-{case[0]}"] = estate(deploy_pipelines=[pipeline_entry(case[0], case[1])])
    return out


ESTATES = _estates()


@pytest.mark.parametrize("name", sorted(ESTATES))
def test_fixture_matches_sdk_models(name):
    objects = OciEmulator(ESTATES[name]).wire_objects()
    assert objects
    found = [p for module, cls, data in objects for p in problems(module, cls, data)]
    assert found == []
    unknown = [p for module, cls, data in objects for p in unknown_enums(module, cls, data)]
    assert unknown == []


def test_a_misspelt_key_is_caught():
    bad = estate(
        load_balancers=[lb_entry("x", {"web": {"backends": [{"ipAdress": "10.0.0.1"}]}})],
        deploy_pipelines=[
            pipeline_entry(
                "y",
                [
                    {
                        "displayName": "s",
                        "deployStageType": "LOAD_BALANCER_TRAFFIC_SHIFT",
                        "rolloutPolicy": {"batchCnt": 2},
                    }
                ],
            )
        ],
    )
    found = [p for m, c, d in OciEmulator(bad).wire_objects() for p in problems(m, c, d)]
    assert any(p.endswith(".ipAdress: not a field of Backend") for p in found)
    assert any(
        p.endswith(".rolloutPolicy.batchCnt: not a field of LoadBalancerTrafficShiftRolloutPolicy")
        for p in found
    )


def test_an_unknown_enum_value_is_caught():
    stage = {"deployStageType": "OKE_DEPLOYMENT", "rollbackPolicy": {"policyType": "AUTOMATIC"}}
    bad = estate(deploy_pipelines=[pipeline_entry("y", [stage])])
    found = [p for m, c, d in OciEmulator(bad).wire_objects() for p in unknown_enums(m, c, d)]
    assert any(p.endswith(".rollback_policy.policy_type") for p in found)


def test_an_unknown_stage_type_is_caught():
    bad = estate(deploy_pipelines=[pipeline_entry("y", [{"deployStageType": "OKE_DEPLOY"}])])
    found = [p for m, c, d in OciEmulator(bad).wire_objects() for p in problems(m, c, d)]
    assert any("no subtype of DeployStageSummary" in p for p in found)
