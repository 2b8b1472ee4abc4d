"""AWS test fixtures: real boto3 clients built by the provider's own factory."""

from __future__ import annotations

import boto3
import pytest

from providers.aws.clients import AwsClients

ACCOUNT = "123456789012"
REGION = "eu-west-2"


@pytest.fixture(autouse=True)
def _clean_aws_env(monkeypatch):
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def clients():
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return AwsClients(session)
