"""Multi-account scans: listed accounts, AWS Organizations, assumed roles.

moto serves Organizations, STS (its assumed-role credentials switch accounts)
and, with IAM authentication on, refuses an AssumeRole that a policy denies.
The CLI tests run the installed command against the loopback AWS emulator.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.credentials import RefreshableCredentials
from moto import mock_aws
from moto.core import enable_iam_authentication
from moto.sts.models import sts_backends

from providers.aws.accounts import Target
from providers.aws.emulator.app import start
from providers.aws.plugin import plugin
from scanner.errors import EXIT_INCOMPLETE, CloudError, NotFoundError, UsageError
from scanner.model import ScopeError
from scanner.plugin import Scope
from tests.cli import relscan

MGMT = "123456789012"  # moto's default account: the organization's management account
ROLE = "RelscanReader"
REGIONS = ("eu-west-2", "eu-west-1")
READ_ACTIONS = [
    "sts:GetCallerIdentity",
    "ec2:DescribeRegions",
    "codedeploy:List*",
    "codedeploy:BatchGet*",
    "codedeploy:Get*",
    "elasticbeanstalk:Describe*",
    "ecs:List*",
    "ecs:Describe*",
    "autoscaling:Describe*",
    "elasticloadbalancing:Describe*",
    "route53:List*",
    "route53:Get*",
    "appconfig:List*",
    "appconfig:Get*",
    "cloudwatch:DescribeAlarms",
    "cloudfront:List*",
    "cloudfront:Get*",
    "tag:GetResources",
    "tagging:GetResources",
]


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: list[str], resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def _session(account: str) -> boto3.Session:
    """Setup only (IAM authentication off): a session in `account`."""
    creds = boto3.client("sts", region_name="eu-west-2").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="setup"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="eu-west-2",
    )


def _grant_role(account: str, actions: list[str]) -> None:
    iam = _session(account).client("iam")
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
        "Action": "sts:AssumeRole",
    }
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=_policy(trust))
    iam.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=_policy(_allow(actions)))


def _as_scanner_user(monkeypatch, *statements: dict) -> None:
    """Make the caller an IAM user of the management account with these policies."""
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=_policy(*statements))
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])


def _assumed(account: str) -> list:
    return list(sts_backends[account]["aws"].assumed_roles)


@pytest.fixture
def moto_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    with mock_aws():
        yield


@pytest.fixture
def org(moto_env):
    """An organization: the management account, members a and b, and a closed c."""
    client = boto3.client("organizations", region_name="us-east-1")
    client.create_organization(FeatureSet="ALL")
    ids = [
        client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for name in ("a", "b", "c")
    ]
    client.close_account(AccountId=ids[2])
    return ids


# -- scopes ---------------------------------------------------------------------


def test_organization_scopes_every_active_account_in_each_region(org):
    a, b, closed = org
    run = plugin.configure(
        {"aws_organization": True, "aws_assume_role": ROLE, "aws_region": REGIONS}
    )
    scopes = [(s.account, s.location) for s in run.scopes()]
    assert scopes == [(acct, r) for acct in sorted([MGMT, a, b]) for r in (*REGIONS, "global")]
    assert closed not in {acct for acct, _ in scopes}
    assert run.failures == {}


def test_members_use_the_assumed_role_and_the_caller_its_own_credentials(org):
    a, b, _ = org
    run = plugin.configure(
        {
            "aws_organization": True,
            "aws_assume_role": ROLE,
            "aws_region": ("eu-west-2",),
            "aws_session_name": "nightly-scan",
            "aws_external_id": "ext-42",
        }
    )
    run.scopes()
    assert run.accounts.for_account(MGMT, run.caller, "eu-west-2") is run.clients  # no self-assume
    assert _assumed(MGMT) == []
    for member in (a, b):
        sts = run.accounts.for_account(member, run.caller, "eu-west-2").get("sts", "eu-west-2")
        assert sts.get_caller_identity()["Arn"] == (
            f"arn:aws:sts::{member}:assumed-role/{ROLE}/nightly-scan"
        )
        [role] = _assumed(member)
        assert (role.role_arn, role.session_name, role.external_id) == (
            f"arn:aws:iam::{member}:role/{ROLE}",
            "nightly-scan",
            "ext-42",
        )


def test_role_credentials_are_refreshed_by_assuming_the_role_again(org):
    a, _, _ = org
    run = plugin.configure({"aws_account": (a,), "aws_assume_role": ROLE, "aws_region": REGIONS})
    run.scopes()
    creds = run.accounts.for_account(a, run.caller, "eu-west-2").session.get_credentials()
    assert isinstance(creds, RefreshableCredentials)
    first = creds.get_frozen_credentials().access_key
    creds._expiry_time = datetime.now(UTC) - timedelta(seconds=1)  # the role session ran out
    assert creds.get_frozen_credentials().access_key != first
    assert len(_assumed(a)) == 2


def test_listed_ids_assume_the_named_role_and_role_arns_exactly_theirs(org):
    a, b, _ = org
    other = f"arn:aws:iam::{b}:role/ops/OtherReader"
    own = f"arn:aws:iam::{MGMT}:role/Audit"
    run = plugin.configure(
        {"aws_account": (a, other, MGMT, own), "aws_assume_role": ROLE, "aws_region": REGIONS}
    )
    assert run.accounts.targets(run.caller, "eu-west-2") == [
        Target(a, f"arn:aws:iam::{a}:role/{ROLE}"),
        Target(b, other),
        Target(MGMT, own),  # a role ARN named in the caller's account is assumed
    ]
    assert [s.label for s in run.scopes()] == [
        f"aws:{acct}/{r}" for acct in (a, b, MGMT) for r in (*REGIONS, "global")
    ]
    assert [r.role_arn for r in _assumed(b)] == [other]


def test_the_caller_account_by_id_uses_its_own_credentials(org):
    a, _, _ = org
    run = plugin.configure({"aws_account": (MGMT, a), "aws_assume_role": ROLE})
    accounts = [s.account for s in run.scopes()]
    assert set(accounts) == {MGMT, a} and accounts.index(a) > accounts.index(MGMT)
    assert _assumed(MGMT) == []


def test_without_regions_each_account_lists_regions_with_its_own_credentials(org, monkeypatch):
    a, b, _ = org
    _grant_role(a, READ_ACTIONS)
    _grant_role(b, ["sts:GetCallerIdentity"])  # no ec2:DescribeRegions
    _as_scanner_user(monkeypatch, _allow(READ_ACTIONS + ["sts:AssumeRole"]))
    expected = {
        r["RegionName"]
        for r in boto3.client("ec2", region_name="eu-west-2").describe_regions()["Regions"]
    }
    with enable_iam_authentication():
        run = plugin.configure({"aws_account": (a, b), "aws_assume_role": ROLE})
        scopes = run.scopes()
        assert {s.location for s in scopes if s.account == a} == expected | {"global"}
        [failed] = [s for s in scopes if s.account == b]
        assert failed.label == f"aws:{b}/*"
        [error] = list(run.collect(failed))
    assert (error.scope, error.service) == (f"aws:{b}/*", "ec2")
    assert error.message.startswith(
        "cannot list the account's enabled regions (AccessDenied on DescribeRegions: "
    )
    assert error.message.endswith("); name them with --aws-region")


def test_a_scope_of_an_unresolved_account_is_reached_through_its_role_or_says_why(org):
    a, _, _ = org
    scope = Scope("aws", a, "eu-west-2")  # not from this run's scopes(), e.g. a resumed scan
    run = plugin.configure({"aws_region": ("eu-west-2",)})
    assert list(run.collect(scope)) == [
        ScopeError("aws", f"aws:{a}/eu-west-2", "sts", f"no role to assume in account {a}")
    ]  # never the caller's credentials under another account's label
    run = plugin.configure({"aws_assume_role": ROLE, "aws_region": ("eu-west-2",)})
    assert list(run.collect(scope)) == []
    assert len(_assumed(a)) == 1


# -- a role that cannot be assumed ---------------------------------------------------


def _moto_lambda_signature(item) -> bool:
    """moto 5.2.5 refuses every Lambda request with SignatureDoesNotMatch once IAM
    authentication is on (checked: even a bare ListFunctions answers 403
    SignatureDoesNotMatch, with an allow-all user policy), so Lambda's scope error
    is left out here; the emulator tests cover the Lambda reads. AppConfig, REST
    JSON like Lambda, answers the same (checked: ListApplications, allow-all
    policy); tests/aws/test_appconfig.py covers its reads."""
    return (
        isinstance(item, ScopeError)
        and item.service in ("lambda", "appconfig")
        and "SignatureDoesNotMatch" in item.message
    )


def test_a_refused_role_is_a_scope_error_and_the_other_accounts_are_complete(org, monkeypatch):
    a, b, _ = org
    _grant_role(a, READ_ACTIONS)
    _grant_role(b, READ_ACTIONS)
    _as_scanner_user(
        monkeypatch,
        _allow(READ_ACTIONS + ["sts:AssumeRole", "organizations:ListAccounts"]),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{b}:role/*"},
    )
    with enable_iam_authentication():
        run = plugin.configure({"aws_organization": True, "aws_assume_role": ROLE})
        scopes = run.scopes()
        # (the global scopes are left out: moto 5.2 has no ListContinuousDeploymentPolicies;
        # tests/aws/test_cloudfront.py reads an empty CloudFront through the emulator)
        by_account = {acct: [s for s in scopes if s.account == acct] for acct in (MGMT, a, b)}
        assert len(by_account[MGMT]) == len(by_account[a]) > 1
        assert [s.label for s in by_account[b]] == [f"aws:{b}/*"]
        # every read of a and of the caller's account is allowed, and nothing is there
        results = {
            s.label: [e for e in run.collect(s) if not _moto_lambda_signature(e)]
            for s in scopes
            if s.location in ("eu-west-2", "*")
        }
    assert results == {
        f"aws:{MGMT}/eu-west-2": [],
        f"aws:{a}/eu-west-2": [],
        f"aws:{b}/*": [
            ScopeError(
                "aws",
                f"aws:{b}/*",
                "sts",
                f"cannot assume arn:aws:iam::{b}:role/{ROLE}: AccessDenied on AssumeRole: "
                f"User: arn:aws:iam::{MGMT}:user/scanner is not authorized to perform: "
                "sts:AssumeRole",
            )
        ],
    }


def test_a_refused_role_keeps_the_named_regions_as_scopes(org, monkeypatch):
    a, b, _ = org
    _grant_role(a, READ_ACTIONS)
    _as_scanner_user(
        monkeypatch,
        _allow(READ_ACTIONS + ["sts:AssumeRole"]),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{b}:role/*"},
    )
    with enable_iam_authentication():
        run = plugin.configure(
            {"aws_account": (a, b), "aws_assume_role": ROLE, "aws_region": REGIONS}
        )
        scopes = run.scopes()
        # the refused account keeps its named regions (no global scope: nothing was reached)
        assert [s.label for s in scopes] == [
            *(f"aws:{a}/{r}" for r in (*REGIONS, "global")),
            *(f"aws:{b}/{r}" for r in REGIONS),
        ]
        errors = [e for s in scopes if s.account == b for e in run.collect(s)]
    assert [(e.scope, e.service) for e in errors] == [(f"aws:{b}/{r}", "sts") for r in REGIONS]


# -- check ------------------------------------------------------------------------


def test_check_assumes_the_role_in_the_arns_account(org):
    a, b, _ = org
    arn = f"arn:aws:elasticbeanstalk:eu-west-2:{a}:environment/portal/prod"
    # moto has no environment there: reaching NotFound means the read ran in account a
    with pytest.raises(NotFoundError, match="no such Elastic Beanstalk environment"):
        plugin.configure({"aws_assume_role": ROLE}).check(arn)
    named = f"arn:aws:iam::{a}:role/ops/Named"
    with pytest.raises(NotFoundError):
        plugin.configure({"aws_account": (named,)}).check(arn)
    assert [r.role_arn for r in _assumed(a)] == [f"arn:aws:iam::{a}:role/{ROLE}", named]
    with pytest.raises(UsageError, match=f"is in account {a}, but the credentials are for"):
        plugin.configure({"aws_account": (f"arn:aws:iam::{b}:role/R",)}).check(arn)


def test_check_with_a_refused_role_is_a_cloud_error(org, monkeypatch):
    a, _, _ = org
    _as_scanner_user(
        monkeypatch,
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
    )
    arn = f"arn:aws:codedeploy:eu-west-2:{a}:deploymentgroup:payments/prod"
    with enable_iam_authentication():
        run = plugin.configure({"aws_assume_role": ROLE})
        with pytest.raises(CloudError) as caught:
            run.check(arn)
    assert str(caught.value) == (
        f"cannot assume arn:aws:iam::{a}:role/{ROLE}: AccessDenied on AssumeRole: User: "
        f"arn:aws:iam::{MGMT}:user/scanner is not authorized to perform: sts:AssumeRole"
    )


# -- Organizations failures and bad input --------------------------------------------

ORG_HINT = (
    "; run from the management or a delegated administrator account, or name the "
    "accounts with --aws-account"
)


@pytest.fixture
def emulated(monkeypatch):
    """Serve an estate from the loopback emulator to this process's SDK."""
    with ExitStack() as stack:

        def _serve(estate):
            for key, value in start(estate, stack).items():
                if value is None:
                    monkeypatch.delenv(key, raising=False)
                else:
                    monkeypatch.setenv(key, value)

        yield _serve


def test_no_organization_is_a_one_line_cloud_error(emulated):
    emulated({"account": "210987654321"})  # moto lists accounts even without an organization
    run = plugin.configure({"aws_organization": True, "aws_assume_role": ROLE})
    with pytest.raises(CloudError) as caught:
        run.scopes()
    assert caught.value.exit_code == EXIT_INCOMPLETE
    assert str(caught.value) == (
        "cannot list the organization's accounts (AWSOrganizationsNotInUseException on "
        "ListAccounts: Your account is not a member of an organization.)" + ORG_HINT
    )


def test_list_accounts_denied_is_a_one_line_cloud_error(emulated):
    emulated(
        {
            "account": "210987654321",
            "organization": ["210987654321"],
            "faults": [{"service": "organizations", "operation": "ListAccounts"}],
        }
    )
    run = plugin.configure({"aws_organization": True, "aws_assume_role": ROLE})
    with pytest.raises(CloudError) as caught:
        run.scopes()
    assert str(caught.value) == (
        "cannot list the organization's accounts (AccessDeniedException on ListAccounts: "
        "User is not authorized to perform: organizations:ListAccounts in eu-west-2)" + ORG_HINT
    )


def test_organization_pages_are_all_read(emulated):
    members = [f"1000000000{i:02d}" for i in range(5)]  # the emulator pages after 2
    emulated(
        {
            "account": "210987654321",
            "organization": [*members, {"id": "100000000099", "status": "SUSPENDED"}],
        }
    )
    run = plugin.configure(
        {"aws_organization": True, "aws_assume_role": ROLE, "aws_region": ("eu-west-2",)}
    )
    assert [s.label for s in run.scopes()] == [
        f"aws:{m}/{r}" for m in members for r in ("eu-west-2", "global")
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"aws_account": ("12345",)},
            "--aws-account '12345': expected a 12-digit account id or a role ARN "
            "arn:PARTITION:iam::ACCOUNT:role/NAME",
        ),
        (
            {"aws_account": ("arn:aws:iam::123456789012:user/bob",)},
            "--aws-account 'arn:aws:iam::123456789012:user/bob': expected a 12-digit account "
            "id or a role ARN arn:PARTITION:iam::ACCOUNT:role/NAME",
        ),
        (
            {"aws_account": ("210987654321",)},
            "--aws-account 210987654321 needs --aws-assume-role NAME "
            "(the role to assume in that account)",
        ),
        (
            {"aws_organization": True},
            "--aws-organization needs --aws-assume-role NAME "
            "(the role to assume in each member account)",
        ),
        (
            {"aws_assume_role": "arn:aws:iam::210987654321:role/R"},
            "--aws-assume-role 'arn:aws:iam::210987654321:role/R': expected a role name such "
            "as OrganizationAccountAccessRole, optionally after a path/ (name a role ARN "
            "with --aws-account)",
        ),
        (
            {"aws_session_name": "has space"},
            "--aws-session-name 'has space': expected 2 to 64 letters, digits or +=,.@_-",
        ),
        (
            {"aws_external_id": "x"},
            "--aws-external-id: expected 2 to 1224 letters, digits or +=,.@:/_-",
        ),
    ],
)
def test_bad_account_options_are_one_line_usage_errors(moto_env, options, message):
    with pytest.raises(UsageError) as caught:
        plugin.configure(options)
    assert str(caught.value) == message


# -- the installed command against the emulator --------------------------------------

CALLER = "210987654321"  # the emulator's account
MEMBER = "111122223333"
GROUP = {
    "region": "eu-west-2",
    "application": "payments",
    "group": {
        "deploymentGroupName": "prod",
        "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
    },
}
ESTATE = {
    "account": CALLER,
    "regions": ["eu-west-2", "eu-west-1"],
    "codedeploy": [GROUP, {**GROUP, "region": "eu-west-1"}],
}


@pytest.fixture
def serve():
    with ExitStack() as stack:

        def _serve(estate=ESTATE):
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            served = start(json.loads(json.dumps(estate)), stack)
            env.update({k: v for k, v in served.items() if v is not None})
            env["AWS_EC2_METADATA_DISABLED"] = "true"
            return env

        yield _serve


def _ids(doc):
    return sorted(u["id"] for u in doc["resources"])


def _group(account, region):
    return f"arn:aws:codedeploy:{region}:{account}:deploymentgroup:payments/prod"


def test_cli_scans_two_listed_accounts(serve):
    r = relscan(
        "scan",
        "-p",
        "aws",
        "-f",
        "json",
        "--aws-account",
        CALLER,
        "--aws-account",
        f"arn:aws:iam::{MEMBER}:role/Reader",
        "--aws-assume-role",
        "Reader",
        env=serve(),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scan"]["scopes"] == [
        f"aws:{acct}/{r}" for acct in (CALLER, MEMBER) for r in ("eu-west-1", "eu-west-2", "global")
    ]
    assert doc["scan"]["errors"] == []
    assert _ids(doc) == sorted(
        _group(acct, r) for acct in (CALLER, MEMBER) for r in ("eu-west-1", "eu-west-2")
    )
    assert {u["account"] for u in doc["resources"]} == {CALLER, MEMBER}


def test_cli_organization_with_a_refused_role_scans_the_rest_and_exits_3(serve):
    estate = {
        **ESTATE,
        "organization": [CALLER, MEMBER, {"id": "444455556666", "status": "SUSPENDED"}],
        "faults": [
            {"service": "sts", "operation": "AssumeRole", "code": "AccessDenied", "status": 403}
        ],
    }
    r = relscan(
        "scan",
        "-p",
        "aws",
        "-f",
        "json",
        "--aws-organization",
        "--aws-assume-role",
        "Reader",
        env=serve(estate),
    )
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scan"]["scopes"] == [  # accounts by id; the caller's own credentials
        f"aws:{MEMBER}/*",
        f"aws:{CALLER}/eu-west-1",
        f"aws:{CALLER}/eu-west-2",
        f"aws:{CALLER}/global",
    ]
    message = (
        f"cannot assume arn:aws:iam::{MEMBER}:role/Reader: AccessDenied on AssumeRole: "
        "User is not authorized to perform: sts:AssumeRole in eu-west-2"
    )
    assert [(e["scope"], e["service"], e["message"]) for e in doc["scan"]["errors"]] == [
        (f"aws:{MEMBER}/*", "sts", message)
    ]
    assert _ids(doc) == sorted(_group(CALLER, r) for r in ("eu-west-1", "eu-west-2"))
    assert f"relscan: scope error: aws:{MEMBER}/* sts: {message}" in r.stderr


def test_cli_organization_not_in_use_is_one_line_and_exit_3(serve):
    """Exit 3 promises the output holds what could be read: the JSON document is
    written, with the provider's discovery failure as its scope error."""
    r = relscan(
        "scan", "-p", "aws", "--aws-organization", "--aws-assume-role", "Reader",
        "-f", "json", env=serve(),
    )  # fmt: skip
    assert r.returncode == 3
    cause = (
        "cannot list the organization's accounts "
        "(AWSOrganizationsNotInUseException on ListAccounts: Your account is not a member "
        "of an organization.)" + ORG_HINT
    )
    assert r.stderr.splitlines()[0] == f"relscan: scope error: aws *: {cause}"
    assert json.loads(r.stdout)["scan"]["errors"] == [
        {"provider": "aws", "scope": "aws", "service": "*", "message": cause}
    ]


def test_cli_bad_account_is_one_line_and_exit_2(serve):
    r = relscan("scan", "-p", "aws", "--aws-account", "21098765432", env=serve())
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "relscan: error: --aws-account '21098765432': expected a 12-digit account id or "
        "a role ARN arn:PARTITION:iam::ACCOUNT:role/NAME"
    )


def test_cli_check_of_another_account_assumes_the_role(serve):
    arn = _group(MEMBER, "eu-west-2")
    env = serve()
    r = relscan("check", arn, "-f", "json", "--aws-assume-role", "Reader", env=env)
    assert r.returncode == 0, r.stderr
    assert (json.loads(r.stdout)["id"], json.loads(r.stdout)["account"]) == (arn, MEMBER)
    r = relscan("check", arn, env=env)
    assert r.returncode == 2
    assert f"is in account {MEMBER}, but the credentials are for account {CALLER}" in r.stderr
