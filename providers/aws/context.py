"""What an AWS reader is handed: one account and region, its clients, and
the tags of the resource `check` reads (in a scan, the run tags the units)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.kind import AwsKind


@dataclass(frozen=True)
class AwsContext:
    clients: AwsClients
    account: str
    region: str
    label: str  # the scope's label, as scope errors name it
    # Tags by ARN: the one resource `check` reads. In a scan the run reads the
    # scope's tags beside the kinds and gives each unit its own by its ARN
    # (providers/aws/run.py), so a reader's units there carry none of their own.
    tags: Mapping[str, dict[str, str]] = field(default_factory=dict)

    def guarded(
        self, kind: AwsKind, read: Callable[[], Iterator[Observation | ScopeError]]
    ) -> Iterator[Observation | ScopeError]:
        """The reader's yield, and a scope error naming the kind's part when
        the read fails part-way (what was read before is kept)."""
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            yield from read()
        except AWS_ERRORS as exc:
            yield ScopeError("aws", self.label, kind.part, describe(exc))
