"""Every load balancer rule, reached and just missed, through the real SDK.

Backends follow the OCI API reference's Backend data type
(https://docs.oracle.com/en-us/iaas/api/#/en/loadbalancer/20170115/Backend/):
weight 1-100 (example 3), and `backup` takes traffic only when every primary
fails its health check.
"""

from __future__ import annotations

import pytest

from tests.oci.conftest import PROD, backends, estate, evidence, lb_entry

F = "loadBalancer"
ONE = {"web": {"backends": backends({})}}
TWO_EVEN = {"web": {"backends": backends({}, {})}}

CASES = [
    # id, backend sets, listeners, level, rule, {evidence field: value}
    (
        "canary-weights",
        {"web": {"policy": "ROUND_ROBIN", "backends": backends({"weight": 9}, {"weight": 1})}},
        None,
        4,
        "OCI-LB-4-WEIGHTED-CANARY",
        {f"{F}.backendSets[].backends[].weight": ["web: 9/1"]},
    ),
    (
        "least-connections-weights",
        {
            "web": {
                "policy": "LEAST_CONNECTIONS",
                "backends": backends({"weight": 3}, {"weight": 3}, {"weight": 1}),
            }
        },
        None,
        4,
        "OCI-LB-4-WEIGHTED-CANARY",
        {f"{F}.backendSets[].backends[].weight": ["web: 3/3/1"]},
    ),
    (
        # neighbour: uneven weights under IP_HASH are ignored by OCI; two even backends
        "ip-hash-weights",
        {"web": {"policy": "IP_HASH", "backends": backends({"weight": 9}, {"weight": 1})}},
        None,
        None,
        None,
        {f"{F}.backendSets[].policy": ["web: IP_HASH"]},
    ),
    (
        # neighbour: the light backend is drained, so in-service weights are even
        "drained-canary",
        {"web": {"backends": backends({"weight": 9}, {"weight": 9}, {"weight": 1, "drain": True})}},
        None,
        2,
        "OCI-LB-2-PARTIAL-DRAIN",
        {
            f"{F}.backendSets[].backends[].weight": [],
            f"{F}.backendSets[].backends[].drain|offline": ["web/10.0.0.12:8080 (drain)"],
        },
    ),
    (
        # a backup alone is failover, not a release: not assessed, with that reason
        "backup",
        {"web": {"backends": backends({}, {"backup": True})}},
        None,
        None,
        "OCI-LB-NA-BACKUP-FAILOVER",
        {f"{F}.backendSets[].backends[].backup": ["web/10.0.0.11:8080"]},
    ),
    (
        # a backup beside a spare backend set: the spare set decides
        "backup-and-spare-set",
        {
            "blue": {"backends": backends({}, {"backup": True})},
            "green": {"backends": backends({}, {})},
        },
        None,
        3,
        "OCI-LB-3-SPARE-BACKEND-SET",
        {f"{F}.backendSets (used by no listener)": ["green"]},
    ),
    (
        # a backup beside uneven weights: the weights decide
        "backup-and-weights",
        {"web": {"backends": backends({"weight": 3}, {"weight": 1}, {"backup": True})}},
        None,
        4,
        "OCI-LB-4-WEIGHTED-CANARY",
        {f"{F}.backendSets[].backends[].weight": ["web: 3/1"]},
    ),
    (
        # neighbour: the backup is offline, so nothing stands by; one backend is parked
        "backup-offline",
        {"web": {"backends": backends({}, {"backup": True, "offline": True})}},
        None,
        2,
        "OCI-LB-2-PARTIAL-DRAIN",
        {f"{F}.backendSets[].backends[].drain|offline": ["web/10.0.0.11:8080 (offline)"]},
    ),
    (
        "spare-set",
        {"blue": {"backends": backends({}, {})}, "green": {"backends": backends({}, {})}},
        None,
        3,
        "OCI-LB-3-SPARE-BACKEND-SET",
        {f"{F}.backendSets (used by no listener)": ["green"]},
    ),
    (
        # neighbour: the spare set has only offline backends, so nothing is ready
        "spare-set-offline",
        {
            "blue": {"backends": backends({}, {})},
            "green": {"backends": backends({"offline": True})},
        },
        None,
        None,
        None,
        {f"{F}.backendSets (used by no listener)": []},
    ),
    (
        # neighbour: both sets are used by listeners, none is spare
        "two-listeners",
        {"blue": {"backends": backends({}, {})}, "green": {"backends": backends({}, {})}},
        {
            "a": {"defaultBackendSetName": "blue", "port": 443},
            "b": {"defaultBackendSetName": "green", "port": 8443},
        },
        None,
        None,
        {f"{F}.listeners[].defaultBackendSetName": ["a -> blue", "b -> green"]},
    ),
    (
        "offline-one",
        {"web": {"backends": backends({"offline": True}, {})}},
        None,
        2,
        "OCI-LB-2-PARTIAL-DRAIN",
        {f"{F}.backendSets[].backends (not drain, offline or backup)": 1},
    ),
    (
        # neighbour: every backend drained, nothing serves; not a partial update
        "all-drained",
        {"web": {"backends": backends({"drain": True}, {"drain": True})}},
        None,
        None,
        None,
        {f"{F}.backendSets[].backends (not drain, offline or backup)": 0},
    ),
    (
        "single",
        ONE,
        None,
        1,
        "OCI-LB-1-SINGLE-BACKEND",
        {f"{F}.backendSets[].backends (count)": 1},
    ),
    (
        # neighbour: two even backends, all serving: no mechanism either way
        "two-even",
        TWO_EVEN,
        None,
        None,
        None,
        {f"{F}.backendSets[].backends (count)": 2},
    ),
    (
        # neighbour: a single-backend set that no listener uses does not count
        "unused-single",
        {"web": {"backends": backends({}, {})}, "old": {"backends": []}},
        None,
        None,
        None,
        {f"{F}.backendSets[].backends (count)": 2},
    ),
    (
        "no-listener",
        ONE,
        {},
        None,
        None,
        {f"{F}.backendSets[].backends (count)": None, f"{F}.backendSets (used by no listener)": []},
    ),
]


@pytest.mark.parametrize(
    "name,sets,listeners,level,rule,expected", CASES, ids=[c[0] for c in CASES]
)
def test_rule(serve, name, sets, listeners, level, rule, expected):
    served = serve(estate(load_balancers=[lb_entry(name, sets, listeners)]))
    found, errors = served.scan()
    assert errors == []
    a = found[name]
    assert (a.level, a.rule) == (level, rule)
    assert a.basis == ("snapshot" if rule else None)
    ev = evidence(a)
    for field, value in expected.items():
        assert ev[field] == value
    if rule == "OCI-LB-NA-BACKUP-FAILOVER":
        assert a.status == "not_assessed"
        assert "a backup backend is failover, not a release" in a.reason
    elif level is None:
        assert a.status == "not_assessed"
        assert "shows no release mechanism either way" in a.reason


def test_path_route_set_counts_as_served(serve):
    sets = {"web": {"backends": backends({}, {})}, "api": {"backends": backends({})}}
    routes = {
        "routes": {
            "name": "routes",
            "pathRoutes": [
                {
                    "path": "/api",
                    "backendSetName": "api",
                    "pathMatchType": {"matchType": "PREFIX_MATCH"},
                }
            ],
        }
    }
    served = serve(estate(load_balancers=[lb_entry("routed", sets, pathRouteSets=routes)]))
    a = served.scan()[0]["routed"]
    assert (a.level, a.rule) == (1, "OCI-LB-1-SINGLE-BACKEND")
    assert evidence(a)[f"{F}.backendSets[].policy"] == ["web: ROUND_ROBIN", "api: ROUND_ROBIN"]


def test_unit_identity_and_tags(serve):
    entry = lb_entry(
        "tagged",
        ONE,
        freeformTags={"service": "payments"},
        definedTags={"Finance": {"CostCentre": "42"}},
    )
    served = serve(estate(load_balancers=[entry]))
    a = served.scan()[0]["tagged"]
    assert a.id.startswith("ocid1.loadbalancer.oc1.uk-london-1.")
    assert a.kind == "oci.loadbalancer.load_balancer"
    assert (a.account, a.location) == (PROD, "uk-london-1")
    assert a.tags == {"service": "payments", "Finance.CostCentre": "42"}
    assert f"{F}.backendSets[].healthChecker" in evidence(a)


def test_deleted_load_balancers_are_skipped(serve):
    entry = lb_entry("gone", ONE, lifecycleState="DELETED")
    served = serve(estate(load_balancers=[entry]))
    assert served.scan() == ({}, [])
