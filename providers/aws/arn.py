"""Parsing the ARNs that `relscan check` accepts: those of the provider's
kinds (each kind's ARN service, resource prefix and names; providers/aws/kind.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from providers.aws.kind import AwsKind
from scanner.errors import UsageError

# ASCII digits only, whole text only (no trailing newline), no control characters
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
    r"(?P<account>[0-9]{12}|):(?P<resource>[^\x00-\x1f\x7f]+)",
    re.ASCII,
)


def aws_kinds() -> tuple[AwsKind, ...]:
    """The provider's kinds, in the plugin's order (imported on first use:
    the plugin module imports this one)."""
    from providers.aws.plugin import plugin

    return plugin.aws_kinds()


def supported() -> list[str]:
    """The ARNs `check` accepts, as a person writes them."""
    from providers.aws.plugin import plugin

    return plugin.id_forms()


def _kinds_of(service: str) -> list[AwsKind]:
    return [kind for kind in aws_kinds() if kind.service == service]


@dataclass(frozen=True)
class ParsedArn:
    service: str
    region: str
    account: str
    application: str
    name: str
    partition: str = "aws"
    # every named part of the resource (a kind with its own resource_regex)
    parts: tuple[tuple[str, str], ...] = ()
    resource: str = ""  # the resource part as given

    def part(self, name: str) -> str:
        return dict(self.parts).get(name, "")

    @property
    def text(self) -> str:
        """The ARN again, as `parse_arn` accepts it."""
        if self.resource:
            resource = self.resource
            return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{resource}"
        [kind] = _kinds_of(self.service)
        second = f"{kind.separator}{self.name}" if self.name else ""
        resource = f"{kind.resource_prefix}{self.application}{second}"
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{resource}"


def _shown(text: str) -> str:
    """The id as an error message quotes it: escaped, and cut at 200 characters."""
    return repr(text[:200]) + (" (cut)" if len(text) > 200 else "")


def looks_like_arn(text: str) -> bool:
    return text.startswith("arn:")


_PARTITION = re.compile(r"aws[a-z-]*", re.ASCII)
_SERVICE = re.compile(r"[a-z0-9-]+", re.ASCII)
_REGION = re.compile(r"[a-z0-9-]*", re.ASCII)
_ACCOUNT = re.compile(r"[0-9]{12}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _arn_problem(text: str) -> str:
    """What is wrong with an ARN that does not have the general form."""
    parts = text.split(":", 5)
    if len(parts) < 6:
        return f"it has {len(parts)} of the 6 colon-separated parts"
    _, partition, service, region, account, resource = parts
    if not _PARTITION.fullmatch(partition):
        return f"partition {partition[:40]!r} is not aws, aws-cn, aws-us-gov or another aws-*"
    if not _SERVICE.fullmatch(service):
        return f"service {service[:40]!r} is not lowercase letters, digits and hyphens"
    if not _REGION.fullmatch(region):
        return f"region {region[:40]!r} is not lowercase letters, digits and hyphens"
    if account and not _ACCOUNT.fullmatch(account):
        return f"account {account[:40]!r} is not a 12-digit account id"
    if not resource:
        return "the resource part is empty"
    if _CONTROL.search(resource):
        return "the resource part holds a control character (a newline, say)"
    return "it does not have the form arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"


def _resource_problem(resource: str, prefix: str, names: str, separator: str = "/") -> str:
    """What is wrong with a resource part that starts as a supported kind's does."""
    parts = resource[len(prefix) :].split(separator)
    first, second = (n.lower().strip("[]") for n in names.split(separator))
    if separator != "/" and not parts[0]:
        return f"the {first} name is empty (expected {prefix}{names})"
    if len(parts) == 1:
        return f"the {second} name is missing (expected {prefix}{names})"
    if len(parts) > 2:
        return f"it has {len(parts) - 1} '{separator}' where {prefix}{names} has one"
    if separator != "/" and "/" in resource:
        return f"a name holds '/' (expected {prefix}{names})"
    return f"the {first if not parts[0] else second} name is empty (expected {prefix}{names})"


def parse_arn(text: str) -> ParsedArn:
    m = _ARN.fullmatch(text)
    if not m:
        raise UsageError(f"malformed ARN {_shown(text)}: {_arn_problem(text)}")
    service, resource = m["service"], m["resource"]
    kinds = _kinds_of(service)
    shapes = ((kind, kind.resource_pattern.fullmatch(resource)) for kind in kinds)
    found, r = next(((k, shape) for k, shape in shapes if shape), (None, None))
    if r is None or found is None:
        for kind in kinds:
            if resource.startswith(kind.resource_prefix):
                problem = (
                    f"the resource part does not have the form {kind.resource_prefix}{kind.names}"
                    if kind.resource_regex
                    else _resource_problem(
                        resource, kind.resource_prefix, kind.names, kind.separator
                    )
                )
                raise UsageError(f"malformed {kind.title} ARN {_shown(text)}: {problem}")
        raise UsageError(
            f"unsupported ARN kind {service}:{resource.split(':')[0].split('/')[0][:60]}; "
            f"relscan checks {' and '.join(supported())}"
        )
    if (not m["region"] or not m["account"]) and not found.global_service:
        missing = [w for w, v in (("region", m["region"]), ("account", m["account"])) if not v]
        raise UsageError(
            f"malformed ARN {_shown(text)}: the {' and the '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing; relscan needs both"
        )
    named = {k: v for k, v in r.groupdict().items() if v is not None}
    return ParsedArn(
        service,
        m["region"],
        m["account"],
        named.get("app", ""),
        named.get("name", ""),  # a second name may be optional (an unqualified function)
        m["partition"],
        # a kind with its own resource regex: every named part, and the text
        parts=tuple(named.items()) if found.resource_regex else (),
        resource=resource if found.resource_regex else "",
    )
