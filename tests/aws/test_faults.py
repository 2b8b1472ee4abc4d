"""Faults and throttling: the emulator answers as AWS does, and the provider's
retries (botocore adaptive mode) turn a faulty estate into the clean result."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from scanner.cli.running import exit_code
from scanner.emulators.faults import FaultPlan
from tests.aws.estate import ACCOUNT, ESTATE
from tests.aws.inproc import emulated, scan, verdicts

REGIONS = {"aws_region": ("eu-west-2", "eu-west-1")}
CONFIGS = [
    "CodeDeployDefault.AllAtOnce",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
]
POLICIES = ["AllAtOnce", "Rolling", "Immutable", "TrafficSplitting"]


def _larger_estate() -> dict:
    """The CLI estate and 24 more units over both regions, so a 20 % fault rate
    hits every kind of call (pages of 2 make every list call page)."""
    estate = {
        **ESTATE,
        "codedeploy": list(ESTATE["codedeploy"]),
        "beanstalk": list(ESTATE["beanstalk"]),
    }
    for i in range(12):
        region = ("eu-west-2", "eu-west-1")[i % 2]
        estate["codedeploy"].append(
            {
                "region": region,
                "application": f"app{i % 4}",
                "tags": {"service": f"svc{i % 3}"},
                "group": {
                    "deploymentGroupName": f"group{i}",
                    "deploymentConfigName": CONFIGS[i % 3],
                    "autoRollbackConfiguration": {"enabled": i % 2 == 0, "events": []},
                },
            }
        )
        estate["beanstalk"].append(
            {
                "region": region,
                "application": f"web{i % 3}",
                "environment": f"env-{i}",
                "tags": {"service": f"svc{i % 3}"},
                "options": {"aws:elasticbeanstalk:command": {"DeploymentPolicy": POLICIES[i % 4]}},
            }
        )
    return estate


@pytest.mark.parametrize(
    ("service", "call", "kind", "status", "code"),
    [
        ("codedeploy", "list_applications", "throttle", 400, "ThrottlingException"),
        ("elasticbeanstalk", "describe_environments", "throttle", 400, "Throttling"),
        ("ec2", "describe_regions", "throttle", 503, "RequestLimitExceeded"),
        ("organizations", "list_accounts", "throttle", 400, "TooManyRequestsException"),
        ("resourcegroupstaggingapi", "get_resources", "500", 500, "InternalFailure"),
        ("sts", "get_caller_identity", "503", 503, "ServiceUnavailable"),
        ("ec2", "describe_regions", "500", 500, "InternalError"),
    ],
)
def test_injected_faults_are_answered_in_the_services_own_format(service, call, kind, status, code):
    plan = FaultPlan(rate=1.0, kinds=(kind,))
    with emulated(ESTATE, faults=plan):
        client = boto3.client(
            service, region_name="eu-west-2", config=Config(retries={"total_max_attempts": 1})
        )
        with pytest.raises(ClientError) as raised:
            getattr(client, call)()
    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (status, code)


def test_a_scan_with_20_percent_faults_gives_the_clean_result():
    estate = _larger_estate()
    with emulated(estate) as (server, _):
        clean = scan(REGIONS)
        clean_requests = len(server.requests)
    plan = FaultPlan(rate=0.2, seed=11, slow_seconds=0.2)
    started = time.monotonic()
    with emulated(estate, faults=plan) as (server, _):
        faulty = scan(REGIONS)
        faulty_requests = len(server.requests)
    seconds = time.monotonic() - started
    assert not clean.errors and not faulty.errors, faulty.errors
    assert len(clean.assessments) == 27
    assert verdicts(faulty) == verdicts(clean)
    assert set(plan.injected) == {"throttle", "500", "503", "slow", "drop"}, plan.injected
    retries = faulty_requests - clean_requests
    failed = sum(n for kind, n in plan.injected.items() if kind != "slow")
    assert retries == failed  # each failed answer was retried once more, and nothing else
    print(
        f"\n{clean_requests} requests clean; faults {plan.injected}; {retries} retries; "
        f"{seconds:.1f} s"
    )


def test_a_scope_that_always_fails_leaves_the_others_complete():
    with emulated(ESTATE) as _:
        clean = verdicts(scan(REGIONS))
    estate = {
        **ESTATE,
        "faults": [
            {"service": "*", "region": "eu-west-1", "code": "ServiceUnavailable", "status": 503}
        ],
    }
    with emulated(estate, AWS_MAX_ATTEMPTS="2"):
        result = scan(REGIONS)
    assert exit_code(result, None) == 3
    assert {e.scope for e in result.errors} == {f"aws:{ACCOUNT}/eu-west-1"}
    assert all("ServiceUnavailable" in e.message for e in result.errors)
    west2 = {k: v for k, v in clean.items() if ":eu-west-2:" in k}
    assert verdicts(result) == west2 and len(west2) == 2
