"""The AWS provider plugin: its options, its ids, and building a run."""

from __future__ import annotations

from typing import Any

import boto3
import click
from botocore.exceptions import ProfileNotFound

from providers.aws.arn import looks_like_arn
from providers.aws.clients import AwsClients
from providers.aws.run import AwsRun
from scanner.errors import UsageError
from scanner.plugin import ProviderPlugin, ProviderRun

SERVICES = ("codedeploy", "elasticbeanstalk")


def known_regions(session: boto3.Session) -> set[str]:
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        for service in SERVICES:
            regions.update(session.get_available_regions(service, partition_name=partition))
    return regions


class AwsPlugin(ProviderPlugin):
    name = "aws"
    title = "Amazon Web Services"

    def options(self) -> list[click.Option]:
        return [
            click.Option(
                ["--aws-region"],
                multiple=True,
                help="AWS region to scan (repeatable); default: every region enabled "
                "for the account.",
            ),
            click.Option(["--aws-profile"], help="Named profile from the AWS config files."),
        ]

    def claims(self, resource_id: str) -> bool:
        return looks_like_arn(resource_id)

    def configure(self, options: dict[str, Any]) -> ProviderRun:
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
        return AwsRun(AwsClients(session), regions, home)


plugin = AwsPlugin()
