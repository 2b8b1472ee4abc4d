"""`relscan permissions PROVIDER`: the least-privilege read grant it needs."""

from __future__ import annotations

import click

from scanner.errors import UsageError
from scanner.plugin import installed_plugins


@click.command()
@click.argument("provider")
def permissions(provider: str) -> None:
    """Print the least-privilege grant PROVIDER needs (aws, azure, gcp, oci)."""
    plugins = installed_plugins()
    if provider not in plugins:
        raise UsageError(f"unknown provider {provider!r}; installed: {', '.join(plugins)}")
    try:
        grant = plugins[provider].permissions()
    except NotImplementedError as exc:
        raise UsageError(str(exc)) from None
    click.echo(grant.document.rstrip("\n"))
