"""Growing the demo estate to N units for the benchmark, by copying each cloud's
part under new names: AWS applications across regions, Azure subscriptions,
GCP projects, OCI compartments."""

from __future__ import annotations

import copy
import json
import math
import uuid
from typing import Any

DEMO_UNITS = {"aws": 17, "azure": 13, "gcp": 15, "oci": 15}  # units per copy of each part
AWS_REGIONS = [
    "eu-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-north-1",
    "us-east-1",
    "us-west-2",
    "ap-southeast-2",
    "ca-central-1",
]


def _aws(part: dict[str, Any], copies: int) -> dict[str, Any]:
    out = copy.deepcopy(part)
    out["regions"] = AWS_REGIONS
    out["codedeploy"], out["beanstalk"] = [], []
    for i in range(copies):
        region = AWS_REGIONS[i % len(AWS_REGIONS)]
        for key in ("codedeploy", "beanstalk"):
            for entry in part[key]:
                clone = copy.deepcopy(entry)
                clone["region"] = region
                clone["application"] = f"{entry['application']}-{i}"
                out[key].append(clone)
    return out


def _renamed(part: dict[str, Any], replacements: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(part)
    for old, new in replacements.items():
        text = text.replace(old, new)
    return json.loads(text)


def _azure(part: dict[str, Any], copies: int) -> dict[str, Any]:
    out = copy.deepcopy(part)
    out.pop("faults", None)
    out["subscriptions"], out["apps"], out["traffic_manager"] = [], [], []
    for i in range(copies):
        subs = {
            s["id"]: str(uuid.UUID(int=(i + 1) * 1000 + n))
            for n, s in enumerate(part["subscriptions"])
        }
        clone = _renamed(
            {k: part[k] for k in ("subscriptions", "apps", "traffic_manager")},
            {**subs, "dds-": f"dds{i}-"},
        )
        for key in ("subscriptions", "apps", "traffic_manager"):
            out[key] += clone[key]
    return out


def _gcp(part: dict[str, Any], copies: int) -> dict[str, Any]:
    out = copy.deepcopy(part)
    out["projects"] = []
    for i in range(copies):
        out["projects"] += _renamed({"p": part["projects"]}, {"dds-": f"d{i}-"})["p"]
    return out


def _oci(part: dict[str, Any], copies: int) -> dict[str, Any]:
    out = copy.deepcopy(part)
    out["compartments"], out["load_balancers"], out["deploy_pipelines"] = [], [], []
    for i in range(copies):
        ids = {c["id"]: c["id"][:-8] + f"{i:08d}" for c in part["compartments"]}
        clone = _renamed(
            {k: part[k] for k in ("compartments", "load_balancers", "deploy_pipelines")},
            {
                **ids,
                '"name": "dds-': f'"name": "dds{i}-',
                '"displayName": "': f'"displayName": "c{i}-',
            },
        )
        for key in ("compartments", "load_balancers", "deploy_pipelines"):
            out[key] += clone[key]
    return out


SCALERS = {"aws": _aws, "azure": _azure, "gcp": _gcp, "oci": _oci}


def scale_estate(demo: dict[str, Any], units: int) -> tuple[dict[str, Any], list[str]]:
    """About `units` units, shared by the clouds in the demo's proportions."""
    copies = max(1, math.ceil(units / sum(DEMO_UNITS.values())))
    estate = {cloud: scale(demo[cloud], copies) for cloud, scale in SCALERS.items()}
    return estate, AWS_REGIONS


def beanstalk_region(demo_aws: dict[str, Any], envs: int, region: str) -> dict[str, Any]:
    """One region of `envs` Elastic Beanstalk environments, each with the option
    settings of a realistic environment (benchmarks/beanstalk_options.py), one
    application per environment, tagged with the service they belong to."""
    from benchmarks.beanstalk_options import environment_options

    out = {k: copy.deepcopy(v) for k, v in demo_aws.items() if k in ("account",)}
    out["regions"] = [region]
    out["codedeploy"] = []
    out["beanstalk"] = [
        {
            "region": region,
            "application": f"service-{i:04d}",
            "environment": f"service-{i:04d}-prod",
            "tags": {"service": f"service-{i:04d}"},
            "options": environment_options(i),
        }
        for i in range(envs)
    ]
    return out


def codedeploy_region(
    demo_aws: dict[str, Any], groups: int, per_app: int, region: str
) -> dict[str, Any]:
    """One region of `groups` CodeDeploy deployment groups, `per_app` to an
    application, cycling through the demo estate's groups (every deployment
    style and config it holds), tagged with their application."""
    out = {k: copy.deepcopy(v) for k, v in demo_aws.items() if k in ("account",)}
    out["deployment_configs"] = copy.deepcopy(demo_aws.get("deployment_configs", {}))
    out["regions"] = [region]
    out["beanstalk"] = []
    templates = demo_aws["codedeploy"]
    out["codedeploy"] = []
    for i in range(groups):
        app = f"app-{i // per_app:03d}"
        group = copy.deepcopy(templates[i % len(templates)]["group"])
        group["deploymentGroupName"] = f"{app}-group-{i % per_app}"
        out["codedeploy"].append(
            {"region": region, "application": app, "tags": {"service": app}, "group": group}
        )
    return out


def aws_kinds_region(
    demo_aws: dict[str, Any],
    region: str,
    services: int,
    clusters: int,
    groups: int,
    functions: int,
) -> dict[str, Any]:
    """One region of ECS services, Auto Scaling groups and Lambda functions,
    each cycling through the demo estate's entries of its kind (every strategy,
    controller, refresh and alias shape they hold), under names of its own,
    each tagged with the service it belongs to.

    ECS: half the services (rounded up) in the first cluster, so one cluster
    holds more than 100 and ListServices pages; the rest dealt in turn to the
    other `clusters - 1`. Auto Scaling: the demo's groups that have an instance
    refresh (the profile's groups all have one; the demo's ECS capacity
    provider group keeps its AmazonECSManaged tag, so some are linked, not
    assessed). Lambda: the demo's functions
    in turn, so some have aliases (one or two, one with a weighted split) and
    some none, and half have an event source mapping (qualified or not).
    """
    out: dict[str, Any] = {"account": demo_aws.get("account"), "regions": [region]}
    out["codedeploy"], out["beanstalk"] = [], []
    big = (services + 1) // 2
    out["ecs"] = []
    templates = demo_aws["ecs"]
    for i in range(services):
        cluster = 0 if i < big or clusters < 2 else 1 + (i - big) % (clusters - 1)
        service = copy.deepcopy(templates[i % len(templates)]["service"])
        service["serviceName"] = f"{service['serviceName']}-{i:04d}"
        out["ecs"].append(
            {
                "region": region,
                "cluster": f"cluster-{cluster:02d}",
                "tags": {"service": f"ecs-{i // 8:03d}"},
                "service": service,
            }
        )
    refreshed = [g for g in demo_aws["autoscaling"] if g.get("refreshes")]
    out["autoscaling"] = []
    for i in range(groups):
        group = copy.deepcopy(refreshed[i % len(refreshed)])
        tags = {**group.get("tags", {}), "service": f"asg-{i // 8:03d}"}  # keeps AmazonECSManaged
        group.update(region=region, name=f"{group['name']}-{i:04d}", tags=tags)
        out["autoscaling"].append(group)
    out["lambda"] = []
    for i in range(functions):
        function = copy.deepcopy(demo_aws["lambda"][i % len(demo_aws["lambda"])])
        function.update(
            region=region, name=f"{function['name']}-{i:04d}", tags={"service": f"fn-{i // 8:03d}"}
        )
        for mapping in function.get("mappings", []):
            queue_prefix = mapping["EventSourceArn"].rsplit(":", 1)[0]
            mapping["EventSourceArn"] = f"{queue_prefix}:queue-{i:04d}"
        out["lambda"].append(function)
    return out


def aws_kinds_sizes(units: int) -> dict[str, int]:
    """The aws-kinds profile's counts for about `units` units: half ECS
    services in 8 clusters, a quarter Auto Scaling groups, a quarter Lambda
    units (the demo's four functions give five units: one has two aliases)."""
    return {
        "services": units // 2,
        "clusters": 8,
        "groups": units // 4,
        "functions": (units - units // 2 - units // 4) * 4 // 5,
    }
