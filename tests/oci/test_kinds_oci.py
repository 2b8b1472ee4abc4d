"""The OCI kinds drive the scan loop, `check`, the ids `check` accepts and the
clients: an OCID's resource type segment decides its kind, and a new kind is
one reader module named in the plugin's `readers`."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.oci import devops, dnssteering, loadbalancer
from providers.oci.ocid import parse_resource
from providers.oci.plugin import OciPlugin, plugin
from scanner.errors import UsageError
from scanner.evidence import recorder as evidence
from scanner.evidence.replay import load_exchanges
from tests.oci.conftest import PROD, REGION, backends, estate, lb_entry, pipeline_entry

FORMS = (
    "ocid1.loadbalancer.REALM.REGION.UNIQUE and ocid1.devopsdeploypipeline.REALM.REGION.UNIQUE"
    " and ocid1.dnspolicy.REALM.REGION.UNIQUE"
)
UNSUPPORTED = f"unsupported OCID kind 'instance'; relscan checks {FORMS}"


def test_the_plugin_reads_one_kind_per_module_in_the_order_it_lists_them():
    assert plugin.reader_modules() == (loadbalancer, devops, dnssteering)
    assert [k.ocid_type for k in plugin.oci_kinds()] == [
        "loadbalancer",
        "devopsdeploypipeline",
        "dnspolicy",
    ]
    assert [k.part for k in plugin.kinds()] == ["loadbalancer", "devops", "dns"]
    assert plugin.id_forms() == FORMS.split(" and ")


@pytest.mark.parametrize(
    ("ocid", "reader"),
    [
        ("ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaaexample", loadbalancer),
        ("ocid1.loadbalancer.oc1..aaaaaaaaexample", loadbalancer),
        ("ocid1.loadbalancer.oc1.lhr.future-1.aaaaaaaaexample", loadbalancer),
        ("ocid1.devopsdeploypipeline.oc1.uk-london-1.aaaaaaaaexample", devops),
        ("ocid1.devopsdeploypipeline.oc22.iad.aaaaaaaaexample", devops),
    ],
)
def test_the_resource_type_segment_decides_the_kind(ocid, reader):
    assert plugin.reader_for(ocid) is reader
    assert parse_resource(ocid).type == reader.KIND.ocid_type


@pytest.mark.parametrize(
    "ocid",
    [
        "ocid1.loadbalancer.oc1.uk-london-1.aaaa",  # unique id too short
        "ocid1.loadbalancerx.oc1.uk-london-1.aaaaaaaaexample",
        "ocid1.devopsdeploystage.oc1.uk-london-1.aaaaaaaaexample",
        "ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaaexample\n",
        "xocid1.loadbalancer.oc1.uk-london-1.aaaaaaaaexample",
    ],
)
def test_no_kind_claims_a_malformed_or_other_ocid(ocid):
    assert plugin.reader_for(ocid) is None


OCIDISH = st.builds(
    lambda *parts: ".".join(p for p in parts if p is not None),
    st.sampled_from(["ocid1", "ocid2"]),
    st.sampled_from(["loadbalancer", "devopsdeploypipeline", "instance", "LoadBalancer"]),
    st.sampled_from(["oc1", "oc19", "xx1"]),
    st.sampled_from(["", "uk-london-1", "lhr", "uk_london_1"]),
    st.one_of(st.none(), st.sampled_from(["future-1", "x!"])),
    st.from_regex(r"[a-zA-Z0-9]{4,20}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(OCIDISH)
def test_a_kind_claims_an_ocid_exactly_when_the_parser_accepts_it(text):
    """`check` parses (to say what is wrong), then looks the reader up by the
    kinds' patterns: the two must agree on every id."""
    try:
        ocid = parse_resource(text)
    except UsageError:
        assert plugin.reader_for(text) is None
    else:
        reader = plugin.reader_for(text)
        assert reader is not None and reader.KIND.ocid_type == ocid.type


def test_check_reaches_each_kinds_reader(serve):
    served = serve(
        estate(
            load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})],
            deploy_pipelines=[pipeline_entry("release", [{"deployStageType": "OKE_DEPLOYMENT"}])],
        )
    )
    found, errors = served.collect(oci_compartment=(PROD,))
    assert errors == []
    by_kind = {obs.kind: obs for obs in found}
    assert set(by_kind) == {loadbalancer.KIND.name, devops.KIND.name}
    for kind, obs in by_kind.items():
        before = len(served.server.requests)
        checked = served.check(obs.id)
        assert (checked.kind, checked.id, checked.name) == (kind, obs.id, obs.name)
        paths = [r.path for r in served.server.requests[before:]]
        one = "/loadBalancers/" if kind == loadbalancer.KIND.name else "/deployPipelines/"
        assert any(one + obs.id in p for p in paths), paths


def test_an_unsupported_well_formed_ocid_lists_the_kinds_id_forms(serve):
    with pytest.raises(UsageError) as err:
        serve(estate()).check("ocid1.instance.oc1.uk-london-1.aaaaaaaaexample")
    assert str(err.value) == UNSUPPORTED
    assert str(err.value).endswith(" and ".join(plugin.id_forms()))
    with pytest.raises(UsageError) as err:
        plugin.check_id("ocid1.instance.oc1.uk-london-1.aaaaaaaaexample")
    assert str(err.value) == UNSUPPORTED


class ToyPlugin(OciPlugin):
    readers = (*OciPlugin.readers, "tests.oci.toy_kind")


def test_a_new_kind_is_its_module_and_its_name_in_readers(serve):
    """Scan, check, the ids check accepts and the client all follow a kind
    added outside providers/oci."""
    toy = ToyPlugin()
    served = serve(estate(load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})]))
    run = toy.configure(served.options(oci_compartment=(PROD,), oci_region=(REGION,)))
    scope = next(s for s in run.scopes() if s.account == PROD)
    found = list(run.collect(scope))
    assert [o.kind for o in found] == [
        "oci.loadbalancer.load_balancer",  # the provider's kinds first, in `readers` order
        "oci.toy.widget",
    ]
    assert found[1].facts["load_balancers"].value == 1
    widget = "ocid1.toywidget.oc1.uk-london-1.aaaaaaaaexample"
    assert run.check(widget).kind == "oci.toy.widget"
    assert toy.id_forms()[-1] == "ocid1.toywidget.REALM.REGION.UNIQUE"
    with pytest.raises(UsageError) as err:
        toy.check_id("ocid1.instance.oc1.uk-london-1.aaaaaaaaexample")
    assert str(err.value) == f"{UNSUPPORTED} and ocid1.toywidget.REALM.REGION.UNIQUE"
    # the provider's own plugin is untouched by it
    with pytest.raises(UsageError, match="unsupported OCID kind 'toywidget'"):
        plugin.check_id(widget)


def test_the_run_records_into_the_recorder_it_was_configured_with(serve, tmp_path):
    served = serve(estate(load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})]))
    given = evidence.Recorder(tmp_path / "given")
    run = plugin.configure(served.options(oci_compartment=(PROD,)), recorder=given)
    for scope in run.scopes():
        list(run.collect(scope))
    operations = [e["operation"] for e in load_exchanges(tmp_path / "given", "oci")]
    assert operations[0] == "ScanContext"
    assert {"ListCompartments", "ListLoadBalancers", "ListDeployPipelines"} <= set(operations)
    # a run configured without one records nothing (there is no process-wide recorder)
    run = plugin.configure(served.options(oci_compartment=(PROD,)))
    for scope in run.scopes():
        list(run.collect(scope))
    assert len(load_exchanges(tmp_path / "given", "oci")) == len(operations)


def test_the_kinds_reads_name_operations_of_the_permissions_table():
    assert plugin.discovery_reads == ("ListCompartments",)
    assert plugin.read_permission("GetLoadBalancer") == "LOAD_BALANCER_READ"
    assert plugin.read_permission("ListDeployStages") == "DEVOPS_DEPLOY_STAGE_INSPECT"
    assert plugin.read_permission("DeleteLoadBalancer") is None
    assert loadbalancer.KIND.reads == ("ListLoadBalancers", "GetLoadBalancer")
    assert devops.KIND.reads == (
        "ListDeployPipelines",
        "GetDeployPipeline",
        "ListDeployStages",
        "ListDeployments",  # --history
        "GetDeployment",
    )
    assert re.fullmatch(loadbalancer.KIND.id_pattern, "ocid1.loadbalancer.oc1..aaaaaaaa")
