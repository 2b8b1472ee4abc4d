"""Every AWS operation relscan may call, declared once, with its IAM action.

`providers/aws/clients.py` refuses any other operation before it is sent, and
`relscan permissions aws` prints the IAM policy generated from the same table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from scanner.readonly import Grant, ReadOnlyViolation


@dataclass(frozen=True)
class ReadOperation:
    service: str  # botocore's service name (the model name)
    operation: str  # the API operation name, as in the service model
    action: str  # the IAM action that allows it
    statement: str  # which statement of the policy grants it
    why: str


_STMT_READ = "RelscanRead"
_STMT_ORG = "RelscanListOrganizationAccounts"
_STMT_ASSUME = "RelscanAssumeReadRole"

READ_OPERATIONS: tuple[ReadOperation, ...] = (
    ReadOperation(
        "sts", "GetCallerIdentity", "sts:GetCallerIdentity", _STMT_READ, "the caller's account"
    ),
    ReadOperation("ec2", "DescribeRegions", "ec2:DescribeRegions", _STMT_READ, "enabled regions"),
    ReadOperation(
        "resourcegroupstaggingapi", "GetResources", "tag:GetResources", _STMT_READ, "tags"
    ),
    ReadOperation(
        "codedeploy", "ListApplications", "codedeploy:ListApplications", _STMT_READ, "applications"
    ),
    ReadOperation(
        "codedeploy",
        "ListDeploymentGroups",
        "codedeploy:ListDeploymentGroups",
        _STMT_READ,
        "deployment groups",
    ),
    ReadOperation(
        "codedeploy",
        "BatchGetDeploymentGroups",
        "codedeploy:BatchGetDeploymentGroups",
        _STMT_READ,
        "deployment group settings",
    ),
    ReadOperation(
        "codedeploy",
        "GetDeploymentConfig",
        "codedeploy:GetDeploymentConfig",
        _STMT_READ,
        "deployment configs",
    ),
    ReadOperation(
        "elasticbeanstalk",
        "DescribeEnvironments",
        "elasticbeanstalk:DescribeEnvironments",
        _STMT_READ,
        "environments",
    ),
    ReadOperation(
        "elasticbeanstalk",
        "DescribeConfigurationSettings",
        "elasticbeanstalk:DescribeConfigurationSettings",
        _STMT_READ,
        "environment option settings",
    ),
    ReadOperation(
        "organizations",
        "ListAccounts",
        "organizations:ListAccounts",
        _STMT_ORG,
        "--aws-organization: the member accounts",
    ),
    ReadOperation(
        "sts", "AssumeRole", "sts:AssumeRole", _STMT_ASSUME, "--aws-account/--aws-organization"
    ),
)

_BY_OPERATION = {(op.service, op.operation): op for op in READ_OPERATIONS}
# SigV4 signing names that differ from the model name (as an emulator sees a request)
SIGNING_NAMES = {"tagging": "resourcegroupstaggingapi"}
ROLE_PLACEHOLDER = "arn:aws:iam::*:role/relscan-read"
_RESOURCES = {_STMT_READ: "*", _STMT_ORG: "*", _STMT_ASSUME: ROLE_PLACEHOLDER}


def declared(service: str, operation: str) -> ReadOperation | None:
    """The declaration of `service:operation`; `service` may be the model name
    or the SigV4 signing name."""
    return _BY_OPERATION.get((SIGNING_NAMES.get(service, service), operation))


def require_read(service: str, operation: str) -> ReadOperation:
    """The declaration, or ReadOnlyViolation: the call must not be sent."""
    found = declared(service, operation)
    if found is None:
        raise ReadOnlyViolation(
            f"refused AWS call {service}:{operation}: not one of the read operations "
            "relscan declares (providers/aws/permissions.py); nothing was sent"
        )
    return found


def permission_for(service: str, operation: str) -> str:
    return require_read(service, operation).action


# What each kind of scan needs beyond reading its own account.
SCOPES = {
    "account": (_STMT_READ,),
    "assume-role": (_STMT_READ, _STMT_ASSUME),
    "organization": (_STMT_READ, _STMT_ORG, _STMT_ASSUME),
}


def policy(scope: str = "account") -> dict[str, object]:
    """The least-privilege IAM policy for a kind of scan, one statement per
    purpose: `account` (the credentials' own account), `assume-role`
    (--aws-account / --aws-assume-role: a role in other accounts) or
    `organization` (--aws-organization: list the accounts, then assume)."""
    statements = []
    for sid in SCOPES[scope]:
        resource = _RESOURCES[sid]
        actions = sorted({op.action for op in READ_OPERATIONS if op.statement == sid})
        statements.append(
            {
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions if len(actions) > 1 else actions[0],
                "Resource": resource,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def grant(scope: str = "account") -> Grant:
    statements = SCOPES[scope]
    return Grant(
        provider="aws",
        title="IAM policy document",
        document=json.dumps(policy(scope), indent=2) + "\n",
        permissions=sorted({op.action for op in READ_OPERATIONS if op.statement in statements}),
    )
