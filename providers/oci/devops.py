"""DevOps deploy pipelines: every pipeline with its stages, from one paged list
of pipelines and one paged list of stages per compartment. With --history,
`history` (deployments.py) reads the pipeline's deployments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.oci.deployments import OPERATIONS as HISTORY_OPERATIONS
from providers.oci.deployments import history as history  # the kind's records (--history)
from providers.oci.kind import oci_kind
from providers.oci.operation import Operation
from providers.oci.stages import FACTS as STAGE_FACTS
from providers.oci.stages import add_stage_facts, unknown_stage_facts
from providers.oci.units import identity_problem, unit
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.oci.context import OciContext

PROJECT = ("project_id", "deployPipeline.projectId")
KIND = oci_kind(
    name="oci.devops.deploy_pipeline",
    title="OCI DevOps deployment pipeline",
    ocid_type="devopsdeploypipeline",
    service="devops",
    client="oci.devops.DevopsClient",
    facts=facts(PROJECT, *STAGE_FACTS),
    operations=(
        Operation(
            "devops",
            "ListDeployPipelines",
            "GET",
            "/20210630/deployPipelines",
            "inspect",
            "devops-deploy-pipeline",
            "DEVOPS_DEPLOY_PIPELINE_INSPECT",
        ),
        Operation(
            "devops",
            "GetDeployPipeline",
            "GET",
            "/20210630/deployPipelines/{deployPipelineId}",
            "read",
            "devops-deploy-pipeline",
            "DEVOPS_DEPLOY_PIPELINE_READ",
        ),
        Operation(
            "devops",
            "ListDeployStages",
            "GET",
            "/20210630/deployStages",
            "inspect",
            "devops-deploy-stage",
            "DEVOPS_DEPLOY_STAGE_INSPECT",
        ),
        *HISTORY_OPERATIONS,
    ),
)
GONE = ("DELETING", "DELETED")
Stages = dict[str, list[Any]]


def _group(stages: list[Any]) -> tuple[Stages, dict[str, str], str | None]:
    """Stages by pipeline; why a pipeline's stages are unknown; and why every
    pipeline's are (a stage that cannot be read says not whose it is)."""
    by_pipeline: Stages = defaultdict(list)
    broken: dict[str, str] = {}
    everyone: str | None = None
    for stage in stages:
        why = getattr(stage, "malformed", None)
        owner = stage.deploy_pipeline_id if isinstance(stage.deploy_pipeline_id, str) else None
        if why is None and owner is None:
            why = "a deploy stage names no pipeline"
        if why is not None:
            label = f"stage {stage.id if isinstance(stage.id, str) else '?'}: {why}"
            if owner:
                broken[owner] = label
            else:
                everyone = label
        elif stage.lifecycle_state not in GONE:
            by_pipeline[owner].append(stage)  # type: ignore[index]
    return by_pipeline, broken, everyone


def collect(ctx: OciContext) -> Iterator[Observation | ScopeError]:
    from providers.oci.faults import OCI_ERRORS, describe
    from providers.oci.pages import all_items

    client = ctx.client(KIND.service)
    pipelines = [
        p
        for p in all_items(client.list_deploy_pipelines, compartment_id=ctx.compartment)
        if p.lifecycle_state not in GONE
    ]
    if not pipelines:
        return
    try:
        found = all_items(client.list_deploy_stages, compartment_id=ctx.compartment)
        stages, broken, everyone = _group(found)
    except OCI_ERRORS as exc:
        stages, broken, everyone = {}, {}, describe(exc)
    for pipeline in pipelines:
        problem = identity_problem(pipeline, "deploy pipeline")
        if problem:
            yield ScopeError("oci", ctx.label, KIND.part, problem)
            continue
        why = everyone or broken.get(pipeline.id)
        yield observe(pipeline, ctx.region, why if why else stages.get(pipeline.id, []))


def get(ctx: OciContext, resource_id: str) -> Observation:
    from providers.oci.faults import OCI_ERRORS, describe
    from providers.oci.pages import all_items

    client = ctx.client(KIND.service)
    pipeline = client.get_deploy_pipeline(resource_id).data
    found: list[Any] | str
    try:
        listed = all_items(client.list_deploy_stages, deploy_pipeline_id=resource_id)
        stages, broken, everyone = _group(listed)
        found = everyone or broken.get(resource_id) or stages.get(resource_id, [])
    except OCI_ERRORS as exc:
        found = describe(exc)
    if not isinstance(pipeline.id, str):
        pipeline.id = resource_id
    return observe(pipeline, ctx.region, found)


def observe(pipeline: Any, region: str, stages: list[Any] | str) -> Observation:
    obs = unit(KIND.name, pipeline, region)
    why = getattr(pipeline, "malformed", None)
    if why:
        obs.unknown(*PROJECT, why)
        unknown_stage_facts(obs, why)
        return obs
    obs.add(*PROJECT, pipeline.project_id)
    if isinstance(stages, str):
        unknown_stage_facts(obs, stages)
        return obs
    try:
        staged = Observation(obs.id, "oci", KIND.name, obs.name, obs.account, obs.location)
        add_stage_facts(staged, pipeline.id, stages)
        obs.facts.update(staged.facts)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        unknown_stage_facts(obs, f"malformed deploy stages: {type(exc).__name__}: {exc}")
    return obs
