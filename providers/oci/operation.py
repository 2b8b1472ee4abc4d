"""One OCI read operation: its HTTP method and path, and the IAM policy verb
and resource-type that allow it. Kinds declare theirs (providers/oci/kind.py);
the provider's own are in providers/oci/permissions.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from scanner.kit.paths import template_regex

VERBS = ("inspect", "read", "use", "manage")  # cumulative, weakest first


@dataclass(frozen=True)
class Operation:
    service: str  # the client key (a kind's `service`, or identity)
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
