"""Read-only by construction: what each provider may call, declared once.

Each provider builds its SDK clients in one place and, there, refuses any call
that is not among the read operations it declares, before anything is sent.
The same declarations generate the least-privilege grant that
`relscan permissions PROVIDER` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.errors import RelscanError


class ReadOnlyViolation(RelscanError):
    """A call that is not a declared read operation was refused before sending.

    Reaching this is a bug in relscan, never the user's doing; it is reported
    as one line like every other error."""


@dataclass(frozen=True)
class Grant:
    """The least-privilege grant a provider needs, in its cloud's own form."""

    provider: str
    title: str  # e.g. "IAM policy document"
    document: str  # ready to paste: JSON, or policy statements
    permissions: list[str] = field(default_factory=list)  # the individual actions
