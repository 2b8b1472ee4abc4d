"""What the OCI provider may call: each read operation with its HTTP method
and path, and the IAM policy verb and resource-type that allow it; the
provider's own here, each kind's in its declaration (`KIND.operations`).

The client guard (providers/oci/guard.py) refuses anything not declared here
before it is sent; `relscan permissions oci` prints the policy statements
generated from the same declarations.
"""

from __future__ import annotations

import re

from providers.oci.operation import VERBS, Operation
from scanner.readonly import Grant

GROUP = "relscan-readers"  # the group named in the printed statements


# The provider's own reads (discovering compartments); each kind's follow,
# from its declaration (`KIND.operations`), in the order the plugin lists them.
DISCOVERY: tuple[Operation, ...] = (
    Operation(
        "identity",
        "ListCompartments",
        "GET",
        "/20160918/compartments",
        "inspect",
        "compartments",
        "COMPARTMENT_INSPECT",
    ),
)


def _kinds_operations() -> tuple[Operation, ...]:
    from providers.oci.plugin import plugin

    found: dict[str, Operation] = {}
    for kind in plugin.oci_kinds():
        for op in kind.operations:
            found.setdefault(op.name, op)
    return tuple(found.values())


OPERATIONS: tuple[Operation, ...] = DISCOVERY + _kinds_operations()


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
