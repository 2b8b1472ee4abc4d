"""An OCI scope reads nothing per unit: every request is a page of a list, so
there is nothing inside a scope for `scanner.fanout.fan_out` to overlap
(docs/oci.md, "What is read"). A kind that adds a read per unit (or per
pipeline, per backend set) must make it with fan_out, and change this test."""

from __future__ import annotations

from collections import Counter

from tests.oci.conftest import PROD, TEAM, backends, estate, lb_entry, pipeline_entry
from tests.oci.test_devops import lb_shift, rolling

SETS = {
    f"set{j}": {"policy": "ROUND_ROBIN", "backends": backends({"weight": 1}, {"weight": 2})}
    for j in range(3)
}


def test_requests_are_list_pages_however_many_units_backend_sets_and_stages(serve):
    lbs = [lb_entry(f"lb{i}", SETS) for i in range(5)]
    stages = [rolling(25, name="first"), lb_shift(4, name="second")]
    pipelines = [pipeline_entry(f"p{i}", stages) for i in range(3)]
    served = serve(estate(load_balancers=lbs, deploy_pipelines=pipelines))
    found, errors = served.scan(oci_compartment=(PROD,), oci_region=("uk-london-1",))
    assert errors == []
    assert sorted(found) == [*(f"lb{i}" for i in range(5)), *(f"p{i}" for i in range(3))]
    calls = Counter((op, compartment) for op, _, compartment in served.emulator.calls)
    assert calls == {
        ("ListCompartments", PROD): 1,  # its sub-compartments (team)
        ("ListCompartments", TEAM): 1,
        ("ListLoadBalancers", PROD): 3,  # 5 load balancers, 2 a page, backend sets inline
        ("ListLoadBalancers", TEAM): 1,  # empty, but it takes a page to learn that
        ("ListDeployPipelines", PROD): 2,  # 3 pipelines
        ("ListDeployPipelines", TEAM): 1,
        ("ListDeployStages", PROD): 3,  # 6 stages of 3 pipelines, listed once
    }
