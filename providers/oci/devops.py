"""DevOps deploy pipelines: every pipeline with its stages, from one paged list
of pipelines and one paged list of stages per compartment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from providers.oci.clients import OciClients
from providers.oci.faults import OCI_ERRORS, describe
from providers.oci.pages import all_items
from providers.oci.stages import add_stage_facts, unknown_stage_facts
from providers.oci.tags import tags_of
from providers.oci.units import identity_problem, name_of
from scanner.model import Observation, ScopeError

KIND = "oci.devops.deploy_pipeline"
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


class DevopsReader:
    def __init__(self, clients: OciClients, region: str) -> None:
        self.client = clients.get("devops", region)
        self.region = region

    def collect(self, compartment: str) -> Iterator[Observation | ScopeError]:
        pipelines = [
            p
            for p in all_items(self.client.list_deploy_pipelines, compartment_id=compartment)
            if p.lifecycle_state not in GONE
        ]
        if not pipelines:
            return
        try:
            found = all_items(self.client.list_deploy_stages, compartment_id=compartment)
            stages, broken, everyone = _group(found)
        except OCI_ERRORS as exc:
            stages, broken, everyone = {}, {}, describe(exc)
        for pipeline in pipelines:
            problem = identity_problem(pipeline, "deploy pipeline")
            if problem:
                yield ScopeError("oci", f"oci:{compartment}/{self.region}", "devops", problem)
                continue
            why = everyone or broken.get(pipeline.id)
            yield self.observe(pipeline, why if why else stages.get(pipeline.id, []))

    def get(self, pipeline_id: str) -> Observation:
        pipeline = self.client.get_deploy_pipeline(pipeline_id).data
        found: list[Any] | str
        try:
            listed = all_items(self.client.list_deploy_stages, deploy_pipeline_id=pipeline_id)
            stages, broken, everyone = _group(listed)
            found = everyone or broken.get(pipeline_id) or stages.get(pipeline_id, [])
        except OCI_ERRORS as exc:
            found = describe(exc)
        if not isinstance(pipeline.id, str):
            pipeline.id = pipeline_id
        return self.observe(pipeline, found)

    def observe(self, pipeline: Any, stages: list[Any] | str) -> Observation:
        obs = Observation(
            id=pipeline.id,
            provider="oci",
            kind=KIND,
            name=name_of(pipeline),
            account=pipeline.compartment_id if isinstance(pipeline.compartment_id, str) else "",
            location=self.region,
            tags=tags_of(pipeline),
        )
        why = getattr(pipeline, "malformed", None)
        if why:
            obs.unknown("project_id", "deployPipeline.projectId", why)
            unknown_stage_facts(obs, why)
            return obs
        obs.add("project_id", "deployPipeline.projectId", pipeline.project_id)
        if isinstance(stages, str):
            unknown_stage_facts(obs, stages)
            return obs
        try:
            facts = Observation(obs.id, "oci", KIND, obs.name, obs.account, obs.location)
            add_stage_facts(facts, pipeline.id, stages)
            obs.facts.update(facts.facts)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            unknown_stage_facts(obs, f"malformed deploy stages: {type(exc).__name__}: {exc}")
        return obs
