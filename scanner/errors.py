"""Exit codes and the errors that map to them (documented in the README)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2  # bad usage or input: options, ids, files, credentials
EXIT_INCOMPLETE = 3  # finished, but a unit was not assessed or a scope failed
EXIT_BELOW_TARGET = 4  # --fail-under N and an assessed unit is below N
EXIT_REGRESSION = 5  # `diff --fail-on-regression` and a level went down
EXIT_EVIDENCE_MISMATCH = 6  # `verify`: a bundle file was changed, added or removed
EXIT_OUTPUT = 7  # the work was done, but its output could not be written (it is kept)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class RelscanError(Exception):
    """An error the user can act on: printed as one line, never a traceback."""

    exit_code = EXIT_USAGE


class UsageError(RelscanError):
    """Bad usage or input (unknown option value, malformed id, unreadable file)."""


class CredentialsError(RelscanError):
    """No credentials, or credentials the cloud refused before anything was read."""


class NotFoundError(RelscanError):
    """`check` named a resource that does not exist (or cannot be seen)."""


class OutputError(RelscanError):
    """The output could not be written after the work was done (disk full, no
    permission, a closed pipe); the message says where the result is kept."""

    exit_code = EXIT_OUTPUT


class CloudError(RelscanError):
    """The cloud refused or failed a read that the command cannot do without."""

    exit_code = EXIT_INCOMPLETE


def one_line(text: object, limit: int = 1000) -> str:
    """Collapse a message (often a cloud's multi-line error) to one line, with
    control and format characters (escape sequences, bidi overrides) shown as
    \\uXXXX, and very long cloud-supplied text cut."""
    import unicodedata

    line = " ".join(str(text).split())
    line = "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in line
    )
    return line if len(line) <= limit else line[: limit - 1] + "…"
