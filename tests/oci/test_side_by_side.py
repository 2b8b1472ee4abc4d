"""An OCI scope reads nothing per unit: every request is a page of a list, so
there is nothing per unit for `scanner.fanout.fan_out` to overlap (docs/oci.md,
"What is read"); a kind that adds a read per unit (or per pipeline, per
backend set) must make it with fan_out, and change the first test. DNS
steering policies are that kind: their list summaries carry no rules, so each
is read with GetSteeringPolicy through fan_out (tests/oci/test_dnssteering.py).
A scope's kinds, though, list side by side."""

from __future__ import annotations

from collections import Counter

from providers.oci.emulator.app import OciEmulator
from providers.oci.plugin import plugin
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from tests.azure.inflight import InFlight  # the same gauge: it knows no cloud
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
        ("ListSteeringPolicies", PROD): 1,  # none: no attachments or policies read
        ("ListSteeringPolicies", TEAM): 1,
    }


def scan(part, per_account: int, monkeypatch, gauge: bool):
    """A scan of TEAM (no sub-compartments: one scope) through the engine, and
    the gauge: a list of load balancers or of pipelines waits for the other."""
    emulator = OciEmulator(part, page_size=2)
    served = InFlight(emulator, operation, {"ListLoadBalancers", "ListDeployPipelines"})
    with LoopbackServer(served if gauge else emulator) as server:
        monkeypatch.setenv("RELSCAN_OCI_ENDPOINT", server.url + "/{region}")
        monkeypatch.setenv("RELSCAN_OCI_TENANCY", emulator.tenancy)
        monkeypatch.setenv("OCI_REGION", emulator.regions[0])
        run = plugin.configure(
            {
                "oci_compartment": (TEAM,),
                "oci_region": ("uk-london-1",),
                "oci_profile": None,
                "oci_config_file": None,
                "oci_auth": None,
            }
        )
        result = run_scan([(run, run.scopes())], concurrency=4, per_account=per_account)
    return result, Counter(op for op, _, _ in emulator.calls), served


def operation(req) -> str:
    parts = [p for p in req.path.split("/") if p]
    return OciEmulator.ROUTES[(parts[1], parts[2], len(parts) == 4)]


def test_a_scopes_kinds_are_read_side_by_side(monkeypatch):
    """Load balancers and pipelines: a scope's two kinds list side by side,
    with the same requests and result as one after another."""
    lbs = [lb_entry(f"lb{i}", SETS, compartment=TEAM) for i in range(3)]
    pipelines = [pipeline_entry("p0", [rolling(25)], compartment=TEAM)]
    part = estate(load_balancers=lbs, deploy_pipelines=pipelines)
    serial, serial_calls, _ = scan(part, 1, monkeypatch, gauge=False)
    result, calls, gauge = scan(part, 4, monkeypatch, gauge=True)
    assert calls == serial_calls
    assert [a.as_dict() for a in result.assessments] == [a.as_dict() for a in serial.assessments]
    assert result.errors == serial.errors == []
    assert sorted(a.name for a in result.assessments) == ["lb0", "lb1", "lb2", "p0"]
    assert 1 < gauge.peak <= 4
