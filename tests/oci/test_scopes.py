"""Scope discovery, paging, retries, and failures confined to their scope."""

from __future__ import annotations

import pytest

from scanner.errors import CredentialsError, UsageError
from tests.oci.conftest import (
    PROD,
    SECRET,
    TEAM,
    TENANCY,
    backends,
    estate,
    lb_entry,
    pipeline_entry,
)

ONE = {"web": {"backends": backends({})}}


def spread() -> dict:
    return estate(
        load_balancers=[
            lb_entry("root-lb", ONE, compartment=TENANCY),
            lb_entry("prod-lb", ONE, compartment=PROD),
            lb_entry("team-lb", ONE, compartment=TEAM),
            lb_entry("secret-lb", ONE, compartment=SECRET),
            lb_entry("cardiff-lb", ONE, compartment=PROD, region="uk-cardiff-1"),
        ],
        deploy_pipelines=[pipeline_entry("team-release", [], compartment=TEAM)],
    )


def test_default_scope_is_the_tenancy_tree_in_the_configured_region(serve):
    served = serve(spread())
    found, errors = served.scan()
    assert errors == []
    assert sorted(found) == ["prod-lb", "root-lb", "secret-lb", "team-lb", "team-release"]
    compartment_calls = [c for c in served.emulator.calls if c[0] == "ListCompartments"]
    assert [c[2] for c in compartment_calls] == [TENANCY, TENANCY]  # 3 compartments, 2 a page


def test_compartment_option_takes_its_subtree_and_regions_repeat(serve):
    served = serve(spread())
    found, errors = served.scan(oci_compartment=(PROD,), oci_region=("uk-london-1", "uk-cardiff-1"))
    assert errors == []
    assert sorted(found) == ["cardiff-lb", "prod-lb", "team-lb", "team-release"]
    assert found["cardiff-lb"].location == "uk-cardiff-1"


def test_region_keys_are_accepted(serve):
    found, _ = serve(spread()).scan(oci_compartment=(PROD,), oci_region=("cwl",))
    assert sorted(found) == ["cardiff-lb"]


def test_paging_follows_opc_next_page(serve):
    lbs = [lb_entry(f"lb{i}", ONE) for i in range(5)]
    served = serve(estate(load_balancers=lbs))
    found, _ = served.scan(oci_compartment=(PROD,))
    assert sorted(found) == [f"lb{i}" for i in range(5)]
    pages = [c for c in served.emulator.calls if c[:1] == ("ListLoadBalancers",) and c[2] == PROD]
    assert len(pages) == 3


def test_an_unreadable_compartment_is_a_scope_error_and_the_rest_is_kept(serve):
    part = spread()
    part["faults"] = [{"compartment": SECRET, "status": 404}]
    found, errors = serve(part).scan()
    assert sorted(found) == ["prod-lb", "root-lb", "team-lb", "team-release"]
    assert {(e.service, e.scope) for e in errors} == {
        ("loadbalancer", f"oci:{SECRET}/uk-london-1"),
        ("devops", f"oci:{SECRET}/uk-london-1"),
        ("dns", f"oci:{SECRET}/uk-london-1"),  # global: read in the first region only
    }
    assert all("404 NotAuthorizedOrNotFound" in e.message for e in errors)


def test_sub_compartments_that_cannot_be_listed_are_a_scope_error(serve):
    part = spread()
    part["faults"] = [{"operation": "ListCompartments", "compartment": PROD, "status": 404}]
    found, errors = serve(part).scan(oci_compartment=(PROD,))
    assert sorted(found) == ["prod-lb"]
    assert [(e.service, e.scope) for e in errors] == [("identity", f"oci:{PROD}/uk-london-1")]
    assert "cannot list its sub-compartments" in errors[0].message


def test_throttling_is_retried(serve):
    part = spread()
    part["faults"] = [
        {"operation": "ListLoadBalancers", "compartment": PROD, "status": 429, "times": 2}
    ]
    served = serve(part)
    found, errors = served.scan(oci_compartment=(PROD,))
    assert errors == []
    assert "prod-lb" in found
    tries = [c for c in served.emulator.calls if c[0] == "ListLoadBalancers" and c[2] == PROD]
    assert len(tries) == 3


def test_refused_credentials_stop_before_scanning(serve):
    part = spread()
    part["faults"] = [{"operation": "ListCompartments", "status": 401, "code": "NotAuthenticated"}]
    with pytest.raises(CredentialsError, match="401 NotAuthenticated on list_compartments"):
        serve(part).scan()


def test_no_tenancy_and_no_compartment_is_a_usage_error(serve, monkeypatch):
    served = serve(spread())
    monkeypatch.delenv("RELSCAN_OCI_TENANCY")
    with pytest.raises(UsageError, match="pass --oci-compartment"):
        served.scan()
    found, _ = served.scan(oci_compartment=(TEAM,))
    assert sorted(found) == ["team-lb", "team-release"]


def test_no_region_is_a_usage_error(serve, monkeypatch):
    served = serve(spread())
    monkeypatch.delenv("OCI_REGION")
    with pytest.raises(UsageError, match="no OCI region: pass --oci-region"):
        served.scan()


def test_only_reads(serve):
    served = serve(spread())
    served.scan(oci_region=("uk-london-1", "uk-cardiff-1"))
    assert {r.method for r in served.server.requests} == {"GET"}
