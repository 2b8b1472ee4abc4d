"""Cloud Deploy delivery pipelines: a canary last stage is the unit (4, or 5
with verify, an advancing automation and a rolling-back repair rule); a
standard one is judged at its Cloud Run service, which names it.

The pipeline, target and automation bodies follow Google's reference
examples: the canary pipeline and Cloud Run target of "Use a canary
deployment strategy" (https://cloud.google.com/deploy/docs/deployment-strategies/canary,
`serialPipeline.stages[].strategy.canary.canaryDeployment.percentages: [25, 50]`,
`verify: true`, `run.location: projects/PROJECT/locations/REGION`), its custom
canary (`customCanaryDeployment.phaseConfigs`), and the automation rules of
"Use automation rules" (https://cloud.google.com/deploy/docs/automation-rules:
`advanceRolloutRule {sourcePhases, wait}`, `repairRolloutRule {phases, jobs,
repairPhases: [{retry: {attempts, wait, backoffMode}}, {rollback:
{destinationPhase, disableRollbackIfRolloutPending}}]}`, selector
`targets: [{id: prod}]`), written as the REST API's JSON.
"""

from __future__ import annotations

from typing import Any

from providers.gcp.plugin import plugin
from tests.gcp.conftest import LATEST, PROJECT, REGION, evidence, project

PIPE_ID = (
    f"//clouddeploy.googleapis.com/projects/{PROJECT}/locations/{REGION}/deliveryPipelines/web-app"
)
RUN_ID = f"//run.googleapis.com/projects/{PROJECT}/locations/{REGION}/services/web-app"


def canary(percentages: tuple[int, ...] = (25, 50), verify: bool = True) -> dict[str, Any]:
    return {"canary": {"runtimeConfig": {"cloudRun": {"automaticTrafficControl": True}},
                       "canaryDeployment": {"percentages": list(percentages),
                                            "verify": verify}}}  # fmt: skip


def pipeline(last: dict[str, Any] | None, name: str = "web-app", **extra: Any) -> dict[str, Any]:
    stages: list[dict[str, Any]] = [{"targetId": "staging"}]
    stages.append({"targetId": "prod", **({"strategy": last} if last is not None else {})})
    return {"location": REGION, "name": name, "serialPipeline": {"stages": stages}, **extra}


def target(name: str = "prod", **extra: Any) -> dict[str, Any]:
    return {"location": REGION, "name": name,
            "run": {"location": f"projects/{PROJECT}/locations/{REGION}"}, **extra}  # fmt: skip


ADVANCE = {"advanceRolloutRule": {"id": "advance-rollout", "sourcePhases": ["canary-25"],
                                  "wait": "3600s"}}  # fmt: skip
RETRY = {"retry": {"attempts": "3", "wait": "60s", "backoffMode": "BACKOFF_MODE_LINEAR"}}
ROLLBACK = {"rollback": {"destinationPhase": "stable", "disableRollbackIfRolloutPending": True}}
REPAIR = {"repairRolloutRule": {"id": "repair-rollout", "jobs": ["deploy", "verify"],
                                "repairPhases": [RETRY, ROLLBACK]}}  # fmt: skip


def automation(*rules: dict[str, Any], name: str = "prod-canary", selector: str = "prod",
               pipe: str = "web-app", **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"location": REGION, "pipeline": pipe, "name": name,
            "serviceAccount": f"deployer@{PROJECT}.iam.gserviceaccount.com",
            "selector": {"targets": [{"id": selector}]}, "rules": list(rules), **extra}  # fmt: skip


def estate(pipes: list[dict[str, Any]], autos: list[dict[str, Any]] | None = None,
           **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"projects": [project(deploy_pipelines=pipes,
                                 deploy_targets=[target("staging"), target()],
                                 deploy_automations=autos or [], **extra)]}  # fmt: skip


def run_service(pipe: str = "web-app", target_id: str = "prod") -> dict[str, Any]:
    """A Cloud Run service as a Cloud Deploy rollout leaves it: the labels Cloud
    Deploy adds to rendered manifests (https://cloud.google.com/deploy/docs/labels-annotations)."""
    return {"location": REGION, "name": "web-app",
            "traffic": [{"type": LATEST, "percent": 100}],
            "labels": {"app.kubernetes.io/managed-by": "google-cloud-deploy",
                       "deploy.cloud.google.com/location": REGION,
                       "deploy.cloud.google.com/project-id": PROJECT,
                       "deploy.cloud.google.com/delivery-pipeline-id": pipe,
                       "deploy.cloud.google.com/release-id": "rel-0042",
                       "deploy.cloud.google.com/target-id": target_id}}  # fmt: skip


def test_canary_without_automation_is_level_4(gcp):
    data = estate([pipeline(canary())])
    data["projects"][0]["deploy_targets"][1]["requireApproval"] = True
    a = gcp.scan(data).one()
    assert (a.id, a.level, a.rule, a.basis) == (PIPE_ID, 4, "GCP-DEPLOY-4-CANARY", "policy")
    ev = evidence(a)
    assert ev["serialPipeline.stages[-1].strategy"] == "canary"
    assert ev["canary percentages (canaryDeployment or phaseConfigs)"] == ["25%", "50%"]
    assert ev["canary phases before stable"] == ["canary-25", "canary-50"]
    assert "automations (not suspended) reaching the last target" not in ev  # none
    assert ev["targets[last].requireApproval"] is True  # evidence only: still 4
    assert (
        ev["targets[last].run.location / gke.cluster"] == f"projects/{PROJECT}/locations/{REGION}"
    )
    assert any("repairRolloutRule" in step for step in a.next_steps)


def test_canary_verify_advance_and_rollback_is_level_5(gcp):
    a = gcp.scan(estate([pipeline(canary())], [automation(ADVANCE, REPAIR)])).one()
    assert (a.level, a.rule, a.basis) == (5, "GCP-DEPLOY-5-CANARY-VERIFY-ROLLBACK", "policy")
    ev = evidence(a)
    assert ev["advanceRolloutRule.wait (s)"] == 3600
    assert ev["repairRolloutRule (automation/rule: actions)"] == [
        "prod-canary/repair-rollout: retry x3 then rollback (jobs ['deploy', 'verify'])"
    ]
    assert ev["automations (not suspended) reaching the last target"] == ["prod-canary"]


def test_each_missing_condition_just_misses_level_5(gcp):
    retry_only = {"repairRolloutRule": {"id": "r", "repairPhases": [{"retry": {"attempts": "2"}}]}}
    deploy_job_only = {"repairRolloutRule": {**REPAIR["repairRolloutRule"], "jobs": ["deploy"]}}
    stable_only = {"repairRolloutRule": {**REPAIR["repairRolloutRule"], "phases": ["stable"]}}
    no_wait = {"advanceRolloutRule": {"id": "advance-rollout"}}
    cases = {
        "no verify": ([pipeline(canary(verify=False))], [automation(ADVANCE, REPAIR)]),
        "suspended": ([pipeline(canary())], [automation(ADVANCE, REPAIR, suspended=True)]),
        "other target": ([pipeline(canary())], [automation(ADVANCE, REPAIR, selector="staging")]),
        "no advance": ([pipeline(canary())], [automation(REPAIR)]),
        "no bake": ([pipeline(canary())], [automation(no_wait, REPAIR)]),
        "retry only": ([pipeline(canary())], [automation(ADVANCE, retry_only)]),
        "verify job left out": ([pipeline(canary())], [automation(ADVANCE, deploy_job_only)]),
        "canary phases left out": ([pipeline(canary())], [automation(ADVANCE, stable_only)]),
    }
    for why, (pipes, autos) in cases.items():
        a = gcp.scan(estate(pipes, autos)).one()
        assert (a.level, a.rule) == (4, "GCP-DEPLOY-4-CANARY"), why


def test_wildcard_or_label_selector_and_split_automations_reach_level_5(gcp):
    by_labels = automation(ADVANCE, selector="", name="adv")
    by_labels["selector"] = {"targets": [{"labels": {"env": "prod"}}]}
    data = estate([pipeline(canary())], [by_labels, automation(REPAIR, selector="*", name="fix")])
    data["projects"][0]["deploy_targets"][1]["labels"] = {"env": "prod"}
    a = gcp.scan(data).one()
    assert (a.level, a.rule) == (5, "GCP-DEPLOY-5-CANARY-VERIFY-ROLLBACK")
    assert evidence(a)["automations (not suspended) reaching the last target"] == ["adv", "fix"]


def test_custom_canary_phases_and_verify(gcp):
    custom = {"canary": {"customCanaryDeployment": {"phaseConfigs": [
        {"phaseId": "first", "percentage": 10, "verify": True},
        {"phaseId": "second", "percentage": 50, "verify": True},
        {"phaseId": "stable", "percentage": 100, "verify": True}]}}}  # fmt: skip
    covered = {"repairRolloutRule": {**REPAIR["repairRolloutRule"], "phases": ["first", "second"]}}
    a = gcp.scan(estate([pipeline(custom)], [automation(ADVANCE, covered)])).one()
    assert (a.level, a.rule) == (5, "GCP-DEPLOY-5-CANARY-VERIFY-ROLLBACK")
    assert evidence(a)["canary phases before stable"] == ["first", "second"]
    half = {"repairRolloutRule": {**REPAIR["repairRolloutRule"], "phases": ["first"]}}
    a = gcp.scan(estate([pipeline(custom)], [automation(ADVANCE, half)])).one()
    assert (a.level, a.rule) == (4, "GCP-DEPLOY-4-CANARY")


def test_standard_pipeline_is_not_a_unit_and_its_service_names_it(gcp):
    data = estate([pipeline(None)])
    data["projects"][0]["run_services"] = [run_service()]
    result = gcp.scan(data)
    assert list(result.units) == [RUN_ID]
    a = result.units[RUN_ID]
    assert (a.level, a.rule) == (4, "GCP-RUN-4-LATEST-AUTO")
    assert evidence(a)["labels[deploy.cloud.google.com/*] (pipeline, target)"] == (
        f"projects/{PROJECT}/locations/{REGION}/deliveryPipelines/web-app (target prod)"
    )


def test_check_on_a_standard_pipeline_says_why_it_is_not_assessed(gcp):
    a = gcp.check(estate([pipeline({"standard": {"verify": True}})]), PIPE_ID)
    assert (a.level, a.rule) == (None, "GCP-DEPLOY-NA-STANDARD")
    assert "judged at the workload" in a.reason


def test_check_reads_one_canary_pipeline(gcp):
    a = gcp.check(estate([pipeline(canary())], [automation(ADVANCE, REPAIR)]), PIPE_ID)
    assert (a.id, a.level, a.rule) == (PIPE_ID, 5, "GCP-DEPLOY-5-CANARY-VERIFY-ROLLBACK")


def test_cloud_run_service_of_a_canary_pipeline_is_counted_once(gcp):
    data = estate([pipeline(canary())])
    data["projects"][0]["run_services"] = [run_service()]
    result = gcp.scan(data)
    assert list(result.units) == [PIPE_ID]  # the service is the pipeline's
    ev = evidence(result.units[PIPE_ID])
    assert ev["Cloud Run services it releases (linked, not counted again)"] == ["web-app"]


def test_a_service_of_another_target_or_without_labels_is_not_linked(gcp):
    other = run_service(target_id="staging")
    plain = {"location": REGION, "name": "plain", "traffic": [{"type": LATEST, "percent": 100}]}
    data = estate([pipeline(canary())])
    data["projects"][0]["run_services"] = [other, plain]
    result = gcp.scan(data)
    assert len(result.units) == 3
    ev = evidence(result.units[PIPE_ID])
    assert "Cloud Run services it releases (linked, not counted again)" not in ev  # none


def test_pipelines_page_in_every_location(gcp):
    pipes = [pipeline(canary(), name=f"p{i}") for i in range(5)]
    pipes.append({**pipeline(canary(), name="east"), "location": "us-east1"})
    result = gcp.scan(estate(pipes))
    assert len(result.units) == 6
    calls = [c for c in result.emulator.calls if c[0] == "clouddeploy"]
    assert calls.count(("clouddeploy", "deliveryPipelines.list", PROJECT)) == 3 + 1
    assert {a.location for a in result.units.values()} == {REGION, "us-east1"}


def test_api_not_enabled_is_one_scope_error_for_the_kind(gcp):
    data = estate([pipeline(canary())], apis_disabled=["clouddeploy.googleapis.com"])
    result = gcp.scan(data)
    assert result.units == {}
    assert [(e.service, e.message) for e in result.errors] == [(
        "gcp.deploy.pipeline",
        "clouddeploy.googleapis.com is not enabled in this project (SERVICE_DISABLED), so its "
        "Cloud Deploy delivery pipelines are not assessed")]  # fmt: skip


def test_one_failing_location_keeps_the_others(gcp):
    pipes = [pipeline(canary()), {**pipeline(canary(), name="east"), "location": "us-east1"}]
    data = estate(pipes)
    data["faults"] = [{"api": "clouddeploy", "op": "targets.list", "status": 403, "times": 1}]
    result = gcp.scan(data)  # the two locations are read side by side: either may fail
    assert len(result.units) == 1
    (unit,) = result.units.values()
    (error,) = result.errors
    assert (
        error.service == "gcp.deploy.pipeline in " + ({REGION, "us-east1"} - {unit.location}).pop()
    )
    assert "403" in error.message


def test_grant_names_the_cloud_deploy_reads():
    permissions = plugin.permissions().permissions
    for name in ("clouddeploy.locations.list", "clouddeploy.deliveryPipelines.list",
                 "clouddeploy.deliveryPipelines.get", "clouddeploy.targets.list",
                 "clouddeploy.targets.get", "clouddeploy.automations.list"):  # fmt: skip
        assert name in permissions
