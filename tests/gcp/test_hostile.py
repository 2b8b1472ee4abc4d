"""Hostile input from the cloud is data: odd names and labels pass through
unchanged, a unit whose deciding field is missing or odd is not assessed with
a reason, an answer the SDK cannot parse fails only the kind that read it, and
nothing crashes. The id parser takes any text and raises only UsageError."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.gcp import appengine, cloudrun, mig, names, urlmap
from providers.gcp.emulator.app import GcpEmulator
from providers.gcp.names import parse_resource_name
from providers.gcp.plugin import plugin
from scanner.emulators.server import LoopbackServer, Request, Response
from scanner.engine import run_scan
from scanner.errors import UsageError
from scanner.outputs.json_out import scan_document
from tests.gcp.conftest import LATEST, PROJECT, REGION, ZONE
from tests.gcp.estates import rich_project

ODD = ["bell\x07 esc\x1b[31m red", "rtl \u202egnp.exe", "emoji \U0001f680\U0001f525", "nul\x00byte",
       "x" * 100_000, "zero\u200bwidth", "line\nbreak\r\ttab"]  # fmt: skip


def scan(monkeypatch, estate, app=None):
    emulator = GcpEmulator(estate)
    with LoopbackServer(app(emulator) if app else emulator) as server:
        monkeypatch.setenv("RELSCAN_GCP_ENDPOINT", server.url)
        run = plugin.configure({"gcp_project": (PROJECT,)})
        return run_scan([(run, run.scopes())])


def test_odd_names_and_labels_are_kept_as_data(monkeypatch):
    labels = {f"k{i}": v for i, v in enumerate(ODD)}
    estate = {"projects": [{
        "id": PROJECT,
        "run_services": [{"location": REGION, "name": f"svc-{i}", "labels": labels,
                          "traffic": [{"type": LATEST, "percent": 100}]} for i in range(2)],
        "app_engine": {"locationId": REGION},
        "appengine_services": [{"id": v, "labels": labels,
                                "split": {"allocations": {v[:50]: 1.0}}} for v in ODD],
    }]}  # fmt: skip
    result = scan(monkeypatch, estate)
    assert result.errors == []
    gae = {a.name: a for a in result.assessments if a.kind == "gcp.appengine.service"}
    assert set(gae) == set(ODD)  # names kept exactly, whatever they hold
    assert {a.level for a in result.assessments} == {3, 4}
    assert all(a.tags == labels for a in result.assessments)
    json.loads(json.dumps(scan_document(result)))  # renders and parses back


def test_missing_or_odd_deciding_fields_are_not_assessed_with_a_reason(monkeypatch):
    estate = {"projects": [{
        "id": PROJECT,
        "instance_group_managers": [
            {"zone": ZONE, "name": "no-policy", "instanceTemplate": "t"},
            {"zone": ZONE, "name": "odd-type", "targetSize": 3, "instanceTemplate": "t",
             "updatePolicy": {"type": "SOMETIMES\u202e\x00"}},
        ],
        "run_services": [{"location": REGION, "name": "zero-traffic",
                          "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
                                       "revision": "r-1", "percent": 0}]}],
        "app_engine": {"locationId": REGION},
        "appengine_services": [{"id": "no-split"}],
    }]}  # fmt: skip
    result = scan(monkeypatch, estate)
    assert result.errors == [] and len(result.assessments) == 4
    for a in result.assessments:
        assert a.level is None and a.reason.startswith("not assessed, because"), a
    # (a service with no traffic[] at all is the API's default, LATEST=100: level 4)


class Override:
    """The emulator, except that paths matching `pattern` get `response`."""

    def __init__(self, pattern: str, response: Response) -> None:
        self.pattern, self.response = re.compile(pattern), response

    def __call__(self, emulator: GcpEmulator):
        def app(req: Request) -> Response:
            return self.response if self.pattern.search(req.path) else emulator(req)

        return app


def _json(body: object) -> Response:
    return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


MALFORMED = [
    ("/aggregated/instanceGroupManagers", _json({"items": {"zones/a": {
        "instanceGroupManagers": [{"name": "web", "targetSize": "many"}]}}}),
     "gcp.compute.instance_group_manager"),
    ("/aggregated/urlMaps", _json({"items": ["not", "a", "map"]}), "gcp.compute.url_map"),
    ("/apps/[^/]+/services$", Response(200, b"<html>502 Bad Gateway</html>",
                                       {"Content-Type": "text/html"}), "gcp.appengine.service"),
    ("/v2/.*/services$", _json({"services": [{"name": 7, "traffic": "all"}]}),
     "gcp.run.service"),
    # Cloud Run's and Cloud Deploy's locations lists share this path: both fail
    ("/v1/projects/[^/]+/locations$", Response(200, b'{"locations": [', {}),
     ("gcp.run.service", "gcp.deploy.pipeline")),
    ("/v1/apps/[^/]+$", _json(None), "gcp.appengine.service"),
    ("/aggregated/instanceTemplates", Response(200, b"", {}), "compute instance templates"),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "response", "service"), MALFORMED)
def test_a_malformed_answer_fails_only_what_read_it(monkeypatch, pattern, response, service):
    result = scan(monkeypatch, {"projects": [rich_project(PROJECT)]}, Override(pattern, response))
    assert result.errors  # one per location for Cloud Run's services
    for error in result.errors:
        assert error.service.startswith(service)
        assert "\n" not in error.message and len(error.message) < 600
    others = {a.kind for a in result.assessments}
    first = service if isinstance(service, str) else service[0]
    assert len(others) >= 3 if first.startswith("gcp.") else len(others) == 4


def test_a_huge_hostile_error_message_is_cut_and_escaped(monkeypatch):
    message = "denied \x1b[2J\u202e" + "y" * 100_000
    body = json.dumps({"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}})
    response = Response(403, body.encode(), {"Content-Type": "application/json"})
    result = scan(monkeypatch, {"projects": [rich_project(PROJECT)]},
                  Override("/v2/.*/services$", response))  # fmt: skip
    error = result.errors[0]
    assert error.service.startswith("gcp.run.service") and len(error.message) < 600
    assert "\x1b" not in error.message and "\u202e" not in error.message
    assert "\\u001b[2J\\u202e" in error.message


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_an_id_or_a_usage_error(text):
    try:
        rn = parse_resource_name(text)
    except UsageError as exc:
        assert "\n" not in str(exc)  # one line, whatever the text held
        return
    assert rn.project and rn.name


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["//compute.googleapis.com/", "//run.googleapis.com/projects/",
                        "//appengine.googleapis.com/apps/", "projects/", "apps/",
                        "https://www.googleapis.com/compute/v1/projects/",
                        "https://run.googleapis.com/v2/projects/",
                        "https://appengine.googleapis.com/v1/apps/"]), st.text())  # fmt: skip
def test_near_misses_are_usage_errors(prefix, text):
    try:
        rn = parse_resource_name(prefix + text)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert rn.project and rn.name


def _r(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(_r(names.PROJECT), _r(names.ZONE), _r(names.REGION), _r(names.NAME),
       _r(appengine.SERVICE), _r(cloudrun.SERVICE))  # fmt: skip
def test_valid_ids_round_trip(project, zone, region, name, gae, run):
    cases = [
        (mig.mig_id(project, zone, name), mig.KIND.name, zone, name),
        (mig.mig_id(project, region, name), mig.KIND.name, region, name),
        (urlmap.url_map_id(project, "global", name), urlmap.KIND.name, "global", name),
        (urlmap.url_map_id(project, region, name), urlmap.KIND.name, region, name),
        (appengine.gae_id(project, gae), appengine.KIND.name, "", gae),
        (cloudrun.run_id(project, region, run), cloudrun.KIND.name, region, run),
    ]
    for text, kind, location, short in cases:
        for form in _other_forms(text) + [text + "/"]:
            rn = parse_resource_name(form)
            assert (rn.kind, rn.project, rn.location, rn.name) == (kind, project, location, short)
            assert plugin.claims(form)


def _other_forms(full_name: str) -> list[str]:
    """A full resource name, its resource URL (selfLink) and its relative name."""
    host, path = full_name.removeprefix("//").split("/", 1)
    url = {
        "compute.googleapis.com": "https://www.googleapis.com/compute/v1/",
        "run.googleapis.com": "https://run.googleapis.com/v2/",
        "appengine.googleapis.com": "https://appengine.googleapis.com/v1/",
    }[host]
    return [full_name, url + path, path]


@settings(max_examples=200, deadline=None)
@given(
    _r(names.PROJECT),
    _r(names.REGION),
    _r(names.NAME),
    st.sampled_from(["?", "//", " ", "#", "/x"]),
)
def test_a_valid_name_with_something_after_it_is_refused(project, region, name, tail):
    for form in _other_forms(urlmap.url_map_id(project, region, name)):
        try:
            parse_resource_name(form + tail)
        except UsageError as exc:
            assert "\n" not in str(exc)
        else:
            raise AssertionError(f"{form + tail!r} was accepted")


GOOGLE_404 = (b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 "
              b"(Not Found)!!1</title>\n  <style>*{margin:0;padding:0}</style>\n  <p><b>404.</b>"
              b" <ins>That&#39;s an error.</ins>\n  <p>The requested URL was not found on this "
              b"server. <ins>That's all we know.</ins>\n</html>")  # fmt: skip


@pytest.mark.parametrize("status", [404, 502])
def test_an_html_error_page_is_named_by_its_title_not_quoted(monkeypatch, status):
    """A front end's or proxy's error page (Google's own 404 page here) is not
    the API's answer: the error says so and gives the title, not 600 characters
    of markup."""
    page = Response(status, GOOGLE_404, {"Content-Type": "text/html"})
    result = scan(monkeypatch, {"projects": [rich_project(PROJECT)]},
                  Override("/aggregated/urlMaps", page))  # fmt: skip
    [error] = result.errors
    assert error.message.endswith(
        f"/compute/v1/projects/{PROJECT}/aggregated/urlMaps: an HTML page titled "
        "'Error 404 (Not Found)!!1', not an API answer"
    )
    assert "<" not in error.message and "margin" not in error.message


def test_the_sdks_query_string_is_not_in_the_error(monkeypatch):
    """The REST transport's `?%24alt=json%3Benum-encoding%3Dint` is the SDK's
    business; the error names the method and the path."""
    body = json.dumps({"error": {"code": 403, "message": "Permission 'run.services.list' denied",
                                 "status": "PERMISSION_DENIED"}}).encode()  # fmt: skip
    refused = Response(403, body, {"Content-Type": "application/json"})
    result = scan(monkeypatch, {"projects": [rich_project(PROJECT)]},
                  Override("/v2/.*/services$", refused))  # fmt: skip
    assert result.errors
    for error in result.errors:
        assert "?" not in error.message and "alt=json" not in error.message, error.message
        assert error.message.endswith("/services: Permission 'run.services.list' denied")
        assert "403 Forbidden: GET http://127.0.0.1:" in error.message
