"""Parsing the ARNs that `relscan check` accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
    r"(?P<account>\d{12}|):(?P<resource>.+)$"
)
_DEPLOYMENT_GROUP = re.compile(r"^deploymentgroup:(?P<app>[^/]+)/(?P<name>[^/]+)$")
_ENVIRONMENT = re.compile(r"^environment/(?P<app>[^/]+)/(?P<name>[^/]+)$")

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


def looks_like_arn(text: str) -> bool:
    return text.startswith("arn:")


def parse_arn(text: str) -> ParsedArn:
    m = _ARN.match(text)
    if not m:
        raise UsageError(
            f"malformed ARN {text!r}: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
        )
    service, resource = m["service"], m["resource"]
    shape = {"codedeploy": _DEPLOYMENT_GROUP, "elasticbeanstalk": _ENVIRONMENT}.get(service)
    r = shape.match(resource) if shape else None
    if r is None:
        raise UsageError(
            f"unsupported ARN kind {service}:{resource.split(':')[0].split('/')[0]}; "
            f"relscan checks {' and '.join(SUPPORTED)}"
        )
    if not m["region"] or not m["account"]:
        raise UsageError(f"malformed ARN {text!r}: the region and the account are required")
    return ParsedArn(service, m["region"], m["account"], r["app"], r["name"])
