"""What one kind of release unit is, declared once, beside the code that reads it.

A provider's reader module exports one `KIND` and two functions:

- `collect(ctx)`: every unit of the kind in one scope (Observation), and a
  ScopeError for each part that failed;
- `get(ctx, resource_id)`: the one unit a native id names (NotFoundError if
  it is absent).

`ctx` is the provider's own context (clients, scope, shared lookups); the
core never looks inside it. The plugin lists its reader modules, and
everything else about a kind is derived from the `KIND`: the scan loop, the
`check` lookup, the ids `check` accepts, the rule files' checks (no rule may
name a kind or fact nobody declares), the read grant and the docs.

A reader module must import without the cloud's SDK: the core imports every
plugin's kinds to check the rule files, and a scan of one cloud must not pay
for loading the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from scanner.model import Observation, ScopeError


@dataclass(frozen=True)
class FactSpec:
    """A fact a kind yields, and the API field (as the evidence names it) it
    is read from."""

    name: str
    field: str


@dataclass(frozen=True)
class Kind:
    name: str  # e.g. aws.elasticbeanstalk.environment (the rule files' `kind:`)
    title: str  # e.g. Elastic Beanstalk environment (singular)
    provider: str
    # The native id as a person writes it, with placeholders in capitals, e.g.
    # arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APPLICATION/ENVIRONMENT
    id_form: str
    # The ids this kind claims for `check` (full match; flags as the cloud
    # compares ids, e.g. re.IGNORECASE for Azure). A well-formed id that no
    # kind claims is unsupported.
    id_pattern: re.Pattern[str]
    facts: tuple[FactSpec, ...]
    # The read operations the kind's reader calls, named as the provider's
    # permissions table names them (the plugin maps each to its permission).
    reads: tuple[str, ...]
    # What a scope error for this kind names as the failed part ("codedeploy").
    part: str = ""
    plural: str = ""  # "URL maps"; default: title + "s"

    @property
    def titles(self) -> str:
        return self.plural or f"{self.title}s"

    @property
    def fact_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.facts)

    def claims(self, resource_id: str) -> bool:
        return self.id_pattern.fullmatch(resource_id) is not None

    def field(self, fact: str) -> str:
        for spec in self.facts:
            if spec.name == fact:
                return spec.field
        raise KeyError(f"{self.name} declares no fact {fact!r}")


def facts(*pairs: tuple[str, str]) -> tuple[FactSpec, ...]:
    """`facts(("deployment_policy", "OptionSettings[...].DeploymentPolicy"), ...)`"""
    names = [name for name, _ in pairs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"facts declared twice: {', '.join(dupes)}")
    return tuple(FactSpec(name, field) for name, field in pairs)


class KindReader(Protocol):
    """A reader module (or any object) that reads one kind."""

    KIND: Kind

    def collect(self, ctx: Any) -> Iterator[Observation | ScopeError]: ...

    def get(self, ctx: Any, resource_id: str) -> Observation: ...


def undeclared_facts(kind: Kind, obs: Observation) -> list[str]:
    """Facts an observation carries that its kind does not declare (a reader bug)."""
    return sorted(set(obs.facts) - kind.fact_names)
