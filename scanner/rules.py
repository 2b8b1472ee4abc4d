"""The rule files in `mappings/`: their schema, and loading them.

A rule file describes one resource kind: its rules in the order they are
tried, each with the conditions on facts that grant its level, a summary,
the rationale, and the next steps toward the level above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.errors import UsageError
from scanner.kind import Kind

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


def _lines(text: str) -> tuple[int, list[tuple[str, int]]]:
    """Where the file names its kind, and every fact it names, by line (1-based):
    `fact:` in a condition (however deeply nested in `any`) and `context:` items."""
    root = yaml.compose(text)
    kind_line = 1
    named: list[tuple[str, int]] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                word = key.value if isinstance(key, yaml.ScalarNode) else None
                if word == "fact" and isinstance(value, yaml.ScalarNode):
                    named.append((value.value, value.start_mark.line + 1))
                elif word == "context" and isinstance(value, yaml.SequenceNode):
                    named.extend(
                        (item.value, item.start_mark.line + 1)
                        for item in value.value
                        if isinstance(item, yaml.ScalarNode)
                    )
                else:
                    walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "kind":
                kind_line = value.start_mark.line + 1
        walk(root)
    return kind_line, named


def check_against_kinds(name: str, text: str, rules: KindRules, kinds: Mapping[str, Kind]) -> None:
    """Refuse a rule file whose kind no plugin declares, or that names a fact
    its kind does not yield: UsageError naming the file and the line."""
    kind_line, named = _lines(text)
    kind = kinds.get(rules.kind)
    if kind is None:
        known = ", ".join(sorted(kinds)) or "none"
        raise UsageError(
            f"rule file {name}, line {kind_line}: kind {rules.kind!r} is declared by no "
            f"installed provider (declared: {known})"
        )
    if kind.provider != rules.provider:
        raise UsageError(
            f"rule file {name}: provider {rules.provider!r} does not match kind "
            f"{kind.name}, which the {kind.provider} provider declares"
        )
    for fact, line in named:
        if fact not in kind.fact_names:
            raise UsageError(
                f"rule file {name}, line {line}: fact {fact!r} is not one that {kind.name} "
                f"yields ({', '.join(sorted(kind.fact_names))})"
            )


def build_rulebook(
    files: Iterable[tuple[str, str]], kinds: Mapping[str, Kind] | None = None
) -> dict[str, KindRules]:
    """Rule files (name, text) by kind; each checked against `kinds` when given.
    A kind may be described by one file only."""
    book: dict[str, KindRules] = {}
    for name, text in files:
        kind_rules = parse_rule_file(name, text)
        if kinds is not None:
            check_against_kinds(name, text, kind_rules, kinds)
        if kind_rules.kind in book:
            raise UsageError(f"rule file {name}: kind {kind_rules.kind} defined twice")
        book[kind_rules.kind] = kind_rules
    return book


def rule_files(plugins: Iterable[Any] | None = None) -> list[tuple[str, str]]:
    """The built-in rule files (the `mappings` package), then every plugin's own
    (default: the installed plugins), as (name, text); a plugin's are named
    PLUGIN:FILE."""
    from scanner.plugin import installed_plugins

    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(resources.files("mappings").iterdir(), key=lambda p: p.name)
        if entry.name.endswith(".yaml")
    ]
    for plugin in installed_plugins().values() if plugins is None else plugins:
        for entry in plugin.rule_files():
            found.append((f"{plugin.name}:{entry.name}", entry.read_text(encoding="utf-8")))
    return found


@lru_cache(maxsize=1)
def load_rulebook() -> dict[str, KindRules]:
    """Every rule file, built-in and from plugins, by resource kind, each checked
    against the kinds the installed plugins declare. The files of a provider
    whose plugin failed to load are kept unchecked (`relscan` names the broken
    plugin; its units cannot be scanned)."""
    from scanner.plugin import all_kinds, broken_plugins

    kinds = all_kinds()
    broken = set(broken_plugins())
    checked, unchecked = [], []
    for name, text in rule_files():
        provider = (yaml.safe_load(text) or {}).get("provider") if broken else None
        (unchecked if provider in broken else checked).append((name, text))
    book = build_rulebook(checked, kinds)
    for kind, kind_rules in build_rulebook(unchecked).items():
        if kind in book:
            raise UsageError(f"kind {kind} is described by two rule files")
        book[kind] = kind_rules
    return book
