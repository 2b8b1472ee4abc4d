"""Bad input, refused calls, disabled APIs, throttling: one clear line, and
what other projects and kinds found is kept."""

from __future__ import annotations

import time

import pytest

from providers.gcp.plugin import plugin
from providers.gcp.retry import retry_after
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from tests.gcp.conftest import LATEST, PROJECT, ZONE, project

OTHER = "payments-prod"
MIG = {"zone": ZONE, "name": "web", "targetSize": 2, "instanceTemplate": "t",
       "updatePolicy": {"type": "OPPORTUNISTIC"}}  # fmt: skip
RUN = {"location": "europe-west2", "name": "frontend",
       "traffic": [{"type": LATEST, "percent": 100}]}  # fmt: skip
GAE = {"id": "default", "split": {"allocations": {"v1": 1.0}}}
SPLIT = {"weightedBackendServices": [{"backendService": "a", "weight": 1},
                                     {"backendService": "b", "weight": 1}]}  # fmt: skip
FULL = {"instance_group_managers": [MIG], "run_services": [RUN],
        "app_engine": {"locationId": "europe-west2"}, "appengine_services": [GAE],
        "url_maps": [{"name": "lb", "defaultRouteAction": SPLIT}]}  # fmt: skip
KINDS = {"gcp.compute.instance_group_manager", "gcp.compute.url_map", "gcp.appengine.service",
         "gcp.run.service", "gcp.deploy.pipeline"}  # fmt: skip


def two_projects(**faults_and_extra):
    return {"projects": [project(**FULL), {"id": OTHER, **FULL, **faults_and_extra}]}


MIG_FORM = "//compute.googleapis.com/projects/P/zones/Z/instanceGroupManagers/N"
RUN_FORM = "//run.googleapis.com/projects/P/locations/L/services/S"


@pytest.mark.parametrize(
    ("resource_id", "message", "form"),
    [
        ("//compute.googleapis.com/projects/p/zones/europe-west2-a/instanceGroupManagers/web",
         "malformed GCP managed instance group name '//compute.googleapis.com/projects/p/zones/"
         "europe-west2-a/instanceGroupManagers/web': project id 'p' is not 6 to 30", MIG_FORM),
        ("//compute.googleapis.com/projects/portal-prod/zones/europe-west2/instanceGroupManagers/w",
         "'europe-west2' is not a zone such as europe-west2-a", MIG_FORM),
        ("//compute.googleapis.com/projects/portal-prod/global/instanceGroupManagers/w",
         "expected 'zones' where it has 'global'", MIG_FORM),
        ("//compute.googleapis.com/projects/portal-prod/global/urlMaps/Bad_Name",
         "malformed GCP URL map name", "/global/urlMaps/N"),
        ("//compute.googleapis.com/projects/portal-prod/global/backendServices/web",
         "unsupported GCP resource kind compute.googleapis.com 'backendServices'", MIG_FORM),
        ("//run.googleapis.com/projects/portal-prod/locations/-/services/frontend",
         "malformed GCP Cloud Run service name", RUN_FORM),
        ("//run.googleapis.com/projects/portal-prod/services/frontend",
         "expected 'locations' where it has 'services'", RUN_FORM),
        ("projects/portal-prod/locations/europe-west2/jobs/nightly",
         "unsupported GCP resource kind run.googleapis.com 'jobs'", RUN_FORM),
        ("//appengine.googleapis.com/apps/portal-prod/services/default/versions/v1",
         "unsupported GCP resource kind appengine.googleapis.com 'versions'", MIG_FORM),
        ("//storage.googleapis.com/projects/_/buckets/b",
         "unsupported GCP service storage.googleapis.com", MIG_FORM),
        ("https://storage.googleapis.com/storage/v1/b/bucket",
         "unsupported GCP resource URL", "https://www.googleapis.com/compute/v1/"),
        ("//run.googleapis.com/projects/portal-prod/locations/europe-west2/services/a\nb",
         "service 'a\\nb' is not 1 to 49 lowercase letters", RUN_FORM),
        ("//run.googleapis.com/projects/portal-prod/locations/europe-west2/services/a\n",
         "malformed GCP Cloud Run service name", RUN_FORM),
        ("projects/portal-prod", "malformed GCP resource name 'projects/portal-prod': it is "
         "incomplete", MIG_FORM),
    ],
)  # fmt: skip
def test_malformed_or_unsupported_resource_names(resource_id, message, form):
    """A refused id says what is wrong with it and what the kind looks like."""
    run = plugin.configure({})  # no credentials needed to refuse a bad id
    with pytest.raises(UsageError) as err:
        run.check(resource_id)
    text = str(err.value)
    assert message in text and "\n" not in text
    assert form in text


def test_plugin_claims_only_resource_names():
    assert plugin.claims("//run.googleapis.com/projects/p/locations/l/services/s")
    assert not plugin.claims("arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:a/b")
    assert not plugin.claims("/subscriptions/x/resourceGroups/y")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"gcp_project": ("Portal_Prod",)}, "malformed GCP project id 'Portal_Prod'"),
        ({"gcp_project": ("abc",)}, "malformed GCP project id 'abc'"),
        ({"gcp_project": ("portal-prod\n",)}, "malformed GCP project id"),
        ({"gcp_impersonate": "someone@example.com"}, "is not a service account email"),
    ],
)
def test_bad_options_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        plugin.configure(options)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://10.1.2.3:8080", "plain http is only allowed to a loopback address"),
        ("ftp://127.0.0.1", "is not an endpoint"),
        ("http://127.0.0.1:9/compute/v1", "is not an endpoint"),
    ],
)
def test_bad_endpoint_is_a_usage_error(monkeypatch, endpoint, message):
    monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", endpoint)
    with pytest.raises(UsageError, match=message):
        plugin.configure({})


def test_missing_credentials_are_a_credentials_error():
    run = plugin.configure({"gcp_project": (PROJECT,)})
    with pytest.raises(CredentialsError, match="no Google Cloud credentials found"):
        run.scopes()


def test_unknown_project_is_one_scope_error_and_others_are_scanned(gcp):
    result = gcp.scan({"projects": [project(**FULL)]}, [PROJECT, "no-such-project"])
    assert {a.kind for a in result.units.values()} == KINDS - {"gcp.deploy.pipeline"}  # none
    [error] = result.errors
    assert (error.scope, error.service) == ("gcp:no-such-project", "project")
    assert "project no-such-project not found" in error.message
    assert "404 NotFound" in error.message


def test_403_on_one_project_keeps_the_other(gcp):
    data = two_projects()
    data["faults"] = [{"project": OTHER, "status": 403}]
    result = gcp.scan(data, [PROJECT, OTHER])
    assert {a.account for a in result.units.values()} == {PROJECT}
    assert len(result.units) == 4
    assert {e.service for e in result.errors} == KINDS
    assert all(e.scope == f"gcp:{OTHER}" for e in result.errors)
    assert all("403 Forbidden" in e.message and "not assessed" in e.message
               for e in result.errors)  # fmt: skip


def test_api_not_enabled_is_reported_for_that_kind_only(gcp):
    result = gcp.scan(two_projects(apis_disabled=["run.googleapis.com"]), [PROJECT, OTHER])
    assert len(result.units) == 4 + 3
    [error] = result.errors
    assert (error.scope, error.service) == (f"gcp:{OTHER}", "gcp.run.service")
    assert error.message == (
        "run.googleapis.com is not enabled in this project (SERVICE_DISABLED), so its Cloud Run "
        "services are not assessed"
    )


def test_compute_not_enabled_names_both_compute_kinds(gcp):
    result = gcp.scan(two_projects(apis_disabled=["compute.googleapis.com"]), [OTHER])
    assert {a.kind for a in result.units.values()} == {"gcp.appengine.service", "gcp.run.service"}
    assert {e.service for e in result.errors} == {
        "gcp.compute.instance_group_manager", "gcp.compute.url_map"}  # fmt: skip
    assert all("compute.googleapis.com is not enabled" in e.message for e in result.errors)


def test_429_and_503_are_retried_honouring_retry_after(gcp):
    data = two_projects()
    data["faults"] = [
        {"api": "compute", "op": "instanceGroupManagers.aggregatedList", "status": 429,
         "reason": "RATE_LIMIT_EXCEEDED", "retry_after": "0", "times": 2},
        {"api": "run", "op": "locations.list", "status": 503, "retry_after": "0", "times": 2},
        {"api": "appengine", "op": "services.list", "status": 503, "retry_after": "0", "times": 1},
    ]  # fmt: skip
    started = time.monotonic()
    result = gcp.scan(data, [OTHER])
    assert time.monotonic() - started < 1.0  # no backoff sleeps: Retry-After said 0
    assert result.errors == [] and len(result.units) == 4
    calls = result.emulator.calls
    assert calls.count(("compute", "instanceGroupManagers.aggregatedList", OTHER)) == 3
    assert calls.count(("run", "locations.list", OTHER)) == 3


def test_throttling_out_of_retries_is_a_scope_error(gcp):
    data = two_projects()
    data["faults"] = [{"api": "appengine", "op": "services.list", "status": 429,
                       "retry_after": "0"}]  # fmt: skip
    result = gcp.scan(data, [OTHER])
    [error] = result.errors
    assert error.service == "gcp.appengine.service"
    assert "throttled and out of retries: 429 TooManyRequests" in error.message
    assert result.emulator.calls.count(("appengine", "services.list", OTHER)) == 6


def test_retry_after_parsing():
    class Resp:
        def __init__(self, value):
            self.headers = {"Retry-After": value} if value is not None else {}

    class Exc(Exception):
        def __init__(self, value):
            self.response = Resp(value)

    assert retry_after(Exc("3")) == 3.0
    assert retry_after(Exc("9999")) == 60.0
    assert retry_after(Exc("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0  # a date passed: now
    assert retry_after(Exc("soon")) is None
    assert retry_after(Exc(None)) is None


def test_projects_are_discovered_when_none_is_named(gcp):
    data = {"projects": [project(), {"id": OTHER}, {"id": "hr-tool-prod"},
                         {"id": "old-project", "state": "DELETE_REQUESTED"}]}  # fmt: skip
    result = gcp.scan(data)
    assert result.scopes == ["gcp:hr-tool-prod", f"gcp:{OTHER}", f"gcp:{PROJECT}"]
    assert result.emulator.calls.count(("resourcemanager", "projects.search", "")) == 2


def test_discovery_refused_is_a_cloud_error(gcp):
    run = gcp.run({"projects": [project()], "faults": [{"api": "resourcemanager",
                                                        "status": 403}]})  # fmt: skip
    with pytest.raises(CloudError, match="name them with --gcp-project"):
        run.scopes()


def test_discovery_finding_nothing_is_a_cloud_error(gcp):
    run = gcp.run({"projects": []})
    with pytest.raises(CloudError, match="can see no active project"):
        run.scopes()


@pytest.mark.parametrize(
    "resource_id",
    [
        f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/nope",
        f"//compute.googleapis.com/projects/{PROJECT}/regions/europe-west2/urlMaps/nope",
        f"//run.googleapis.com/projects/{PROJECT}/locations/europe-west2/services/nope",
        f"//appengine.googleapis.com/apps/{PROJECT}/services/nope",
        "//run.googleapis.com/projects/no-such-project/locations/europe-west2/services/frontend",
    ],
)
def test_check_of_a_missing_resource_is_not_found(gcp, resource_id):
    run = gcp.run({"projects": [project(**FULL)]})
    with pytest.raises(NotFoundError, match="no such resource"):
        run.check(resource_id)


def test_check_in_a_project_without_app_engine_is_not_found(gcp):
    run = gcp.run({"projects": [project()]})
    with pytest.raises(NotFoundError, match="has no App Engine application"):
        run.check(f"//appengine.googleapis.com/apps/{PROJECT}/services/default")


def test_check_refused_or_disabled_is_a_cloud_error(gcp):
    run = gcp.run({"projects": [project(**FULL, apis_disabled=["run.googleapis.com"])]})
    with pytest.raises(CloudError, match="run.googleapis.com is not enabled"):
        run.check(
            f"//run.googleapis.com/projects/{PROJECT}/locations/europe-west2/services/frontend"
        )


def test_every_request_is_a_read(gcp):
    gcp.scan(two_projects(), [PROJECT, OTHER])
    assert {r.method for r in gcp.server.requests} == {"GET"}
    assert not any("/locations/-/" in r.path for r in gcp.server.requests)


def test_an_unreachable_endpoint_is_not_blamed_on_missing_project_names(monkeypatch):
    """Naming projects would not help when nothing answers: no --gcp-project hint."""
    from providers.gcp.emulator.app import GcpEmulator
    from providers.gcp.retry import ThrottleRetry
    from scanner.emulators.server import LoopbackServer

    server = LoopbackServer(GcpEmulator({"projects": []})).start()
    server.stop()  # nothing listens on its port any more
    monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
    run = plugin.configure({})
    run.clients.retry = ThrottleRetry(attempts=1)  # one try is enough to show the message
    with pytest.raises(CloudError) as err:
        run.scopes()
    assert str(err.value) == (
        "cannot list the projects the credential can see (cannot reach the Google Cloud "
        "endpoint 127.0.0.1: ConnectionError)"
    )
