"""What an AWS kind declares beyond the core's `Kind`: the ARN it is named by
and the tagging API's resource type.

Everything per-kind in the AWS provider follows from these declarations: the
ARNs `check` accepts and its messages (arn.py), the tagging API's
ResourceTypeFilters and the scan loop (run.py), the services whose regions
are known (plugin.py) and the kinds' rows of the IAM policy (permissions.py).
This module imports no SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.kind import FactSpec, Kind

# The characters a name inside an ARN's resource part may hold: anything but
# the separator and control characters.
_NAME = r"[^/\x00-\x1f\x7f]+"


@dataclass(frozen=True)
class AwsKind(Kind):
    # The ARN's service, which is also the botocore client's name ("codedeploy").
    service: str = ""
    # The resource part up to the names ("deploymentgroup:").
    resource_prefix: str = ""
    # The two names after the prefix, as a person writes them ("APPLICATION/GROUP").
    names: str = ""
    # The tagging API's ResourceTypeFilters entry ("codedeploy:deploymentgroup").
    tagging_type: str = ""

    @property
    def resource_pattern(self) -> re.Pattern[str]:
        """The resource part of the kind's ARN, with the names as groups app, name."""
        return re.compile(rf"{re.escape(self.resource_prefix)}(?P<app>{_NAME})/(?P<name>{_NAME})")


def aws_kind(
    *,
    name: str,
    title: str,
    service: str,
    resource_prefix: str,
    names: str,
    tagging_type: str,
    facts: tuple[FactSpec, ...],
    reads: tuple[str, ...],
) -> AwsKind:
    """An AWS kind whose ARN is arn:PARTITION:SERVICE:REGION:ACCOUNT:PREFIXFIRST/SECOND.

    `reads` name operations as the permissions table does: "service:Operation",
    with botocore's service name."""
    return AwsKind(
        name=name,
        title=title,
        provider="aws",
        id_form=f"arn:aws:{service}:REGION:ACCOUNT:{resource_prefix}{names}",
        id_pattern=re.compile(
            rf"arn:aws[a-z-]*:{re.escape(service)}:[a-z0-9-]+:[0-9]{{12}}:"
            rf"{re.escape(resource_prefix)}{_NAME}/{_NAME}",
            re.ASCII,
        ),
        facts=facts,
        reads=reads,
        part=service,
        service=service,
        resource_prefix=resource_prefix,
        names=names,
        tagging_type=tagging_type,
    )
