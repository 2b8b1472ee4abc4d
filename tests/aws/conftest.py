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


@pytest.fixture(autouse=True)
def _moto_lists_appconfig_applications(monkeypatch):
    """moto 5.2 has no AppConfig ListApplications (its AppConfigResponse raises
    NotImplementedError), which every scan of every kind sends. The fake cloud
    is given the call, answering the account's applications as AppConfig does
    ({"Items": [{Id, Name, Description}]}); relscan's own code is untouched."""
    import json

    from moto.appconfig.responses import AppConfigResponse

    if hasattr(AppConfigResponse, "list_applications"):
        return

    def list_applications(self) -> str:
        apps = self.appconfig_backend.applications.values()
        return json.dumps({"Items": [app.to_json() for app in apps]})

    monkeypatch.setattr(AppConfigResponse, "list_applications", list_applications, raising=False)
