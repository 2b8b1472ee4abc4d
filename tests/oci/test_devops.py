"""Every DevOps pipeline rule, reached and just missed, through the real SDK.

Traffic-shift stages follow OCI's "Adding a Traffic Shift Stage" page
(https://docs.oracle.com/en-us/iaas/Content/devops/using/traffic_stage.htm):
its example is a batch count of 5 with a ramp-up limit of 50, each batch
shifting 10 % of the traffic; the ramp-up limit defaults to 100.
"""

from __future__ import annotations

import pytest

from tests.oci.conftest import PROD, TEAM, estate, evidence, pipeline_entry

S = "deployStages[]"
AUTO = {"policyType": "AUTOMATED_STAGE_ROLLBACK_POLICY"}
NONE = {"policyType": "NO_STAGE_ROLLBACK_POLICY"}
APPROVE = {
    "displayName": "approve",
    "deployStageType": "MANUAL_APPROVAL",
    "approvalPolicy": {
        "approvalPolicyType": "COUNT_BASED_APPROVAL",
        "numberOfApprovalsRequired": 1,
    },
}


def lb_shift(
    batches: int, rollback: dict | None = AUTO, name: str = "shift", ramp: float | None = None
) -> dict:
    policy: dict = {"batchCount": batches, "batchDelayInSeconds": 60}
    if ramp is not None:
        policy["rampLimitPercent"] = ramp
    stage = {
        "displayName": name,
        "deployStageType": "LOAD_BALANCER_TRAFFIC_SHIFT",
        "trafficShiftTarget": "AUTO_SELECT",
        "rolloutPolicy": policy,
    }
    if rollback:
        stage["rollbackPolicy"] = rollback
    return stage


def rolling(percentage: int, rollback: dict = NONE, name: str = "rolling") -> dict:
    return {
        "displayName": name,
        "deployStageType": "COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT",
        "rolloutPolicy": {
            "policyType": "COMPUTE_INSTANCE_GROUP_LINEAR_ROLLOUT_POLICY_BY_PERCENTAGE",
            "batchPercentage": percentage,
            "batchDelayInSeconds": 30,
        },
        "rollbackPolicy": rollback,
    }


CANARY = [
    {
        "displayName": "canary",
        "deployStageType": "OKE_CANARY_DEPLOYMENT",
        "canaryStrategy": {
            "strategyType": "NGINX_CANARY_STRATEGY",
            "namespace": "c",
            "ingressName": "web",
        },
    },
    {
        "displayName": "canary-shift",
        "deployStageType": "OKE_CANARY_TRAFFIC_SHIFT",
        "rolloutPolicy": {"batchCount": 3, "batchDelayInSeconds": 60, "rampLimitPercent": 30},
    },
]
CANARY_APPROVAL = {
    "displayName": "canary-approval",
    "deployStageType": "OKE_CANARY_APPROVAL",
    "approvalPolicy": {
        "approvalPolicyType": "COUNT_BASED_APPROVAL",
        "numberOfApprovalsRequired": 1,
    },
}
OKE_PROD = {
    "displayName": "prod",
    "deployStageType": "OKE_DEPLOYMENT",
    "namespace": "web",
    "rollbackPolicy": AUTO,
}
BG = [
    {"displayName": "green", "deployStageType": "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_DEPLOYMENT"},
]
BG_SHIFT = {
    "displayName": "switch",
    "deployStageType": "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_TRAFFIC_SHIFT",
}

GRADUAL = (
    f"{S}.rollbackPolicy.policyType"
    " (on a batched full traffic shift, or on the release after a canary)"
)
RAMP = f"{S}[LOAD_BALANCER_TRAFFIC_SHIFT].rolloutPolicy.rampLimitPercent (lowest; absent = 100)"
PARTIAL = f"{S}[LOAD_BALANCER_TRAFFIC_SHIFT] (rampLimitPercent below 100)"

CASES = [
    # id, stages, level, rule, {evidence field: value}
    (
        "lb-batched-auto",
        [lb_shift(4)],
        5,
        "OCI-DEVOPS-5-GRADUAL-AUTO-ROLLBACK",
        {
            f"{S}[LOAD_BALANCER_TRAFFIC_SHIFT].rolloutPolicy.batchCount": 4,
            f"{S}.rollbackPolicy.policyType": ["shift (LOAD_BALANCER_TRAFFIC_SHIFT)"],
            GRADUAL: ["shift (LOAD_BALANCER_TRAFFIC_SHIFT)"],
            RAMP: 100,
            f"{S}.deployStageType (approval stages)": 0,
        },
    ),
    (
        "lb-batched-auto-full-ramp",
        [lb_shift(5, ramp=100)],
        5,
        "OCI-DEVOPS-5-GRADUAL-AUTO-ROLLBACK",
        {RAMP: 100, GRADUAL: ["shift (LOAD_BALANCER_TRAFFIC_SHIFT)"]},
    ),
    # the docs' example (5 batches, ramp-up limit 50) stops at a split: at most 4
    (
        "lb-partial-ramp",
        [lb_shift(5, ramp=50)],
        4,
        "OCI-DEVOPS-4-PARTIAL-SHIFT",
        {
            RAMP: 50,
            PARTIAL: ["shift (LOAD_BALANCER_TRAFFIC_SHIFT) stops at 50%"],
            GRADUAL: [],
            f"{S}.rollbackPolicy.policyType": ["shift (LOAD_BALANCER_TRAFFIC_SHIFT)"],
        },
    ),
    (
        "lb-partial-ramp-after-approval",
        [APPROVE, lb_shift(5, ramp=99.5)],
        4,
        "OCI-DEVOPS-4-PARTIAL-SHIFT",
        {PARTIAL: ["shift (LOAD_BALANCER_TRAFFIC_SHIFT) stops at 99.5%"]},
    ),
    # issue 12's reproduction: the rollback policy sits on an unrelated rolling
    # stage, not on the traffic shift: the shift is automatic, rollback is not
    (
        "rollback-on-unrelated-stage",
        [lb_shift(4, rollback=NONE), rolling(25, AUTO)],
        4,
        "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT",
        {
            f"{S}.rollbackPolicy.policyType": [
                "rolling (COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT)"
            ],
            GRADUAL: [],
        },
    ),
    # a rolling stage with a rollback policy before the canary does not complete it
    (
        "canary-rollback-before-canary",
        [dict(OKE_PROD, displayName="warmup"), *CANARY],
        4,
        "OCI-DEVOPS-4-CANARY",
        {f"{S}.rollbackPolicy.policyType": ["warmup (OKE_DEPLOYMENT)"], GRADUAL: []},
    ),
    (
        "canary-auto",
        [*CANARY, OKE_PROD],
        5,
        "OCI-DEVOPS-5-GRADUAL-AUTO-ROLLBACK",
        {
            f"{S}.deployStageType (canary stages)": [
                "canary (OKE_CANARY_DEPLOYMENT)",
                "canary-shift (OKE_CANARY_TRAFFIC_SHIFT)",
            ],
            f"{S}.rollbackPolicy.policyType": ["prod (OKE_DEPLOYMENT)"],
            GRADUAL: ["prod (OKE_DEPLOYMENT)"],
        },
    ),
    # neighbours of 5: an approval, no rollback policy, a single batch
    (
        "canary-approval",
        [*CANARY, CANARY_APPROVAL, OKE_PROD],
        4,
        "OCI-DEVOPS-4-CANARY",
        {f"{S}.deployStageType (approval stages)": 1},
    ),
    (
        "canary-no-rollback",
        [*CANARY, dict(OKE_PROD, rollbackPolicy=NONE)],
        4,
        "OCI-DEVOPS-4-CANARY",
        {GRADUAL: []},
    ),
    (
        "lb-one-batch",
        [lb_shift(1)],
        4,
        "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT",
        {
            f"{S}[LOAD_BALANCER_TRAFFIC_SHIFT].rolloutPolicy.batchCount": 1,
            f"{S}.deployStagePredecessorCollection": False,
        },
    ),
    (
        "lb-batched-no-rollback",
        [lb_shift(4, rollback=NONE)],
        4,
        "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT",
        {GRADUAL: [], PARTIAL: []},
    ),
    (
        "bg-auto",
        [*BG, BG_SHIFT],
        4,
        "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT",
        {
            f"{S}.deployStageType (blue/green traffic shifts)": [
                "switch (COMPUTE_INSTANCE_GROUP_BLUE_GREEN_TRAFFIC_SHIFT)"
            ]
        },
    ),
    # approval after the shift does not stop the shift: still 4
    (
        "bg-approval-after",
        [*BG, BG_SHIFT, APPROVE],
        4,
        "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT",
        {f"{S}.deployStagePredecessorCollection": False},
    ),
    (
        "bg-approval-before",
        [*BG, APPROVE, BG_SHIFT],
        3,
        "OCI-DEVOPS-3-BLUE-GREEN-APPROVAL",
        {f"{S}.deployStagePredecessorCollection": True},
    ),
    (
        "lb-approval-before",
        [APPROVE, lb_shift(4)],
        3,
        "OCI-DEVOPS-3-BLUE-GREEN-APPROVAL",
        {f"{S}.deployStageType (approval stages)": 1},
    ),
    (
        "all-at-once",
        [rolling(100)],
        1,
        "OCI-DEVOPS-1-ALL-AT-ONCE",
        {f"{S}.rolloutPolicy.batchPercentage": 100},
    ),
    (
        "rolling",
        [rolling(25)],
        2,
        "OCI-DEVOPS-2-ROLLING",
        {
            f"{S}.rolloutPolicy.batchPercentage": 25,
            f"{S}.deployStageType (rolling stages)": [
                "rolling (COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT)"
            ],
        },
    ),
    (
        "oke-rolling",
        [dict(OKE_PROD, rollbackPolicy=NONE)],
        2,
        "OCI-DEVOPS-2-ROLLING",
        {f"{S}.deployStageType (rolling stages)": ["prod (OKE_DEPLOYMENT)"]},
    ),
    # rolling with automated rollback but no gradual traffic shift: still 2
    (
        "rolling-auto-rollback",
        [rolling(25, AUTO)],
        2,
        "OCI-DEVOPS-2-ROLLING",
        {f"{S}.rollbackPolicy.policyType": ["rolling (COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT)"]},
    ),
    (
        "functions-only",
        [{"displayName": "fn", "deployStageType": "DEPLOY_FUNCTION"}],
        None,
        None,
        {f"{S}.deployStageType (rolling stages)": []},
    ),
    ("empty", [], None, None, {f"{S}.deployStageType (canary stages)": []}),
]


@pytest.mark.parametrize("name,stages,level,rule,expected", CASES, ids=[c[0] for c in CASES])
def test_rule(serve, name, stages, level, rule, expected):
    served = serve(estate(deploy_pipelines=[pipeline_entry(name, stages)]))
    found, errors = served.scan()
    assert errors == []
    a = found[name]
    assert (a.level, a.rule) == (level, rule)
    assert a.basis == ("policy" if rule else None)
    ev = evidence(a)
    for field, value in expected.items():
        assert ev[field] == value
    if level is None:
        assert "has no stage that releases to a fleet" in a.reason


def test_stages_are_ordered_by_predecessors_not_listing(serve):
    # listed out of order: the shift is listed first, but follows the approval
    stages = [
        dict(BG_SHIFT, after=["approve"]),
        dict(APPROVE, after=["green"]),
        dict(BG[0], after=["pipeline"]),
    ]
    served = serve(estate(deploy_pipelines=[pipeline_entry("scrambled", stages)]))
    a = served.scan()[0]["scrambled"]
    assert (a.level, a.rule) == (3, "OCI-DEVOPS-3-BLUE-GREEN-APPROVAL")
    assert evidence(a)[f"{S}.deployStageType (predecessor order)"] == [
        "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_DEPLOYMENT",
        "MANUAL_APPROVAL",
        "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_TRAFFIC_SHIFT",
    ]


def test_parallel_branch_approval_is_not_before_the_shift(serve):
    # the approval runs beside the shift, not before it
    stages = [BG[0], dict(APPROVE, after=["green"]), dict(BG_SHIFT, after=["green"])]
    served = serve(estate(deploy_pipelines=[pipeline_entry("parallel", stages)]))
    a = served.scan()[0]["parallel"]
    assert (a.level, a.rule) == (4, "OCI-DEVOPS-4-BLUE-GREEN-AUTO-SHIFT")


def test_unreadable_stages_make_the_pipeline_not_assessed(serve):
    part = estate(
        deploy_pipelines=[pipeline_entry("blind", [lb_shift(4)])],
        faults=[{"operation": "ListDeployStages", "status": 404}],
    )
    found, errors = serve(part).scan()
    a = found["blind"]
    assert a.level is None and a.rule is None
    assert "could not be read (404 NotAuthorizedOrNotFound on list_deploy_stages" in a.reason
    assert "needed by rule OCI-DEVOPS-5-GRADUAL-AUTO-ROLLBACK" in a.reason
    assert errors == []


def test_stages_are_listed_once_per_compartment(serve):
    pipelines = [pipeline_entry(f"p{i}", [rolling(25)]) for i in range(5)]
    served = serve(estate(deploy_pipelines=pipelines))
    found, _ = served.scan(oci_compartment=(PROD,), oci_region=("uk-london-1",))
    assert len(found) == 5
    stage_calls = [c for c in served.emulator.calls if c[0] == "ListDeployStages"]
    # 5 stages at 2 a page: 3 pages, for prod only (its child has no pipelines)
    assert [c[2] for c in stage_calls] == [PROD, PROD, PROD]
    listed = {c[2] for c in served.emulator.calls if c[0] == "ListDeployPipelines"}
    assert listed == {PROD, TEAM}
    assert all(c[0] != "GetDeployPipeline" for c in served.emulator.calls)


def test_pipeline_identity_and_tags(serve):
    entry = pipeline_entry("tagged", [rolling(25)], freeformTags={"service": "grants"})
    a = serve(estate(deploy_pipelines=[entry])).scan()[0]["tagged"]
    assert a.id.startswith("ocid1.devopsdeploypipeline.oc1.uk-london-1.")
    assert a.kind == "oci.devops.deploy_pipeline"
    assert a.tags == {"service": "grants"}
