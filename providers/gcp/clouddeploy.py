"""Cloud Deploy delivery pipelines whose last (production) stage is a canary.

The unit is a delivery pipeline whose last stage (`serialPipeline.stages[-1]`)
uses the `canary` strategy. A pipeline whose last stage is `standard` runs one
deploy: the release is judged at the workload it deploys (a Cloud Run service
names the pipeline in its own evidence, from the labels Cloud Deploy puts on
rendered manifests), so a scan reads it but does not report it; `relscan
check` on one reports it not assessed, saying so.

Per location: the pipelines, the location's targets (the last stage's target
is in the pipeline's project and location), and for each canary pipeline its
automations. Which automation reaches the last target, and whether its rules
advance and roll back the canary phases, is worked out here from the
documented semantics (selector `*`, target id or labels; a repair rule's empty
`phases`/`jobs` filter means every phase/job); the rules read the results.

With --history, `history` (deploy_history.py) reads the rollouts on the last
target.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.gcp.context import GcpContext
from providers.gcp.deploy_history import READS as HISTORY_READS
from providers.gcp.deploy_history import history as history  # the kind's records
from providers.gcp.facts import api_dict, labels
from providers.gcp.kind import gcp_kind
from providers.gcp.names import parse_resource_name
from providers.gcp.reads import SEGMENT, rest_get
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.gcp.clients import GcpClients

PIPELINE = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"
VERIFY_JOB = "verify"  # the verify job's id in every phase of a rollout
LOCATIONS_PAGE = 100  # locations asked for a page

KIND = gcp_kind(
    name="gcp.deploy.pipeline",
    title="Cloud Deploy delivery pipeline",
    label="Cloud Deploy delivery pipeline",
    service="clouddeploy",
    templates=("projects/{project}/locations/{region}/deliveryPipelines/{deploy_pipeline}",),
    parts={
        "deploy_pipeline": (
            PIPELINE,
            "delivery pipeline {!r} is not 1 to 63 lowercase letters, digits and "
            "hyphens, starting with a letter",
        )
    },
    id_form="//clouddeploy.googleapis.com/projects/P/locations/L/deliveryPipelines/D",
    url=r"clouddeploy\.googleapis\.com/v1",
    url_example="https://clouddeploy.googleapis.com/v1/",
    facts=facts(
        ("last_stage_strategy", "serialPipeline.stages[-1].strategy"),
        ("last_target", "serialPipeline.stages[-1].targetId"),
        ("canary_percentages", "strategy.canary.canaryDeployment.percentages"),
        ("canary_phases", "canary phases (canary-N, or customCanaryDeployment.phaseConfigs)"),
        ("verify", "canaryDeployment.verify / customCanaryDeployment.phaseConfigs[].verify"),
        ("require_approval", "targets[last].requireApproval"),
        ("target_runtime", "targets[last].run.location / gke.cluster"),
        ("automations", "automations[] reaching the last target"),
        ("auto_advance", "automations[].rules[].advanceRolloutRule"),
        ("advance_wait_seconds", "automations[].rules[].advanceRolloutRule.wait"),
        ("auto_rollback", "automations[].rules[].repairRolloutRule.repairPhases[].rollback"),
        ("repair_rules", "automations[].rules[].repairRolloutRule"),
        ("suspended", "suspended"),
        ("run_services", "Cloud Run services released by the pipeline"),
    ),
    reads=(
        rest_get(
            "clouddeploy",
            "clouddeploy.projects.locations.list",
            f"/v1/projects/{SEGMENT}/locations",
            "clouddeploy.locations.list",
        ),
        rest_get(
            "clouddeploy",
            "projects.locations.deliveryPipelines.list",
            f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/deliveryPipelines",
            "clouddeploy.deliveryPipelines.list",
        ),
        rest_get(
            "clouddeploy",
            "projects.locations.deliveryPipelines.get",
            f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/deliveryPipelines/{SEGMENT}",
            "clouddeploy.deliveryPipelines.get",
        ),
        rest_get(
            "clouddeploy",
            "projects.locations.targets.list",
            f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/targets",
            "clouddeploy.targets.list",
        ),
        rest_get(
            "clouddeploy",
            "projects.locations.targets.get",
            f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/targets/{SEGMENT}",
            "clouddeploy.targets.get",
        ),
        rest_get(
            "clouddeploy",
            "projects.locations.deliveryPipelines.automations.list",
            f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/deliveryPipelines/{SEGMENT}/automations",
            "clouddeploy.automations.list",
        ),
        *HISTORY_READS,  # --history: releases, rollouts, automation runs
    ),
    clients={"deploy": "google.cloud.deploy_v1:CloudDeployClient"},
)


def pipeline_id(project: str, location: str, pipeline: str) -> str:
    return (
        f"//clouddeploy.googleapis.com/projects/{project}/locations/{location}"
        f"/deliveryPipelines/{pipeline}"
    )


def last_stage(raw: dict[str, Any]) -> dict[str, Any]:
    stages = (raw.get("serialPipeline") or {}).get("stages") or []
    return dict(stages[-1]) if stages else {}


def strategy_of(stage: dict[str, Any]) -> str:
    """`canary`, `standard` (also an absent strategy: the API's default), or ''."""
    strategy = stage.get("strategy") or {}
    if "canary" in strategy:
        return "canary"
    return "standard" if stage else ""


def canary_phases(canary: dict[str, Any]) -> tuple[list[int], list[str], bool]:
    """(percentages, the phases before `stable`, verify on) of a canary strategy.
    A percentage-based canary's phases are `canary-N` for each percentage, then
    `stable`; a custom canary's are its phaseConfigs' phaseIds."""
    if "customCanaryDeployment" in canary:
        configs = (canary.get("customCanaryDeployment") or {}).get("phaseConfigs") or []
        percents = [int(c.get("percentage") or 0) for c in configs]
        phases = [str(c.get("phaseId")) for c in configs if int(c.get("percentage") or 0) < 100]
        return percents, phases, any(bool(c.get("verify")) for c in configs)
    deployment = canary.get("canaryDeployment") or {}
    percents = [int(p) for p in deployment.get("percentages") or []]
    phases = [f"canary-{p}" for p in percents if p < 100]
    return percents, phases, bool(deployment.get("verify"))


def reaches(automation: dict[str, Any], target: dict[str, Any]) -> bool:
    """Whether an automation's selector selects `target`: a TargetAttribute
    whose id is `*` or the target's id, and whose labels the target carries
    (an attribute with labels only selects by labels)."""
    target_id = str(target.get("targetId") or str(target.get("name", "")).rsplit("/", 1)[-1])
    target_labels = labels(target)
    for attr in (automation.get("selector") or {}).get("targets") or []:
        wanted = attr.get("labels") or {}
        given = attr.get("id") or ""
        if not given and not wanted:
            continue
        if given and given not in ("*", target_id):
            continue
        if all(target_labels.get(k) == v for k, v in wanted.items()):
            return True
    return False


def _seconds(duration: Any) -> float:
    """A google.protobuf.Duration in JSON ("3600s") as seconds."""
    text = str(duration or "0s").removesuffix("s")
    try:
        return float(text)
    except ValueError:
        return 0.0


def _repair_covers(rule: dict[str, Any], phases: list[str]) -> bool:
    """A repair rule that rolls back, whose filters take in the verify job and
    every canary phase (an empty filter takes in everything)."""
    if not any("rollback" in p for p in rule.get("repairPhases") or []):
        return False
    jobs = rule.get("jobs") or []
    if jobs and VERIFY_JOB not in jobs:
        return False
    wanted = rule.get("phases") or []
    return not wanted or all(p in wanted for p in phases)


def _repair_text(automation: str, rule: dict[str, Any]) -> str:
    actions = []
    for phase in rule.get("repairPhases") or []:
        if "retry" in phase:
            actions.append(f"retry x{int((phase.get('retry') or {}).get('attempts') or 0)}")
        if "rollback" in phase:
            actions.append("rollback")
    where = ", ".join(
        [f"phases {rule['phases']}" for _ in [0] if rule.get("phases")]
        + [f"jobs {rule['jobs']}" for _ in [0] if rule.get("jobs")]
    )
    return f"{automation}/{rule.get('id')}: {' then '.join(actions) or 'no action'}" + (
        f" ({where})" if where else " (every phase and job)"
    )


def observe(
    raw: dict[str, Any],
    project: str,
    location: str,
    target: dict[str, Any] | None,
    automations: list[dict[str, Any]],
) -> Observation:
    pipeline = str(raw.get("name", "")).rsplit("/", 1)[-1]
    obs = Observation(
        id=pipeline_id(project, location, pipeline),
        provider="gcp",
        kind=KIND.name,
        name=pipeline,
        account=project,
        location=location,
        tags=labels(raw),
    )
    stage = last_stage(raw)
    strategy = strategy_of(stage)
    obs.add("last_stage_strategy", "serialPipeline.stages[-1].strategy", strategy or None)
    obs.add("last_target", "serialPipeline.stages[-1].targetId", stage.get("targetId"))
    canary = (stage.get("strategy") or {}).get("canary") or {}
    percents, phases, verify = canary_phases(canary) if strategy == "canary" else ([], [], False)
    obs.add("canary_percentages", "canary percentages (canaryDeployment or phaseConfigs)",
            [f"{p}%" for p in percents])  # fmt: skip
    obs.add("canary_phases", "canary phases before stable", phases)
    obs.add("verify", "canaryDeployment.verify / phaseConfigs[].verify", verify)
    target = target or {}
    obs.add(
        "require_approval", "targets[last].requireApproval", bool(target.get("requireApproval"))
    )
    runtime = (target.get("run") or {}).get("location") or (target.get("gke") or {}).get("cluster")
    obs.add("target_runtime", "targets[last].run.location / gke.cluster", runtime)
    live = [a for a in automations if not a.get("suspended") and target and reaches(a, target)]
    names = [str(a.get("name", "")).rsplit("/", 1)[-1] for a in live]
    obs.add("automations", "automations (not suspended) reaching the last target", names)
    waits: list[float] = []
    repairs: list[str] = []
    rollback = False
    for name, automation in zip(names, live, strict=True):
        for rule in automation.get("rules") or []:
            if "advanceRolloutRule" in rule:
                waits.append(_seconds((rule["advanceRolloutRule"] or {}).get("wait")))
            if "repairRolloutRule" in rule:
                repair = rule["repairRolloutRule"] or {}
                repairs.append(_repair_text(name, repair))
                rollback = rollback or _repair_covers(repair, phases)
    obs.add("auto_advance", "advanceRolloutRule in a live automation", bool(waits))
    obs.add("advance_wait_seconds", "advanceRolloutRule.wait (s)", max(waits) if waits else None)
    obs.add("auto_rollback", "repairRolloutRule rollback covering verify and canary phases",
            rollback)  # fmt: skip
    obs.add("repair_rules", "repairRolloutRule (automation/rule: actions)", repairs)
    obs.add("suspended", "suspended", bool(raw.get("suspended")))
    obs.add("run_services", "Cloud Run services it releases (linked, not counted again)", [])
    return obs


def list_locations(clients: GcpClients, project: str) -> list[str]:
    """The project's Cloud Deploy locations (Locations.ListLocations over REST;
    the client's mixin answers one page, so the pages are followed here)."""
    client = clients.get("deploy")
    found: list[str] = []
    token = ""
    while True:
        # pageSize also keeps this answer apart from Cloud Run's in an evidence
        # bundle, whose keys leave the host out (the two share the path)
        request = {"name": f"projects/{project}", "page_size": LOCATIONS_PAGE, "page_token": token}
        page = client.list_locations(request=request, retry=clients.retry)
        found += [loc.location_id for loc in page.locations if loc.location_id]
        token = page.next_page_token
        if not token:
            return sorted(set(found))


def collect(ctx: GcpContext) -> Iterator[Observation | ScopeError]:
    """Every canary pipeline in every location of the project; a location that
    cannot be read is a scope error of its own, but an API that is not enabled
    is the kind's (it is the same in every location)."""
    from providers.gcp.faults import GCP_ERRORS, describe, disabled_api

    client = ctx.clients.get("deploy")
    retry = ctx.clients.retry

    def pipelines_in(location: str) -> list[Observation | ScopeError]:
        found: list[Observation | ScopeError] = []
        parent = f"projects/{ctx.project}/locations/{location}"
        try:
            pipelines = [
                api_dict(p)
                for p in client.list_delivery_pipelines(request={"parent": parent}, retry=retry)
            ]
            canaries = [p for p in pipelines if strategy_of(last_stage(p)) == "canary"]
            if not canaries:
                return found
            targets = {
                str(t.target_id): api_dict(t)
                for t in client.list_targets(request={"parent": parent}, retry=retry)
            }
            for raw in canaries:
                pager = client.list_automations(request={"parent": raw["name"]}, retry=retry)
                automations = [api_dict(a) for a in pager]
                target = targets.get(str(last_stage(raw).get("targetId")))
                found.append(observe(raw, ctx.project, location, target, automations))
        except GCP_ERRORS as exc:  # the pipelines read before are kept
            if disabled_api(exc):
                raise
            found.append(ScopeError("gcp", ctx.scope, f"{KIND.part} in {location}", describe(exc)))
        return found

    for found in fan_out(list_locations(ctx.clients, ctx.project), pipelines_in):
        yield from found


def get(ctx: GcpContext, resource_id: str) -> Observation:
    from providers.gcp.faults import GCP_ERRORS, is_not_found

    rn = parse_resource_name(resource_id, (KIND,))
    client = ctx.clients.get("deploy")
    retry = ctx.clients.retry
    parent = f"projects/{rn.project}/locations/{rn.location}"
    raw = api_dict(client.get_delivery_pipeline(name=f"{parent}/deliveryPipelines/{rn.name}",
                                                retry=retry))  # fmt: skip
    target_id = last_stage(raw).get("targetId")
    target = None
    if target_id:
        try:
            target = api_dict(client.get_target(name=f"{parent}/targets/{target_id}", retry=retry))
        except GCP_ERRORS as exc:  # a stage may name a target not created yet
            if not is_not_found(exc):
                raise
    automations = (
        [
            api_dict(a)
            for a in client.list_automations(request={"parent": raw["name"]}, retry=retry)
        ]  # fmt: skip
        if strategy_of(last_stage(raw)) == "canary"
        else []
    )
    return observe(raw, rn.project, rn.location, target, automations)
