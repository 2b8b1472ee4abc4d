"""DevOps deploy pipelines: every pipeline with its stages, from one paged list
of pipelines and one paged list of stages per compartment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import oci

from providers.oci.clients import OciClients
from providers.oci.faults import OCI_ERRORS, describe
from providers.oci.stages import add_stage_facts, unknown_stage_facts
from providers.oci.tags import tags_of
from scanner.model import Observation

KIND = "oci.devops.deploy_pipeline"
GONE = ("DELETING", "DELETED")


class DevopsReader:
    def __init__(self, clients: OciClients, region: str) -> None:
        self.client = clients.get("devops", region)
        self.region = region

    def collect(self, compartment: str) -> Iterator[Observation]:
        pipelines = [
            p
            for p in oci.pagination.list_call_get_all_results(
                self.client.list_deploy_pipelines, compartment_id=compartment
            ).data
            if p.lifecycle_state not in GONE
        ]
        if not pipelines:
            return
        stages: dict[str, list[Any]] | str
        try:
            stages = defaultdict(list)
            for stage in oci.pagination.list_call_get_all_results(
                self.client.list_deploy_stages, compartment_id=compartment
            ).data:
                if stage.lifecycle_state not in GONE:
                    stages[stage.deploy_pipeline_id].append(stage)
        except OCI_ERRORS as exc:
            stages = describe(exc)
        for pipeline in pipelines:
            if isinstance(stages, str):
                yield self.observe(pipeline, stages)
            else:
                yield self.observe(pipeline, stages.get(pipeline.id, []))

    def get(self, pipeline_id: str) -> Observation:
        pipeline = self.client.get_deploy_pipeline(pipeline_id).data
        try:
            found: list[Any] | str = [
                s
                for s in oci.pagination.list_call_get_all_results(
                    self.client.list_deploy_stages, deploy_pipeline_id=pipeline_id
                ).data
                if s.lifecycle_state not in GONE
            ]
        except OCI_ERRORS as exc:
            found = describe(exc)
        return self.observe(pipeline, found)

    def observe(self, pipeline: Any, stages: list[Any] | str) -> Observation:
        obs = Observation(
            id=pipeline.id,
            provider="oci",
            kind=KIND,
            name=pipeline.display_name or pipeline.id,
            account=pipeline.compartment_id,
            location=self.region,
            tags=tags_of(pipeline),
        )
        obs.add("project_id", "deployPipeline.projectId", pipeline.project_id)
        if isinstance(stages, str):
            unknown_stage_facts(obs, stages)
        else:
            add_stage_facts(obs, pipeline.id, stages)
        return obs
