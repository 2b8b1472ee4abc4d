"""Hostile input from the cloud: odd names and tags, huge strings, malformed
or missing fields, unparseable answers. All of it is data: never a crash, and
a unit whose deciding field is unusable is not assessed, with a reason."""

from __future__ import annotations

import json

import pytest

from scanner.model import NOT_ASSESSED
from scanner.outputs import SCAN_FORMATS
from scanner.report import RenderOptions
from tests.aws.estate import ACCOUNT, CD_ARN, EB_ARN, ESTATE
from tests.aws.inproc import emulated, scan, verdicts

HUGE = "x" * 100_000
ODD = "ctl\x07\x1b[31m\r\n\t rtl\u202eevil\u202c emoji😀🏳️‍🌈 nul\x00 zw\u200b ﷽"
WEST2 = {"aws_region": ("eu-west-2",)}
GROUP = ESTATE["codedeploy"][0]


def _group(name: str, tags: dict[str, str], **settings) -> dict:
    return {
        "region": "eu-west-2",
        "application": GROUP["application"],
        "tags": tags,
        "group": {**GROUP["group"], "deploymentGroupName": name, **settings},
    }


def test_odd_and_huge_names_and_tags_are_kept_as_data_and_render():
    estate = {
        **ESTATE,
        "codedeploy": [
            *ESTATE["codedeploy"],
            _group(ODD, {"service": ODD, ODD: "v"}),
            _group("huge-" + HUGE, {"note": HUGE}),
        ],
    }
    with emulated(estate):
        result = scan(WEST2)
    assert not result.errors
    by_id = verdicts(result)
    odd = by_id[f"{CD_ARN.rsplit('/', 1)[0]}/{ODD}"]
    assert odd["name"] == f"payments/{ODD}"
    assert odd["tags"] == {"service": ODD, ODD: "v"}
    assert odd["rule"] == by_id[CD_ARN]["rule"]  # the verdict does not care about names
    huge = by_id[f"{CD_ARN.rsplit('/', 1)[0]}/huge-{HUGE}"]
    assert huge["tags"] == {"note": HUGE} and huge["level"] == by_id[CD_ARN]["level"]
    for fmt in ("json", "markdown", "table", "html", "csv"):
        out = SCAN_FORMATS[fmt](result, RenderOptions())
        assert out
    doc = json.loads(SCAN_FORMATS["json"](result, RenderOptions()))
    assert {r["name"] for r in doc["resources"]} >= {f"payments/{ODD}"}


def test_a_deciding_field_of_the_wrong_type_is_not_assessed_with_a_reason():
    raw = {
        "codedeploy:BatchGetDeploymentGroups": {
            "deploymentGroupsInfo": [
                {"deploymentGroupName": "prod", "deploymentConfigName": 5},
                {"deploymentGroupName": "nameless-config", "deploymentStyle": None},
                {"deploymentConfigName": "CodeDeployDefault.AllAtOnce"},  # no name
                {
                    "deploymentGroupName": "odd-types",
                    "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
                    "autoRollbackConfiguration": {"enabled": "yes", "events": []},
                    "alarmConfiguration": {"enabled": 1, "alarms": [{}]},
                },
            ]
        }
    }
    with emulated({**ESTATE, "raw": raw}):
        result = scan(WEST2)
    [error] = result.errors
    assert error.service == "codedeploy application payments"
    assert "without a deploymentGroupName; it was skipped" in error.message
    by_name = {a.name: a for a in result.assessments}
    assert set(by_name) == {
        "payments/prod",
        "payments/nameless-config",
        "payments/odd-types",
        "portal/portal-prod",
    }
    prod = by_name["payments/prod"]
    assert prod.status == NOT_ASSESSED and prod.level is None and prod.reason
    # No deploymentConfigName is CodeDeploy's default, CodeDeployDefault.OneAtATime;
    # no computePlatform is Server; deploymentStyle null is in place.
    nameless = by_name["payments/nameless-config"]
    assert (nameless.level, nameless.rule) == (2, "AWS-CD-2-IN-PLACE-ROLLING")
    assert {
        "field": "deploymentGroupInfo.deploymentConfigName (default)",
        "value": "CodeDeployDefault.OneAtATime",
    } in [e.as_dict() for e in nameless.evidence]
    assert by_name["payments/odd-types"].reason  # assessed or not, it says why
    assert by_name["portal/portal-prod"].rule == "AWS-EB-2-ROLLING"


@pytest.mark.parametrize(
    ("raw", "service", "message"),
    [
        (
            {"codedeploy:ListApplications": "<html>Service Unavailable</html>"},
            "codedeploy",
            "malformed answer from AWS: not JSON",
        ),
        (
            {"codedeploy:ListApplications": {"applications": "payments"}},
            "codedeploy",
            "malformed answer from AWS",
        ),
        (
            {"elasticbeanstalk:DescribeEnvironments": "<DescribeEnvironmentsResponse><oops>"},
            "elasticbeanstalk",
            "malformed answer from AWS: ResponseParserError",
        ),
        (
            {
                "elasticbeanstalk:DescribeEnvironments": (
                    "<DescribeEnvironmentsResponse><DescribeEnvironmentsResult><Environments>"
                    "<member><EnvironmentName>lost</EnvironmentName></member>"
                    "</Environments></DescribeEnvironmentsResult></DescribeEnvironmentsResponse>"
                )
            },
            "elasticbeanstalk",
            "without ApplicationName, EnvironmentName or EnvironmentArn; it was skipped",
        ),
    ],
)
def test_an_unusable_answer_is_a_scope_error_and_the_rest_is_read(raw, service, message):
    with emulated({**ESTATE, "raw": raw}):
        result = scan(WEST2)
    [error] = result.errors
    assert (error.service, error.scope) == (service, f"aws:{ACCOUNT}/eu-west-2")
    assert message in error.message and "\n" not in error.message
    others = {CD_ARN, EB_ARN} - {CD_ARN if service == "codedeploy" else EB_ARN}
    assert {a.id for a in result.assessments} == others


def test_malformed_tags_and_settings_are_data():
    raw = {
        "resourcegroupstaggingapi:GetResources": {
            "ResourceTagMappingList": [
                {"ResourceARN": CD_ARN, "Tags": [{"Value": "no key"}, {"Key": "service"}]},
                {"Tags": [{"Key": "k", "Value": "v"}]},  # no ARN
                {"ResourceARN": EB_ARN, "Tags": None},
            ]
        },
        "elasticbeanstalk:DescribeConfigurationSettings": (
            "<DescribeConfigurationSettingsResponse><DescribeConfigurationSettingsResult>"
            "<ConfigurationSettings><member><OptionSettings><member>"
            "<Namespace>aws:elasticbeanstalk:command</Namespace>"
            "<OptionName>DeploymentPolicy</OptionName>"
            "</member></OptionSettings></member></ConfigurationSettings>"
            "</DescribeConfigurationSettingsResult></DescribeConfigurationSettingsResponse>"
        ),
    }
    with emulated({**ESTATE, "raw": raw}):
        result = scan(WEST2)
    assert not result.errors
    by_id = {a.id: a for a in result.assessments}
    assert by_id[CD_ARN].tags == {"service": ""} and by_id[CD_ARN].rule
    env = by_id[EB_ARN]
    assert env.tags == {}
    assert env.reason  # the policy was read as absent: decided or not, with a reason
