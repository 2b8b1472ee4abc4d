"""The AWS provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

from typing import Any, cast

import click

from providers.aws import DEFAULT_SESSION_NAME
from providers.aws.arn import looks_like_arn, parse_arn
from providers.aws.kind import AwsKind
from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.plugin import ProviderPlugin, ProviderRun
from scanner.readonly import Grant


def services() -> tuple[str, ...]:
    """The botocore clients the kinds are read with (a kind's `client_name`:
    its ARN's service, or its own client name, "elbv2")."""
    return tuple(dict.fromkeys(kind.client_name for kind in plugin.aws_kinds()))


def known_regions(session: Any) -> set[str]:
    """Every region, in any partition, where one of the kinds' services runs."""
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        for service in services():
            regions.update(session.get_available_regions(service, partition_name=partition))
    return regions


class AwsPlugin(ProviderPlugin):
    name = "aws"
    title = "Amazon Web Services"
    emulator = "providers.aws.emulator.app"
    scan_only = frozenset({"aws_organization"})
    # One module per kind (providers/aws/kind.py says what each declares);
    # the scan reads them in this order.
    readers = (
        "providers.aws.codedeploy",
        "providers.aws.beanstalk",
        "providers.aws.ecs",
        "providers.aws.autoscaling",
        "providers.aws.lambda_functions",
        "providers.aws.listener_rules",
        "providers.aws.route53",
        "providers.aws.appconfig",
        "providers.aws.cloudfront",
    )
    # Reads named "service:Operation" (botocore's names), as permissions.py does.
    discovery_reads = (
        "sts:GetCallerIdentity",
        "ec2:DescribeRegions",
        "resourcegroupstaggingapi:GetResources",
        "organizations:ListAccounts",
        "sts:AssumeRole",
    )

    def aws_kinds(self) -> tuple[AwsKind, ...]:
        return cast(tuple[AwsKind, ...], self.kinds())

    def declared_reads(self) -> set[str]:
        from providers.aws.permissions import READ_OPERATIONS

        return {op.name for op in READ_OPERATIONS}

    def read_permission(self, operation: str) -> str | None:
        from providers.aws.permissions import declared

        service, _, name = operation.partition(":")
        found = declared(service, name)
        return found.action if found else None

    def options(self) -> list[click.Option]:
        return [
            click.Option(
                ["--aws-region"],
                multiple=True,
                help="AWS region to scan (repeatable); default: every region enabled "
                "for the account.",
            ),
            click.Option(["--aws-profile"], help="Named profile from the AWS config files."),
            click.Option(
                ["--aws-account"],
                multiple=True,
                help="Account to scan (repeatable): a 12-digit id (assumes --aws-assume-role "
                "there) or a role ARN arn:PARTITION:iam::ACCOUNT:role/NAME to assume. "
                "Default: the credentials' own account.",
            ),
            click.Option(
                ["--aws-assume-role"],
                metavar="NAME",
                help="Role name to assume in every listed or discovered account.",
            ),
            click.Option(
                ["--aws-organization"],
                is_flag=True,
                default=False,
                help="Scan every ACTIVE account of the AWS Organization (run from the "
                "management or a delegated administrator account; needs --aws-assume-role).",
            ),
            click.Option(["--aws-external-id"], help="External id passed to sts:AssumeRole."),
            click.Option(
                ["--aws-session-name"],
                default=DEFAULT_SESSION_NAME,
                show_default=True,
                help="Role session name passed to sts:AssumeRole (shows in CloudTrail).",
            ),
        ]

    def claims(self, resource_id: str) -> bool:
        return looks_like_arn(resource_id)

    def check_id(self, resource_id: str) -> None:
        parse_arn(resource_id)

    def check_notes(self, resource_id: str, options: dict[str, Any]) -> list[str]:
        """An ARN names its region; an --aws-region that disagrees is ignored, said once."""
        regions = list(dict.fromkeys(options.get("aws_region") or ()))
        parts = resource_id.split(":")
        arn_region = parts[3] if len(parts) > 3 else ""
        if not regions or not arn_region or arn_region in regions:
            return []
        return [f"--aws-region {', '.join(regions)} is ignored: the ARN is in region {arn_region}"]

    def permissions(self, scope: str = "account") -> Grant:
        from providers.aws.permissions import grant

        return grant(scope)

    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        # boto3 is imported here, not at plugin load: `relscan` starts fast.
        import boto3
        from botocore.exceptions import ProfileNotFound

        from providers.aws.accounts import AccountOptions, AccountSessions
        from providers.aws.clients import AwsClients
        from providers.aws.run import AwsRun
        from scanner.network import timeout_of
        from scanner.practice.settings import period_of

        accounts = AccountOptions.parse(options)
        try:
            session = boto3.Session(profile_name=options.get("aws_profile") or None)
        except ProfileNotFound as exc:
            raise UsageError(f"AWS profile: {exc}") from None
        regions = list(dict.fromkeys(options.get("aws_region") or ()))
        known = known_regions(session)
        unknown = [r for r in regions if r not in known]
        if unknown:
            raise UsageError(f"unknown AWS region {unknown[0]!r} (no such region in any partition)")
        home = regions[0] if regions else (session.region_name or "us-east-1")
        clients = AwsClients(session, timeout_of(options), recorder)
        profile = options.get("aws_profile") or None
        return AwsRun(
            clients,
            regions,
            home,
            AccountSessions(clients, accounts, profile),
            period=period_of(options),
        )


plugin = AwsPlugin()
