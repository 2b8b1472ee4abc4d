"""Lambda: every function's aliases, or the function itself when it has none.

Where a function has aliases, each alias is the release unit (callers that name
the alias get what it points at) and the function is not counted again; a
function without aliases is called by its unqualified name, so it is the unit.
Event source mappings that call a function without a qualifier run whatever
its unqualified name runs; they are shown in each of its units' evidence, and
so are the function URLs without a qualifier of a function with aliases (read
only for those: a function without aliases is its unqualified name already).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError, UsageError
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

# ListFunctions "returns a maximum of 50 items in each response, even if you set
# the number higher" (API_ListFunctions); ListEventSourceMappings returns at most
# 100; ListAliases documents no per-page cap, so it is asked for the most
# MaxItems allows (1-10000).
FUNCTIONS_PAGE = 50
MAPPINGS_PAGE = 100
# ListFunctionUrlConfigs "returns a maximum of 50 items in each response"
# (MaxItems 1-50, API_ListFunctionUrlConfigs).
URLS_PAGE = 50
ALIASES_PAGE = 10000

# What an unqualified call runs: $LATEST, or $LATEST.PUBLISHED for a Lambda
# Managed Instances function (one with a CapacityProviderConfig):
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-version-publishing.html
LATEST = "$LATEST"
LATEST_PUBLISHED = "$LATEST.PUBLISHED"

VERSION = "AliasConfiguration.FunctionVersion"
WEIGHTS = "AliasConfiguration.RoutingConfig.AdditionalVersionWeights"
UNQUALIFIED = "FunctionConfiguration.Version (unqualified invocation)"
CAPACITY = "FunctionConfiguration.CapacityProviderConfig"
MAPPINGS = "EventSourceMappingConfiguration.EventSourceArn (FunctionArn unqualified)"
URLS = "FunctionUrlConfig.FunctionUrl"
URLS_UNQUALIFIED = f"{URLS} (FunctionArn unqualified)"
URLS_NOT_READ = f"{URLS} (not read: a function without aliases is called unqualified anyway)"

# --history (providers/aws/history.py): this kind's cloud keeps no deployment records.
HISTORY_SOURCE = "Lambda aliases"
NO_HISTORY = (
    "no AWS API records when an alias moved: an alias holds only its current version and "
    "weights (AliasConfiguration has no time and no history); the moves are in CloudTrail "
    "(UpdateAlias), which relscan does not read yet"
)

KIND = aws_kind(
    name="aws.lambda.function",
    title="Lambda function or alias",
    plural="Lambda functions and aliases",
    service="lambda",
    resource_prefix="function:",
    names="FUNCTION[:ALIAS]",
    separator=":",
    optional_second=True,
    tagging_type="lambda:function",
    facts=facts(
        ("alias_name", "AliasConfiguration.Name"),
        ("function_version", f"{VERSION} | {UNQUALIFIED}"),
        ("additional_version", f"{WEIGHTS} (version)"),
        ("additional_version_weight", f"{WEIGHTS} (weight)"),
        ("managed_instances", CAPACITY),
        ("unqualified_event_sources", MAPPINGS),
        ("unqualified_function_urls", URLS_UNQUALIFIED),
    ),
    reads=(
        "lambda:ListFunctions",
        "lambda:ListAliases",
        "lambda:ListEventSourceMappings",
        "lambda:ListFunctionUrlConfigs",
        "lambda:GetFunctionConfiguration",
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every alias of every function of the scope, and every function without one."""

    def read() -> Iterator[Observation | ScopeError]:
        return LambdaReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The alias, or the alias-less function, an ARN names (NotFoundError when
    there is none; a UsageError for the unqualified ARN of a function with
    aliases, whose units are its aliases)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = LambdaReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(arn.application, arn.name, resource_id, ctx.tags.get(resource_id, {}))


def is_unqualified(function_arn: str) -> bool:
    """arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME has no version or alias."""
    return len(function_arn.split(":")) == 7


# A qualifier that is a version, not an alias: alias names may not be all
# digits (API_CreateAlias: Name pattern (?!^[0-9]+$)([a-zA-Z0-9-_]+)).
VERSION_QUALIFIER = re.compile(r"[0-9]+|\$LATEST(?:\.PUBLISHED)?")


class LambdaReader:
    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("lambda", region)
        self.account = account
        self.region = region
        self.scope = scope

    # -- reads -------------------------------------------------------------
    def _aliases(self, name: str) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("list_aliases").paginate(
            FunctionName=name, PaginationConfig={"PageSize": ALIASES_PAGE}
        )
        return [a for page in pages for a in page.get("Aliases") or [] if isinstance(a, dict)]

    def _unqualified_callers(self, function: str | None = None) -> dict[str, list[str]] | str:
        """Event source ARNs that call each function (by unqualified ARN) without
        a qualifier, or why the mappings could not be read."""
        from providers.aws.faults import AWS_ERRORS, describe

        params: dict[str, Any] = {"PaginationConfig": {"PageSize": MAPPINGS_PAGE}}
        if function:
            params["FunctionName"] = function
        found: dict[str, list[str]] = {}
        try:
            for page in self.client.get_paginator("list_event_source_mappings").paginate(**params):
                for m in page.get("EventSourceMappings") or []:
                    arn = m.get("FunctionArn") if isinstance(m, dict) else None
                    if isinstance(arn, str) and is_unqualified(arn):
                        found.setdefault(arn, []).append(str(m.get("EventSourceArn") or ""))
        except AWS_ERRORS as exc:
            return describe(exc)
        return found

    def _unqualified_urls(self, name: str) -> list[str] | str:
        """The function's URLs that call it without a qualifier, or why they
        could not be read. A URL's qualifier can only be an alias name
        (FunctionUrlQualifier), shown in its FunctionArn."""
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            pages = self.client.get_paginator("list_function_url_configs").paginate(
                FunctionName=name, PaginationConfig={"PageSize": URLS_PAGE}
            )
            return [
                str(c.get("FunctionUrl") or "")
                for page in pages
                for c in page.get("FunctionUrlConfigs") or []
                if isinstance(c, dict)
                and isinstance(c.get("FunctionArn"), str)
                and is_unqualified(c["FunctionArn"])
            ]
        except AWS_ERRORS as exc:
            return describe(exc)

    # -- units -------------------------------------------------------------
    def collect(self) -> Iterator[Observation | ScopeError]:
        callers = self._unqualified_callers()
        pages = self.client.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": FUNCTIONS_PAGE}
        )
        functions = (f for page in pages for f in page.get("Functions") or [])
        for units in fan_out(functions, lambda f: self._units(f, callers)):
            yield from units

    def _units(
        self, function: Any, callers: dict[str, list[str]] | str
    ) -> list[Observation | ScopeError]:
        if not isinstance(function, dict) or not all(
            isinstance(function.get(k), str) and function.get(k)
            for k in ("FunctionName", "FunctionArn")
        ):
            return [
                ScopeError(
                    "aws",
                    self.scope,
                    "lambda",
                    "ListFunctions answered a function without FunctionName or FunctionArn; "
                    "it was skipped",
                )
            ]
        aliases = self._aliases(function["FunctionName"])
        urls = self._unqualified_urls(function["FunctionName"]) if aliases else None
        return list(self.observe(function, aliases, callers, urls))

    def get(self, name: str, alias: str, arn: str, tags: dict[str, str]) -> Observation:
        from providers.aws.faults import AWS_ERRORS, error_code

        if alias and VERSION_QUALIFIER.fullmatch(alias):
            # An alias name cannot be all digits: this qualifier is a version.
            base = arn.rsplit(":", 1)[0]
            raise UsageError(
                f"{arn} names version {alias} of Lambda function {name}; versions are not "
                f"release units (aliases are, or a function without aliases): check "
                f"{base}:ALIAS or {base}"
            )
        try:
            function = self.client.get_function_configuration(FunctionName=name)
        except AWS_ERRORS as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise NotFoundError(f"no such Lambda function: {name}") from None
            raise
        aliases = self._aliases(name)
        wanted = [a for a in aliases if a.get("Name") == alias] if alias else aliases
        if alias and not wanted:
            raise NotFoundError(f"no such Lambda alias: {name}:{alias}")
        if not alias and aliases:
            names = ", ".join(str(a.get("Name")) for a in aliases[:5])
            raise UsageError(
                f"Lambda function {name} has aliases ({names}); each alias is a release "
                f"unit: check {arn}:ALIAS"
            )
        callers = self._unqualified_callers(name)
        urls = self._unqualified_urls(name) if aliases else None
        for unit in self.observe(function, wanted, callers, urls):
            unit.tags = tags
            return unit
        raise NotFoundError(f"no such Lambda alias: {name}:{alias}")  # pragma: no cover

    def observe(
        self,
        function: dict[str, Any],
        aliases: list[dict[str, Any]],
        callers: dict[str, list[str]] | str,
        urls: list[str] | str | None = None,
    ) -> Iterator[Observation]:
        """The function's units; `urls` are its unqualified function URLs (or
        why they could not be read), None when they were not read (no aliases)."""
        name, arn = function["FunctionName"], function["FunctionArn"]
        managed = isinstance(function.get("CapacityProviderConfig"), dict)
        if not aliases:
            obs = self._unit(arn, name, function, managed, callers)
            obs.add("unqualified_function_urls", URLS_NOT_READ, [])
            obs.add("alias_name", "ListAliases.Aliases (none)", None)
            unqualified = LATEST_PUBLISHED if managed else LATEST
            obs.add("function_version", UNQUALIFIED, unqualified)
            yield obs
            return
        for alias in aliases:
            alias_arn = alias.get("AliasArn") or f"{arn}:{alias.get('Name')}"
            obs = self._unit(alias_arn, f"{name}:{alias.get('Name')}", function, managed, callers)
            obs.add("alias_name", "AliasConfiguration.Name", alias.get("Name"))
            if isinstance(urls, str):
                obs.unknown("unqualified_function_urls", URLS_UNQUALIFIED, urls)
            else:
                obs.add("unqualified_function_urls", URLS_UNQUALIFIED, urls or [])
            obs.add("function_version", VERSION, alias.get("FunctionVersion"))
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            if not isinstance(weights, dict):
                obs.unknown("additional_version", f"{WEIGHTS} (version)", "not a map")
                obs.unknown("additional_version_weight", f"{WEIGHTS} (weight)", "not a map")
            elif not weights:
                obs.add("additional_version", f"{WEIGHTS} (version)", None)
                obs.add("additional_version_weight", f"{WEIGHTS} (none)", 0)
            else:
                # The API routes to one additional version; should several be
                # answered, the heaviest is the one reported.
                version, weight = max(weights.items(), key=lambda kv: _weight(kv[1]))
                obs.add("additional_version", f"{WEIGHTS} (version)", version)
                obs.add("additional_version_weight", f"{WEIGHTS} (weight)", weight)
            yield obs

    def _unit(
        self,
        unit_id: str,
        name: str,
        function: dict[str, Any],
        managed: bool,
        callers: dict[str, list[str]] | str,
    ) -> Observation:
        obs = Observation(
            id=unit_id,
            provider="aws",
            kind=KIND.name,
            name=name,
            account=self.account,
            location=self.region,
        )
        obs.add("managed_instances", CAPACITY, managed)
        if isinstance(callers, str):
            obs.unknown("unqualified_event_sources", MAPPINGS, callers)
        else:
            obs.add("unqualified_event_sources", MAPPINGS, callers.get(function["FunctionArn"], []))
        return obs


def _weight(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else -1.0
