"""Every AWS operation relscan may call, declared once, with its IAM action.

The table is the provider's own reads (identity, regions, tags, accounts,
roles), written here, and each kind's reads, taken from its declaration
(`KIND.reads` in the kind's reader module). `providers/aws/clients.py`
refuses any other operation before it is sent, and `relscan permissions aws`
prints the IAM policy generated from the same table.
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

    @property
    def name(self) -> str:
        """The operation as kinds and the plugin name it: "codedeploy:ListApplications"."""
        return f"{self.service}:{self.operation}"


_STMT_READ = "RelscanRead"
_STMT_ORG = "RelscanListOrganizationAccounts"
_STMT_ASSUME = "RelscanAssumeReadRole"

# IAM's service prefix where it is not botocore's service name (an operation's
# action is PREFIX:Operation); a kind reading such a service adds it here.
IAM_PREFIXES = {"resourcegroupstaggingapi": "tag", "elbv2": "elasticloadbalancing"}


def _kind_reads() -> tuple[ReadOperation, ...]:
    """The kinds' reads, each granted by the read statement."""
    from providers.aws.plugin import plugin

    found: dict[str, ReadOperation] = {}
    for kind in plugin.kinds():
        for read in kind.reads:
            service, _, operation = read.partition(":")
            action = f"{IAM_PREFIXES.get(service, service)}:{operation}"
            found.setdefault(
                read, ReadOperation(service, operation, action, _STMT_READ, kind.titles)
            )
    return tuple(found.values())


_DISCOVERY: tuple[ReadOperation, ...] = (
    ReadOperation(
        "sts", "GetCallerIdentity", "sts:GetCallerIdentity", _STMT_READ, "the caller's account"
    ),
    ReadOperation("ec2", "DescribeRegions", "ec2:DescribeRegions", _STMT_READ, "enabled regions"),
    ReadOperation(
        "resourcegroupstaggingapi", "GetResources", "tag:GetResources", _STMT_READ, "tags"
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

READ_OPERATIONS: tuple[ReadOperation, ...] = _DISCOVERY + _kind_reads()

_BY_OPERATION = {(op.service, op.operation): op for op in READ_OPERATIONS}
# SigV4 signing names that differ from the model name (as an emulator sees a request).
# Classic ELB ("elb") signs as "elasticloadbalancing" too; relscan reads only v2.
SIGNING_NAMES = {
    "tagging": "resourcegroupstaggingapi",
    "elasticloadbalancing": "elbv2",
    "monitoring": "cloudwatch",
}
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
