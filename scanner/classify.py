"""Turns an observation into an assessment by the rules in mappings/.

Rules are tried in file order; the first whose conditions all hold decides.
Conditions use three-valued logic: a fact that could not be read (or holds a
value of the wrong type) makes a condition *unknown*. A rule that is unknown
before any rule matched stops the evaluation: the unit is not assessed, since
a lower rule matching could be a wrong verdict that the unread fact would have
overturned. A guessed level is a defect; "not assessed, because" is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.model import ASSESSED, NOT_ASSESSED, Assessment, Evidence, Fact, Observation
from scanner.rules import Condition, KindRules, Rule, load_rulebook


class Unknown(Exception):
    """A condition cannot be decided: the fact is unread or unusable."""

    def __init__(self, fact: str, why: str) -> None:
        super().__init__(f"{fact}: {why}")
        self.fact = fact
        self.why = why


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    raise TypeError


def _compare(op: str, value: Any, operand: Any) -> bool:
    if op == "equals":
        return value == operand
    if op == "not_equals":
        return value != operand
    if op == "in":
        return value in operand
    if op == "not_in":
        return value not in operand
    if op == "present":
        return (value not in (None, "", [])) == operand
    if op in ("contains", "not_contains"):
        if value is None:
            return op == "not_contains"
        if not isinstance(value, list):
            raise TypeError
        return (operand in value) == (op == "contains")
    number = _numeric(value)
    if number is None:
        return False
    return {
        "gt": number > operand,
        "gte": number >= operand,
        "lt": number < operand,
        "lte": number <= operand,
    }[op]


def _holds(cond: Condition, facts: dict[str, Fact]) -> bool:
    """True or False, or raises Unknown. `any` is true if one part is true."""
    if cond.any_ is not None:
        unknown: Unknown | None = None
        for part in cond.any_:
            try:
                if _holds(part, facts):
                    return True
            except Unknown as exc:
                unknown = unknown or exc
        if unknown:
            raise unknown
        return False
    assert cond.fact is not None
    fact = facts.get(cond.fact)
    if fact is None:
        raise Unknown(cond.fact, "the provider did not report it")
    if not fact.known:
        raise Unknown(cond.fact, f"{fact.field} could not be read ({fact.error})")
    try:
        return _compare(cond.operator, fact.value, cond.operand)
    except TypeError:
        raise Unknown(cond.fact, f"{fact.field} has an unusable value {fact.value!r}") from None


def rule_holds(rule: Rule, facts: dict[str, Fact]) -> bool:
    """All conditions hold. One false condition makes the rule false even
    if another is unknown; otherwise an unknown condition raises Unknown."""
    unknown: Unknown | None = None
    for cond in rule.when:
        try:
            if not _holds(cond, facts):
                return False
        except Unknown as exc:
            unknown = unknown or exc
    if unknown:
        raise unknown
    return True


@dataclass
class Verdict:
    level: int | None
    rule: Rule | None
    reason: str
    consulted: list[str]
    unread: str | None = None  # the field that could not be read, if that stopped it


def decide(kind_rules: KindRules, facts: dict[str, Fact]) -> Verdict:
    consulted: list[str] = []
    for rule in kind_rules.rules:
        consulted.extend(f for f in rule.facts() if f not in consulted)
        try:
            if rule_holds(rule, facts):
                return Verdict(rule.level, rule, rule.summary, consulted)
        except Unknown as exc:
            reason = f"not assessed, because {exc.why} (needed by rule {rule.id})"
            field = facts[exc.fact].field if exc.fact in facts else exc.fact
            return Verdict(None, None, reason, consulted, unread=field)
    return Verdict(None, None, kind_rules.no_match, consulted)


def _evidence(consulted: list[str], context: list[str], facts: dict[str, Fact]) -> list[Evidence]:
    """The facts the rules read, then the kind's context facts that are set."""
    out: list[Evidence] = []
    seen: set[str] = set()
    for name in consulted + [c for c in context if c not in consulted]:
        fact = facts.get(name)
        if fact is None or not fact.known or fact.field in seen:
            continue
        if name not in consulted and fact.value in (None, "", []):
            continue
        seen.add(fact.field)
        out.append(Evidence(fact.field, fact.value))
    return out


def _next_steps(verdict: Verdict) -> list[str]:
    if verdict.rule:
        return list(verdict.rule.next_steps)
    if verdict.unread:
        return [
            f"Fix what stopped relscan reading {verdict.unread} (see the reason), then scan again."
        ]
    return []


def classify(obs: Observation, rulebook: dict[str, KindRules] | None = None) -> Assessment:
    book = load_rulebook() if rulebook is None else rulebook
    kind_rules = book.get(obs.kind)
    if kind_rules is None:
        verdict = Verdict(None, None, f"not assessed, because no rules exist for {obs.kind}", [])
        context: list[str] = []
    else:
        verdict = decide(kind_rules, obs.facts)
        context = kind_rules.context
    rule = verdict.rule
    level = verdict.level
    return Assessment(
        id=obs.id,
        provider=obs.provider,
        kind=obs.kind,
        name=obs.name,
        account=obs.account,
        location=obs.location,
        tags=dict(obs.tags),
        level=level,
        status=ASSESSED if level is not None else NOT_ASSESSED,
        rule=rule.id if rule else None,
        reason=verdict.reason,
        evidence=_evidence(verdict.consulted, context, obs.facts),
        next_steps=_next_steps(verdict),
        basis=rule.basis if rule else None,
    )
