"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS, check_format

SUFFIX_FORMATS = {".json": "json", ".md": "markdown", ".txt": "table"}


def format_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--output",
        "-o",
        "output",
        type=str,
        default=None,
        help="Write to this file instead of standard output.",
    )(func)
    func = click.option(
        "--format",
        "-f",
        "fmt",
        type=str,
        default=None,
        help=f"Output format: {', '.join(SCAN_FORMATS)} "
        "(default: table on a terminal, else json; or from --output's suffix).",
    )(func)
    return func


def resolve_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return check_format(fmt)
    if output:
        return SUFFIX_FORMATS.get(Path(output).suffix.lower(), "json")
    return "table" if sys.stdout.isatty() else "json"


def check_output_path(output: str | None) -> None:
    """Refuse an unwritable --output before any cloud call, so nothing is lost."""
    if not output:
        return
    parent = Path(output).expanduser().resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (Path(output).exists() and Path(output).is_dir()):
        raise UsageError(f"cannot write {output}: not a writable file path")


def emit(text: str, output: str | None) -> None:
    if output:
        Path(output).expanduser().write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def fail_under_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--fail-under",
        type=click.IntRange(1, 5),
        default=None,
        help="Exit 4 if any assessed unit's level is below N.",
    )(func)
