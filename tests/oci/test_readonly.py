"""Read-only by construction: undeclared calls are refused before sending, and
every call a scan or a check makes is covered by the printed policy."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import oci
import pytest

from providers.oci.clients import OciClients
from providers.oci.permissions import OPERATIONS, covers, grant, match, statements
from providers.oci.plugin import plugin
from scanner.demo.serve import load_estate
from scanner.readonly import ReadOnlyViolation
from tests.cli import RELSCAN
from tests.oci.conftest import PROD, REGION, backends, estate, lb_entry, pipeline_entry

SERVICE_OF = {
    "20160918": "identity",
    "20170115": "loadbalancer",
    "20180115": "dns",
    "20210630": "devops",
}


def _clients(served) -> OciClients:
    return plugin.configure(served.options()).clients  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "service,call",
    [
        ("loadbalancer", lambda c: c.delete_load_balancer("ocid1.loadbalancer.oc1..aaaaaaaax")),
        (
            "loadbalancer",
            lambda c: c.update_load_balancer(
                oci.load_balancer.models.UpdateLoadBalancerDetails(display_name="pwned"),
                "ocid1.loadbalancer.oc1..aaaaaaaax",
            ),
        ),
        (
            "devops",
            lambda c: c.create_deploy_pipeline(
                oci.devops.models.CreateDeployPipelineDetails(project_id="ocid1.devopsproject.x")
            ),
        ),
        ("identity", lambda c: c.delete_compartment(PROD)),
        ("devops", lambda c: c.list_build_pipelines(compartment_id=PROD)),  # a read, undeclared
        ("dns", lambda c: c.delete_steering_policy("ocid1.dnspolicy.oc1..aaaaaaaax")),
        ("dns", lambda c: c.list_zones(compartment_id=PROD)),  # a DNS read, undeclared
    ],
)
def test_undeclared_calls_are_refused_before_sending(serve, service, call):
    served = serve(estate())
    client = _clients(served).get(service, REGION)
    with pytest.raises(ReadOnlyViolation) as err:
        call(client)
    message = str(err.value)
    assert message.startswith("refused ") and "nothing was sent" in message
    assert "\n" not in message
    assert served.server.requests == []


def test_the_refusal_names_the_operation(serve):
    client = _clients(serve(estate())).get("loadbalancer", REGION)
    with pytest.raises(ReadOnlyViolation, match=r"refused delete_load_balancer \(DELETE /"):
        client.delete_load_balancer("ocid1.loadbalancer.oc1..aaaaaaaax")


def _assert_covered(served) -> set[str]:
    lines = statements()
    seen = set()
    for req in served.server.requests:
        version = next(p for p in req.path.split("/") if p in SERVICE_OF)
        op = match(SERVICE_OF[version], req.method, req.path)
        assert op is not None, f"{req.method} {req.path} is not declared"
        assert covers(lines, op), f"{op.name} is not covered by the printed policy"
        seen.add(op.name)
    return seen


def test_a_full_scan_and_checks_only_make_granted_calls(serve):
    part = estate(
        load_balancers=[lb_entry("web", {"web": {"backends": backends({}, {})}})],
        deploy_pipelines=[
            {
                **pipeline_entry(
                    "release", [{"displayName": "go", "deployStageType": "OKE_DEPLOYMENT"}]
                ),
                "releases": [{"times": "daily 10:00", "count": 3}],  # --history reads
            }
        ],
        steering_policies=[
            {
                "compartment": PROD,
                "policy": {"displayName": "dns", "answers": [{"name": "a", "rdata": "192.0.2.1"}]},
                "attachments": [{"domainName": "www.example.com"}],
            }
        ],
    )
    served = serve(part)
    history = {"history_days": 30, "history_end": datetime.now(UTC)}
    found, _ = served.collect(oci_region=(REGION, "uk-cardiff-1"), **history)
    for obs in found:
        served.check(obs.id, **history)
    served.collect(oci_compartment=(PROD,))
    assert _assert_covered(served) == {op.name for op in OPERATIONS}


def test_the_demo_estate_scan_is_covered(serve):
    served = serve(load_estate()["oci"])
    found, errors = served.collect()
    assert found
    assert _assert_covered(served) >= {"ListCompartments", "ListLoadBalancers"}


def test_relscan_permissions_oci_prints_the_statements():
    r = subprocess.run([RELSCAN, "permissions", "oci"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines == statements() == grant().document.strip().splitlines()
    for op in OPERATIONS:
        assert covers(lines, op), op.name
    assert "Allow group relscan-readers to read load-balancers in tenancy" in lines
    # DNS steering policies: listed and read; their attachments only listed
    assert "Allow group relscan-readers to read dns-steering-policies in tenancy" in lines
    assert (
        "Allow group relscan-readers to inspect dns-steering-policy-attachments in tenancy" in lines
    )
    assert not any(verb in r.stdout for verb in (" use ", " manage "))
    assert grant().permissions == sorted({op.permission for op in OPERATIONS})


def test_declarations_are_reads():
    assert {op.method for op in OPERATIONS} == {"GET"}
    assert all(op.verb in ("inspect", "read") for op in OPERATIONS)
