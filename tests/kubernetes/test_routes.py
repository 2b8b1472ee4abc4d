"""Gateway API HTTPRoutes and Istio VirtualServices through the real client
and the emulator: the weights of each list, each rule reached and just
missed, owners, versions, and `check` by id.

Examples: the Gateway API guide "HTTP traffic splitting"
(https://gateway-api.sigs.k8s.io/guides/traffic-splitting/: route
`simple-split`, foo-v1/foo-v2 on port 8080) and Istio's Bookinfo samples
(istio/istio samples/bookinfo/networking/virtual-service-reviews-*.yaml, used
by https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/).
"""

from __future__ import annotations

from typing import Any

import pytest

from scanner.classify import classify
from scanner.errors import NotFoundError
from scanner.model import Assessment, Observation
from scanner.rules import load_rulebook
from tests.kubernetes.conftest import UID, cluster, deployment

GATEWAY = "gateway.networking.k8s.io"
ISTIO = "networking.istio.io"
HTTPROUTES = f"{GATEWAY}/httproutes"
VIRTUALSERVICES = f"{ISTIO}/virtualservices"


def assess(obs: Observation) -> Assessment:
    return classify(obs, load_rulebook())


def backend(name: str, weight: int | None = None, port: int = 8080) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": name, "port": port}
    if weight is not None:
        ref["weight"] = weight
    return ref


def httproute(
    name: str, *rules: list[dict[str, Any]], namespace: str = "shop", owners: Any = ()
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}"}
    if owners:
        meta["ownerReferences"] = list(owners)
    return {
        "apiVersion": f"{GATEWAY}/v1",
        "kind": "HTTPRoute",
        "metadata": meta,
        "spec": {
            "parentRefs": [{"name": "example-gateway"}],
            "hostnames": ["simple-split.example.com"],
            "rules": [{"backendRefs": refs} for refs in rules],
        },
    }


def dest(subset: str, weight: int | None = None, host: str = "reviews") -> dict[str, Any]:
    d: dict[str, Any] = {"destination": {"host": host, "subset": subset}}
    if weight is not None:
        d["weight"] = weight
    return d


def virtualservice(
    name: str, namespace: str = "bookinfo", owners: Any = (), **spec: Any
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}"}
    if owners:
        meta["ownerReferences"] = list(owners)
    return {
        "apiVersion": f"{ISTIO}/v1",
        "kind": "VirtualService",
        "metadata": meta,
        "spec": {"hosts": ["reviews"], **spec},
    }


def scan(kube: Any, crds: list[str], **objects: list[dict[str, Any]]) -> Any:
    """`objects`: "GROUP/PLURAL" -> objects, as the emulator's estate holds them."""
    k = kube({"clusters": [cluster(crds=crds, objects=objects)]})
    return k, *k.scan()


def one_route(kube: Any, route: dict[str, Any], version: str = "v1") -> Observation:
    k, found, errors = scan(kube, [f"{GATEWAY}/{version}"], **{HTTPROUTES: [route]})
    assert errors == []
    return the_unit(k, found, route, f"httproutes.{GATEWAY}")


def one_vs(kube: Any, vs: dict[str, Any], version: str = "v1") -> Observation:
    k, found, errors = scan(kube, [f"{ISTIO}/{version}"], **{VIRTUALSERVICES: [vs]})
    assert errors == []
    return the_unit(k, found, vs, f"virtualservices.{ISTIO}")


def the_unit(k: Any, found: list[Observation], obj: dict[str, Any], qualified: str) -> Observation:
    """The scan's one unit; or, where the scan left the route out because no
    list of it holds two backends, what `check` reads for it."""
    if found:
        assert len(found) == 1
        return found[0]
    meta = obj["metadata"]
    obs = k.run().check(f"k8s:{UID}/{meta['namespace']}/{qualified}/{meta['name']}")
    assert obs.facts["most_backends"].value < 2 or obs.facts["made_by_knative"].value
    return obs


def shown(a: Assessment) -> dict[str, Any]:
    return {e.field: e.value for e in a.evidence}


# --- Gateway API -------------------------------------------------------------


def test_guide_simple_split_is_a_weighted_split(kube: Any) -> None:
    obs = one_route(kube, httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)]))
    assert obs.id == f"k8s:{UID}/shop/httproutes.{GATEWAY}/simple-split"
    assert obs.kind == "kubernetes.gateway.httproute"
    assert obs.facts["backend_weights"].value == [
        "rules[0].backendRefs: foo-v1:8080=90, foo-v2:8080=10"
    ]
    assert obs.facts["owner_references"].value == []
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (4, "K8S-HTTPROUTE-4-WEIGHTED-SPLIT", "snapshot")
    assert shown(a)["spec.rules[].backendRefs[].weight (list: backend=weight)"] == [
        "rules[0].backendRefs: foo-v1:8080=90, foo-v2:8080=10"
    ]


@pytest.mark.parametrize(
    ("refs", "level", "rule"),
    [
        # the guide's steps: 90/10 split, 50/50, then foo-v1 at 0 beside foo-v2
        ([backend("foo-v1", 90), backend("foo-v2", 10)], 4, "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"),
        ([backend("foo-v1", 50), backend("foo-v2", 50)], None, "K8S-HTTPROUTE-NA-EQUAL-WEIGHTS"),
        ([backend("foo-v1", 0), backend("foo-v2", 1)], 3, "K8S-HTTPROUTE-3-WEIGHTED-STANDBY"),
        # an unset weight is 1: beside 3 it is a split, beside 1 an even spread
        ([backend("foo-v1"), backend("foo-v2", 3)], 4, "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"),
        ([backend("foo-v1"), backend("foo-v2", 1)], None, "K8S-HTTPROUTE-NA-EQUAL-WEIGHTS"),
        # ... and beside 0 it is the live one of a standby pair
        ([backend("foo-v1"), backend("foo-v2", 0)], 3, "K8S-HTTPROUTE-3-WEIGHTED-STANDBY"),
        # the top of the range against 1 is still two live, unequal weights
        ([backend("foo-v1", 1_000_000), backend("foo-v2", 1)], 4, "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"),
        # 50/50 with a third at 0: the live ones are equal (just misses 4 and 3)
        (
            [backend("foo-v1", 50), backend("foo-v2", 50), backend("foo-v3", 0)],
            None,
            "K8S-HTTPROUTE-NA-EQUAL-WEIGHTS",
        ),
        # a lone backend, whatever its weight, and all at 0: no rule (just misses 3)
        ([backend("foo-v1", 10)], None, None),
        ([backend("foo-v1", 0), backend("foo-v2", 0)], None, None),
        # one backend named twice counts once, its weights added
        ([backend("foo-v1", 90), backend("foo-v1", 10)], None, None),
    ],
)
def test_gateway_levels(kube: Any, refs: list[Any], level: int | None, rule: str | None) -> None:
    a = assess(one_route(kube, httproute("simple-split", refs)))
    assert (a.level, a.rule) == (level, rule)
    if rule is None:
        assert a.reason.startswith("not assessed, because no backendRefs list weighs two")


def test_unset_weights_are_marked_in_the_evidence(kube: Any) -> None:
    obs = one_route(kube, httproute("simple-split", [backend("foo-v1"), backend("foo-v2", 3)]))
    assert obs.facts["backend_weights"].value == [
        "rules[0].backendRefs: foo-v1:8080=1 (unset), foo-v2:8080=3"
    ]


def test_each_rule_is_its_own_list_and_the_highest_level_decides(kube: Any) -> None:
    # the guide's canary route: a header rule to foo-v2, the default to foo-v1;
    # neither list weighs two backends
    canary = httproute("foo-route", [backend("foo-v2")], [backend("foo-v1")])
    a = assess(one_route(kube, canary))
    assert (a.level, a.rule) == (None, None)
    # weights are not compared across rules: 90 in one and 10 in another is no split
    apart = httproute("apart", [backend("foo-v1", 90)], [backend("foo-v2", 10)])
    assert assess(one_route(kube, apart)).rule is None
    standby_and_even = httproute(
        "mixed", [backend("a", 1), backend("b", 1)], [backend("c", 1), backend("d", 0)]
    )
    a = assess(one_route(kube, standby_and_even))
    assert (a.level, a.rule) == (3, "K8S-HTTPROUTE-3-WEIGHTED-STANDBY")
    split_and_standby = httproute(
        "both", [backend("c", 1), backend("d", 0)], [backend("a", 9), backend("b", 1)]
    )
    obs = one_route(kube, split_and_standby)
    assert (obs.facts["split_lists"].value, obs.facts["standby_lists"].value) == (1, 1)
    assert obs.facts["backend_weights"].value == [
        "rules[0].backendRefs: c:8080=1, d:8080=0",
        "rules[1].backendRefs: a:8080=9, b:8080=1",
    ]
    assert assess(obs).rule == "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"


def test_named_rules_and_cross_namespace_backends_are_shown(kube: Any) -> None:
    route = httproute("x", [])
    route["spec"]["rules"] = [
        {
            "name": "checkout",
            "backendRefs": [
                {"name": "pay-v1", "namespace": "payments", "port": 80, "weight": 95},
                {"name": "pay-v2", "namespace": "payments", "port": 80, "weight": 5},
            ],
        },
        {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]},
    ]
    obs = one_route(kube, route)
    assert obs.facts["backend_weights"].value == [
        "rules[checkout].backendRefs: payments/pay-v1:80=95, payments/pay-v2:80=5"
    ]


def test_gateway_route_read_in_v1beta1_where_v1_is_not_served(kube: Any) -> None:
    obs = one_route(kube, httproute("simple-split", [backend("a", 9), backend("b", 1)]), "v1beta1")
    assert assess(obs).rule == "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"


def test_malformed_weight_is_unknown_not_a_guess(kube: Any) -> None:
    obs = one_route(kube, httproute("bad", [backend("a", 9), {"name": "b", "weight": "lots"}]))
    fact = obs.facts["split_lists"]
    assert not fact.known and "malformed Gateway API HTTPRoute" in (fact.error or "")
    assert assess(obs).level is None


FLAGGER = {
    "apiVersion": "flagger.app/v1beta1",
    "kind": "Canary",
    "name": "podinfo",
    "uid": "c-1",
    "controller": True,
}
KNATIVE_INGRESS = {
    "apiVersion": "networking.internal.knative.dev/v1alpha1",
    "kind": "Ingress",
    "name": "hello",
    "uid": "i-1",
    "controller": True,
}


def test_owner_references_are_kind_group_name(kube: Any) -> None:
    core = {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u"}
    route = httproute("podinfo", [backend("podinfo-primary", 100), backend("podinfo-canary", 0)])
    route["metadata"]["ownerReferences"] = [FLAGGER, core]
    obs = one_route(kube, route)
    assert obs.facts["owner_references"].value == [
        "Canary.flagger.app/podinfo",
        "ConfigMap.core/cm",
    ]
    # a Flagger-owned route is still read (links, not the reader, leave it out)
    assert obs.facts["made_by_knative"].value is False
    assert assess(obs).rule == "K8S-HTTPROUTE-3-WEIGHTED-STANDBY"


def test_routes_knative_made_are_left_out_and_check_says_why(kube: Any) -> None:
    made = httproute("hello", [backend("hello-00001", 90), backend("hello-00002", 10)])
    made["metadata"]["ownerReferences"] = [KNATIVE_INGRESS]
    own = httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)])
    k, found, errors = scan(kube, [f"{GATEWAY}/v1"], **{HTTPROUTES: [made, own]})
    assert errors == []
    assert [o.name for o in found] == ["shop/simple-split"]
    obs = k.run().check(f"k8s:{UID}/shop/httproutes.{GATEWAY}/hello")
    assert obs.facts["owner_references"].value == ["Ingress.networking.internal.knative.dev/hello"]
    a = assess(obs)
    assert (a.level, a.rule) == (None, "K8S-HTTPROUTE-NA-KNATIVE")
    assert "the Knative Service is the unit" in a.reason


def test_check_reads_one_route_by_id(kube: Any) -> None:
    route = httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)])
    k = kube({"clusters": [cluster(crds=[f"{GATEWAY}/v1"], objects={HTTPROUTES: [route]})]})
    obs = k.run().check(f"k8s:{UID}/shop/httproutes.{GATEWAY}/simple-split")
    assert assess(obs).rule == "K8S-HTTPROUTE-4-WEIGHTED-SPLIT"
    with pytest.raises(NotFoundError, match="no such resource"):
        k.run().check(f"k8s:{UID}/shop/httproutes.{GATEWAY}/absent")


# --- Istio -------------------------------------------------------------------


def test_bookinfo_reviews_90_10_is_a_weighted_split(kube: Any) -> None:
    vs = virtualservice("reviews", http=[{"route": [dest("v1", 90), dest("v2", 10)]}])
    obs = one_vs(kube, vs)
    assert obs.id == f"k8s:{UID}/bookinfo/virtualservices.{ISTIO}/reviews"
    assert obs.facts["backend_weights"].value == [
        "http[0].route: reviews (subset v1)=90, reviews (subset v2)=10"
    ]
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (4, "K8S-ISTIO-VS-4-WEIGHTED-SPLIT", "snapshot")


@pytest.mark.parametrize(
    ("spec", "level", "rule"),
    [
        # virtual-service-reviews-50-v3.yaml: v1 and v3 at 50 each
        (
            {"http": [{"route": [dest("v1", 50), dest("v3", 50)]}]},
            None,
            "K8S-ISTIO-VS-NA-EQUAL-WEIGHTS",
        ),
        # virtual-service-reviews-80-20.yaml
        (
            {"http": [{"route": [dest("v1", 80), dest("v2", 20)]}]},
            4,
            "K8S-ISTIO-VS-4-WEIGHTED-SPLIT",
        ),
        # an unset weight beside another destination is 0 (not 1): a standby
        (
            {"http": [{"route": [dest("v1", 100), dest("v2")]}]},
            3,
            "K8S-ISTIO-VS-3-WEIGHTED-STANDBY",
        ),
        (
            {"http": [{"route": [dest("v1", 0), dest("v3", 100)]}]},
            3,
            "K8S-ISTIO-VS-3-WEIGHTED-STANDBY",
        ),
        # virtual-service-all-v1.yaml / -reviews-v3.yaml: a lone destination (just misses 3)
        ({"http": [{"route": [dest("v3")]}]}, None, None),
        # a lone destination takes all traffic whatever its weight
        ({"http": [{"route": [dest("v1", 30)]}]}, None, None),
        # two unset weights are both 0: nothing weighed (not an even spread)
        ({"http": [{"route": [dest("v1"), dest("v2")]}]}, None, None),
        # Istio's TCP traffic shifting task: tcp-echo v1 80 / v2 20
        (
            {"tcp": [{"route": [dest("v1", 80, "tcp-echo"), dest("v2", 20, "tcp-echo")]}]},
            4,
            "K8S-ISTIO-VS-4-WEIGHTED-SPLIT",
        ),
        # weights are not capped at 1,000,000 (the Gateway API's range)
        (
            {"tls": [{"route": [dest("v1", 2_000_000), dest("v2", 1)]}]},
            4,
            "K8S-ISTIO-VS-4-WEIGHTED-SPLIT",
        ),
    ],
)
def test_istio_levels(kube: Any, spec: dict[str, Any], level: int | None, rule: str | None) -> None:
    a = assess(one_vs(kube, virtualservice("reviews", **spec)))
    assert (a.level, a.rule) == (level, rule)
    if rule is None:
        assert a.reason.startswith("not assessed, because no route weighs two destinations")


def test_istio_evidence_marks_lone_and_unset_destinations(kube: Any) -> None:
    vs = virtualservice(
        "reviews",
        http=[
            {"name": "jason", "route": [dest("v2")]},
            {"route": [dest("v1", 100), dest("v3")]},
        ],
    )
    obs = one_vs(kube, vs)
    assert obs.facts["backend_weights"].value == [
        "http[name=jason].route: reviews (subset v2)=100",
        "http[1].route: reviews (subset v1)=100, reviews (subset v3)=0 (unset)",
    ]


@pytest.mark.parametrize("version", ["v1beta1", "v1alpha3"])
def test_istio_read_in_the_first_served_version(kube: Any, version: str) -> None:
    vs = virtualservice("reviews", http=[{"route": [dest("v1", 90), dest("v2", 10)]}])
    assert assess(one_vs(kube, vs, version)).rule == "K8S-ISTIO-VS-4-WEIGHTED-SPLIT"


def test_virtualservices_knative_made_are_left_out_and_check_says_why(kube: Any) -> None:
    made = virtualservice(
        "hello-ingress",
        namespace="shop",
        owners=[KNATIVE_INGRESS],
        http=[{"route": [dest("hello-00001", 90, "hello"), dest("hello-00002", 10, "hello")]}],
    )
    canary = virtualservice(
        "podinfo",
        namespace="shop",
        owners=[FLAGGER],
        http=[{"route": [dest("primary", 100, "podinfo"), dest("canary", 0, "podinfo")]}],
    )
    k, found, errors = scan(kube, [f"{ISTIO}/v1"], **{VIRTUALSERVICES: [made, canary]})
    assert errors == []
    assert [(o.name, o.facts["owner_references"].value) for o in found] == [
        ("shop/podinfo", ["Canary.flagger.app/podinfo"])
    ]
    a = assess(k.run().check(f"k8s:{UID}/shop/virtualservices.{ISTIO}/hello-ingress"))
    assert (a.level, a.rule) == (None, "K8S-ISTIO-VS-NA-KNATIVE")


def test_check_reads_one_virtualservice_by_id(kube: Any) -> None:
    vs = virtualservice("reviews", http=[{"route": [dest("v1", 90), dest("v2", 10)]}])
    k = kube({"clusters": [cluster(crds=[f"{ISTIO}/v1beta1"], objects={VIRTUALSERVICES: [vs]})]})
    obs = k.run().check(f"k8s:{UID}/bookinfo/virtualservices.{ISTIO}/reviews")
    assert assess(obs).rule == "K8S-ISTIO-VS-4-WEIGHTED-SPLIT"


# --- no CRDs -----------------------------------------------------------------


def test_a_cluster_without_the_crds_reads_nothing_and_errs_nothing(kube: Any) -> None:
    route = httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)])
    vs = virtualservice("reviews", http=[{"route": [dest("v1", 90), dest("v2", 10)]}])
    k = kube(
        {
            "clusters": [
                cluster(
                    deployments=[deployment("web")],
                    objects={HTTPROUTES: [route], VIRTUALSERVICES: [vs]},
                )
            ]
        }
    )
    found, errors = k.scan()
    assert errors == []
    assert [o.kind for o in found] == ["kubernetes.apps.deployment"]
    paths = [path for _, method, path in k.emulator.calls]
    assert not any("httproutes" in p or "virtualservices" in p for p in paths)
    for rid in (
        f"k8s:{UID}/shop/httproutes.{GATEWAY}/simple-split",
        f"k8s:{UID}/bookinfo/virtualservices.{ISTIO}/reviews",
    ):
        with pytest.raises(NotFoundError, match="is not served by this cluster"):
            k.run().check(rid)


def test_a_scan_leaves_out_routes_whose_every_list_holds_one_backend(kube: Any) -> None:
    # the Gateway API guide's canary route (a header rule to foo-v2, the default to
    # foo-v1) and Istio's virtual-service-all-v1.yaml route traffic; they release nothing
    lone_route = httproute("foo-route", [backend("foo-v2")], [backend("foo-v1")])
    split_route = httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)])
    lone_vs = virtualservice("reviews", http=[{"route": [dest("v1")]}])
    zeros = httproute("parked", [backend("foo-v1", 0), backend("foo-v2", 0)])
    k, found, errors = scan(
        kube,
        [f"{GATEWAY}/v1", f"{ISTIO}/v1"],
        **{HTTPROUTES: [lone_route, split_route, zeros], VIRTUALSERVICES: [lone_vs]},
    )
    assert errors == []
    # two backends, even both at 0, make a unit (not assessed, with the reason)
    assert sorted(o.name for o in found) == ["shop/parked", "shop/simple-split"]
    lone = k.run().check(f"k8s:{UID}/shop/httproutes.{GATEWAY}/foo-route")
    a = assess(lone)
    assert (a.level, a.rule) == (None, None)
    assert a.reason.startswith("not assessed, because no backendRefs list weighs two backends")
