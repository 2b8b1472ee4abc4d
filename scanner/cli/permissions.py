"""`relscan permissions PROVIDER`: the least-privilege read grant it needs."""

from __future__ import annotations

import click

from scanner.errors import UsageError
from scanner.plugin import installed_plugins


@click.command()
@click.argument("provider")
@click.option(
    "--organization",
    "scope",
    flag_value="organization",
    help="For organisation-wide scans (--aws-organization): add listing the accounts "
    "and assuming the read role in each.",
)
@click.option(
    "--assume-role",
    "scope",
    flag_value="assume-role",
    help="For scans of other accounts through a role (--aws-account, --aws-assume-role): "
    "add assuming that role.",
)
def permissions(provider: str, scope: str | None) -> None:
    """Print the least-privilege grant PROVIDER needs (aws, azure, gcp, oci).

    Without an option, the grant scans the credentials' own account and no more."""
    plugins = installed_plugins()
    if provider not in plugins:
        raise UsageError(f"unknown provider {provider!r}; installed: {', '.join(plugins)}")
    try:
        grant = plugins[provider].permissions(scope or "account")
    except NotImplementedError as exc:
        raise UsageError(str(exc)) from None
    click.echo(grant.document.rstrip("\n"))
