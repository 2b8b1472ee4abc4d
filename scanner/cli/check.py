"""`relscan check ID`: one resource, by its native id."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from scanner.classify import classify
from scanner.cli.common import (
    below_option,
    check_output_path,
    emit,
    fail_under_option,
    formats_option,
    resolve_format,
    service_config,
    service_options,
    timeout_option,
    to_terminal,
)
from scanner.cli.practice import history_options, practice_settings, with_history
from scanner.errors import EXIT_BELOW_TARGET, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.outputs import ONE_FORMATS
from scanner.outputs.select import is_gap
from scanner.outputs.text import clean, level_text, md
from scanner.plugin import installed_plugins
from scanner.practice import effect
from scanner.report import RenderOptions


@click.command()
@click.argument("resource_id")
@formats_option(ONE_FORMATS)
@service_options
@below_option
@fail_under_option
@timeout_option
@history_options
def check(
    resource_id: str,
    fmt: str | None,
    output: str | None,
    fail_under: int | None,
    below: int | None,
    tag_keys: tuple[str, ...],
    assignments: tuple[str, ...],
    **provider_options: Any,
) -> None:
    """Assess one resource: its level, the deciding rule, the evidence, next steps.

    The format follows the same rules as `scan`: --format, else --output's
    suffix, else table on a terminal and json otherwise. With --below N, table
    and markdown show the unit only when it is below level N (or not assessed);
    json always carries it, sarif has a result only for a gap.
    """
    started = dt.datetime.now(dt.UTC)
    fmt = resolve_format(fmt, output, ONE_FORMATS)
    practice = practice_settings(provider_options, started)
    services = service_config(tag_keys, assignments)
    check_output_path(output)
    resource_id = resource_id.strip()
    owners = [p for p in installed_plugins().values() if p.claims(resource_id)]
    if not owners:
        raise UsageError(
            f"unrecognised resource id {resource_id!r}: expected a native id "
            "(an AWS ARN, an Azure resource id, a GCP resource name or an OCI OCID)"
        )
    owner = owners[0]
    owner.check_id(resource_id)  # a typo costs no SDK import and no credential
    for note in owner.check_notes(resource_id, provider_options):
        click.echo(f"relscan: warning: {note}", err=True)
    run = owner.configure(with_history(provider_options, practice))
    observation = run.check(resource_id)
    assessment = classify(observation)
    if practice is not None:  # as `scan` does: the unit's records, when asked
        effect.apply(assessment, observation.history, practice)
    assessment.service = services.service_of(assessment)
    opts = RenderOptions(below=below, terminal=to_terminal(output))
    if fmt in ("table", "markdown") and not is_gap(assessment, below):
        name = md(assessment.name) if fmt == "markdown" else clean(assessment.name)
        content = f"{name}: {level_text(assessment.level)}, not below level {below}\n"
    else:
        content = ONE_FORMATS[fmt](assessment, opts)
    emit(content, output)
    if fail_under and assessment.level is not None and assessment.level < fail_under:
        raise click.exceptions.Exit(EXIT_BELOW_TARGET)
    raise click.exceptions.Exit(EXIT_OK if assessment.level is not None else EXIT_INCOMPLETE)
