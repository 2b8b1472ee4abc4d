"""What the GCP emulator serves: each REST path it answers, by API and method."""

from __future__ import annotations

import re

APIS = {
    "compute": "compute.googleapis.com",
    "appengine": "appengine.googleapis.com",
    "run": "run.googleapis.com",
    "resourcemanager": "cloudresourcemanager.googleapis.com",
    "clouddeploy": "clouddeploy.googleapis.com",
}
TITLES = {
    "compute": "Compute Engine API",
    "appengine": "App Engine Admin API",
    "run": "Cloud Run Admin API",
    "resourcemanager": "Cloud Resource Manager API",
    "clouddeploy": "Cloud Deploy API",
}
_P = r"(?P<project>[^/]+)"
_D = rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/deliveryPipelines/(?P<pipeline>[^/]+)"
ROUTES: list[tuple[str, str, re.Pattern[str]]] = [
    (api, op, re.compile(f"^{pattern}$"))
    for api, op, pattern in [
        ("compute", "aggregated", rf"/compute/v1/projects/{_P}/aggregated/(?P<collection>"
         r"instanceGroupManagers|instanceTemplates|urlMaps|forwardingRules|targetHttpProxies|"
         r"targetHttpsProxies)"),
        ("compute", "instanceGroupManagers.get", rf"/compute/v1/projects/{_P}/"
         r"(?P<scope>zones/[^/]+|regions/[^/]+)/instanceGroupManagers/(?P<name>[^/]+)"),
        ("compute", "urlMaps.get",
         rf"/compute/v1/projects/{_P}/(?P<scope>global|regions/[^/]+)/urlMaps/(?P<name>[^/]+)"),
        ("appengine", "apps.get", rf"/v1/apps/{_P}"),
        ("appengine", "services.list", rf"/v1/apps/{_P}/services"),
        ("appengine", "services.get", rf"/v1/apps/{_P}/services/(?P<name>[^/]+)"),
        ("appengine", "versions.list", rf"/v1/apps/{_P}/services/(?P<service>[^/]+)/versions"),
        ("run", "locations.list", rf"/v1/projects/{_P}/locations"),
        ("run", "services.list", rf"/v2/projects/{_P}/locations/(?P<location>[^/]+)/services"),
        ("run", "services.get",
         rf"/v2/projects/{_P}/locations/(?P<location>[^/]+)/services/(?P<name>[^/]+)"),
        ("run", "revisions.list",
         rf"/v2/projects/{_P}/locations/(?P<location>[^/]+)/services/(?P<service>[^/]+)/revisions"),
        ("resourcemanager", "projects.search", r"/v3/projects:search"),
        ("resourcemanager", "folders.list", r"/v3/folders"),
        ("resourcemanager", "projects.list", r"/v3/projects"),
        # Cloud Deploy (its locations.list shares Cloud Run's path: see deploy.py)
        ("clouddeploy", "deliveryPipelines.list",
         rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/deliveryPipelines"),
        ("clouddeploy", "deliveryPipelines.get",
         rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/deliveryPipelines/(?P<name>[^/]+)"),
        ("clouddeploy", "automations.list", rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/"
         r"deliveryPipelines/(?P<pipeline>[^/]+)/automations"),
        ("clouddeploy", "releases.list", rf"{_D}/releases"),
        ("clouddeploy", "rollouts.list", rf"{_D}/releases/(?P<release>[^/]+)/rollouts"),
        ("clouddeploy", "rollouts.get",
         rf"{_D}/releases/(?P<release>[^/]+)/rollouts/(?P<name>[^/]+)"),
        ("clouddeploy", "automationRuns.list", rf"{_D}/automationRuns"),
        ("clouddeploy", "targets.list",
         rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/targets"),
        ("clouddeploy", "targets.get",
         rf"/v1/projects/{_P}/locations/(?P<location>[^/]+)/targets/(?P<name>[^/]+)"),
    ]
]  # fmt: skip
AGGREGATED = {
    "instanceGroupManagers": ("migs", "InstanceGroupManagerAggregatedList"),
    "instanceTemplates": ("templates", "InstanceTemplateAggregatedList"),
    "urlMaps": ("url_maps", "UrlMapsAggregatedList"),
    "forwardingRules": ("forwarding_rules", "ForwardingRuleAggregatedList"),
    "targetHttpProxies": ("http_proxies", "TargetHttpProxyAggregatedList"),
    "targetHttpsProxies": ("https_proxies", "TargetHttpsProxyAggregatedList"),
}
KINDS = {"instanceGroupManagers": "compute#instanceGroupManagerAggregatedList",
         "instanceTemplates": "compute#instanceTemplateAggregatedList",
         "urlMaps": "compute#urlMapsAggregatedList",
         "forwardingRules": "compute#forwardingRuleAggregatedList",
         "targetHttpProxies": "compute#targetHttpProxyAggregatedList",
         "targetHttpsProxies": "compute#targetHttpsProxyAggregatedList"}  # fmt: skip
