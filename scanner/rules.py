"""The rule files in `mappings/`: their schema, and loading them.

A rule file describes one resource kind: its rules in the order they are
tried, each with the conditions on facts that grant its level, a summary,
the rationale, and the next steps toward the level above.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.errors import UsageError

OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
    "present",
)


# What each basis means, in the words every output uses (docs/levels.md).
BASIS_MEANING = {
    "policy": "the deployment tool's own configuration says how every release runs",
    "snapshot": "inferred from the current traffic state",
}


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


class Condition(BaseModel):
    """`{fact: NAME, OP: VALUE}`, or `{any: [conditions]}`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fact: str | None = None
    any_: list[Condition] | None = Field(default=None, alias="any")
    equals: Any = None
    not_equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    contains: Any = None
    not_contains: Any = None
    present: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a condition is a mapping")
        if "any" in data:
            if set(data) != {"any"}:
                raise ValueError("'any' stands alone in its condition")
            return data
        ops = [k for k in data if k != "fact"]
        if "fact" not in data or len(ops) != 1 or ops[0] not in OPERATORS:
            raise ValueError(f"a condition is 'fact' plus one of {', '.join(OPERATORS)}")
        return data

    @property
    def operator(self) -> str:
        for op in OPERATORS:
            if _attr(op) in self.model_fields_set:
                return op
        raise AssertionError("validated conditions always have an operator")

    @property
    def operand(self) -> Any:
        return getattr(self, _attr(self.operator))

    def facts(self) -> list[str]:
        if self.any_ is not None:
            return [name for c in self.any_ for name in c.facts()]
        return [self.fact] if self.fact else []


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]+$")
    level: Literal[1, 2, 3, 4, 5] | None
    summary: str
    rationale: str
    when: list[Condition]
    next_steps: list[str] = Field(default_factory=list)
    # policy: a deployment tool's own configuration says how every release runs;
    # snapshot: the current traffic state suggests the pattern.
    basis: Literal["policy", "snapshot"]
    # The documentation pages that decide this rule (URLs), at least one.
    sources: list[str] = Field(min_length=1)

    def facts(self) -> list[str]:
        return [name for c in self.when for name in c.facts()]


class KindRules(BaseModel):
    """All the rules for one resource kind, from one file in mappings/."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    title: str
    provider: str
    context: list[str] = Field(default_factory=list)
    rules: list[Rule]
    no_match: str

    @model_validator(mode="after")
    def _unique_ids(self) -> KindRules:
        ids = [r.id for r in self.rules]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(sorted(dupes))}")
        return self


def parse_rule_file(name: str, text: str) -> KindRules:
    try:
        return KindRules.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()
        detail = " ".join(first[:3]) if first else type(exc).__name__
        raise UsageError(f"rule file {name}: {detail}") from exc


@lru_cache(maxsize=1)
def load_rulebook() -> dict[str, KindRules]:
    """Every rule file shipped in the `mappings` package, by resource kind."""
    book: dict[str, KindRules] = {}
    for entry in sorted(resources.files("mappings").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            kind_rules = parse_rule_file(entry.name, entry.read_text(encoding="utf-8"))
            if kind_rules.kind in book:
                raise UsageError(f"rule file {entry.name}: kind {kind_rules.kind} defined twice")
            book[kind_rules.kind] = kind_rules
    return book
