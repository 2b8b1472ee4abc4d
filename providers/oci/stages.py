"""A deploy pipeline's stages, in predecessor order, as facts.

OCI links stages by `deployStagePredecessorCollection`; the first stages name
the pipeline's own OCID as their predecessor. Rollback policies exist only on
rolling instance-group, OKE, Helm and load balancer traffic-shift stages.

An automated rollback policy counts towards a gradual release only where it
guards the release itself: on a load balancer traffic-shift stage that moves
all the traffic in batches, or on the rolling stage that completes a canary
release (one with a canary stage among its predecessors).
"""

from __future__ import annotations

from typing import Any

from scanner.model import Observation

ROLLING = {
    "COMPUTE_INSTANCE_GROUP_ROLLING_DEPLOYMENT",
    "OKE_DEPLOYMENT",
    "OKE_HELM_CHART_DEPLOYMENT",
}
BLUE_GREEN_SHIFT = {
    "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_TRAFFIC_SHIFT",
    "OKE_BLUE_GREEN_TRAFFIC_SHIFT",
}
BLUE_GREEN = BLUE_GREEN_SHIFT | {
    "COMPUTE_INSTANCE_GROUP_BLUE_GREEN_DEPLOYMENT",
    "OKE_BLUE_GREEN_DEPLOYMENT",
}
LB_SHIFT = "LOAD_BALANCER_TRAFFIC_SHIFT"
CANARY = {
    "COMPUTE_INSTANCE_GROUP_CANARY_DEPLOYMENT",
    "COMPUTE_INSTANCE_GROUP_CANARY_TRAFFIC_SHIFT",
    "OKE_CANARY_DEPLOYMENT",
    "OKE_CANARY_TRAFFIC_SHIFT",
}
APPROVAL = {"MANUAL_APPROVAL", "COMPUTE_INSTANCE_GROUP_CANARY_APPROVAL", "OKE_CANARY_APPROVAL"}
AUTOMATED_ROLLBACK = "AUTOMATED_STAGE_ROLLBACK_POLICY"
BY_PERCENTAGE = "COMPUTE_INSTANCE_GROUP_LINEAR_ROLLOUT_POLICY_BY_PERCENTAGE"
# OCI's documented default: a traffic-shift stage without rampLimitPercent
# shifts all (100 %) of the traffic.
FULL_RAMP = 100.0
S = "deployStages[]"
FACTS = (
    ("stage_types", f"{S}.deployStageType (predecessor order)"),
    ("approval_stages", f"{S}.deployStageType (approval stages)"),
    ("approval_before_traffic_shift", f"{S}.deployStagePredecessorCollection"),
    ("traffic_shift_stages", f"{S}.deployStageType (blue/green traffic shifts)"),
    ("blue_green_stages", f"{S}.deployStageType (blue/green stages)"),
    ("canary_stages", f"{S}.deployStageType (canary stages)"),
    ("rolling_stages", f"{S}.deployStageType (rolling stages)"),
    ("lb_shift_batch_count", f"{S}[{LB_SHIFT}].rolloutPolicy.batchCount"),
    (
        "lb_shift_ramp_limit",
        f"{S}[{LB_SHIFT}].rolloutPolicy.rampLimitPercent (lowest; absent = 100)",
    ),
    ("partial_shift_stages", f"{S}[{LB_SHIFT}] (rampLimitPercent below 100)"),
    ("automated_rollback_stages", f"{S}.rollbackPolicy.policyType"),
    (
        "gradual_rollback_stages",
        f"{S}.rollbackPolicy.policyType (on a batched full traffic shift,"
        " or on the release after a canary)",
    ),
    ("max_batch_percentage", f"{S}.rolloutPolicy.batchPercentage"),
)


def ordered(pipeline_id: str, stages: list[Any]) -> list[Any]:
    """Stages in predecessor order (Kahn's algorithm); ties by name. Stages
    whose predecessors never resolve (a broken graph) come last, by name."""
    by_id = {s.id: s for s in stages}
    preds = {s.id: _predecessors(s) & (set(by_id) | {pipeline_id}) for s in stages}
    done: set[str] = {pipeline_id}
    out: list[Any] = []
    while True:
        ready = sorted(
            (s for s in stages if s.id not in done and preds[s.id] <= done),
            key=lambda s: (s.display_name or "", s.id),
        )
        if not ready:
            break
        for stage in ready:
            done.add(stage.id)
            out.append(stage)
    rest = [s for s in stages if s.id not in done]
    return out + sorted(rest, key=lambda s: (s.display_name or "", s.id))


def _predecessors(stage: Any) -> set[str]:
    collection = stage.deploy_stage_predecessor_collection
    return {p.id for p in (collection.items if collection else None) or []}


def _ancestors(stage_id: str, by_id: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [stage_id]
    while todo:
        current = by_id.get(todo.pop())
        if current is None:
            continue
        for pred in _predecessors(current):
            if pred not in seen:
                seen.add(pred)
                todo.append(pred)
    return seen


def _label(stage: Any) -> str:
    return f"{stage.display_name or stage.id} ({stage.deploy_stage_type})"


def _ramp_limit(stage: Any) -> float:
    limit = getattr(stage.rollout_policy, "ramp_limit_percent", None)
    return FULL_RAMP if limit is None else float(limit)


def _auto_rollback(stage: Any) -> bool:
    policy = getattr(stage, "rollback_policy", None)
    return getattr(policy, "policy_type", None) == AUTOMATED_ROLLBACK


def _guards_release(stage: Any, by_id: dict[str, Any]) -> bool:
    """The stage's automated rollback undoes a gradual release: it shifts all
    the traffic in batches itself, or completes a canary release."""
    if not _auto_rollback(stage):
        return False
    if stage.deploy_stage_type == LB_SHIFT:
        policy = getattr(stage, "rollout_policy", None)
        return bool(
            policy is not None and (policy.batch_count or 0) > 1 and _ramp_limit(stage) >= FULL_RAMP
        )
    if stage.deploy_stage_type in ROLLING:
        before = _ancestors(stage.id, by_id)
        return any(by_id[i].deploy_stage_type in CANARY for i in before if i in by_id)
    return False


def add_stage_facts(obs: Observation, pipeline_id: str, stages: list[Any]) -> None:
    order = ordered(pipeline_id, stages)
    by_id = {s.id: s for s in order}
    types = [s.deploy_stage_type for s in order]
    approvals = {s.id for s in order if s.deploy_stage_type in APPROVAL}
    shifts = [s for s in order if s.deploy_stage_type in BLUE_GREEN_SHIFT | {LB_SHIFT}]
    lb_shifts = [
        s for s in order if s.deploy_stage_type == LB_SHIFT and getattr(s, "rollout_policy", None)
    ]
    lb_batches = [s.rollout_policy.batch_count for s in lb_shifts]
    percentages = [
        s.rollout_policy.batch_percentage
        for s in order
        if getattr(s, "rollout_policy", None) is not None
        and getattr(s.rollout_policy, "policy_type", None) == BY_PERCENTAGE
    ]
    values: dict[str, Any] = {
        "stage_types": types,
        "approval_stages": len(approvals),
        "approval_before_traffic_shift": (
            all(_ancestors(s.id, by_id) & approvals for s in shifts) if shifts else None
        ),
        "traffic_shift_stages": [_label(s) for s in shifts],
        "blue_green_stages": [_label(s) for s in order if s.deploy_stage_type in BLUE_GREEN],
        "canary_stages": [_label(s) for s in order if s.deploy_stage_type in CANARY],
        "rolling_stages": [_label(s) for s in order if s.deploy_stage_type in ROLLING],
        "lb_shift_batch_count": max((b for b in lb_batches if b is not None), default=None),
        "lb_shift_ramp_limit": min((_ramp_limit(s) for s in lb_shifts), default=None),
        "partial_shift_stages": [
            f"{_label(s)} stops at {_ramp_limit(s):g}%"
            for s in lb_shifts
            if _ramp_limit(s) < FULL_RAMP
        ],
        "automated_rollback_stages": [_label(s) for s in order if _auto_rollback(s)],
        "gradual_rollback_stages": [_label(s) for s in order if _guards_release(s, by_id)],
        "max_batch_percentage": max((p for p in percentages if p is not None), default=None),
    }
    for name, field in FACTS:
        obs.add(name, field, values[name])


def unknown_stage_facts(obs: Observation, why: str) -> None:
    for name, field in FACTS:
        obs.unknown(name, field, why)
