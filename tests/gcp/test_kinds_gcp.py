"""The GCP kinds drive everything: `check` is a lookup by the id a kind claims,
the ids' error messages list the kinds' id forms, the scan reads each kind in
`readers` order, the grant holds each kind's reads, and the reader modules
import without the Google Cloud SDK."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from providers.gcp import appengine, clouddeploy, cloudrun, mig, urlmap
from providers.gcp.names import parse_resource_name
from providers.gcp.permissions import READS
from providers.gcp.plugin import plugin
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.model import Observation
from scanner.plugin import Scope
from tests.gcp.conftest import PROJECT, REGION, ZONE
from tests.gcp.estates import rich, with_deploy

# One id each kind claims, in its three forms: full name, resource URL, relative name.
IDS = {
    mig.KIND.name: (
        f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web",
        f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}"
        "/instanceGroupManagers/web",
        f"projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web",
    ),
    urlmap.KIND.name: (
        f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/urlMaps/internal",
        f"https://compute.googleapis.com/compute/beta/projects/{PROJECT}/regions/{REGION}"
        "/urlMaps/internal",
        f"projects/{PROJECT}/regions/{REGION}/urlMaps/internal",
    ),
    appengine.KIND.name: (
        f"//appengine.googleapis.com/apps/{PROJECT}/services/default",
        f"https://appengine.googleapis.com/v1/apps/{PROJECT}/services/default",
        f"apps/{PROJECT}/services/default",
    ),
    cloudrun.KIND.name: (
        f"//run.googleapis.com/projects/{PROJECT}/locations/{REGION}/services/frontend",
        f"https://run.googleapis.com/v2/projects/{PROJECT}/locations/{REGION}/services/frontend",
        f"projects/{PROJECT}/locations/{REGION}/services/frontend",
    ),
    clouddeploy.KIND.name: (
        f"//clouddeploy.googleapis.com/projects/{PROJECT}/locations/{REGION}"
        "/deliveryPipelines/web-app",
        f"https://clouddeploy.googleapis.com/v1/projects/{PROJECT}/locations/{REGION}"
        "/deliveryPipelines/web-app",
        f"projects/{PROJECT}/locations/{REGION}/deliveryPipelines/web-app",
    ),
}


def test_the_plugin_reads_its_four_kinds_in_order():
    assert [k.name for k in plugin.kinds()] == list(IDS)
    assert [k.titles for k in plugin.kinds()] == [
        "managed instance groups", "URL maps", "App Engine services", "Cloud Run services",
        "Cloud Deploy delivery pipelines",
    ]  # fmt: skip


@pytest.mark.parametrize("kind", list(IDS))
def test_each_form_of_an_id_reaches_exactly_the_kind_that_claims_it(kind):
    for form in IDS[kind]:
        rn = parse_resource_name(form)
        assert rn.kind == kind
        assert rn.id == IDS[kind][0]
        claimed = [k.name for k in plugin.kinds() if k.claims(rn.id)]
        assert claimed == [kind]
        reader = plugin.reader_for(rn.id)
        assert reader is not None and reader.KIND.name == kind


@pytest.mark.parametrize("kind", list(IDS))
def test_check_reads_the_unit_through_its_kinds_reader(gcp, kind):
    """Every form of the id gives the unit the kind's own `get` reads."""
    estate = rich()
    estate["projects"][0] = with_deploy(estate["projects"][0])
    gcp.serve(estate)
    run = plugin.configure({})
    for form in IDS[kind]:
        obs = run.check(form)
        assert (obs.kind, obs.id) == (kind, IDS[kind][0])
        reader = plugin.reader(kind)
        again = reader.get(_ctx(run), IDS[kind][0])
        assert again.facts.keys() == obs.facts.keys()
        assert {k: f.value for k, f in again.facts.items()} == {
            k: f.value for k, f in obs.facts.items()
        }


def _ctx(run):
    from providers.gcp.context import GcpContext

    return GcpContext(run.clients, PROJECT, "")


UNSUPPORTED = "//compute.googleapis.com/projects/portal-prod/global/backendServices/x"


def test_an_unsupported_well_formed_id_lists_the_kinds_id_forms():
    with pytest.raises(UsageError) as err:
        plugin.check_id(UNSUPPORTED)
    forms = "; ".join(plugin.id_forms())
    assert str(err.value) == (
        f"unsupported GCP resource kind compute.googleapis.com 'backendServices' in "
        f"{UNSUPPORTED!r}; relscan checks {forms}"
    )
    assert forms == (
        "//compute.googleapis.com/projects/P/zones/Z/instanceGroupManagers/N (or regions/R); "
        "//compute.googleapis.com/projects/P/global/urlMaps/N (or regions/R/urlMaps/N); "
        "//appengine.googleapis.com/apps/P/services/S; "
        "//run.googleapis.com/projects/P/locations/L/services/S; "
        "//clouddeploy.googleapis.com/projects/P/locations/L/deliveryPipelines/D"
    )


def test_a_malformed_id_names_the_kinds_forms_as_before():
    """Byte for byte the message of relscan 0.x (the baseline's `check` of a
    backend service in a project whose id is too short)."""
    text = "//compute.googleapis.com/projects/p/global/backendServices/x"
    with pytest.raises(UsageError) as err:
        plugin.check_id(text)
    assert str(err.value) == (
        "malformed GCP resource name '//compute.googleapis.com/projects/p/global/backendServices"
        "/x': project id 'p' is not 6 to 30 lowercase letters, digits and hyphens, starting "
        "with a letter; relscan checks //compute.googleapis.com/projects/P/zones/Z/"
        "instanceGroupManagers/N (or regions/R); //compute.googleapis.com/projects/P/global/"
        "urlMaps/N (or regions/R/urlMaps/N); //appengine.googleapis.com/apps/P/services/S; "
        "//run.googleapis.com/projects/P/locations/L/services/S; "
        "//clouddeploy.googleapis.com/projects/P/locations/L/deliveryPipelines/D (or the "
        "https:// self link, or "
        "the relative name projects/... or apps/...)"
    )


def test_a_malformed_id_of_a_kind_names_that_kinds_form():
    text = f"//run.googleapis.com/projects/{PROJECT}/locations/{REGION}/services/Bad"
    with pytest.raises(UsageError) as err:
        plugin.check_id(text)
    assert str(err.value) == (
        f"malformed GCP Cloud Run service name {text!r}: service 'Bad' is not 1 to 49 lowercase "
        "letters, digits and hyphens, starting with a letter (expected "
        "//run.googleapis.com/projects/P/locations/L/services/S, or its https:// self link or "
        "relative name)"
    )


def test_the_grant_holds_each_kinds_reads_and_discovery_and_nothing_else():
    operations = [r.operation for r in READS]
    assert len(operations) == len(set(operations)), "an operation is declared twice"
    assert plugin.declared_reads() == set(operations)
    assert plugin.read_permission("urlMaps.aggregatedList") == "compute.urlMaps.list"
    assert plugin.read_permission("regionInstanceGroupManagers.get") == (
        "compute.instanceGroupManagers.get"
    )
    assert plugin.read_permission("instances.list") is None
    assert set(plugin.discovery_reads) == {"projects.search", "folders.list", "projects.list"}


def test_a_missing_project_stops_its_scope_at_the_kind_that_says_so(gcp):
    """The managed-instance-group kind declares that a 404 from its project-wide
    list means the project is absent: one scope error, and no other kind is read."""
    assert [k.name for k in plugin.gcp_kinds() if k.absent_project_on_404] == [mig.KIND.name]
    result = gcp.scan(rich(), ["no-such-project"])
    assert [(e.service, e.message.split(" (")[0]) for e in result.errors] == [
        ("project", "project no-such-project not found, or not visible to the credential")
    ]
    assert result.emulator.calls == [
        ("compute", "instanceGroupManagers.aggregatedList", "no-such-project")
    ]


def test_the_recorder_passed_to_configure_receives_every_answer(gcp, tmp_path):
    """No process-wide recorder is set: the run records into the one it was given."""
    gcp.serve(rich())
    recorder = Recorder(tmp_path)
    run = plugin.configure({"gcp_project": (PROJECT,)}, recorder=recorder)
    found = [x for x in run.collect(Scope("gcp", PROJECT, "")) if isinstance(x, Observation)]
    assert len(found) == 9
    recorded = sorted(p.name.split("-", 2)[2] for p in (tmp_path / "responses").iterdir())
    assert "compute-instanceGroupManagers_aggregatedList.json" in recorded
    assert "run-projects_locations_services_list.json" in recorded
    assert "appengine-apps_services_list.json" in recorded


def test_the_reader_modules_import_without_the_sdk():
    code = (
        "import json, sys\n"
        "import providers.gcp.mig, providers.gcp.urlmap, providers.gcp.appengine, "
        "providers.gcp.cloudrun\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('google', 'grpc')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_client_name_is_declared_once_and_names_an_sdk_client():
    from providers.gcp.clients import CLIENT_TYPES, client_type

    names = list(CLIENT_TYPES) + [n for k in plugin.gcp_kinds() for n, _ in k.clients]
    assert len(names) == len(set(names)), "a client name is declared twice"
    for name in names:
        assert client_type(name).__name__.endswith("Client"), name
    with pytest.raises(KeyError, match="no GCP client is called 'instances'"):
        client_type("instances")
