"""`relscan rules`: the rule table from mappings/, as Markdown."""

from __future__ import annotations

import click

from scanner.ruledoc import render_rulebook


@click.command()
def rules() -> None:
    """Print every rule (level, conditions, rationale, next steps) as Markdown."""
    click.echo(render_rulebook(), nl=False)
