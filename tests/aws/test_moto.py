"""The parts of the AWS provider moto implements: identity and region discovery."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from providers.aws.plugin import plugin
from scanner.errors import CredentialsError, UsageError


@pytest.fixture
def moto_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    with mock_aws():
        yield


def test_without_regions_every_enabled_region_is_a_scope(moto_env):
    run = plugin.configure({})
    scopes = run.scopes()
    expected = {
        r["RegionName"]
        for r in boto3.client("ec2", region_name="eu-west-2").describe_regions()["Regions"]
    }
    # and the account's global scope (Route 53)
    assert {s.location for s in scopes} == expected | {"global"} and "eu-west-2" in expected
    assert {s.account for s in scopes} == {"123456789012"}


def test_named_regions_are_the_scopes_in_order(moto_env):
    run = plugin.configure({"aws_region": ("eu-west-2", "eu-west-1", "eu-west-2")})
    assert [s.label for s in run.scopes()] == [
        "aws:123456789012/eu-west-2",
        "aws:123456789012/eu-west-1",
        "aws:123456789012/global",
    ]


def test_a_region_that_does_not_exist_is_refused(moto_env):
    with pytest.raises(UsageError, match="unknown AWS region 'eu-west-9'"):
        plugin.configure({"aws_region": ("eu-west-9",)})


def test_an_arn_from_another_account_is_refused(moto_env):
    run = plugin.configure({})
    arn = "arn:aws:codedeploy:eu-west-2:999999999999:deploymentgroup:app/prod"
    with pytest.raises(
        UsageError,
        match="is in account 999999999999, but the credentials are for account 123456789012",
    ):
        run.check(arn)


def test_no_credentials_is_a_one_line_credentials_error(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    run = plugin.configure({"aws_region": ("eu-west-2",)})
    with pytest.raises(CredentialsError, match="no AWS credentials found"):
        run.scopes()
