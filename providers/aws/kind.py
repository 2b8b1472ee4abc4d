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
    # The ARN's service, which is also the IAM actions' prefix ("codedeploy",
    # "elasticloadbalancing").
    service: str = ""
    # The botocore client's name where it is not the ARN's service (Elastic
    # Load Balancing v2: ARNs and IAM say "elasticloadbalancing", the client is
    # "elbv2"); empty means the same as `service` (see `client_name`).
    client: str = ""
    # The resource part up to the names ("deploymentgroup:").
    resource_prefix: str = ""
    # The two names after the prefix, as a person writes them ("APPLICATION/GROUP").
    names: str = ""
    # The tagging API's ResourceTypeFilters entry ("codedeploy:deploymentgroup").
    tagging_type: str = ""
    # What separates the two names ("/"; Lambda's "function:NAME:ALIAS" uses ":").
    separator: str = "/"
    # Whether the second name may be left out (a Lambda function's unqualified ARN).
    optional_second: bool = False
    # A resource part that is not PREFIX + two names (a listener rule's five
    # parts, an AppConfig environment's application/APP/environment/ENV): its
    # full regex, with named groups (`app` and `name`, where there are such,
    # are what ParsedArn calls application and name; `owner`, where there is
    # one, ends the ARN whose tags the unit carries). resource_prefix and
    # names then only say how a person writes it.
    resource_regex: str = ""
    # A global service (CloudFront, Route 53): its resources are read once per
    # account, in the account's "global" scope, and its ARNs may leave the
    # region (and, for Route 53, the account) empty.
    global_service: bool = False

    @property
    def client_name(self) -> str:
        """The botocore client the kind is read with (and whose regions it has)."""
        return self.client or self.service

    @property
    def resource_pattern(self) -> re.Pattern[str]:
        """The resource part of the kind's ARN, with the names as named groups."""
        if self.resource_regex:
            return re.compile(self.resource_regex)
        return re.compile(
            _resource_regex(self.resource_prefix, self.separator, self.optional_second)
        )

    def tag_owner(self, arn: str) -> str:
        """The ARN whose tags a unit carries: its own, or, for a kind whose second
        name is optional (a Lambda alias), the first name's (the function's), or,
        for a resource regex with an `owner` group (a Route 53 record set), the
        ARN up to the end of that group (its hosted zone's)."""
        if self.resource_regex and "(?P<owner>" in self.resource_regex:
            owned = re.search(self.resource_pattern.pattern + "$", arn)
            return arn[: owned.end("owner")] if owned else arn
        if not self.optional_second:
            return arn
        m = re.search(self.resource_pattern.pattern + "$", arn)
        if m is None or m["name"] is None:
            return arn
        return arn[: m.start("name") - len(self.separator)]


def _resource_regex(prefix: str, separator: str, optional_second: bool, named: bool = True) -> str:
    name = rf"[^/{re.escape(separator)}\x00-\x1f\x7f]+" if separator != "/" else _NAME
    app, second = ("(?P<app>", "(?P<name>") if named else ("(?:", "(?:")
    tail = f"{re.escape(separator)}{second}{name})"
    return rf"{re.escape(prefix)}{app}{name}){f'(?:{tail})?' if optional_second else tail}"


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
    separator: str = "/",
    optional_second: bool = False,
    plural: str = "",
    resource_regex: str = "",
    global_service: bool = False,
    id_form: str = "",
    client: str = "",
) -> AwsKind:
    """An AWS kind whose ARN is arn:PARTITION:SERVICE:REGION:ACCOUNT:PREFIXFIRST/SECOND
    (or FIRST:SECOND with `separator` ":", SECOND optional with `optional_second`).

    `reads` name operations as the permissions table does: "service:Operation",
    with botocore's service name (the `client`, where it is not the ARN's
    service)."""
    resource = resource_regex or _resource_regex(
        resource_prefix, separator, optional_second, named=False
    )
    region, account = (
        ("[a-z0-9-]*", "(?:[0-9]{12})?") if global_service else ("[a-z0-9-]+", "[0-9]{12}")
    )
    return AwsKind(
        name=name,
        title=title,
        provider="aws",
        id_form=id_form or f"arn:aws:{service}:REGION:ACCOUNT:{resource_prefix}{names}",
        id_pattern=re.compile(
            rf"arn:aws[a-z-]*:{re.escape(service)}:{region}:{account}:(?:{resource})",
            re.ASCII,
        ),
        facts=facts,
        reads=reads,
        part=service,
        service=service,
        client=client,
        resource_prefix=resource_prefix,
        names=names,
        tagging_type=tagging_type,
        separator=separator,
        optional_second=optional_second,
        plural=plural,
        resource_regex=resource_regex,
        global_service=global_service,
    )
