"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner.engine import ScanResult
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS, check_format
from scanner.report import RenderOptions
from scanner.services import DEFAULT_TAG_KEYS, Assignment, ServiceConfig, assign_services
from scanner.services import service_name as unit_service
from scanner.waivers import load_waivers

SUFFIX_FORMATS = {
    ".json": "json",
    ".md": "markdown",
    ".txt": "table",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".csv": "csv",
}
BINARY_FORMATS = {"pdf"}


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


def service_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--service-tag-key",
        "tag_keys",
        multiple=True,
        help="Tag keys naming a unit's service, in order "
        f"(default: {', '.join(DEFAULT_TAG_KEYS)}).",
    )(func)
    return click.option(
        "--assign",
        "assignments",
        multiple=True,
        metavar="ID_PATTERN=SERVICE",
        help="Put units whose id matches the pattern in a service (overrides tags).",
    )(func)


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = service_options(func)
    func = click.option(
        "--target-level",
        type=click.IntRange(1, 5),
        default=4,
        show_default=True,
        help="The level services are measured against.",
    )(func)
    func = click.option(
        "--waivers",
        "waivers_path",
        type=str,
        default=None,
        help="Waivers file (TOML or YAML): accepted gaps.",
    )(func)
    return click.option(
        "--service",
        "only_service",
        type=str,
        default=None,
        help="With --format cddo: answer for this service only.",
    )(func)


def service_config(tag_keys: tuple[str, ...], assignments: tuple[str, ...]) -> ServiceConfig:
    return ServiceConfig(
        tag_keys=tuple(tag_keys) or DEFAULT_TAG_KEYS,
        assignments=[Assignment.parse(text) for text in assignments],
    )


def render_options(result: ScanResult, kw: dict[str, Any]) -> RenderOptions:
    """Assign services, then load the waivers against them."""
    assign_services(result.assessments, service_config(kw["tag_keys"], kw["assignments"]))
    known = {unit_service(a) for a in result.assessments}
    waivers = load_waivers(kw["waivers_path"], known) if kw.get("waivers_path") else []
    service = kw.get("only_service")
    if service and service not in known:
        raise UsageError(f"--service {service!r}: no unit of the scan belongs to it")
    return RenderOptions(target_level=kw["target_level"], waivers=waivers, service=service)


def resolve_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        fmt = check_format(fmt)
    elif output:
        fmt = SUFFIX_FORMATS.get(Path(output).suffix.lower(), "json")
    else:
        fmt = "table" if sys.stdout.isatty() else "json"
    if fmt in BINARY_FORMATS and not output and sys.stdout.isatty():
        raise UsageError(f"--format {fmt} writes a binary file: give --output PATH")
    return fmt


def check_output_path(output: str | None) -> None:
    """Refuse an unwritable --output before any cloud call, so nothing is lost."""
    if not output:
        return
    parent = Path(output).expanduser().resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (Path(output).exists() and Path(output).is_dir()):
        raise UsageError(f"cannot write {output}: not a writable file path")


def emit(content: str | bytes, output: str | None) -> None:
    if output:
        path = Path(output).expanduser()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        click.echo(content, nl=False)


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--store",
        "store",
        default=None,
        metavar="URL",
        help="History database: sqlite:///PATH or postgresql://... "
        "(default: RELSCAN_STORE, else SQLite in the user's data folder).",
    )(func)
    return click.option("--no-store", is_flag=True, help="Do not record this scan.")(func)


def fail_under_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--fail-under",
        type=click.IntRange(1, 5),
        default=None,
        help="Exit 4 if any assessed unit's level is below N.",
    )(func)
