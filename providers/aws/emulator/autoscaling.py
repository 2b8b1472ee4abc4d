"""EC2 Auto Scaling as the emulator answers it (AWS Query protocol, XML):
DescribeAutoScalingGroups and DescribeInstanceRefreshes, from the estate's
`autoscaling` list. Mixed into AwsEmulator.

An estate group is `{region, name, desired?, min?, max?, maintenance_policy?,
tags?, launch_template?, refreshes?}`; `refreshes` are InstanceRefresh
structures as the API has them (newest first, as AWS answers), and the
emulator fills in the group name, an id, a status and the start time where a
refresh leaves them out.
"""

from __future__ import annotations

import uuid
from typing import Any

from providers.aws.emulator.services import AwsFault

# "The default value is 50 and the maximum value is 100" (both operations).
DEFAULT_RECORDS = 50
MAX_RECORDS = 100


def _members(params: dict[str, Any], name: str) -> list[str]:
    """A query-protocol list parameter (`Name.member.1`, `Name.member.2`, ...), in order."""
    prefix = f"{name}.member."
    found = [(int(k[len(prefix) :]), v) for k, v in params.items() if k.startswith(prefix)]
    return [v for _, v in sorted(found)]


class AutoScalingServices:
    account: str
    page_size: int
    autoscaling_groups: list[dict[str, Any]]

    def _asg_records(self, params: dict[str, Any]) -> int:
        raw = params.get("MaxRecords")
        records = int(raw) if raw is not None else DEFAULT_RECORDS
        if not 1 <= records <= MAX_RECORDS:
            raise AwsFault(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{records}' at 'maxRecords' failed to "
                f"satisfy constraint: Member must have value less than or equal to {MAX_RECORDS}",
            )
        return min(records, self.page_size)  # small pages, so paging is always exercised

    def _asg_arn(self, region: str, name: str) -> str:
        group_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.account}/{region}/{name}")
        return (
            f"arn:aws:autoscaling:{region}:{self.account}:autoScalingGroup:{group_id}"
            f":autoScalingGroupName/{name}"
        )

    def _asg_groups(self, region: str) -> list[dict[str, Any]]:
        return [g for g in self.autoscaling_groups if g.get("region") == region]

    def _asg_description(self, region: str, g: dict[str, Any]) -> dict[str, Any]:
        desired = int(g.get("desired", 2))
        arn = self._asg_arn(region, g["name"])
        described: dict[str, Any] = {
            "AutoScalingGroupName": g["name"],
            "AutoScalingGroupARN": arn,
            "LaunchTemplate": g.get(
                "launch_template", {"LaunchTemplateName": f"{g['name']}-lt", "Version": "1"}
            ),
            "MinSize": int(g.get("min", min(desired, 1))),
            "MaxSize": int(g.get("max", max(desired * 2, 1))),
            "DesiredCapacity": desired,
            "DefaultCooldown": 300,
            "AvailabilityZones": [f"{region}a", f"{region}b"],
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "CreatedTime": "2025-01-06T09:00:00Z",
            "Tags": [
                {
                    "ResourceId": g["name"],
                    "ResourceType": "auto-scaling-group",
                    "Key": k,
                    "Value": str(v),
                    "PropagateAtLaunch": True,
                }
                for k, v in (g.get("tags") or {}).items()
            ],
        }
        if "maintenance_policy" in g:
            described["InstanceMaintenancePolicy"] = g["maintenance_policy"]
        return described

    def autoscaling_DescribeAutoScalingGroups(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        names = _members(p, "AutoScalingGroupNames")
        groups = [g for g in self._asg_groups(region) if not names or g["name"] in names]
        records = self._asg_records(p)
        start = int(p.get("NextToken") or 0)
        page = groups[start : start + records]
        token = str(start + records) if start + records < len(groups) else None
        return {
            "AutoScalingGroups": [self._asg_description(region, g) for g in page],
            **({"NextToken": token} if token else {}),
        }

    def autoscaling_DescribeInstanceRefreshes(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        name = p.get("AutoScalingGroupName")
        if not name:
            raise AwsFault(
                400,
                "ValidationError",
                "1 validation error detected: Value null at 'autoScalingGroupName' failed "
                "to satisfy constraint: Member must not be null",
            )
        group = next((g for g in self._asg_groups(region) if g["name"] == name), None)
        refreshes = []
        for n, raw in enumerate((group or {}).get("refreshes") or []):
            refresh = {
                "InstanceRefreshId": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"{self.account}/{region}/{name}/{n}")
                ),
                "AutoScalingGroupName": name,
                "Status": "Successful",
                "StartTime": f"2026-11-{20 - min(n, 19):02d}T10:00:00Z",
            }
            refresh.update(raw)
            refreshes.append(refresh)
        if group is not None:  # --history: the group's `releases:` (histories.py), older
            refreshes += self._asg_release_refreshes(region, group)  # type: ignore[attr-defined]
        wanted = _members(p, "InstanceRefreshIds")
        if wanted:
            refreshes = [r for r in refreshes if r["InstanceRefreshId"] in wanted]
        records = self._asg_records(p)
        start = int(p.get("NextToken") or 0)
        page = refreshes[start : start + records]
        token = str(start + records) if start + records < len(refreshes) else None
        return {"InstanceRefreshes": page, **({"NextToken": token} if token else {})}
