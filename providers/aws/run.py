"""A configured AWS scan: scopes are (account, region) pairs."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any

from providers.aws.accounts import (
    PARALLEL_ACCOUNTS,
    AccountOptions,
    AccountSessions,
    AssumeRoleFailed,
    Caller,
    Target,
    caller_identity,
)
from providers.aws.arn import parse_arn
from providers.aws.clients import AwsClients
from providers.aws.context import AwsContext
from providers.aws.faults import AWS_ERRORS, describe, error_code, is_credentials_error
from providers.aws.history import HistoryStep, read_history
from providers.aws.links import LINKS
from providers.aws.plugin import known_regions, plugin
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from scanner.fanout import fan_out
from scanner.links import Linker
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope
from scanner.practice.settings import Period
from scanner.status import status

ANY_REGION = "*"  # the location of an account that could not be reached
# The scope of a global service's resources (CloudFront, Route 53): one per
# account, read through the partition's home region for those services.
GLOBAL = "global"
_GLOBAL_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"}


def has_global_kinds() -> bool:
    return any(kind.global_service for kind in plugin.aws_kinds())


def readers_for(location: str) -> tuple[Any, ...]:
    """The reader modules a scope reads: the global services' in the account's
    global scope, every other kind's in each region."""
    wanted = location == GLOBAL
    return tuple(m for m in plugin.reader_modules() if m.KIND.global_service is wanted)


def tagged_types(modules: tuple[Any, ...] | None = None) -> list[str]:
    """The tagging API's ResourceTypeFilters: the kinds' resource types (a kind
    the tagging API cannot read declares none and reads its tags itself)."""
    kinds = plugin.aws_kinds() if modules is None else [m.KIND for m in modules]
    return [kind.tagging_type for kind in kinds if kind.tagging_type]


def tag_dict(item: dict[str, Any]) -> dict[str, str]:
    """A resource's tags; a tag without a usable key is left out, a missing value is ""."""
    return {
        t["Key"]: str(t.get("Value") or "")
        for t in item.get("Tags") or []
        if isinstance(t, dict) and isinstance(t.get("Key"), str)
    }


def _tag_owner(unit: Observation) -> str:
    """The ARN a unit's tags are listed under (a Lambda alias: its function's)."""
    for kind in plugin.aws_kinds():
        if kind.name == unit.kind:
            return kind.tag_owner(unit.id)
    return unit.id


class AwsRun(ProviderRun):
    def __init__(
        self,
        clients: AwsClients,
        regions: list[str],
        home_region: str,
        accounts: AccountSessions | None = None,
        period: Period | None = None,
    ) -> None:
        self.clients = clients  # the caller's own
        # The period whose release records are read (--history); None: none are
        # read (providers/aws/history.py).
        self.period = period
        self.regions = regions
        self.home_region = home_region
        self.accounts = accounts or AccountSessions(clients, AccountOptions())
        self.failures: dict[str, tuple[str, str]] = {}  # account -> (service, cause)

    @cached_property
    def caller(self) -> Caller:
        status("aws", "identifying the AWS account…")
        return caller_identity(self.clients, self.home_region)

    @property
    def account(self) -> str:
        return self.caller.account

    def scopes(self) -> list[Scope]:
        account = self.account  # first: credentials that do not work are a usage error
        if not self.accounts.options.multi:
            regions = self.regions or self._enabled_regions(self.clients)
            return [Scope("aws", account, region) for region in self._with_global(regions)]
        if self.accounts.options.organization:
            status("aws", "listing the organization's accounts…")
        targets = self.accounts.targets(self.caller, self.home_region)
        status("aws", f"assuming roles and listing regions in {len(targets)} accounts…")
        with ThreadPoolExecutor(max_workers=PARALLEL_ACCOUNTS) as pool:
            per_account = list(pool.map(self._account_scopes, targets))
        return [scope for scopes in per_account for scope in scopes]

    def _account_scopes(self, target: Target) -> list[Scope]:
        """One account's scopes. An account that cannot be reached keeps its scopes
        (the named regions, or one "*" scope), whose collect() yields the cause."""
        try:
            clients = self.accounts.clients(target, self.home_region)
            regions = self.regions or self._enabled_regions(clients)
        except AssumeRoleFailed as exc:
            self.failures[target.account] = ("sts", str(exc))
        except CloudError as exc:
            self.failures[target.account] = ("ec2", str(exc))
        else:
            return [Scope("aws", target.account, region) for region in self._with_global(regions)]
        return [Scope("aws", target.account, r) for r in self.regions or [ANY_REGION]]

    @staticmethod
    def _with_global(regions: list[str]) -> list[str]:
        """An account's regions, and its global scope when a kind is global."""
        return [*regions, GLOBAL] if has_global_kinds() else list(regions)

    def global_region(self) -> str:
        """The region global services answer in, for the caller's partition."""
        partition = self.clients.session.get_partition_for_region(self.home_region)
        return _GLOBAL_REGIONS.get(partition, "us-east-1")

    def _enabled_regions(self, clients: AwsClients) -> list[str]:
        if clients is self.clients:
            status("aws", "listing the account's enabled regions…")
        try:
            ec2 = clients.get("ec2", self.home_region)
            found = ec2.describe_regions(AllRegions=False)["Regions"]
        except AWS_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"AWS credentials: {describe(exc)}") from None
            raise CloudError(
                f"cannot list the account's enabled regions ({describe(exc)}); "
                "name them with --aws-region"
            ) from None
        return sorted(r["RegionName"] for r in found)

    def _tags(
        self, clients: AwsClients, region: str, types: list[str]
    ) -> dict[str, dict[str, str]]:
        tags: dict[str, dict[str, str]] = {}
        if not types:  # no kind of the scope is tagged through the tagging API
            return tags
        tagging = clients.get("resourcegroupstaggingapi", region)
        for page in tagging.get_paginator("get_resources").paginate(ResourceTypeFilters=types):
            for item in page.get("ResourceTagMappingList") or []:
                if isinstance(item.get("ResourceARN"), str):
                    tags[item["ResourceARN"]] = tag_dict(item)
        return tags

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        failure = self.failures.get(scope.account)
        if failure:
            yield ScopeError("aws", scope.label, *failure)
            return
        try:
            clients = self.accounts.for_account(scope.account, self.caller, self.home_region)
        except AssumeRoleFailed as exc:
            yield ScopeError("aws", scope.label, "sts", str(exc))
            return
        # The tag listing and the kinds are read side by side, each handed over
        # in order: the tags first (a failure is the scope's first error), then
        # each kind's units, given their tags by ARN here (a kind's reader sees
        # no tags during a scan; `check` hands it the one unit's).
        region = self.global_region() if scope.location == GLOBAL else scope.location
        ctx = AwsContext(clients, scope.account, region, scope.label)
        modules = readers_for(scope.location)
        tagging = object()

        def read(task: Any) -> Any:
            if task is tagging:
                try:
                    return self._tags(clients, region, tagged_types(modules))
                except AWS_ERRORS as exc:
                    return ScopeError("aws", scope.label, "tagging", describe(exc))
            return list(task.collect(ctx))

        found = fan_out([tagging, *modules], read)
        listed = next(found)
        if isinstance(listed, ScopeError):
            yield listed
        tags: dict[str, dict[str, str]] = listed if isinstance(listed, dict) else {}

        def batches() -> Iterator[tuple[str, list[Observation | ScopeError]]]:
            for module, items in zip(modules, found, strict=True):
                for item in items:
                    if isinstance(item, Observation):
                        # a kind that reads its own tags (no tagging type) keeps them
                        item.tags = tags.get(_tag_owner(item), item.tags)
                yield module.KIND.name, items

        # A unit another unit releases is left out (providers/aws/links.py).
        linked = Linker(LINKS).batches(batches())
        if self.period is None:
            yield from linked
            return
        # --history: each unit's release records, read side by side, in order.
        step = HistoryStep(ctx, self.period)
        yield from fan_out(linked, step.attach)
        yield from step.refused()

    def check(self, resource_id: str) -> Observation:
        arn = parse_arn(resource_id)
        reader = plugin.reader_for(resource_id)
        if reader is None:  # parse_arn has refused every id that no kind claims
            raise UsageError(f"no AWS kind claims {resource_id}")
        kind = reader.KIND
        if kind.global_service and not arn.region:
            self.home_region = self.global_region()
            region, location = self.home_region, GLOBAL
        elif arn.region not in known_regions(self.clients.session):
            raise UsageError(
                f"unknown AWS region {arn.region!r} in {resource_id} (no such region in any "
                "partition)"
            )
        else:
            self.home_region = region = location = arn.region
        account = arn.account or self.account  # Route 53's ARNs name no account
        clients = self._clients_for(resource_id, account)
        label = Scope("aws", account, location).label
        try:
            tags = (
                {resource_id: self._tags_of(clients, kind.tag_owner(resource_id), region)}
                if kind.tagging_type
                else {}
            )
            ctx = AwsContext(clients, account, region, label, tags)
            unit = reader.get(ctx, resource_id)
        except AWS_ERRORS as exc:
            if error_code(exc) in ("ApplicationDoesNotExistException", "ResourceNotFoundException"):
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
        if self.period is not None:
            unit.history = read_history(reader, ctx, unit, self.period)
        return unit

    def _clients_for(self, resource_id: str, account: str) -> AwsClients:
        """The caller's clients, or an assumed role's when a role for the ARN's
        account is known (--aws-assume-role, or a role ARN in --aws-account)."""
        target = self.accounts.options.target(account, self.caller)
        if target is None:
            raise UsageError(
                f"{resource_id} is in account {account}, but the credentials are for "
                f"account {self.account}"
            )
        try:
            return self.accounts.clients(target, self.home_region)
        except AssumeRoleFailed as exc:
            raise CloudError(str(exc)) from None

    def _tags_of(self, clients: AwsClients, arn: str, region: str) -> dict[str, str]:
        try:
            resp = clients.get("resourcegroupstaggingapi", region).get_resources(
                ResourceARNList=[arn]
            )
        except AWS_ERRORS:
            return {}  # tags only assign services; the verdict does not need them
        for item in resp.get("ResourceTagMappingList") or []:
            return tag_dict(item)
        return {}
