"""The fewest requests an estate needs, from the page and batch sizes the APIs
allow: every list costs ceil(items / page) pages (at least one, to learn it is
empty), every object with no batch read costs one call, and every shared
object (a CodeDeploy deployment config) is read once per region."""

from __future__ import annotations

from collections import defaultdict
from math import ceil
from typing import Any

BATCH_GET_GROUPS = 100  # BatchGetDeploymentGroups names per call


def pages(items: int, page: int) -> int:
    return max(1, ceil(items / page))


def aws(part: dict[str, Any], regions: list[str], page: int) -> int:
    total = 1  # sts:GetCallerIdentity (regions are named, so no DescribeRegions)
    for region in regions:
        groups = [g for g in part["codedeploy"] if g["region"] == region]
        envs = [e for e in part["beanstalk"] if e["region"] == region]
        apps: dict[str, int] = defaultdict(int)
        for g in groups:
            apps[g["application"]] += 1
        tagged = sum(1 for x in groups + envs if x.get("tags"))
        total += pages(tagged, page) + pages(len(apps), page)
        total += sum(pages(n, page) + ceil(n / BATCH_GET_GROUPS) for n in apps.values())
        total += len({g["group"].get("deploymentConfigName") for g in groups})
        total += pages(len(envs), page) + len(envs)  # no batch read of option settings
    return total


def azure(part: dict[str, Any], page: int) -> int:
    enabled = [s["id"] for s in part["subscriptions"] if s.get("state", "Enabled") == "Enabled"]
    total = pages(len(part["subscriptions"]), page)
    for sub in enabled:
        apps = [a for a in part["apps"] if a["subscription"] == sub]
        tms = [t for t in part.get("traffic_manager", []) if t["subscription"] == sub]
        total += pages(len(apps), page) + pages(len(tms), page)
        # per app: its slots, its config/web; per slot: the slot's config/web
        total += sum(2 + len(a.get("slots", [])) for a in apps)
    return total


def gcp(part: dict[str, Any], page: int) -> int:
    total = pages(len(part["projects"]), page)
    for p in part["projects"]:
        disabled = set(p.get("apis_disabled") or [])
        total += 2  # aggregated instance group managers and URL maps
        if p.get("instance_group_managers"):
            total += 1  # their templates' labels, one aggregated list
        if p.get("url_maps"):
            total += 3  # forwarding rules, HTTP and HTTPS proxies: the maps' labels
        total += 1  # the App Engine application
        if p.get("app_engine"):
            total += pages(len(p.get("appengine_services", [])), page)
        total += 1  # Cloud Run locations
        if "run.googleapis.com" not in disabled:
            locations = {s.get("location", "europe-west2") for s in p.get("run_services", [])}
            total += max(1, len(locations))
    return total


def oci(part: dict[str, Any], page: int) -> int:
    total = pages(len(part["compartments"]), page)
    for region in part.get("regions", ["uk-london-1"]):
        for comp in [part.get("tenancy")] + [c["id"] for c in part["compartments"]]:
            lbs = [
                x
                for x in part["load_balancers"]
                if x["compartment"] == comp and x.get("region", region) == region
            ]
            pipes = [
                x
                for x in part["deploy_pipelines"]
                if x["compartment"] == comp and x.get("region", region) == region
            ]
            stages = sum(len(x.get("stages", [])) for x in pipes)
            total += pages(len(lbs), page) + pages(len(pipes), page)
            total += pages(stages, page) if pipes else 0
    return total


def minimum_requests(estate: dict[str, Any], regions: list[str], page: int) -> dict[str, int]:
    """By cloud, for the clouds the estate holds (the single-region profiles hold
    only AWS)."""
    counts = {
        "aws": lambda part: aws(part, regions, page),
        "azure": lambda part: azure(part, page),
        "gcp": lambda part: gcp(part, page),
        "oci": lambda part: oci(part, page),
    }
    return {cloud: counts[cloud](part) for cloud, part in estate.items()}
