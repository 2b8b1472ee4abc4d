"""What the OCI provider may call, declared once: each read operation with its
HTTP method and path, and the IAM policy verb and resource-type that allow it.

The client guard (providers/oci/guard.py) refuses anything not declared here
before it is sent; `relscan permissions oci` prints the policy statements
generated from the same declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from scanner.kit.paths import template_regex
from scanner.readonly import Grant

VERBS = ("inspect", "read", "use", "manage")  # cumulative, weakest first
GROUP = "relscan-readers"  # the group named in the printed statements


@dataclass(frozen=True)
class Operation:
    service: str  # the client key in providers.oci.clients.SERVICES
    name: str  # the API operation, as the SDK names it
    method: str
    path: str  # with the API version, path parameters as {name}
    verb: str  # the weakest policy verb that covers the operation
    resource_type: str
    permission: str  # the API permission that verb grants

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The path at the end of a URL path, after any endpoint prefix (the
        emulator's /{region}); a path parameter is one non-empty segment."""
        return template_regex(self.path, suffix_of_path=True)

    @property
    def statement_part(self) -> str:
        return f"{self.verb} {self.resource_type}"


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "identity",
        "ListCompartments",
        "GET",
        "/20160918/compartments",
        "inspect",
        "compartments",
        "COMPARTMENT_INSPECT",
    ),
    Operation(
        "loadbalancer",
        "ListLoadBalancers",
        "GET",
        "/20170115/loadBalancers",
        "inspect",
        "load-balancers",
        "LOAD_BALANCER_INSPECT",
    ),
    Operation(
        "loadbalancer",
        "GetLoadBalancer",
        "GET",
        "/20170115/loadBalancers/{loadBalancerId}",
        "read",
        "load-balancers",
        "LOAD_BALANCER_READ",
    ),
    Operation(
        "devops",
        "ListDeployPipelines",
        "GET",
        "/20210630/deployPipelines",
        "inspect",
        "devops-deploy-pipeline",
        "DEVOPS_DEPLOY_PIPELINE_INSPECT",
    ),
    Operation(
        "devops",
        "GetDeployPipeline",
        "GET",
        "/20210630/deployPipelines/{deployPipelineId}",
        "read",
        "devops-deploy-pipeline",
        "DEVOPS_DEPLOY_PIPELINE_READ",
    ),
    Operation(
        "devops",
        "ListDeployStages",
        "GET",
        "/20210630/deployStages",
        "inspect",
        "devops-deploy-stage",
        "DEVOPS_DEPLOY_STAGE_INSPECT",
    ),
)


def match(service: str, method: str, path: str) -> Operation | None:
    """The declared operation a request is, or None: the guard refuses those."""
    for op in OPERATIONS:
        if op.service == service and op.method == method.upper() and op.pattern.search(path):
            return op
    return None


def statements(group: str = GROUP) -> list[str]:
    """One statement per resource-type, with the strongest verb any declared
    operation on it needs (verbs are cumulative)."""
    needed: dict[str, str] = {}
    for op in OPERATIONS:
        current = needed.get(op.resource_type)
        if current is None or VERBS.index(op.verb) > VERBS.index(current):
            needed[op.resource_type] = op.verb
    return [f"Allow group {group} to {verb} {rtype} in tenancy" for rtype, verb in needed.items()]


def covers(statement_lines: list[str], op: Operation) -> bool:
    """Whether the statements grant `op` (same resource-type, verb at least op's)."""
    for line in statement_lines:
        m = re.match(r"^Allow group \S+ to (\w+) (\S+) in tenancy$", line.strip())
        if m and m[2] == op.resource_type and VERBS.index(m[1]) >= VERBS.index(op.verb):
            return True
    return False


def grant() -> Grant:
    lines = statements()
    return Grant(
        provider="oci",
        title="OCI IAM policy statements",
        document="\n".join(lines) + "\n",
        permissions=sorted({op.permission for op in OPERATIONS}),
    )
