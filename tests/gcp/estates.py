"""A small estate that makes the provider use every read it declares: zonal and
regional groups with templates, global and regional weighted URL maps with
their front ends, App Engine, and Cloud Run in two locations, in two projects."""

from __future__ import annotations

from typing import Any

from tests.gcp.conftest import LATEST, PROJECT, REGION, REVISION, ZONE

OTHER = "payments-prod"
SPLIT = {"weightedBackendServices": [{"backendService": "a", "weight": 90},
                                     {"backendService": "b", "weight": 10}]}  # fmt: skip


def rich_project(pid: str) -> dict[str, Any]:
    return {
        "id": pid,
        "instance_templates": [{"name": "t", "properties": {"labels": {"service": "web"}}}],
        "instance_group_managers": [
            {"zone": ZONE, "name": "web", "targetSize": 4, "instanceTemplate": "t",
             "updatePolicy": {"type": "PROACTIVE", "maxSurge": {"fixed": 1},
                              "maxUnavailable": {"fixed": 0}}},
            {"region": REGION, "name": "api", "targetSize": 3, "instanceTemplate": "t",
             "updatePolicy": {"type": "OPPORTUNISTIC"}},
            {"zone": ZONE, "name": "canary", "targetSize": 10, "instanceTemplate": "t",
             "versions": [{"name": "base", "instanceTemplate": "t"},
                          {"name": "next", "instanceTemplate": "t",
                           "targetSize": {"fixed": 1}}]},
        ],
        "url_maps": [
            {"name": "lb", "defaultService": "a", "defaultRouteAction": SPLIT},
            {"name": "internal", "region": REGION, "defaultService": "a",
             "defaultRouteAction": SPLIT},
        ],
        "target_http_proxies": [{"name": "lb-http", "urlMap": "lb"}],
        "target_https_proxies": [{"name": "lb-https", "urlMap": "lb"}],
        "forwarding_rules": [{"name": "lb-fr", "target": "targetHttpProxies/lb-http",
                              "labels": {"service": "payments"}}],
        "app_engine": {"locationId": "europe-west2"},
        "appengine_services": [
            {"id": "default", "split": {"allocations": {"v1": 0.9, "v2": 0.1}}},
            {"id": "worker", "split": {"allocations": {"v7": 1.0}}},
        ],
        "run_services": [
            {"location": REGION, "name": "frontend",
             "traffic": [{"type": LATEST, "percent": 100}]},
            {"location": "europe-west1", "name": "admin",
             "traffic": [{"type": REVISION, "revision": "admin-00003-abc", "percent": 90},
                         {"type": LATEST, "percent": 10}]},
        ],
    }  # fmt: skip


def rich() -> dict[str, Any]:
    return {"projects": [rich_project(PROJECT), rich_project(OTHER)]}


DEPLOY_ID = (
    f"//clouddeploy.googleapis.com/projects/{PROJECT}/locations/{REGION}"
    "/deliveryPipelines/web-app"
)


def with_deploy(project: dict[str, Any]) -> dict[str, Any]:
    """`project` with a Cloud Deploy canary pipeline, its target and automation
    (every Cloud Deploy read: tests/gcp/test_cloud_deploy.py holds the levels)."""
    canary = {"canaryDeployment": {"percentages": [25], "verify": True}}
    return {
        **project,
        "deploy_pipelines": [{"location": REGION, "name": "web-app", "serialPipeline": {
            "stages": [{"targetId": "prod", "strategy": {"canary": canary}}]}}],
        "deploy_targets": [{"location": REGION, "name": "prod",
                            "run": {"location": f"projects/{PROJECT}/locations/{REGION}"}}],
        "deploy_automations": [{"location": REGION, "pipeline": "web-app", "name": "auto",
                                "serviceAccount": f"cd@{PROJECT}.iam.gserviceaccount.com",
                                "selector": {"targets": [{"id": "*"}]},
                                "rules": [{"advanceRolloutRule": {"id": "a", "wait": "600s"}}]}],
    }  # fmt: skip


CHECK_IDS = [
    f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web",
    f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/instanceGroupManagers/api",
    f"//compute.googleapis.com/projects/{PROJECT}/global/urlMaps/lb",
    f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/urlMaps/internal",
    f"//appengine.googleapis.com/apps/{PROJECT}/services/default",
    f"//run.googleapis.com/projects/{PROJECT}/locations/{REGION}/services/frontend",
]


def digest(assessments: Any) -> dict[str, Any]:
    """What must not change: each unit's level, rule, reason and evidence."""
    return {
        a.id: (a.level, a.rule, a.reason, [(e.field, repr(e.value)) for e in a.evidence])
        for a in assessments
    }


# Folders: an organisation two levels deep, for --gcp-folder / --gcp-organization.
ORG = "organizations/555000111"
# organizations/555000111
#   org-tools
#   folders/100: web-prod
#     folders/110: web-a1, web-a2, web-a3 (web-retired: DELETE_REQUESTED)
#     folders/120: web-b1
#   folders/200: pay-prod
#     folders/210: pay-db1
#   folders/300 (DELETE_REQUESTED, empty)
# elsewhere-prod sits under another organisation.
TREE = {"folders/100": ORG, "folders/110": "folders/100", "folders/120": "folders/100",
        "folders/200": ORG, "folders/210": "folders/200"}  # fmt: skip
PROJECTS = {"org-tools": ORG, "web-prod": "folders/100", "web-a1": "folders/110",
            "web-a2": "folders/110", "web-a3": "folders/110", "web-b1": "folders/120",
            "pay-prod": "folders/200", "pay-db1": "folders/210"}  # fmt: skip
ALL = sorted(PROJECTS)


def folder_estate(**extra: Any) -> dict[str, Any]:
    """An organisation two folder levels deep (above), with a deleted folder and
    project, and a project under another organisation."""
    folders = [{"id": f.split("/")[1], "parent": p} for f, p in TREE.items()]
    folders.append({"id": "300", "parent": ORG, "state": "DELETE_REQUESTED"})
    projects = [{"id": pid, "parent": parent} for pid, parent in PROJECTS.items()]
    projects += [{"id": "web-retired", "parent": "folders/110", "state": "DELETE_REQUESTED"},
                 {"id": "elsewhere-prod", "parent": "organizations/999"}]  # fmt: skip
    return {"folders": folders, "projects": projects, **extra}
