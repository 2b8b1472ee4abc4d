"""The AWS estate the CLI tests scan through the loopback emulator, and how
to run relscan as a user does."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack

import pytest

from providers.aws.emulator.app import start
from providers.aws.emulator.elbv2 import listener_rule_arn
from tests.cli import RELSCAN, relscan  # noqa: F401  (shared with the AWS CLI tests)

ACCOUNT = "210987654321"
CD_ARN = f"arn:aws:codedeploy:eu-west-2:{ACCOUNT}:deploymentgroup:payments/prod"
EB_ARN = f"arn:aws:elasticbeanstalk:eu-west-2:{ACCOUNT}:environment/portal/portal-prod"
ECS_ARN = f"arn:aws:ecs:eu-west-2:{ACCOUNT}:service/web/frontend"
LAMBDA_ARN = f"arn:aws:lambda:eu-west-2:{ACCOUNT}:function:notify:live"
CLOUDFRONT_ARN = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1SITE"
# CloudFront (a global service, read in each account's global scope), added to
# ESTATE by the tests that need every kind: a primary sending 5% to its staging copy.
CLOUDFRONT = {
    "distributions": [
        {"id": "E1SITE", "policy": "cdp-site", "tags": {"service": "site"}},
        {"id": "E1SITESTAGING", "staging": True},
    ],
    "policies": [
        {
            "id": "cdp-site",
            "staging": ["E1SITESTAGING"],
            "traffic": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.05}},
        }
    ],
}
# Lambda units, added to ESTATE by the tests that need every kind (one alias).
LAMBDA = [
    {
        "region": "eu-west-2",
        "name": "notify",
        "tags": {"service": "notify"},
        "aliases": [{"Name": "live", "FunctionVersion": "2"}],
        "mappings": [{"EventSourceArn": f"arn:aws:sqs:eu-west-2:{ACCOUNT}:jobs"}],
        # a URL on the alias, and one without a qualifier (it runs $LATEST)
        "urls": [{"qualifier": "live"}, {"AuthType": "NONE"}],
    }
]
# A CodeDeploy Lambda group whose latest deployment moved an alias, for the tests
# that need every read (ListDeploymentTargets, BatchGetDeploymentTargets). The
# alias is not in the estate: the group links to nothing here.
CD_LAMBDA_ARN = f"arn:aws:codedeploy:eu-west-2:{ACCOUNT}:deploymentgroup:mailer/mailer-prod"
CODEDEPLOY_LAMBDA = {
    "region": "eu-west-2",
    "application": "mailer",
    "tags": {"service": "mailer"},
    "group": {
        "deploymentGroupName": "mailer-prod",
        "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
    },
    "deployment": {
        "deploymentId": "d-MAILER001",
        "targets": [{"functionName": "mailer", "functionAlias": "live", "targetVersion": "5"}],
    },
}
ESTATE = {
    "account": ACCOUNT,
    "regions": ["eu-west-2", "eu-west-1"],
    "codedeploy": [
        {
            "region": "eu-west-2",
            "application": "payments",
            "tags": {"service": "payments"},
            "group": {
                "deploymentGroupName": "prod",
                "deploymentConfigName": "CodeDeployDefault.ECSCanary10Percent5Minutes",
                "deploymentStyle": {
                    "deploymentType": "BLUE_GREEN",
                    "deploymentOption": "WITH_TRAFFIC_CONTROL",
                },
                "blueGreenDeploymentConfiguration": {
                    "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
                },
                "autoRollbackConfiguration": {
                    "enabled": True,
                    "events": ["DEPLOYMENT_STOP_ON_ALARM"],
                },
                "alarmConfiguration": {"enabled": True, "alarms": [{"name": "5xx"}]},
            },
        },
        {
            "region": "eu-west-1",
            "application": "legacy",
            "group": {
                "deploymentGroupName": "batch",
                "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
            },
        },
    ],
    "beanstalk": [
        {
            "region": "eu-west-2",
            "application": "portal",
            "environment": "portal-prod",
            "tags": {"service": "portal", "note": "<script>alert(1)</script> [bold]x[/bold]"},
            "options": {
                "aws:elasticbeanstalk:command": {
                    "DeploymentPolicy": "Rolling",
                    "BatchSizeType": "Percentage",
                    "BatchSize": "30",
                }
            },
        },
    ],
}
# An Auto Scaling group, kept out of ESTATE (whose unit counts many tests
# assert); ESTATE_ALL_KINDS, with it, is what tests of every kind's reads scan.
AUTOSCALING = [
    {
        "region": "eu-west-2",
        "name": "web",
        "desired": 4,
        "tags": {"service": "web"},
        "refreshes": [
            {
                "Strategy": "Rolling",
                "Preferences": {
                    "MinHealthyPercentage": 90,
                    "CheckpointPercentages": [20, 100],
                    "CheckpointDelay": 600,
                    "AutoRollback": True,
                    "AlarmSpecification": {"Alarms": ["web-5xx"]},
                },
                "DesiredConfiguration": {
                    "LaunchTemplate": {"LaunchTemplateName": "web", "Version": "7"}
                },
            }
        ],
    },
]
# The emulator's ARN for the group above (its id is a uuid5 of account, region and name).
ASG_ARN = (
    f"arn:aws:autoscaling:eu-west-2:{ACCOUNT}:autoScalingGroup:"
    f"{__import__('uuid').uuid5(__import__('uuid').NAMESPACE_URL, f'{ACCOUNT}/eu-west-2/web')}"
    ":autoScalingGroupName/web"
)

# A load balancer whose HTTPS listener's default rule sends 10 % to a second
# target group (issue 17), and the ARN the emulator gives that rule.
ELBV2 = [
    {
        "region": "eu-west-2",
        "name": "shop",
        "listeners": [
            {
                "port": 443,
                "protocol": "HTTPS",
                "default": {
                    "forward": {"shop-blue": 90, "shop-green": 10},
                    "stickiness": {"Enabled": True, "DurationSeconds": 600},
                },
                "default_tags": {"service": "shop"},
            }
        ],
    }
]
# An AppConfig environment (issue 17), ids from botocore's appconfig examples-1.json:
# its latest deployment grew linearly under an alarm with its actions enabled (level 5).
APPCONFIG_ARN = f"arn:aws:appconfig:eu-west-2:{ACCOUNT}:application/339ohji/environment/54j1r29"
APPCONFIG = [
    {
        "region": "eu-west-2",
        "application": {"Id": "339ohji", "Name": "example-application"},
        "environments": [
            {
                "Id": "54j1r29",
                "Name": "Example-Environment",
                "tags": {"service": "flags"},
                "Monitors": [
                    {
                        "AlarmArn": f"arn:aws:cloudwatch:eu-west-2:{ACCOUNT}:alarm:flag-errors",
                        "AlarmRoleArn": f"arn:aws:iam::{ACCOUNT}:role/appconfig-alarms",
                    }
                ],
                "deployments": [
                    {
                        "DeploymentNumber": 1,
                        "ConfigurationName": "Example-Configuration-Profile",
                        "ConfigurationVersion": "1",
                        "DeploymentDurationInMinutes": 15,
                        "GrowthType": "LINEAR",
                        "GrowthFactor": 25,
                        "FinalBakeTimeInMinutes": 0,
                        "State": "COMPLETE",
                        "PercentageComplete": 100,
                    }
                ],
            }
        ],
    }
]
LISTENER_RULE_ARN = listener_rule_arn(ACCOUNT, "eu-west-2", ELBV2[0], 443, 0)

# A Route 53 hosted zone with one weighted record set (issue 17): a 9:1 split, level 4.
ROUTE53 = [
    {
        "id": "Z0WEB",
        "name": "web.example",
        "tags": {"service": "web"},
        "records": [
            {
                "Name": "www.web.example",
                "Type": "A",
                "SetIdentifier": name,
                "Weight": weight,
                "TTL": 60,
                "ResourceRecords": [{"Value": value}],
            }
            for name, weight, value in (("blue", 9, "192.0.2.1"), ("green", 1, "192.0.2.2"))
        ],
    }
]
R53_ARN = "arn:aws:route53:::hostedzone/Z0WEB/recordset/www.web.example./A"

# ESTATE with an ECS service, an Auto Scaling group, a Lambda alias, a CodeDeploy Lambda
# group (issue 16), a weighted listener rule, a Route 53 weighted record, an AppConfig
# environment and a CloudFront distribution (issue 17), for the tests that need every
# kind and every read.
ESTATE_ALL_KINDS = {
    **ESTATE,
    "codedeploy": [*ESTATE["codedeploy"], CODEDEPLOY_LAMBDA],
    "autoscaling": AUTOSCALING,
    "lambda": LAMBDA,
    "elbv2": ELBV2,
    "route53": ROUTE53,
    "appconfig": APPCONFIG,
    "cloudfront": CLOUDFRONT,
    "ecs": [
        {
            "region": "eu-west-2",
            "cluster": "web",
            "tags": {"service": "frontend"},
            "service": {
                "serviceName": "frontend",
                "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 200},
            },
        },
    ],
}


@pytest.fixture
def serve():
    """Serve an estate; return the environment a user's shell would have."""
    with ExitStack() as stack:

        def _serve(estate=ESTATE, **overrides):
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            for key, value in start(json.loads(json.dumps(estate)), stack).items():
                if value is not None:
                    env[key] = value
            env.update(AWS_EC2_METADATA_DISABLED="true", **overrides)
            return env

        yield _serve
