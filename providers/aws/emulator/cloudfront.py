"""CloudFront as the emulator answers it (rest-xml, rendered from botocore's
model by wire.py): ListDistributions, GetDistributionConfig,
ListContinuousDeploymentPolicies and GetContinuousDeploymentPolicy, from the
estate's `cloudfront` entry. Mixed into AwsEmulator.

CloudFront is global: it answers the same in every region it is signed for
(relscan signs for us-east-1), for whichever account asks; an estate without a
`cloudfront` entry answers empty lists. The estate entry is

    cloudfront:
      distributions:   # {id, staging?, enabled?, aliases?, policy?, tags?, domain?}
      policies:        # {id, enabled?, staging?: [distribution ids], traffic: TrafficConfig}

`policy` is the primary's ContinuousDeploymentPolicyId; a policy's `staging`
names staging distributions by id (the API names them by domain name, which
the emulator fills in).
"""

from __future__ import annotations

from typing import Any

from providers.aws.emulator.services import AwsFault

DEFAULT_ITEMS = 100  # "The maximum and default values are both 100" (ListDistributions)
MODIFIED = "2026-11-02T09:00:00Z"


class CloudFrontServices:
    """CloudFront handlers; `self` is the AwsEmulator."""

    account: str
    page_size: int
    cloudfront: dict[str, Any]

    # -- estate -------------------------------------------------------------
    def _cf_distributions(self) -> list[dict[str, Any]]:
        return list(self.cloudfront.get("distributions") or [])

    def _cf_policies(self) -> list[dict[str, Any]]:
        return list(self.cloudfront.get("policies") or [])

    def _cf_arn(self, dist_id: str) -> str:
        return f"arn:aws:cloudfront::{self.account}:distribution/{dist_id}"

    @staticmethod
    def _cf_domain(d: dict[str, Any]) -> str:
        return str(d.get("domain") or f"{str(d['id']).lower()}.cloudfront.net")

    def _cf_distribution(self, dist_id: str) -> dict[str, Any]:
        for d in self._cf_distributions():
            if d["id"] == dist_id:
                return d
        raise AwsFault(404, "NoSuchDistribution", "The specified distribution does not exist.")

    def _cf_items(self, p: dict[str, Any]) -> int:
        raw = p.get("MaxItems")
        try:
            wanted = int(raw) if raw is not None else DEFAULT_ITEMS
        except ValueError:
            raise AwsFault(400, "InvalidArgument", "MaxItems must be an integer.") from None
        if wanted < 1:
            raise AwsFault(400, "InvalidArgument", "MaxItems must be a positive integer.")
        return min(wanted, self.page_size)  # small pages, so paging is always exercised

    @staticmethod
    def _cf_after(items: list[dict[str, Any]], marker: str | None) -> list[dict[str, Any]]:
        """The items after the one the marker names (the last id of the page before)."""
        if not marker:
            return items
        ids = [str(i["id"]) for i in items]
        if marker not in ids:
            raise AwsFault(400, "InvalidArgument", "The marker is not valid.")
        return items[ids.index(marker) + 1 :]

    # -- shapes -------------------------------------------------------------
    def _cf_common(self, d: dict[str, Any]) -> dict[str, Any]:
        """The members DistributionSummary and DistributionConfig share."""
        aliases = list(d.get("aliases") or [])
        origin = f"{d['id'].lower()}-origin.example.com"
        return {
            "Aliases": {"Quantity": len(aliases), **({"Items": aliases} if aliases else {})},
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "origin-1",
                        "DomainName": origin,
                        "OriginPath": "",
                        "CustomHeaders": {"Quantity": 0},
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "origin-1",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "CacheBehaviors": {"Quantity": 0},
            "CustomErrorResponses": {"Quantity": 0},
            "Comment": str(d.get("comment", "")),
            "PriceClass": "PriceClass_All",
            "Enabled": bool(d.get("enabled", True)),
            "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
            "WebACLId": "",
            "HttpVersion": "http2",
            "IsIPV6Enabled": True,
            "Staging": bool(d.get("staging", False)),
        }

    def _cf_summary(self, d: dict[str, Any]) -> dict[str, Any]:
        return {
            "Id": d["id"],
            "ARN": self._cf_arn(d["id"]),
            "Status": "Deployed",
            "LastModifiedTime": MODIFIED,
            "DomainName": self._cf_domain(d),
            **self._cf_common(d),
        }

    def _cf_policy(self, c: dict[str, Any]) -> dict[str, Any]:
        staging = [self._cf_domain(self._cf_distribution(s)) for s in c.get("staging") or []]
        config: dict[str, Any] = {
            "StagingDistributionDnsNames": {
                "Quantity": len(staging),
                **({"Items": staging} if staging else {}),
            },
            "Enabled": bool(c.get("enabled", True)),
        }
        if c.get("traffic") is not None:
            config["TrafficConfig"] = c["traffic"]
        return {
            "Id": c["id"],
            "LastModifiedTime": MODIFIED,
            "ContinuousDeploymentPolicyConfig": config,
        }

    # -- operations ---------------------------------------------------------
    def cloudfront_ListDistributions(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        items = self._cf_items(p)
        rest = self._cf_after(self._cf_distributions(), p.get("Marker"))
        page, truncated = rest[:items], len(rest) > items
        listed: dict[str, Any] = {
            "Marker": p.get("Marker") or "",
            "MaxItems": items,
            "IsTruncated": truncated,
            "Quantity": len(page),
        }
        if page:
            listed["Items"] = [self._cf_summary(d) for d in page]
        if truncated:
            listed["NextMarker"] = page[-1]["id"]
        return {"DistributionList": listed}

    def cloudfront_GetDistributionConfig(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        d = self._cf_distribution(p["Id"])
        config = {"CallerReference": f"relscan-{d['id']}", **self._cf_common(d)}
        if d.get("policy"):
            config["ContinuousDeploymentPolicyId"] = d["policy"]
        return {"DistributionConfig": config, "ETag": f"E{d['id'][-6:]}ETAG"}

    def cloudfront_ListContinuousDeploymentPolicies(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        items = self._cf_items(p)
        policies = self._cf_policies()
        rest = self._cf_after(policies, p.get("Marker"))
        page = rest[:items]
        listed: dict[str, Any] = {"MaxItems": items, "Quantity": len(policies)}
        if page:
            listed["Items"] = [{"ContinuousDeploymentPolicy": self._cf_policy(c)} for c in page]
        if len(rest) > items:
            listed["NextMarker"] = page[-1]["id"]
        return {"ContinuousDeploymentPolicyList": listed}

    def cloudfront_GetContinuousDeploymentPolicy(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        for c in self._cf_policies():
            if c["id"] == p["Id"]:
                return {"ContinuousDeploymentPolicy": self._cf_policy(c), "ETag": "EPOLICYETAG"}
        raise AwsFault(
            404,
            "NoSuchContinuousDeploymentPolicy",
            "The continuous deployment policy doesn't exist.",
        )

    def _cf_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        """Distributions' tags, which the tagging API answers in us-east-1 only."""
        if region != "us-east-1":
            return []
        return [(self._cf_arn(d["id"]), d.get("tags") or {}) for d in self._cf_distributions()]
