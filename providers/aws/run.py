"""A configured AWS scan: scopes are (account, region) pairs."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from providers.aws.arn import parse_arn
from providers.aws.beanstalk import BeanstalkReader
from providers.aws.clients import AwsClients
from providers.aws.codedeploy import CodeDeployReader
from providers.aws.faults import AWS_ERRORS, describe, error_code, is_credentials_error
from scanner.errors import CloudError, CredentialsError, NotFoundError, UsageError
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope

TAGGED_TYPES = ["codedeploy:deploymentgroup", "elasticbeanstalk:environment"]
READERS = (("codedeploy", CodeDeployReader), ("elasticbeanstalk", BeanstalkReader))


class AwsRun(ProviderRun):
    def __init__(self, clients: AwsClients, regions: list[str], home_region: str) -> None:
        self.clients = clients
        self.regions = regions
        self.home_region = home_region

    @cached_property
    def account(self) -> str:
        """The caller's account, which also proves the credentials work."""
        try:
            sts = self.clients.get("sts", self.home_region)
            return str(sts.get_caller_identity()["Account"])
        except AWS_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"AWS credentials: {describe(exc)}") from None
            raise CloudError(f"cannot identify the AWS account: {describe(exc)}") from None

    def scopes(self) -> list[Scope]:
        account = self.account
        regions = self.regions or self._enabled_regions()
        return [Scope("aws", account, region) for region in regions]

    def _enabled_regions(self) -> list[str]:
        try:
            ec2 = self.clients.get("ec2", self.home_region)
            found = ec2.describe_regions(AllRegions=False)["Regions"]
        except AWS_ERRORS as exc:
            raise CloudError(
                f"cannot list the account's enabled regions ({describe(exc)}); "
                "name them with --aws-region"
            ) from None
        return sorted(r["RegionName"] for r in found)

    def _tags(self, region: str) -> dict[str, dict[str, str]]:
        tagging = self.clients.get("resourcegroupstaggingapi", region)
        tags: dict[str, dict[str, str]] = {}
        for page in tagging.get_paginator("get_resources").paginate(
            ResourceTypeFilters=TAGGED_TYPES
        ):
            for item in page.get("ResourceTagMappingList", []):
                tags[item["ResourceARN"]] = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
        return tags

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        try:
            tags = self._tags(scope.location)
        except AWS_ERRORS as exc:
            tags = {}
            yield ScopeError("aws", scope.label, "tagging", describe(exc))
        for service, reader_class in READERS:
            try:
                reader = reader_class(self.clients, scope.account, scope.location, scope.label)
                yield from reader.collect(tags)
            except AWS_ERRORS as exc:
                yield ScopeError("aws", scope.label, service, describe(exc))

    def check(self, resource_id: str) -> Observation:
        arn = parse_arn(resource_id)
        self.home_region = arn.region
        if arn.account != self.account:
            raise UsageError(
                f"{resource_id} is in account {arn.account}, but the credentials are for "
                f"account {self.account}"
            )
        scope = Scope("aws", arn.account, arn.region)
        try:
            tags = self._tags_of(resource_id, arn.region)
            if arn.service == "codedeploy":
                return self._check_group(scope, arn.application, arn.name, tags)
            return self._check_environment(scope, arn.application, arn.name, tags)
        except AWS_ERRORS as exc:
            if error_code(exc) in ("ApplicationDoesNotExistException",):
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None

    def _tags_of(self, arn: str, region: str) -> dict[str, str]:
        try:
            resp = self.clients.get("resourcegroupstaggingapi", region).get_resources(
                ResourceARNList=[arn]
            )
        except AWS_ERRORS:
            return {}  # tags only assign services; the verdict does not need them
        for item in resp.get("ResourceTagMappingList", []):
            return {t["Key"]: t["Value"] for t in item.get("Tags", [])}
        return {}

    def _check_group(self, scope: Scope, app: str, name: str, tags: dict[str, str]) -> Observation:
        reader = CodeDeployReader(self.clients, scope.account, scope.location, scope.label)
        resp = reader.client.batch_get_deployment_groups(
            applicationName=app, deploymentGroupNames=[name]
        )
        infos = resp.get("deploymentGroupsInfo", [])
        if not infos:
            raise NotFoundError(f"no such resource: {reader.arn(app, name)}")
        return reader.observe(app, infos[0], tags)

    def _check_environment(
        self, scope: Scope, app: str, name: str, tags: dict[str, str]
    ) -> Observation:
        reader = BeanstalkReader(self.clients, scope.account, scope.location, scope.label)
        envs = reader.client.describe_environments(
            ApplicationName=app, EnvironmentNames=[name], IncludeDeleted=False
        ).get("Environments", [])
        if not envs:
            raise NotFoundError(f"no such Elastic Beanstalk environment: {app}/{name}")
        return reader.observe(envs[0], tags)
