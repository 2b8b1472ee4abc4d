"""CloudFront continuous deployment: a primary distribution with an enabled
continuous deployment policy, which sends part of its viewers (a weight) or
the requests that carry a header to a staging distribution.

CloudFront is a global service: it is read once per account, in the
account's "global" scope (providers/aws/run.py), through us-east-1.

Reads, fewest first:
- ListDistributions, 100 a page (the API's maximum and default): every
  distribution, and which are staging distributions (DistributionSummary
  `Staging`). The summary does not carry the primary's
  ContinuousDeploymentPolicyId;
- ListContinuousDeploymentPolicies, 100 a page: every policy, whole;
- GetDistributionConfig, once per distribution that is not a staging one, and
  only when the account has an enabled policy: it is the one read that names a
  primary's ContinuousDeploymentPolicyId.

A distribution without a policy, or whose policy is disabled (promoting the
staging configuration disables it), is not a unit; nor is a staging
distribution. `check` reads GetDistributionConfig and, for a primary with a
policy, GetContinuousDeploymentPolicy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError, UsageError
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

# ListDistributions: "The maximum and default values are both 100"; the same
# size is asked of ListContinuousDeploymentPolicies, which states no maximum.
PAGE = 100
LOCATION = "global"  # a global service's units' location (run.py GLOBAL)

CONFIG = "DistributionConfig"
POLICY = "ContinuousDeploymentPolicyConfig"
TRAFFIC = f"{POLICY}.TrafficConfig"
WEIGHT = f"{TRAFFIC}.SingleWeightConfig"
STICKY = f"{WEIGHT}.SessionStickinessConfig"

# --history (providers/aws/history.py): this kind's cloud keeps no deployment records.
HISTORY_SOURCE = "CloudFront continuous deployment changes"
NO_HISTORY = (
    "CloudFront keeps no record of when a staging distribution was promoted or its traffic "
    "changed; the changes are in CloudTrail, which relscan does not read yet"
)

KIND = aws_kind(
    name="aws.cloudfront.distribution",
    title="CloudFront distribution",
    service="cloudfront",
    resource_prefix="distribution/",
    names="ID",
    resource_regex=r"distribution/(?P<name>[A-Za-z0-9]+)",
    global_service=True,
    id_form="arn:aws:cloudfront::ACCOUNT:distribution/ID",
    tagging_type="cloudfront:distribution",
    facts=facts(
        ("policy_id", f"{CONFIG}.ContinuousDeploymentPolicyId"),
        ("policy_enabled", f"{POLICY}.Enabled"),
        ("traffic_type", f"{TRAFFIC}.Type"),
        ("staging_weight", f"{WEIGHT}.Weight"),
        ("stickiness_idle_ttl", f"{STICKY}.IdleTTL"),
        ("stickiness_maximum_ttl", f"{STICKY}.MaximumTTL"),
        ("staging_header", f"{TRAFFIC}.SingleHeaderConfig.Header"),
        ("staging_dns_names", f"{POLICY}.StagingDistributionDnsNames.Items"),
    ),
    reads=(
        "cloudfront:ListDistributions",
        "cloudfront:ListContinuousDeploymentPolicies",
        "cloudfront:GetDistributionConfig",
        "cloudfront:GetContinuousDeploymentPolicy",
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every primary distribution of the account with an enabled policy."""

    def read() -> Iterator[Observation | ScopeError]:
        return CloudFrontReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The primary distribution an ARN names (NotFoundError when there is none;
    a UsageError for a staging distribution, or one without an enabled
    policy, which are not release units)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = CloudFrontReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    unit = reader.get(arn.name, resource_id)
    unit.tags = ctx.tags.get(resource_id, {})
    return unit


def _enabled(policy: dict[str, Any]) -> bool:
    return (policy.get(POLICY) or {}).get("Enabled") is True


class CloudFrontReader:
    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("cloudfront", region)
        self.partition = clients.partition(region)
        self.account = account
        self.scope = scope

    def arn(self, dist_id: str) -> str:
        return f"arn:{self.partition}:cloudfront::{self.account}:distribution/{dist_id}"

    # -- reads -------------------------------------------------------------
    def _distributions(self) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("list_distributions").paginate(
            PaginationConfig={"PageSize": PAGE}
        )
        return [
            d
            for page in pages
            for d in (page.get("DistributionList") or {}).get("Items") or []
            if isinstance(d, dict)
        ]

    def _policies(self) -> dict[str, dict[str, Any]]:
        """Every policy by id (botocore has no paginator for this list)."""
        found: dict[str, dict[str, Any]] = {}
        marker = ""
        while True:
            params: dict[str, Any] = {"MaxItems": str(PAGE)}
            if marker:
                params["Marker"] = marker
            listed = (
                self.client.list_continuous_deployment_policies(**params).get(
                    "ContinuousDeploymentPolicyList"
                )
                or {}
            )
            for item in listed.get("Items") or []:
                policy = item.get("ContinuousDeploymentPolicy") if isinstance(item, dict) else None
                if isinstance(policy, dict) and isinstance(policy.get("Id"), str):
                    found[policy["Id"]] = policy
            next_marker = listed.get("NextMarker")
            if not next_marker or next_marker == marker:
                return found
            marker = next_marker

    def _policy_id(self, dist_id: str) -> str | None:
        config = self.client.get_distribution_config(Id=dist_id).get("DistributionConfig") or {}
        found = config.get("ContinuousDeploymentPolicyId")
        return found if isinstance(found, str) and found else None

    # -- units -------------------------------------------------------------
    def collect(self) -> Iterator[Observation | ScopeError]:
        distributions = self._distributions()
        policies = self._policies()
        if not any(_enabled(p) for p in policies.values()):
            return  # no primary can have an enabled policy: no config is read
        primaries = [
            d
            for d in distributions
            if d.get("Staging") is not True and isinstance(d.get("Id"), str) and d["Id"]
        ]
        for dist, policy_id in zip(
            primaries, fan_out(primaries, lambda d: self._policy_id(d["Id"])), strict=True
        ):
            if policy_id is None:
                continue
            policy = policies.get(policy_id)
            if policy is not None and not _enabled(policy):
                continue
            yield self.observe(dist["Id"], policy_id, policy, dist.get("ARN"))

    def get(self, dist_id: str, arn: str) -> Observation:
        from providers.aws.faults import AWS_ERRORS, error_code

        try:
            config = self.client.get_distribution_config(Id=dist_id).get("DistributionConfig")
        except AWS_ERRORS as exc:
            if error_code(exc) == "NoSuchDistribution":
                raise NotFoundError(f"no such CloudFront distribution: {dist_id}") from None
            raise
        config = config if isinstance(config, dict) else {}
        if config.get("Staging") is True:
            raise UsageError(
                f"CloudFront distribution {dist_id} is a staging distribution; the release "
                "unit is the primary distribution whose continuous deployment policy names it"
            )
        policy_id = config.get("ContinuousDeploymentPolicyId")
        if not isinstance(policy_id, str) or not policy_id:
            raise UsageError(
                f"CloudFront distribution {dist_id} has no continuous deployment policy, so it "
                "is not a release unit (relscan assesses a primary distribution with an "
                "enabled policy)"
            )
        try:
            policy = self.client.get_continuous_deployment_policy(Id=policy_id).get(
                "ContinuousDeploymentPolicy"
            )
        except AWS_ERRORS as exc:
            if error_code(exc) != "NoSuchContinuousDeploymentPolicy":
                raise
            policy = None
        if isinstance(policy, dict) and not _enabled(policy):
            raise UsageError(
                f"CloudFront distribution {dist_id}'s continuous deployment policy {policy_id} "
                "is disabled (as promoting the staging configuration leaves it), so the "
                "distribution is not a release unit"
            )
        return self.observe(dist_id, policy_id, policy if isinstance(policy, dict) else None, arn)

    def observe(
        self, dist_id: str, policy_id: str, policy: dict[str, Any] | None, arn: Any = None
    ) -> Observation:
        obs = Observation(
            id=arn if isinstance(arn, str) and arn else self.arn(dist_id),
            provider="aws",
            kind=KIND.name,
            name=dist_id,
            account=self.account,
            location=LOCATION,
        )
        obs.add("policy_id", f"{CONFIG}.ContinuousDeploymentPolicyId", policy_id)
        if policy is None:
            why = f"the continuous deployment policy {policy_id} was not found"
            for name, spec in ((f.name, f.field) for f in KIND.facts if f.name != "policy_id"):
                obs.unknown(name, spec, why)
            return obs
        config = policy.get(POLICY) or {}
        traffic = config.get("TrafficConfig") or {}
        weight = traffic.get("SingleWeightConfig") or {}
        sticky = weight.get("SessionStickinessConfig") or {}
        header = traffic.get("SingleHeaderConfig") or {}
        obs.add("policy_enabled", f"{POLICY}.Enabled", config.get("Enabled"))
        obs.add("traffic_type", f"{TRAFFIC}.Type", traffic.get("Type"))
        obs.add("staging_weight", f"{WEIGHT}.Weight", _number(weight.get("Weight")))
        obs.add("stickiness_idle_ttl", f"{STICKY}.IdleTTL", _number(sticky.get("IdleTTL")))
        obs.add("stickiness_maximum_ttl", f"{STICKY}.MaximumTTL", _number(sticky.get("MaximumTTL")))
        # The header's value is left out: it is what lets a request reach staging.
        obs.add("staging_header", f"{TRAFFIC}.SingleHeaderConfig.Header", header.get("Header"))
        names = (config.get("StagingDistributionDnsNames") or {}).get("Items") or []
        obs.add(
            "staging_dns_names",
            f"{POLICY}.StagingDistributionDnsNames.Items",
            [str(n) for n in names],
        )
        return obs


def _number(value: Any) -> int | float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None
