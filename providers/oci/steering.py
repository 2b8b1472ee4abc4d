"""How an OCI DNS steering policy's rules chain, read from the policy itself
(never its template name: a CUSTOM template can hold any rules).

OCI processes the rules in sequence: the first receives a shuffled list of
every answer, each later one the list the one before it emitted, and the last
populates the response (SteeringPolicy.rules, DNS API reference). FILTER keeps
an answer only when its boolean data is true; HEALTH drops answers whose
monitored endpoint is unhealthy; WEIGHTED and PRIORITY order the list; LIMIT
keeps the first N (Traffic Management Steering Policies API Guide).

So the ordering rule that decides who is served is the last WEIGHTED or
PRIORITY rule before the LIMIT that follows it, and the weights choose only
when that LIMIT keeps fewer answers than remain. Answer conditions are read by
a small parser for the forms the API guide uses (`answer.name == 'x'`,
`answer.pool != 'y'`, `answer.isDisabled != true`, `answer.name in ('a','b')`);
anything else makes the weights unknown rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ORDERING = ("WEIGHTED", "PRIORITY")
KNOWN = ("FILTER", "HEALTH", "LIMIT", *ORDERING)
FIELDS = {
    "name": "name",
    "pool": "pool",
    "rtype": "rtype",
    "rdata": "rdata",
    "isDisabled": "is_disabled",
}
_VALUE = r"(?:'[^']*'|\"[^\"]*\"|true|false)"
_SIMPLE = re.compile(rf"^answer\.(\w+)\s*(==|!=)\s*({_VALUE})$")
_IN = re.compile(rf"^answer\.(\w+)\s+(not\s+in|in)\s*\(\s*({_VALUE}(?:\s*,\s*{_VALUE})*)\s*\)$")


class Unreadable(ValueError):
    """A condition or rule relscan cannot evaluate: the weights stay unknown."""


def _literal(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    return text[1:-1]


def _value(answer: Any, name: str) -> Any:
    attr = FIELDS.get(name)
    if attr is None:
        raise Unreadable(f"answer.{name} is not an answer property relscan reads")
    value = getattr(answer, attr, None)
    return bool(value) if attr == "is_disabled" else value


def matches(condition: str | None, answer: Any) -> bool:
    """Whether an answerCondition selects `answer` (no condition selects all)."""
    text = (condition or "").strip()
    if not text:
        return True
    simple = _SIMPLE.match(text)
    if simple:
        equal = _value(answer, simple[1]) == _literal(simple[3])
        return equal if simple[2] == "==" else not equal
    member = _IN.match(text)
    if member:
        options = [_literal(v.strip()) for v in re.findall(_VALUE, member[3])]
        found = _value(answer, member[1]) in options
        return found if member[2] == "in" else not found
    raise Unreadable(f"answerCondition {text[:80]!r} is not a form relscan evaluates")


def _chosen(data: list[Any], answer: Any, attr: str, what: str) -> Any:
    """The value the answer-data entries give one answer; None if none selects it."""
    values = {getattr(d, attr) for d in data if matches(d.answer_condition, answer)}
    if len(values) > 1:
        raise Unreadable(f"answer {answer.name!r} is given {what}s {sorted(values)} at once")
    return next(iter(values), None)


@dataclass
class Chain:
    """What the rules do, up to the LIMIT after the deciding ordering rule."""

    rule_types: list[str] = field(default_factory=list)
    in_play: list[Any] = field(default_factory=list)  # answers left by FILTER rules
    order_rule: str | None = None  # WEIGHTED or PRIORITY, the last before the LIMIT
    weighted: Any = None  # that rule, when WEIGHTED
    limit: int | None = None  # the LIMIT after it (the largest count of its cases)
    early_limit: int | None = None  # a LIMIT before any ordering rule that cuts answers
    health_rule: bool = False  # a HEALTH rule before that LIMIT


def _cases(rule: Any) -> list[Any] | None:
    return getattr(rule, "cases", None)


def _filter(rule: Any, answers: list[Any]) -> list[Any]:
    if _cases(rule):
        raise Unreadable("a FILTER rule with per-query cases is not evaluated")
    data = rule.default_answer_data or []
    return [a for a in answers if _chosen(data, a, "should_keep", "shouldKeep") is True]


def _limit(rule: Any) -> int:
    counts = [c.count for c in _cases(rule) or [] if c.count is not None]
    if rule.default_count is not None and (not _cases(rule) or len(counts) < len(_cases(rule))):
        counts.append(rule.default_count)
    if not counts:
        raise Unreadable("a LIMIT rule without a count")
    return int(max(counts))


def chain(policy: Any) -> Chain:
    """Follow the rules in their order, as OCI processes them."""
    out = Chain(rule_types=[str(r.rule_type) for r in policy.rules or []])
    answers = list(policy.answers or [])
    for rule in policy.rules or []:
        if _cases(rule) == []:
            continue  # OCI ignores a rule whose cases list is empty
        kind = rule.rule_type
        if kind not in KNOWN:
            raise Unreadable(f"rule type {str(kind)[:40]!r} is not one OCI documents")
        if kind == "FILTER":
            answers = _filter(rule, answers)
        elif kind == "HEALTH":
            out.health_rule = True
        elif kind in ORDERING:
            out.order_rule = kind
            out.weighted = rule if kind == "WEIGHTED" else None
        elif kind == "LIMIT":
            count = _limit(rule)
            if out.order_rule is None:
                if count < len(answers):
                    out.early_limit = count
                continue
            out.limit = count
            break
    out.in_play = answers
    return out


def weight_sets(rule: Any, answers: list[Any]) -> list[tuple[str, dict[str, int]]]:
    """Each configuration of a WEIGHTED rule (its default, and each case) with
    the weight it gives every answer in play. A case without answer data uses
    the default; an answer no condition selects has no weight relscan can tell."""
    default = rule.default_answer_data or []
    variants: list[tuple[str, list[Any]]] = []
    cases = _cases(rule)
    if not cases:
        variants.append(("default", default))
    for i, case in enumerate(cases or []):
        label = f"case {i + 1}" + (f" ({case.case_condition})" if case.case_condition else "")
        variants.append((label, case.answer_data if case.answer_data else default))
    out: list[tuple[str, dict[str, int]]] = []
    for label, data in variants:
        weights: dict[str, int] = {}
        for answer in answers:
            value = _chosen(data, answer, "value", "weight")
            if value is None:
                raise Unreadable(f"no answerCondition of the WEIGHTED rule selects {answer.name!r}")
            weights[str(answer.name)] = int(value)
        out.append((label, weights))
    return out


def shown(label: str, weights: dict[str, int]) -> str:
    return f"{label}: " + ", ".join(f"{n}={w}" for n, w in weights.items())


def uneven(weights: dict[str, int]) -> bool:
    """Two or more answers above 0, not all at the same weight."""
    live = [w for w in weights.values() if w > 0]
    return len(live) >= 2 and len(set(live)) > 1


def standby(weights: dict[str, int]) -> bool:
    """Exactly one answer above 0, and at least one other at 0."""
    live = [w for w in weights.values() if w > 0]
    return len(live) == 1 and len(weights) > 1


def even(weights: dict[str, int]) -> bool:
    live = [w for w in weights.values() if w > 0]
    return len(live) >= 2 and len(set(live)) == 1
