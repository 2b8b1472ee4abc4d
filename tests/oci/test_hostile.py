"""Hostile answers from the cloud are data: odd names and tags pass through,
malformed fields make only their unit not assessed, with the reason; and the
id parser takes any text without raising anything but UsageError."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.oci.ocid import parse_ocid, parse_resource, supported
from providers.oci.plugin import plugin
from scanner.emulators.server import Request, Response
from scanner.engine import run_scan
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from tests.oci.conftest import PROD, backends, estate, lb_entry, pipeline_entry

ODD = "\u202eevil\u202c \U0001f680 tab\there nul\x00 bell\x07 \u0000end"
LONG = "x" * 100_000
ONE = {"web": {"backends": backends({})}}
TWO = {"web": {"backends": backends({"weight": 3}, {"weight": 1})}}


def _raw(entry: dict, **overrides: object) -> dict:
    """The entry served with fields replaced (`wire`) or removed (`drop`) verbatim."""
    return {**entry, **overrides}


def _reasons(assessment) -> str:
    return json.dumps([str(getattr(assessment, k, "")) for k in ("reason", "rationale")])


def test_odd_names_and_tags_are_data(serve):
    tags = {"team\x1b[31m": ODD, "long": LONG, "ns": {"k\u202e": "\U0001f600"}}
    part = estate(
        load_balancers=[
            lb_entry(ODD, TWO, freeformTags=tags),
            lb_entry(LONG, TWO, definedTags={"Ops": {"owner": ODD}}),
        ],
        deploy_pipelines=[
            pipeline_entry(
                ODD + "-release",
                [{"displayName": LONG, "deployStageType": "OKE_DEPLOYMENT"}],
                freeformTags={ODD: ODD},
            )
        ],
    )
    found, errors = serve(part).scan(oci_compartment=(PROD,))
    assert errors == []
    assert found[ODD].level == 4 and found[LONG].level == 4
    assert found[ODD].name == ODD
    assert found[ODD + "-release"].level == 2


def test_malformed_fields_make_only_their_unit_not_assessed(serve):
    bad_weight = lb_entry("bad-weight", {"web": {"backends": backends({"weight": "heavy"})}})
    part = estate(
        load_balancers=[
            lb_entry("fine", ONE),
            bad_weight,
            _raw(lb_entry("sets-a-list", ONE), wire={"backendSets": ["web"]}),
            _raw(lb_entry("bad-date", ONE), wire={"timeCreated": "yesterday"}),
            _raw(lb_entry("null-listener", ONE), wire={"listeners": {"https": None}}),
            _raw(lb_entry("no-id", ONE), drop=["id"]),
            _raw(lb_entry("int-name", ONE), wire={"displayName": {"a": 1}}),
        ],
    )
    found, errors = serve(part, page_size=3).scan(oci_compartment=(PROD,))
    assert found["fine"].level == 1
    for name in ("bad-weight", "sets-a-list", "bad-date", "null-listener"):
        a = found[name]
        assert a.level is None and a.status == "not_assessed", (name, a.level, a.rule)
        assert "malformed" in _reasons(a), (name, _reasons(a))
    assert len([n for n in found if n.startswith("ocid1.")]) == 1  # int-name: named by id
    assert [e.service for e in errors] == ["loadbalancer"]
    assert "a load balancer without a usable id (None) cannot be assessed" in errors[0].message


def test_malformed_stages_make_their_pipeline_not_assessed(serve):
    part = estate(
        deploy_pipelines=[
            pipeline_entry("fine", [{"deployStageType": "OKE_DEPLOYMENT"}]),
            pipeline_entry(
                "typeless",
                [{"displayName": "s", "deployStageType": "X", "drop": ["deployStageType"]}],
            ),
            pipeline_entry(
                "bad-preds",
                [
                    {
                        "deployStageType": "OKE_DEPLOYMENT",
                        "deployStagePredecessorCollection": {"items": "x"},
                    }
                ],
            ),
        ],
    )
    found, errors = serve(part).scan(oci_compartment=(PROD,))
    assert errors == []
    assert found["fine"].level == 2
    assert found["typeless"].level is None
    assert "malformed" in _reasons(found["typeless"])
    # predecessors decide nothing for a lone rolling stage: still assessed
    assert found["bad-preds"].level == 2


def test_malformed_compartment_is_a_scope_error_not_a_crash(serve):
    part = estate(
        compartments=[
            {"id": PROD, "name": "prod"},
            {"id": "x", "name": "broken", "wire": {"id": 42}},
        ],
        load_balancers=[lb_entry("fine", ONE)],
    )
    found, errors = serve(part).scan()
    assert "fine" in found
    assert any("a sub-compartment cannot be read" in e.message for e in errors)


def test_an_answer_that_is_not_json_is_a_scope_error(serve, monkeypatch):
    served = serve(estate(load_balancers=[lb_entry("fine", ONE)]))
    app = served.server._server.app

    def garbage(req: Request) -> Response:
        if "loadBalancers" in req.path:
            return Response(200, b"<html>\x00 not json", {"content-type": "application/json"})
        return app(req)

    monkeypatch.setattr(served.server._server, "app", garbage)
    found, errors = served.scan(oci_compartment=(PROD,))
    assert found == {}
    assert errors and {e.service for e in errors} == {"loadbalancer"}  # prod and its child
    assert all("malformed answer" in e.message for e in errors), errors[0].message


def test_hostile_units_render_in_every_format(serve):
    part = estate(
        load_balancers=[lb_entry(ODD, ONE, freeformTags={"k": LONG}), lb_entry(LONG, ONE)]
    )
    serve(part)
    run = plugin.configure({"oci_compartment": (PROD,)})
    result = run_scan([(run, run.scopes())], concurrency=2)
    for fmt, render in SCAN_FORMATS.items():
        text = render(result, RenderOptions())
        assert isinstance(text, str | bytes) and text, fmt
    doc = json.loads(SCAN_FORMATS["json"](result, RenderOptions()))
    assert {r["name"] for r in doc["resources"]} == {ODD, LONG}


VALID = st.builds(
    lambda kind, realm, region, unique: f"ocid1.{kind}.{realm}.{region}.{unique}",
    st.sampled_from(sorted(supported())),
    st.from_regex(r"oc[0-9]{1,2}", fullmatch=True),
    st.sampled_from(["", "uk-london-1", "lhr", "us-ashburn-1", "eu-frankfurt-1"]),
    st.from_regex(r"[a-z0-9]{8,60}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_raises_only_usage_error(text):
    try:
        ocid = parse_resource(text)
    except UsageError as exc:
        assert "\n" not in str(exc)
    else:
        assert ocid.text == text and ocid.type in supported()


@settings(max_examples=200, deadline=None)
@given(VALID)
def test_valid_ids_round_trip(text):
    ocid = parse_resource(text)
    parts = text.split(".")
    assert (ocid.text, ocid.type, ocid.realm, ocid.region) == (text, *parts[1:4])
    assert parse_ocid(ocid.text) == ocid


@settings(max_examples=200, deadline=None)
@given(VALID, st.sampled_from(["\n", "\x00", " ", "\u202e", "."]))
def test_valid_ids_with_a_stray_character_are_refused(text, extra):
    for bad in (text + extra, extra + text):
        try:
            parse_resource(bad)
        except UsageError:
            continue
        raise AssertionError(f"accepted {bad!r}")
