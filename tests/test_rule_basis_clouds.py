"""Every Azure, GCP and OCI rule states its basis and the documentation that
decides it (issue 12); and the rules removed by issue 12 stay removed."""

from __future__ import annotations

import pytest

from scanner.rules import load_rulebook

PROVIDERS = ("azure", "gcp", "oci")
RULES = [
    (kind.kind, rule)
    for kind in load_rulebook().values()
    if kind.provider in PROVIDERS
    for rule in kind.rules
]


@pytest.mark.parametrize("kind,rule", RULES, ids=[r.id for _, r in RULES])
def test_rule_has_a_basis_and_https_sources(kind, rule):
    assert rule.basis in ("policy", "snapshot"), rule.id
    assert rule.sources, rule.id
    assert all(s.startswith("https://") and " " not in s for s in rule.sources), rule.id


def test_the_basis_is_consistent_within_traffic_state_kinds():
    # these kinds only ever read the traffic state in force now
    snapshot_kinds = {
        "azure.trafficmanager.profile",
        "azure.frontdoor.origin_group",
        "gcp.appengine.service",
        "gcp.run.service",
        "gcp.compute.url_map",
        "oci.loadbalancer.load_balancer",
    }
    for kind, rule in RULES:
        if kind in snapshot_kinds:
            assert rule.basis == "snapshot", rule.id
        if kind == "oci.devops.deploy_pipeline":
            assert rule.basis == "policy", rule.id


def test_rules_removed_by_issue_12_are_gone():
    ids = {rule.id for _, rule in RULES}
    assert "AZ-TM-3-WEIGHTED-ONE-ACTIVE" not in ids  # weights are 1-1000, never 0
    assert "AZ-TM-3-PRIORITY" not in ids  # priority routing is failover
    assert "OCI-LB-3-BACKUP-STANDBY" not in ids  # backups are failover
