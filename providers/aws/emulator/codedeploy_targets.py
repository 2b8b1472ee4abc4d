"""CodeDeploy deployment targets the emulator answers (ListDeploymentTargets,
BatchGetDeploymentTargets), from an estate group's optional `deployment`:

    {deploymentId?, status?, targets: [LambdaFunctionInfo, ...]}

The group then carries it as its `lastAttemptedDeployment` (unless the group
names one itself), as BatchGetDeploymentGroups answers it. A Lambda target's
ID is its function's name (API_BatchGetDeploymentTargets, `targetIds`).
Mixed into AwsEmulator; the wire format is rendered from botocore's model."""

from __future__ import annotations

import zlib
from typing import Any

from providers.aws.emulator.services import AwsFault

# BatchGetDeploymentTargets: "The maximum number of deployment target IDs you
# can specify is 25"; more is DeploymentTargetListSizeExceededException.
TARGETS_LIMIT = 25
WHEN = "2026-11-20T10:00:00Z"


def deployment_id(entry: dict[str, Any]) -> str:
    """The estate deployment's ID, or one made from its group (d- and 9
    characters, as CodeDeploy's IDs are)."""
    given = entry["deployment"].get("deploymentId")
    if given:
        return str(given)
    key = f"{entry['region']}/{entry['application']}/{entry['group']['deploymentGroupName']}"
    return f"d-{zlib.crc32(key.encode()):09X}"[:11]


def last_deployment(entry: dict[str, Any]) -> dict[str, Any]:
    """The group's lastAttemptedDeployment (LastDeploymentInfo) for its estate deployment."""
    return {
        "deploymentId": deployment_id(entry),
        "status": entry["deployment"].get("status", "Succeeded"),
        "createTime": WHEN,
        "endTime": WHEN,
    }


class CodeDeployTargets:
    """Deployment target handlers; `self` is the AwsEmulator."""

    account: str
    groups: list[dict[str, Any]]

    def _page(self, items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
        raise NotImplementedError  # AwsServices._page

    def _deployment(self, region: str, p: dict[str, Any]) -> tuple[str, list[tuple[str, Any]]]:
        """(deployment ID, [(target ID, LambdaFunctionInfo)]) of the deployment
        a request names, or CodeDeploy's error."""
        wanted = p.get("deploymentId")
        if not wanted:
            raise AwsFault(
                400,
                "DeploymentIdRequiredException",
                "At least one deployment ID must be specified.",
            )
        for entry in self.groups:
            if entry["region"] != region or "deployment" not in entry:
                continue
            if deployment_id(entry) == wanted:
                targets: list[tuple[str, Any]] = []
                for info in entry["deployment"].get("targets", []):
                    target_id, n = str(info["functionName"]), 1
                    while target_id in dict(targets):
                        n += 1
                        target_id = f"{info['functionName']}-{n}"
                    targets.append((target_id, info))
                return wanted, targets
        raise AwsFault(
            400, "DeploymentDoesNotExistException", f"The deployment {wanted} could not be found."
        )

    def codedeploy_ListDeploymentTargets(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        _, targets = self._deployment(region, p)
        page, token = self._page([t for t, _ in targets], p.get("nextToken"))
        return {"targetIds": page, **({"nextToken": token} if token else {})}

    def codedeploy_BatchGetDeploymentTargets(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        deployment, targets = self._deployment(region, p)
        ids = p.get("targetIds") or []
        if not ids:
            raise AwsFault(
                400,
                "DeploymentTargetIdRequiredException",
                "A deployment target ID was not provided.",
            )
        if len(ids) > TARGETS_LIMIT:
            raise AwsFault(
                400,
                "DeploymentTargetListSizeExceededException",
                f"The maximum number of deployment target IDs is {TARGETS_LIMIT}.",
            )
        by_id = dict(targets)
        found = []
        for target_id in ids:
            if target_id not in by_id:
                raise AwsFault(
                    400,
                    "DeploymentTargetDoesNotExistException",
                    f"The target {target_id} does not belong to the deployment {deployment}.",
                )
            info = by_id[target_id]
            found.append(
                {
                    "deploymentTargetType": "LambdaTarget",
                    "lambdaTarget": {
                        "deploymentId": deployment,
                        "targetId": target_id,
                        "targetArn": (
                            f"arn:aws:lambda:{region}:{self.account}:function:"
                            f"{info['functionName']}:{info.get('functionAlias', '')}"
                        ).rstrip(":"),
                        "status": "Succeeded",
                        "lastUpdatedAt": WHEN,
                        "lambdaFunctionInfo": info,
                    },
                }
            )
        return {"deploymentTargets": found}
