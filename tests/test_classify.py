"""The evaluator: first rule that holds decides; unread facts never give a level."""

from __future__ import annotations

import pytest

from scanner.classify import classify
from scanner.errors import UsageError
from scanner.model import Observation
from scanner.rules import parse_rule_file

RULES = """
kind: test.kind
title: Test kind
provider: test
context: [window]
no_match: not assessed, because nothing matched
rules:
  - id: T-5
    level: 5
    summary: five
    rationale: r
    basis: policy
    sources: [https://example.org/doc]
    when:
      - {fact: mode, equals: auto}
      - {fact: alarms, present: true}
    next_steps: [keep it]
  - id: T-4
    level: 4
    summary: four
    rationale: r
    basis: policy
    sources: [https://example.org/doc]
    when:
      - any:
          - {fact: mode, equals: auto}
          - {fact: weight, gt: 0}
    next_steps: [add alarms]
  - id: T-1
    level: 1
    summary: one
    rationale: r
    basis: policy
    sources: [https://example.org/doc]
    when:
      - {fact: mode, in: [manual, null]}
    next_steps: [do better]
"""


@pytest.fixture
def book():
    kind = parse_rule_file("test.yaml", RULES)
    return {kind.kind: kind}


def obs(**facts):
    o = Observation("id-1", "test", "test.kind", "unit", "acct", "here")
    for name, value in facts.items():
        if isinstance(value, Exception):
            o.unknown(name, f"api.{name}", str(value))
        else:
            o.add(name, f"api.{name}", value)
    return o


def test_first_rule_that_holds_decides_with_its_evidence(book):
    a = classify(obs(mode="auto", alarms=["a1"], weight=None, window="Sun:02:00"), book)
    assert (a.level, a.rule, a.status) == (5, "T-5", "assessed")
    assert [(e.field, e.value) for e in a.evidence] == [
        ("api.mode", "auto"),
        ("api.alarms", ["a1"]),
        ("api.window", "Sun:02:00"),
    ]
    assert a.next_steps == ["keep it"]


def test_missed_higher_rule_is_shown_in_evidence(book):
    a = classify(obs(mode="manual", alarms=[], weight=0), book)
    assert (a.level, a.rule) == (1, "T-1")
    assert ("api.alarms", []) in [(e.field, e.value) for e in a.evidence]


def test_empty_list_is_not_present(book):
    a = classify(obs(mode="auto", alarms=[], weight=None), book)
    assert (a.level, a.rule) == (4, "T-4")


def test_any_holds_on_one_true_part_even_if_another_is_unknown(book):
    a = classify(obs(mode="manual", alarms=[], weight=3), book)
    assert (a.level, a.rule) == (4, "T-4")


def test_unread_fact_before_a_match_means_not_assessed(book):
    a = classify(obs(mode=PermissionError("AccessDenied"), alarms=["x"], weight=0), book)
    assert a.level is None and a.status == "not_assessed" and a.rule is None
    assert "api.mode could not be read (AccessDenied)" in a.reason
    assert "T-5" in a.reason
    assert a.next_steps and "api.mode" in a.next_steps[0]


def test_false_condition_rules_out_a_rule_whatever_is_unknown(book):
    # T-5 is false (mode is manual) even though alarms is unread; T-4 false; T-1 holds.
    a = classify(obs(mode="manual", alarms=PermissionError("denied"), weight=0), book)
    assert (a.level, a.rule) == (1, "T-1")


def test_wrong_type_is_unusable_not_a_level(book):
    a = classify(obs(mode="other", alarms=[], weight="ten"), book)
    assert a.level is None
    assert "api.weight has an unusable value 'ten'" in a.reason


def test_no_rule_matches_gives_the_kinds_reason(book):
    a = classify(obs(mode="other", alarms=[], weight=0), book)
    assert a.level is None and a.reason == "not assessed, because nothing matched"


def test_unknown_kind_is_not_assessed(book):
    o = obs(mode="auto")
    o.kind = "other.kind"
    a = classify(o, book)
    assert a.level is None and "no rules exist for other.kind" in a.reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kind: x\ntitle: t\nprovider: p\nno_match: n\nrules: [{id: A-1, level: 7, summary: s, "
            "rationale: r, when: []}]",
            "rule file bad.yaml",
        ),
        (
            "kind: x\ntitle: t\nprovider: p\nno_match: n\nrules: [{id: A-1, level: 1, summary: s, "
            "rationale: r, when: [{fact: a, equalz: 1}]}]",
            "a condition is 'fact' plus one of",
        ),
        ("kind: [", "rule file bad.yaml"),
    ],
)
def test_malformed_rule_files_are_refused(text, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_rule_file("bad.yaml", text)


def test_shipped_rule_files_load_and_docs_are_current():
    from pathlib import Path

    from scanner.ruledoc import render_rulebook

    doc = (Path(__file__).parents[1] / "docs" / "levels.md").read_text(encoding="utf-8")
    assert render_rulebook() in doc, (
        "docs/levels.md is stale: python -m scanner.ruledoc docs/levels.md"
    )
