"""Parsing the ARNs that `relscan check` accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

# ASCII digits only, whole text only (no trailing newline), no control characters
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
    r"(?P<account>[0-9]{12}|):(?P<resource>[^\x00-\x1f\x7f]+)",
    re.ASCII,
)
_DEPLOYMENT_GROUP = re.compile(r"deploymentgroup:(?P<app>[^/]+)/(?P<name>[^/]+)")
_ENVIRONMENT = re.compile(r"environment/(?P<app>[^/]+)/(?P<name>[^/]+)")
_RESOURCE_PREFIX = {"codedeploy": "deploymentgroup:", "elasticbeanstalk": "environment/"}

SUPPORTED = (
    "arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APPLICATION/GROUP",
    "arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APPLICATION/ENVIRONMENT",
)


@dataclass(frozen=True)
class ParsedArn:
    service: str
    region: str
    account: str
    application: str
    name: str
    partition: str = "aws"

    @property
    def text(self) -> str:
        """The ARN again, as `parse_arn` accepts it."""
        resource = f"{_RESOURCE_PREFIX[self.service]}{self.application}/{self.name}"
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{resource}"


def _shown(text: str) -> str:
    """The id as an error message quotes it: escaped, and cut at 200 characters."""
    return repr(text[:200]) + (" (cut)" if len(text) > 200 else "")


def looks_like_arn(text: str) -> bool:
    return text.startswith("arn:")


def parse_arn(text: str) -> ParsedArn:
    m = _ARN.fullmatch(text)
    if not m:
        raise UsageError(
            f"malformed ARN {_shown(text)}: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
        )
    service, resource = m["service"], m["resource"]
    shape = {"codedeploy": _DEPLOYMENT_GROUP, "elasticbeanstalk": _ENVIRONMENT}.get(service)
    r = shape.fullmatch(resource) if shape else None
    if r is None:
        raise UsageError(
            f"unsupported ARN kind {service}:{resource.split(':')[0].split('/')[0][:60]}; "
            f"relscan checks {' and '.join(SUPPORTED)}"
        )
    if not m["region"] or not m["account"]:
        raise UsageError(f"malformed ARN {_shown(text)}: the region and the account are required")
    return ParsedArn(service, m["region"], m["account"], r["app"], r["name"], m["partition"])
