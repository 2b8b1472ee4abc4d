"""The `relscan` command: a Click group whose scan and check commands also take
every installed provider plugin's options."""

from __future__ import annotations

import logging
import os
import sys
import warnings

import click

from scanner import __version__
from scanner.cli.check import check
from scanner.cli.demo import demo
from scanner.cli.evidence import assess, verify_command
from scanner.cli.history import diff_command, history, show
from scanner.cli.permissions import permissions
from scanner.cli.report import report
from scanner.cli.rules import rules
from scanner.cli.scan import scan
from scanner.errors import EXIT_INTERRUPTED, EXIT_USAGE, RelscanError, one_line
from scanner.plugin import installed_plugins


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relscan")
def app() -> None:
    """How do you release updates? relscan reads live cloud configuration and
    places every release unit on the Cloud Maturity Model's five levels."""


for plugin in installed_plugins().values():
    scan.params.extend(plugin.options())
    # `check` reads the one resource its id names: no options choosing scopes.
    check.params.extend(o for o in plugin.options() if o.name not in plugin.scan_only)
app.add_command(scan)
app.add_command(check)
app.add_command(demo)
for command in (history, show, diff_command, assess, verify_command, permissions):
    app.add_command(command)
app.add_command(report)
app.add_command(rules)


def _logging() -> None:
    """SDKs log warnings (often several lines) through Python logging; relscan's
    errors are its own one-line messages. RELSCAN_LOG=debug|info|warning shows
    the SDKs' logs on stderr for troubleshooting."""
    level = os.environ.get("RELSCAN_LOG", "").upper()
    if level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    else:
        logging.getLogger().addHandler(logging.NullHandler())


def quiet_warnings() -> None:
    """urllib3 warns (DependencyWarning) that SOCKS proxies need PySocks whenever
    its SOCKS module is imported without it. requests silences that warning, but
    only once requests is imported: when another SDK thread imports the module
    first, the warning reached stderr in about one multi-provider scan in eight.
    relscan does not use SOCKS proxies, so the warning is silenced from the start
    (matched by its text: importing urllib3 here would slow every command)."""
    warnings.filterwarnings("ignore", message=r"SOCKS support in urllib3 requires")


def main(argv: list[str] | None = None) -> None:
    quiet_warnings()
    _logging()
    try:
        code = app.main(args=argv, prog_name="relscan", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        # Bare `relscan`: the usual help, on stderr with exit 2, as Click does for a
        # group called without a command (`relscan --help` prints it on stdout, exit 0).
        exc.show()
        code = EXIT_USAGE
    except click.ClickException as exc:  # bad usage: one line, exit 2
        click.echo(f"relscan: error: {one_line(exc.format_message())}", err=True)
        code = EXIT_USAGE
    except RelscanError as exc:
        click.echo(f"relscan: error: {one_line(exc)}", err=True)
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("relscan: interrupted", err=True)
        # Ctrl-C ends the command now: neither a thread blocked on the network nor
        # the interpreter's teardown of the SDKs' modules (a second or two for the
        # Google Cloud libraries) may delay it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
