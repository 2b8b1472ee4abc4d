"""Options and helpers shared by the commands."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

import click

from scanner.errors import OutputError, UsageError
from scanner.model import ScanResult
from scanner.outputs import SCAN_FORMATS, Writer, check_format
from scanner.outputs.json_out import write_scan as write_scan_json
from scanner.outputs.select import WHOLE_ESTATE_FORMATS
from scanner.report import RenderOptions
from scanner.services import DEFAULT_TAG_KEYS, Assignment, ServiceConfig, assign_services
from scanner.services import service_name as unit_service
from scanner.waivers import load_waivers

SUFFIX_FORMATS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "table",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".csv": "csv",
    ".sarif": "sarif",
}
BINARY_FORMATS = {"pdf"}
STDOUT = "-"


def _format_options(formats: dict[str, Any], func: Callable[..., Any]) -> Callable[..., Any]:
    suffixes = ", ".join(s for s, f in SUFFIX_FORMATS.items() if f in formats)
    func = click.option(
        "--output",
        "-o",
        "output",
        type=str,
        default=None,
        help="Write to this file instead of standard output (`-`: standard output).",
    )(func)
    func = click.option(
        "--format",
        "-f",
        "fmt",
        type=str,
        default=None,
        help=f"Output format: {', '.join(formats)} (default: from --output's suffix "
        f"({suffixes}), else table on a terminal, else json).",
    )(func)
    return func


def format_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--format and --output with every scan format."""
    return _format_options(SCAN_FORMATS, func)


def formats_option(formats: dict[str, Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format and --output offering only `formats` (`check`: one unit)."""
    return lambda func: _format_options(formats, func)


def below_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--below",
        type=click.IntRange(1, 5),
        default=None,
        metavar="N",
        help="Show only the gaps: the units below level N, and those not assessed.",
    )(func)


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
    func = below_option(func)
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
        help="Report on this service's units only, in every format (cddo: the service's answer).",
    )(func)


def service_config(tag_keys: tuple[str, ...], assignments: tuple[str, ...]) -> ServiceConfig:
    for key in tag_keys:
        if not key.strip():
            raise UsageError("--service-tag-key: a tag key cannot be empty")
    return ServiceConfig(
        tag_keys=tuple(tag_keys) or DEFAULT_TAG_KEYS,
        assignments=[Assignment.parse(text) for text in assignments],
    )


def render_options(result: ScanResult, kw: dict[str, Any]) -> RenderOptions:
    """Assign services, then load the waivers against them."""
    assign_services(result.assessments, service_config(kw["tag_keys"], kw["assignments"]))
    return options_for({unit_service(a) for a in result.assessments}, kw)


def options_for(known: set[str], kw: dict[str, Any]) -> RenderOptions:
    """The report options, once the units are in services (`known`): the
    waivers loaded against them, and --service checked."""
    waivers = load_waivers(kw["waivers_path"], known) if kw.get("waivers_path") else []
    service = kw.get("only_service")
    if service and service not in known:
        raise UsageError(f"--service {service!r}: no unit of the scan belongs to it")
    return RenderOptions(
        target_level=kw["target_level"],
        waivers=waivers,
        service=service,
        below=kw.get("below"),
        terminal=to_terminal(_output_of(kw)),
    )


def _output_of(kw: dict[str, Any]) -> str | None:
    """--output, whether the command passed it in `kw` or took it by name."""
    if "output" in kw:
        return kw["output"]
    ctx = click.get_current_context(silent=True)
    return ctx.params.get("output") if ctx is not None else None


def to_stdout(output: str | None) -> bool:
    return output is None or output == STDOUT


def to_terminal(output: str | None) -> bool:
    """Whether the output goes to a terminal (a table then gets colour and its width)."""
    return to_stdout(output) and sys.stdout.isatty()


def resolve_format(
    fmt: str | None, output: str | None, formats: dict[str, Any] | None = None
) -> str:
    """The format: --format, else --output's suffix, else table on a terminal and
    json otherwise. An --output suffix relscan does not know is an error."""
    choices: dict[str, Any] = SCAN_FORMATS if formats is None else formats
    if fmt:
        fmt = check_format(fmt, choices)
    elif not to_stdout(output):
        assert output is not None
        known = {suffix: f for suffix, f in SUFFIX_FORMATS.items() if f in choices}
        suffix = Path(output).suffix.lower()
        if suffix not in known:
            what = f"suffix {suffix!r}" if suffix else "name without a suffix"
            raise UsageError(
                f"--output {output}: cannot tell the format from a {what}; use one of "
                f"{', '.join(known)}, or give --format ({', '.join(choices)})"
            )
        fmt = known[suffix]
    else:
        fmt = "table" if sys.stdout.isatty() else "json"
    if fmt in BINARY_FORMATS and to_stdout(output) and sys.stdout.isatty():
        raise UsageError(f"--format {fmt} writes a binary file: give --output PATH")
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.params.get("below") and fmt in WHOLE_ESTATE_FORMATS:
        raise UsageError(
            f"--below lists the gaps; --format {fmt} reports on the whole estate "
            "(narrow it with --service, or use table, markdown, json, csv or sarif)"
        )
    return fmt


def check_output_path(output: str | None) -> None:
    """Refuse an unwritable --output before any cloud call, so nothing is lost."""
    if to_stdout(output):
        return
    assert output is not None
    parent = Path(output).expanduser().resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (Path(output).exists() and Path(output).is_dir()):
        raise UsageError(f"cannot write {output}: not a writable file path")


def emit(
    content: str | bytes | Writer, output: str | None, kept: Callable[[], str] | None = None
) -> None:
    """Write to --output (`-` or none: standard output): text, bytes, or a Writer
    that writes a streamed format as it is made. A failed write (disk full, no
    permission, a closed pipe) is one line and exit 7; `kept` says where the
    result can still be had (the store, or a file it writes)."""
    try:
        if not to_stdout(output):
            assert output is not None
            path = Path(output).expanduser()
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                with path.open("w", encoding="utf-8") as fh:
                    content(fh)
        elif isinstance(content, str | bytes):
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.flush()
            _write_stdout(content)
    except OSError as exc:
        where = "standard output" if to_stdout(output) else output
        if to_stdout(output):
            _quiet_stdout()
        message = f"cannot write {where}: {exc.strerror or exc}"
        raise OutputError(f"{message}; {kept()}" if kept else message) from None


def _write_stdout(write: Writer) -> None:
    """A streamed format to standard output's bytes, as UTF-8 whatever the
    locale and with its newlines untranslated, as text is written."""
    write(cast(TextIO, _Utf8(sys.stdout.buffer)))
    sys.stdout.buffer.flush()


class _Utf8(io.TextIOBase):
    """Text written as UTF-8 to a byte stream (which stays open)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.raw.write(text.encode("utf-8"))
        return len(text)


def kept_scan(result: ScanResult, uid: str | None, store_url: str | None) -> Callable[[], str]:
    """Where a scan whose output failed can still be had: the store has it; with
    --no-store its JSON document is written to a temporary file."""

    def kept() -> str:
        if uid:
            from scanner.store.store import safe_url

            flag = f" --store {safe_url(store_url)}" if store_url else ""
            return (
                f"the scan is kept in the store: `relscan show {uid}{flag} -o FILE` writes it again"
            )
        try:
            fd, path = tempfile.mkstemp(prefix="relscan-scan-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                write_scan_json(result, None, fh)
        except OSError as exc:
            return f"the scan could not be kept either ({exc.strerror or exc})"
        return f"the scan is kept in {path}: `relscan report {path} -o FILE` writes it again"

    return kept


def _quiet_stdout() -> None:
    """After a failed write to standard output, point it at the null device so
    Python's own flush at exit does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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


def timeout_option(func: Callable[..., Any]) -> Callable[..., Any]:
    from scanner.network import DEFAULT_TIMEOUT

    return click.option(
        "--timeout",
        type=click.FloatRange(0.1, 3600),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Wait this long for a cloud API to connect, and as long again for each "
        "answer; a call that gets no answer is tried twice.",
    )(func)
