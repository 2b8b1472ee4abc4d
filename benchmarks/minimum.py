"""The fewest requests an estate needs, from the page and batch sizes the APIs
allow: every list costs ceil(items / page) pages (at least one, to learn it is
empty), every object with no batch read costs one call, and every shared
object (a CodeDeploy deployment config) is read once per region.

AWS is counted read by read (`AWS_READS`, one line per read, summed over the
scanned regions), so the benchmark can show requests against the minimum per
read and tests/test_bench_minimum.py can hold each line to what a scan sends.
Per region, with F Lambda functions, M event source mappings, G Auto Scaling
groups and s_c active services in ECS cluster c:

    ECS     ceil(clusters/100) ListClusters + sum_c ceil(s_c/100) ListServices
            + sum_c ceil(s_c/10) DescribeServices
    ASG     ceil(G/100) DescribeAutoScalingGroups + G DescribeInstanceRefreshes
    Lambda  ceil(F/50) ListFunctions + F ListAliases + ceil(M/100) ListEventSourceMappings
    tags    ceil(tagged units/100) GetResources (Auto Scaling groups are not listed:
            their tags come inline)

each list at least one page, and a page never larger than the emulator's
(--page-size; the benchmark's default 100 leaves the APIs' own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil
from typing import Any

BATCH_GET_GROUPS = 100  # BatchGetDeploymentGroups names per call

# The largest page or batch each AWS API allows (its API reference):
ECS_LIST = 100  # ListClusters and ListServices: maxResults 1-100
ECS_DESCRIBE = 10  # DescribeServices: "up to 10 services"
ASG_PAGE = 100  # DescribeAutoScalingGroups: MaxRecords "maximum value is 100"
LAMBDA_FUNCTIONS = 50  # ListFunctions: "a maximum of 50 items in each response"
LAMBDA_MAPPINGS = 100  # ListEventSourceMappings: "a maximum of 100 items"
ZONES_PAGE = 100  # Route 53 ListHostedZones: "a maximum of 100 items"
RECORDS_PAGE = 300  # ListResourceRecordSets: "up to 300 resource record sets at a time"
ELB_PAGE = 400  # DescribeLoadBalancers, DescribeListeners, DescribeRules: PageSize 1-400
TARGET_IDS = 25  # BatchGetDeploymentTargets: "The maximum number ... is 25"
LAMBDA_URLS = 50  # ListFunctionUrlConfigs: MaxItems 1-50
APPCONFIG_PAGE = 50  # ListApplications, ListEnvironments: MaxResults 1-50
ALARM_NAMES = 100  # DescribeAlarms: "up to 100 alarm names"
CLOUDFRONT_PAGE = 100  # ListDistributions: "The maximum and default values are both 100"


def pages(items: int, page: int) -> int:
    return max(1, ceil(items / page))


@dataclass
class AwsRegion:
    """What one region of an AWS estate holds, as the formulas below need it.
    `page` is the emulator's page size (--page-size, default 100); an API's
    own page is the smaller of its limit and that."""

    page: int
    groups: list[dict[str, Any]] = field(default_factory=list)  # CodeDeploy groups
    apps: dict[str, int] = field(default_factory=dict)  # groups per CodeDeploy application
    envs: list[dict[str, Any]] = field(default_factory=list)  # Beanstalk environments
    clusters: dict[str, int] = field(default_factory=dict)  # active ECS services per cluster
    asgs: list[dict[str, Any]] = field(default_factory=list)  # Auto Scaling groups
    functions: list[dict[str, Any]] = field(default_factory=list)  # Lambda functions
    mappings: int = 0  # Lambda event source mappings, qualified or not
    balancers: list[dict[str, Any]] = field(default_factory=list)  # elbv2 load balancers
    appconfig: list[dict[str, Any]] = field(default_factory=list)  # AppConfig applications
    alarms: int = 0  # distinct CloudWatch alarms of the region's AppConfig monitors
    tagged: int = 0  # units the tagging API lists: those with tags, of a tagged type

    def api(self, limit: int) -> int:
        return min(limit, self.page)


def aws_region(part: dict[str, Any], region: str, page: int) -> AwsRegion:
    here = AwsRegion(page)
    here.groups = [g for g in part.get("codedeploy", []) if g["region"] == region]
    here.envs = [e for e in part.get("beanstalk", []) if e["region"] == region]
    for g in here.groups:
        here.apps[g["application"]] = here.apps.get(g["application"], 0) + 1
    services = [e for e in part.get("ecs", []) if e["region"] == region]
    for e in services:  # a cluster is listed even when all its services are inactive
        here.clusters.setdefault(e["cluster"], 0)
        if e["service"].get("status", "ACTIVE") != "INACTIVE":
            here.clusters[e["cluster"]] += 1
    here.asgs = [g for g in part.get("autoscaling", []) if g["region"] == region]
    here.functions = [f for f in part.get("lambda", []) if f["region"] == region]
    here.mappings = sum(len(f.get("mappings", [])) for f in here.functions)
    here.balancers = [b for b in part.get("elbv2", []) if b.get("region") == region]
    here.appconfig = [a for a in part.get("appconfig", []) if a["region"] == region]
    environments = [e for a in here.appconfig for e in a.get("environments") or []]
    # alarms are read where they live: the scope's own region (others are unknown)
    here.alarms = len(
        {
            m["AlarmArn"]
            for e in environments
            for m in e.get("Monitors") or []
            if m.get("AlarmArn", "").split(":")[3:4] == [region]
        }
    )
    # Auto Scaling groups carry their tags inline: the tagging API has no type for them.
    listed = here.groups + here.envs + services + here.functions + environments
    here.tagged = sum(1 for x in listed if x.get("tags"))
    here.tagged += sum(  # listener rules: the default rule's tags are the listener's
        bool(listener.get("default_tags"))
        + sum(1 for r in listener.get("rules") or [] if r.get("tags"))
        for b in here.balancers
        for listener in b.get("listeners") or []
    )
    return here


def _forward_groups(spec: dict[str, Any]) -> int:
    """Target groups an emulator estate's actions forward to (its `forward` map,
    or the API's Actions; none given: one)."""
    if "Actions" in spec:
        return sum(
            len((a.get("ForwardConfig") or {}).get("TargetGroups") or [])
            or (1 if a.get("TargetGroupArn") else 0)
            for a in spec["Actions"]
            if isinstance(a, dict) and a.get("Type") == "forward"
        )
    return len(spec.get("forward") or {"-": 1})


def _deployed_lambda_groups(r: AwsRegion) -> list[dict[str, Any]]:
    """The region's CodeDeploy Lambda groups with a latest deployment whose
    targets a scan reads (the emulator's `deployment` entry)."""
    return [g for g in r.groups if g.get("deployment") and _platform(g["group"]) == "Lambda"]


def _platform(group: dict[str, Any]) -> str:
    """The group's computePlatform as the emulator answers it."""
    from providers.aws.emulator.services import _platform_of

    return group.get("computePlatform") or _platform_of(group.get("deploymentConfigName", ""))


def _rule_listeners(r: AwsRegion) -> list[dict[str, Any]]:
    """The listeners whose rules a scan reads: an Application Load Balancer's,
    and a Network Load Balancer's whose default action forwards to two groups
    or more (providers/aws/listener_rules.py)."""
    return [
        listener
        for b in r.balancers
        for listener in b.get("listeners") or []
        if b.get("type", "application") == "application"
        or _forward_groups(listener.get("default") or {}) >= 2
    ]


# The reads of a region, one line per read: (kind, read, its fewest requests).
# Every read a kind declares (KIND.reads) has its line, under the kind's name,
# unless only `relscan check` makes it (CHECK_ONLY); tests/test_bench_minimum.py
# holds the two lists together. A read a kind adds is one more line here.
Formula = Callable[[AwsRegion], int]
CHECK_ONLY = {  # what `check` of one resource reads; a scan lists instead
    "lambda:GetFunctionConfiguration",
    "route53:GetHostedZone",
    "appconfig:GetApplication",
    "appconfig:GetEnvironment",
    "cloudfront:GetContinuousDeploymentPolicy",
}
AWS_READS: list[tuple[str, str, Formula]] = [
    # every unit's tags, one listing of the kinds' tagging types
    ("tags", "resourcegroupstaggingapi:GetResources", lambda r: pages(r.tagged, r.page)),
    # CodeDeploy: applications, their groups, the groups 100 at a time, and each
    # deployment config named in the region once
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:ListApplications",
        lambda r: pages(len(r.apps), r.page),
    ),
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:ListDeploymentGroups",
        lambda r: sum(pages(n, r.page) for n in r.apps.values()),
    ),
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:BatchGetDeploymentGroups",
        lambda r: sum(ceil(n / BATCH_GET_GROUPS) for n in r.apps.values()),
    ),
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:GetDeploymentConfig",
        lambda r: len({g["group"].get("deploymentConfigName") for g in r.groups}),
    ),
    # a Lambda group's latest deployment: its targets listed (one page) and read
    # 25 ids a call; a Lambda deployment has one target, so 2 requests a group
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:ListDeploymentTargets",
        lambda r: sum(1 for g in _deployed_lambda_groups(r)),
    ),
    (
        "aws.codedeploy.deployment_group",
        "codedeploy:BatchGetDeploymentTargets",
        lambda r: sum(
            ceil(len(g["deployment"].get("targets") or []) / TARGET_IDS)
            for g in _deployed_lambda_groups(r)
        ),
    ),
    # Elastic Beanstalk: the environments, and each one's settings (no batch read)
    (
        "aws.elasticbeanstalk.environment",
        "elasticbeanstalk:DescribeEnvironments",
        lambda r: pages(len(r.envs), r.page),
    ),
    (
        "aws.elasticbeanstalk.environment",
        "elasticbeanstalk:DescribeConfigurationSettings",
        lambda r: len(r.envs),
    ),
    # ECS: ceil(clusters/100) ListClusters + sum over clusters c of
    # ceil(services_c/100) ListServices + ceil(services_c/10) DescribeServices
    ("aws.ecs.service", "ecs:ListClusters", lambda r: pages(len(r.clusters), r.api(ECS_LIST))),
    (
        "aws.ecs.service",
        "ecs:ListServices",
        lambda r: sum(pages(n, r.api(ECS_LIST)) for n in r.clusters.values()),
    ),
    (
        "aws.ecs.service",
        "ecs:DescribeServices",
        lambda r: sum(ceil(n / ECS_DESCRIBE) for n in r.clusters.values()),
    ),
    # Auto Scaling: ceil(groups/100) DescribeAutoScalingGroups + one
    # DescribeInstanceRefreshes a group (it takes one group name)
    (
        "aws.autoscaling.group",
        "autoscaling:DescribeAutoScalingGroups",
        lambda r: pages(len(r.asgs), r.api(ASG_PAGE)),
    ),
    ("aws.autoscaling.group", "autoscaling:DescribeInstanceRefreshes", lambda r: len(r.asgs)),
    # Lambda: ceil(F/50) ListFunctions + F ListAliases (one a function, its aliases
    # fit one page) + ceil(M/100) ListEventSourceMappings (all of the region's)
    (
        "aws.lambda.function",
        "lambda:ListFunctions",
        lambda r: pages(len(r.functions), r.api(LAMBDA_FUNCTIONS)),
    ),
    (
        "aws.lambda.function",
        "lambda:ListAliases",
        lambda r: sum(pages(len(f.get("aliases", [])), r.page) for f in r.functions),
    ),
    (
        "aws.lambda.function",
        "lambda:ListEventSourceMappings",
        lambda r: pages(r.mappings, r.api(LAMBDA_MAPPINGS)),
    ),
    # one ListFunctionUrlConfigs a function with aliases (its URLs fit a page)
    (
        "aws.lambda.function",
        "lambda:ListFunctionUrlConfigs",
        lambda r: sum(
            pages(len(f.get("urls") or []), r.api(LAMBDA_URLS))
            for f in r.functions
            if f.get("aliases")
        ),
    ),
    # Listener rules (issue 17): ceil(LB/400) DescribeLoadBalancers + per load
    # balancer ceil(listeners/400) DescribeListeners + per listener whose rules
    # are read ceil((rules + its default rule)/400) DescribeRules
    (
        "aws.elbv2.listener_rule",
        "elbv2:DescribeLoadBalancers",
        lambda r: pages(len(r.balancers), r.api(ELB_PAGE)),
    ),
    (
        "aws.elbv2.listener_rule",
        "elbv2:DescribeListeners",
        lambda r: sum(pages(len(b.get("listeners") or []), r.api(ELB_PAGE)) for b in r.balancers),
    ),
    (
        "aws.elbv2.listener_rule",
        "elbv2:DescribeRules",
        lambda r: sum(
            pages(1 + len(x.get("rules") or []), r.api(ELB_PAGE)) for x in _rule_listeners(r)
        ),
    ),
    # AppConfig (issue 17): ceil(apps/50) ListApplications + per application
    # ceil(envs/50) ListEnvironments + one ListDeployments an environment
    # (MaxResults=1: the newest comes first) + ceil(alarms/100) DescribeAlarms
    # for the region's monitors, none without monitors
    (
        "aws.appconfig.environment",
        "appconfig:ListApplications",
        lambda r: pages(len(r.appconfig), r.api(APPCONFIG_PAGE)),
    ),
    (
        "aws.appconfig.environment",
        "appconfig:ListEnvironments",
        lambda r: sum(
            pages(len(a.get("environments") or []), r.api(APPCONFIG_PAGE)) for a in r.appconfig
        ),
    ),
    (
        "aws.appconfig.environment",
        "appconfig:ListDeployments",
        lambda r: sum(len(a.get("environments") or []) for a in r.appconfig),
    ),
    (
        "aws.appconfig.environment",
        "cloudwatch:DescribeAlarms",
        lambda r: ceil(r.alarms / min(ALARM_NAMES, r.page)) if r.alarms else 0,
    ),
]


# The reads of the account's global scope (Route 53 and CloudFront, issue 17),
# once per account: ceil(zones/100) ListHostedZones + per zone ceil(records/300)
# ListResourceRecordSets; ceil(D/100) ListDistributions + ceil(P/100)
# ListContinuousDeploymentPolicies + one GetDistributionConfig for each of the
# D - S distributions that are not staging ones, when any policy is enabled;
# and the scope's own tag listing (the zones' and distributions' tags).
GlobalFormula = Callable[[dict[str, Any], int], int]


def _zones(part: dict[str, Any]) -> list[dict[str, Any]]:
    return list(part.get("route53", []))


def _distributions(part: dict[str, Any]) -> list[dict[str, Any]]:
    return list((part.get("cloudfront") or {}).get("distributions") or [])


def _policies(part: dict[str, Any]) -> list[dict[str, Any]]:
    return list((part.get("cloudfront") or {}).get("policies") or [])


def _configs_read(part: dict[str, Any]) -> int:
    if not any(p.get("enabled", True) for p in _policies(part)):
        return 0
    return sum(1 for d in _distributions(part) if not d.get("staging"))


AWS_GLOBAL_READS: list[tuple[str, str, GlobalFormula]] = [
    (
        "tags",
        "resourcegroupstaggingapi:GetResources",
        lambda part, page: pages(
            sum(1 for x in _zones(part) + _distributions(part) if x.get("tags")), page
        ),
    ),
    (
        "aws.route53.weighted_record",
        "route53:ListHostedZones",
        lambda part, page: pages(len(_zones(part)), min(ZONES_PAGE, page)),
    ),
    (
        "aws.route53.weighted_record",
        "route53:ListResourceRecordSets",
        lambda part, page: sum(
            pages(len(z.get("records") or []), min(RECORDS_PAGE, page)) for z in _zones(part)
        ),
    ),
    (
        "aws.cloudfront.distribution",
        "cloudfront:ListDistributions",
        lambda part, page: pages(len(_distributions(part)), min(CLOUDFRONT_PAGE, page)),
    ),
    (
        "aws.cloudfront.distribution",
        "cloudfront:ListContinuousDeploymentPolicies",
        lambda part, page: pages(len(_policies(part)), min(CLOUDFRONT_PAGE, page)),
    ),
    (
        "aws.cloudfront.distribution",
        "cloudfront:GetDistributionConfig",
        lambda part, page: _configs_read(part),
    ),
]


def aws_reads(part: dict[str, Any], regions: list[str], page: int) -> dict[str, int]:
    """The fewest requests of each AWS read ("service:Operation", the service as
    botocore's model names it) over the scanned regions and the account's
    global scope."""
    counts = {"sts:GetCallerIdentity": 1}  # regions are named, so no DescribeRegions
    for region in regions:
        here = aws_region(part, region, page)
        for _, read, formula in AWS_READS:
            counts[read] = counts.get(read, 0) + formula(here)
    for _, read, global_formula in AWS_GLOBAL_READS:
        counts[read] = counts.get(read, 0) + global_formula(part, page)
    return counts


def aws(part: dict[str, Any], regions: list[str], page: int) -> int:
    return sum(aws_reads(part, regions, page).values())


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
