"""Which AWS accounts a scan covers, and the credentials it uses in each.

Without --aws-account or --aws-organization a scan covers the caller's own
account. Otherwise every target account gets its own boto3 Session whose
credentials come from sts:AssumeRole, made with the caller's credentials and
refreshed before they expire, so a scan may outlast the role session.
The caller's own account is scanned with the caller's credentials unless a
role ARN in it was named explicitly. The only calls made here are
sts:GetCallerIdentity, sts:AssumeRole and organizations:ListAccounts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

from providers.aws import DEFAULT_SESSION_NAME
from providers.aws.clients import AwsClients
from providers.aws.faults import AWS_ERRORS, describe, is_credentials_error
from scanner.errors import CloudError, CredentialsError, UsageError

_NAME = r"[A-Za-z0-9_+=,.@-]"
_ROLE_NAME = re.compile(rf"^(?:{_NAME}+/)*{_NAME}{{1,64}}$")
_ROLE_ARN = re.compile(
    rf"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{{12}}):role/(?:{_NAME}+/)*{_NAME}{{1,64}}$"
)
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_SESSION_NAME = re.compile(rf"^{_NAME}{{2,64}}$")
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_+=,.@:/-]{2,1224}$")

PARALLEL_ACCOUNTS = 8  # accounts whose role is assumed (and regions listed) at once


class AssumeRoleFailed(Exception):
    """A target account's role could not be assumed (a one-line cause)."""


@dataclass(frozen=True)
class Caller:
    account: str
    partition: str


@dataclass(frozen=True)
class Target:
    account: str
    role_arn: str | None  # None: the caller's own credentials


def role_arn(partition: str, account: str, role: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"


@dataclass(frozen=True)
class AccountOptions:
    """The validated multi-account options."""

    listed: tuple[tuple[str, str | None], ...] = ()  # (account, role ARN named for it)
    role_name: str | None = None
    organization: bool = False
    external_id: str | None = None
    session_name: str = DEFAULT_SESSION_NAME

    @property
    def multi(self) -> bool:
        return bool(self.listed or self.organization)

    @classmethod
    def parse(cls, options: dict[str, Any]) -> AccountOptions:
        role_name = options.get("aws_assume_role") or None
        if role_name is not None and not _ROLE_NAME.match(role_name):
            hint = " (name a role ARN with --aws-account)" if role_name.startswith("arn:") else ""
            raise UsageError(
                f"--aws-assume-role {role_name!r}: expected a role name such as "
                f"OrganizationAccountAccessRole, optionally after a path/{hint}"
            )
        listed: dict[str, str | None] = {}
        values = options.get("aws_account") or ()
        for value in (values,) if isinstance(values, str) else values:
            value = value.strip()
            arn = _ROLE_ARN.match(value)
            if arn:
                listed[arn["account"]] = value
            elif _ACCOUNT_ID.match(value):
                if role_name is None:
                    raise UsageError(
                        f"--aws-account {value} needs --aws-assume-role NAME "
                        "(the role to assume in that account)"
                    )
                listed.setdefault(value, None)
            else:
                raise UsageError(
                    f"--aws-account {value!r}: expected a 12-digit account id or a role ARN "
                    "arn:PARTITION:iam::ACCOUNT:role/NAME"
                )
        organization = bool(options.get("aws_organization"))
        if organization and role_name is None:
            raise UsageError(
                "--aws-organization needs --aws-assume-role NAME "
                "(the role to assume in each member account)"
            )
        session_name = options.get("aws_session_name") or DEFAULT_SESSION_NAME
        if not _SESSION_NAME.match(session_name):
            raise UsageError(
                f"--aws-session-name {session_name!r}: expected 2 to 64 letters, digits or +=,.@_-"
            )
        external_id = options.get("aws_external_id") or None
        if external_id is not None and not _EXTERNAL_ID.match(external_id):
            raise UsageError("--aws-external-id: expected 2 to 1224 letters, digits or +=,.@:/_-")
        return cls(tuple(listed.items()), role_name, organization, external_id, session_name)

    def target(self, account: str, caller: Caller) -> Target | None:
        """How to reach `account`; None when no role for it is known."""
        named = dict(self.listed).get(account)
        if named:
            return Target(account, named)
        if account == caller.account:
            return Target(account, None)  # no self-assume
        if self.role_name:
            return Target(account, role_arn(caller.partition, account, self.role_name))
        return None


def caller_identity(clients: AwsClients, region: str) -> Caller:
    """The caller's account and partition, which also proves the credentials work."""
    try:
        found = clients.get("sts", region).get_caller_identity()
    except AWS_ERRORS as exc:
        if is_credentials_error(exc):
            raise CredentialsError(f"AWS credentials: {describe(exc)}") from None
        raise CloudError(f"cannot identify the AWS account: {describe(exc)}") from None
    arn = str(found.get("Arn", ""))
    partition = arn.split(":")[1] if arn.count(":") >= 5 else clients.partition(region)
    return Caller(str(found["Account"]), partition)


def organization_accounts(clients: AwsClients, region: str) -> list[str]:
    """Every ACTIVE account of the caller's organization, by id."""
    try:
        paginator = clients.get("organizations", region).get_paginator("list_accounts")
        found = [a for page in paginator.paginate() for a in page.get("Accounts", [])]
    except AWS_ERRORS as exc:
        if is_credentials_error(exc):
            raise CredentialsError(f"AWS credentials: {describe(exc)}") from None
        raise CloudError(
            f"cannot list the organization's accounts ({describe(exc)}); run from the "
            "management or a delegated administrator account, or name the accounts "
            "with --aws-account"
        ) from None
    return sorted(str(a["Id"]) for a in found if (a.get("State") or a.get("Status")) == "ACTIVE")


class _Fixed(CredentialProvider):
    METHOD = "relscan-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


class AccountSessions:
    """The target accounts of a scan and one AwsClients per account, built once
    and shared by every region of that account."""

    def __init__(
        self,
        caller_clients: AwsClients,
        options: AccountOptions,
        profile: str | None = None,
    ) -> None:
        self.caller_clients = caller_clients
        self.options = options
        self.profile = profile
        self._cache: dict[str, AwsClients] = {}
        self._lock = threading.Lock()
        # one loader of service models for every account's session: loading the EC2
        # model alone again per account would cost a few tenths of a second each
        self._loader = botocore.session.Session(profile=profile).get_component("data_loader")

    def targets(self, caller: Caller, region: str) -> list[Target]:
        """The listed accounts, then the organization's (listed ones first)."""
        accounts = [account for account, _ in self.options.listed]
        if self.options.organization:
            accounts += organization_accounts(self.caller_clients, region)
        targets = [self.options.target(a, caller) for a in dict.fromkeys(accounts)]
        return [t for t in targets if t is not None]

    def clients(self, target: Target, region: str) -> AwsClients:
        """The account's clients; raise AssumeRoleFailed if its role cannot be assumed."""
        if target.role_arn is None:
            return self.caller_clients
        with self._lock:
            if target.account in self._cache:
                return self._cache[target.account]
        session = self._assumed_session(target.role_arn, region)
        with self._lock:
            return self._cache.setdefault(
                target.account,
                AwsClients(session, self.caller_clients.timeout, self.caller_clients.recorder),
            )

    def for_account(self, account: str, caller: Caller, region: str) -> AwsClients:
        """The clients for a scope's or an ARN's account (cached after the first)."""
        target = self.options.target(account, caller)
        if target is None:
            raise AssumeRoleFailed(f"no role to assume in account {account}")
        return self.clients(target, region)

    def _assumed_session(self, arn: str, region: str) -> boto3.Session:
        def fetch() -> dict[str, Any]:
            params = {"RoleArn": arn, "RoleSessionName": self.options.session_name}
            if self.options.external_id:
                params["ExternalId"] = self.options.external_id
            creds = self.caller_clients.get("sts", region).assume_role(**params)["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
                "account_id": arn.split(":")[4],
            }

        try:
            first = fetch()  # assume now, so a refusal is known before the scan starts
        except AWS_ERRORS as exc:
            raise AssumeRoleFailed(f"cannot assume {arn}: {describe(exc)}") from None
        credentials = RefreshableCredentials.create_from_metadata(first, fetch, _Fixed.METHOD)
        core = botocore.session.Session(profile=self.profile)
        core.register_component("data_loader", self._loader)
        core.register_component("credential_provider", CredentialResolver([_Fixed(credentials)]))
        return boto3.Session(botocore_session=core)
