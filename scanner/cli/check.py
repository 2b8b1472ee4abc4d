"""`relscan check ID`: one resource, by its native id."""

from __future__ import annotations

from typing import Any

import click

from scanner.classify import classify
from scanner.cli.common import (
    check_output_path,
    emit,
    fail_under_option,
    format_options,
    service_config,
    service_options,
)
from scanner.errors import EXIT_BELOW_TARGET, EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.outputs import ONE_FORMATS, check_format
from scanner.plugin import installed_plugins


@click.command()
@click.argument("resource_id")
@format_options
@service_options
@fail_under_option
def check(
    resource_id: str,
    fmt: str | None,
    output: str | None,
    fail_under: int | None,
    tag_keys: tuple[str, ...],
    assignments: tuple[str, ...],
    **provider_options: Any,
) -> None:
    """Assess one resource: its level, the deciding rule, the evidence, next steps."""
    fmt = check_format(fmt or "table", ONE_FORMATS)
    services = service_config(tag_keys, assignments)
    check_output_path(output)
    resource_id = resource_id.strip()
    owners = [p for p in installed_plugins().values() if p.claims(resource_id)]
    if not owners:
        raise UsageError(
            f"unrecognised resource id {resource_id!r}: expected a native id "
            "(an AWS ARN, an Azure resource id, a GCP resource name or an OCI OCID)"
        )
    owners[0].check_id(resource_id)  # a typo costs no SDK import and no credential
    run = owners[0].configure(provider_options)
    assessment = classify(run.check(resource_id))
    assessment.service = services.service_of(assessment)
    emit(ONE_FORMATS[fmt](assessment), output)
    if fail_under and assessment.level is not None and assessment.level < fail_under:
        raise click.exceptions.Exit(EXIT_BELOW_TARGET)
    raise click.exceptions.Exit(EXIT_OK if assessment.level is not None else EXIT_INCOMPLETE)
