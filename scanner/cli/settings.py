"""Merging a config file with the command line: the command line wins."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from scanner.config import Settings, load_config
from scanner.plugin import installed_plugins


def merged_options(
    ctx: click.Context, given: dict[str, Any]
) -> tuple[dict[str, Any], Settings | None]:
    """The command's parameters, with the config file's values wherever the
    parameter was not given on the command line."""
    path = given.get("config_path")
    if not path:
        return dict(given), None
    settings = load_config(path, installed_plugins())
    merged = dict(given)
    for key, value in settings.option_values().items():
        if key not in merged:
            merged[key] = value
            continue
        if ctx.get_parameter_source(key) in (
            ParameterSource.COMMANDLINE,
            ParameterSource.ENVIRONMENT,
        ):
            continue
        if value is not None and value != ():
            merged[key] = value
    return merged, settings
