"""A refused ARN says what is wrong with it, not only that it was refused."""

from __future__ import annotations

import pytest

from providers.aws.arn import parse_arn
from scanner.errors import UsageError

CD = "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:"
EB = "arn:aws:elasticbeanstalk:eu-west-2:123456789012:environment/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CD + "payments",
            f"malformed CodeDeploy deployment group ARN {CD + 'payments'!r}: the group name is "
            "missing (expected deploymentgroup:APPLICATION/GROUP)",
        ),
        (CD + "payments/", "malformed CodeDeploy deployment group ARN"),
        (CD + "/prod", "the application name is empty (expected deploymentgroup:"),
        (CD + "payments/prod/x", "it has 2 '/' where deploymentgroup:APPLICATION/GROUP has one"),
        (
            EB + "shop",
            f"malformed Elastic Beanstalk environment ARN {EB + 'shop'!r}: the environment name "
            "is missing (expected environment/APPLICATION/ENVIRONMENT)",
        ),
        ("arn:aws:codedeploy:eu-west-2", "it has 4 of the 6 colon-separated parts"),
        (
            "arn:aws:codedeploy:eu-west-2:12345:deploymentgroup:a/b",
            "account '12345' is not a 12-digit account id",
        ),
        ("arn:gcp:codedeploy:eu-west-2:123456789012:deploymentgroup:a/b", "partition 'gcp'"),
        ("arn:aws:CodeDeploy:eu-west-2:123456789012:deploymentgroup:a/b", "service 'CodeDeploy'"),
        ("arn:aws:codedeploy:EU-WEST-2:123456789012:deploymentgroup:a/b", "region 'EU-WEST-2'"),
        ("arn:aws:codedeploy:eu-west-2:123456789012:", "the resource part is empty"),
        (CD + "a/b\n", "the resource part holds a control character"),
        (
            "arn:aws:codedeploy::123456789012:deploymentgroup:a/b",
            "the region is missing; relscan needs both",
        ),
        (
            "arn:aws:codedeploy:::deploymentgroup:a/b",
            "the region and the account are missing",
        ),
    ],
)
def test_the_message_says_what_is_malformed(text, message):
    with pytest.raises(UsageError) as err:
        parse_arn(text)
    assert message in str(err.value)
    assert "unsupported" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("arn:aws:sns:eu-west-2:123456789012:topic", "sns:topic"),
        ("arn:aws:codedeploy:eu-west-2:123456789012:application:pay", "codedeploy:application"),
        ("arn:aws:elasticbeanstalk:eu-west-2:123456789012:application/shop",
         "elasticbeanstalk:application"),
    ],
)  # fmt: skip
def test_other_kinds_are_unsupported_and_named(text, kind):
    with pytest.raises(UsageError, match=f"^unsupported ARN kind {kind}; relscan checks"):
        parse_arn(text)
