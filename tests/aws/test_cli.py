"""`relscan scan` and `relscan check` run as a user runs them: the installed
command in a subprocess, against the loopback AWS emulator."""

from __future__ import annotations

import json

import pytest

from tests.aws.estate import ACCOUNT, ASG_ARN, CD_ARN, EB_ARN, ESTATE, ESTATE_ALL_KINDS, relscan


def test_scan_writes_the_documented_json(serve):
    r = relscan(
        "scan",
        "--provider",
        "aws",
        "--aws-region",
        "eu-west-2",
        "--aws-region",
        "eu-west-1",
        "--format",
        "json",
        env=serve(),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 2 and doc["target_level"] == 4
    assert set(doc["scan"]) == {
        "started",
        "finished",
        "seconds",
        "tool_version",
        "origin",
        "scopes",
        "errors",
    }
    assert doc["scan"]["scopes"] == [
        f"aws:{ACCOUNT}/eu-west-2",
        f"aws:{ACCOUNT}/eu-west-1",
        f"aws:{ACCOUNT}/global",
    ]
    assert doc["summary"] == {
        "total": 3,
        "levels": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1},
        "not_assessed": 0,
    }
    by_id = {r["id"]: r for r in doc["resources"]}
    unit = by_id[CD_ARN]
    assert list(unit) == [
        "id",
        "provider",
        "kind",
        "name",
        "account",
        "location",
        "tags",
        "service",
        "level",
        "status",
        "rule",
        "basis",
        "reason",
        "evidence",
        "next_steps",
        "target_status",
        "waiver",
    ]
    assert (unit["level"], unit["rule"], unit["status"], unit["basis"]) == (
        5,
        "AWS-CD-5-SHIFT-ALARM-ROLLBACK",
        "assessed",
        "policy",
    )
    assert {
        "field": "deploymentGroupInfo.alarmConfiguration.alarms[].name",
        "value": ["5xx"],
    } in unit["evidence"]
    assert (unit["tags"], unit["service"], unit["location"]) == (
        {"service": "payments"},
        "payments",
        "eu-west-2",
    )
    assert by_id[EB_ARN]["rule"] == "AWS-EB-2-ROLLING"
    assert "scanning" not in r.stderr  # no progress bar when stderr is not a terminal
    assert "3 release units in 3 scopes" in r.stderr  # two regions and the global scope


def test_scan_without_regions_covers_every_enabled_region(serve):
    r = relscan("scan", "-p", "aws", "-f", "json", env=serve())
    doc = json.loads(r.stdout)
    assert sorted(doc["scan"]["scopes"]) == [
        f"aws:{ACCOUNT}/eu-west-1",
        f"aws:{ACCOUNT}/eu-west-2",
        f"aws:{ACCOUNT}/global",
    ]
    assert doc["summary"]["total"] == 3


def test_check_json_is_exactly_the_scan_resource(serve):
    env = serve()
    scan = json.loads(relscan("scan", "-p", "aws", "-f", "json", env=env).stdout)
    r = relscan("check", CD_ARN, "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    one = json.loads(r.stdout)
    [same] = [u for u in scan["resources"] if u["id"] == CD_ARN]
    assert one == same


def test_check_table_shows_level_rule_evidence_and_next_steps(serve):
    r = relscan("check", EB_ARN, "-f", "table", env=serve())
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "portal/portal-prod  level 2" in out
    assert "rule: AWS-EB-2-ROLLING" in out
    assert "OptionSettings[aws:elasticbeanstalk:command].DeploymentPolicy" in out
    assert "Rolling" in out and "Next steps:" in out and "Immutable" in out


def test_check_of_a_missing_group_is_a_one_line_error(serve):
    r = relscan("check", CD_ARN.replace("/prod", "/nope"), env=serve())
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "no such resource" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--provider", "azur"], "unknown provider 'azur'"),
        (["scan"], "choose at least one --provider"),
        (["scan", "-p", "aws", "--format", "yaml"], "unknown format 'yaml'"),
        (["scan", "-p", "aws", "--aws-region", "eu-west-9"], "unknown AWS region 'eu-west-9'"),
        (
            ["scan", "-p", "aws", "--output", "/no/such/dir/x.json"],
            "cannot write /no/such/dir/x.json",
        ),
        (["scan", "-p", "aws", "--fail-under", "9"], "--fail-under"),
        (["check", "arn:aws:codedeploy:eu-west-2"], "malformed ARN"),
        (
            ["check", "arn:aws:sns:eu-west-2:210987654321:topic"],
            "unsupported ARN kind sns:topic",
        ),
        (["check", "not-an-id"], "unrecognised resource id 'not-an-id'"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(serve, args, message):
    r = relscan(*args, env=serve())
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relscan: error:"), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.stderr


def test_no_credentials(serve, tmp_path):
    env = serve()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key)
    r = relscan("scan", "-p", "aws", "--aws-region", "eu-west-2", env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "relscan: error: AWS credentials: no AWS credentials found (set "
        "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
        "sign in with `aws sso login`)"
    )


def test_expired_credentials(serve):
    estate = {**ESTATE, "faults": [{"service": "sts", "code": "ExpiredToken", "status": 403}]}
    r = relscan("check", CD_ARN, env=serve(estate))
    assert r.returncode == 2
    assert "AWS credentials: ExpiredToken on GetCallerIdentity" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_access_denied_in_one_region_keeps_everything_else(serve):
    estate = {**ESTATE, "faults": [{"service": "elasticbeanstalk", "region": "eu-west-2"}]}
    r = relscan("scan", "-p", "aws", "-f", "json", env=serve(estate))
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert [e["service"] for e in doc["scan"]["errors"]] == ["elasticbeanstalk"]
    assert doc["scan"]["errors"][0]["message"].startswith("AccessDenied on DescribeEnvironments")
    assert {u["id"] for u in doc["resources"]} == {
        CD_ARN,
        f"arn:aws:codedeploy:eu-west-1:{ACCOUNT}:deploymentgroup:legacy/batch",
    }
    assert f"relscan: scope error: aws:{ACCOUNT}/eu-west-2 elasticbeanstalk: AccessDenied" in (
        r.stderr
    )


def test_throttling_is_retried_to_the_same_result(serve):
    clean = json.loads(relscan("scan", "-p", "aws", "-f", "json", env=serve()).stdout)
    estate = {
        **ESTATE,
        "faults": [
            {
                "service": "codedeploy",
                "operation": "ListApplications",
                "code": "ThrottlingException",
                "times": 2,
            },
            {"service": "elasticbeanstalk", "code": "Throttling", "times": 1},
        ],
    }
    r = relscan("scan", "-p", "aws", "-f", "json", env=serve(estate))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["resources"] == clean["resources"]


def test_throttling_past_the_retry_limit_is_a_scope_error(serve):
    estate = {
        **ESTATE,
        "faults": [
            {
                "service": "codedeploy",
                "operation": "ListApplications",
                "region": "eu-west-1",
                "code": "ThrottlingException",
            }
        ],
    }
    r = relscan("scan", "-p", "aws", "-f", "json", env=serve(estate, AWS_MAX_ATTEMPTS="2"))
    assert r.returncode == 3
    [error] = json.loads(r.stdout)["scan"]["errors"]
    assert error["message"].startswith("throttled and out of retries: ThrottlingException")
    assert error["scope"] == f"aws:{ACCOUNT}/eu-west-1"


def test_fail_under_exits_4(serve):
    r = relscan("scan", "-p", "aws", "-f", "json", "--fail-under", "2", env=serve())
    assert r.returncode == 4
    r = relscan("scan", "-p", "aws", "-f", "json", "--fail-under", "1", env=serve())
    assert r.returncode == 0


def test_output_file_by_suffix_and_quiet(serve, tmp_path):
    out = tmp_path / "scan.md"
    r = relscan("scan", "-p", "aws", "--output", str(out), "--quiet", env=serve())
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    text = out.read_text()
    assert text.startswith("# How do you release updates?")
    assert "&lt;script&gt;" not in text and "<script>" not in text  # tags are escaped data


def test_table_output_treats_cloud_strings_as_text(serve):
    r = relscan("scan", "-p", "aws", "--format", "table", env=serve())
    assert "portal/portal-prod" in r.stdout and "AWS-EB-2-ROLLING" in r.stdout
    assert "Summary: 3 units" in r.stdout


def test_check_of_an_auto_scaling_group_is_exactly_its_scan_resource(serve):
    env = serve(ESTATE_ALL_KINDS)
    scan = json.loads(relscan("scan", "-p", "aws", "-f", "json", env=env).stdout)
    r = relscan("check", ASG_ARN, "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    one = json.loads(r.stdout)
    [same] = [u for u in scan["resources"] if u["id"] == ASG_ARN]
    assert one == same
    assert (one["level"], one["rule"]) == (5, "AWS-ASG-5-CHECKPOINTS-ALARM-ROLLBACK")
    assert one["tags"] == {"service": "web"}


def test_check_of_a_missing_auto_scaling_group_is_a_one_line_error(serve):
    r = relscan("check", ASG_ARN.replace("/web", "/nope"), env=serve(ESTATE_ALL_KINDS))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "no such EC2 Auto Scaling group" in r.stderr
