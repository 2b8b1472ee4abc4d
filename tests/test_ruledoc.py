"""`relscan rules` and docs/levels.md's generated part: conditions read as
sentences, each rule shows its basis and sources (which every rule must have), and the
HTML comment markers belong to the docs file only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.ruledoc import BEGIN, END, condition_text, generated_part, render_kind
from scanner.rules import Condition, parse_rule_file
from tests.cli import clean_env, relscan


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"fact": "deployment_policy", "equals": "Immutable"}, "deployment policy is Immutable"),
        ({"fact": "alarm_names", "present": True}, "alarm names are set"),
        ({"fact": "slot_names", "present": False}, "slot names are not set"),
        ({"fact": "decision_callback_url", "present": True}, "decision callback url is set"),
        ({"fact": "alarms_enabled", "equals": True}, "alarms enabled is true"),
        ({"fact": "approval_stages", "equals": 0}, "approval stages is 0"),
        ({"fact": "compute_platform", "in": ["Server", "ECS"]},
         "compute platform is one of Server, ECS"),
        ({"fact": "deployment_type", "in": ["IN_PLACE", None]},
         "deployment type is IN_PLACE or not set"),
        ({"fact": "ready_action", "not_in": ["STOP_DEPLOYMENT"]},
         "ready action is not STOP_DEPLOYMENT"),
        ({"fact": "ready_action", "not_in": ["A", "B"]}, "ready action is not any of A, B"),
        ({"fact": "change_step", "gt": 0}, "change step: more than 0"),
        ({"fact": "enabled_endpoints", "gte": 2}, "enabled endpoints: at least 2"),
        ({"fact": "enabled_endpoints", "lt": 2}, "enabled endpoints: less than 2"),
        ({"fact": "weighted_endpoints", "lte": 1.0}, "weighted endpoints: at most 1"),
        ({"fact": "auto_rollback_events", "contains": "DEPLOYMENT_STOP_ON_ALARM"},
         "auto rollback events include DEPLOYMENT_STOP_ON_ALARM"),
        ({"fact": "auto_rollback_events", "not_contains": "X"},
         "auto rollback events do not include X"),
        ({"fact": "status", "not_equals": None}, "status is set"),
        ({"any": [{"fact": "canary_stages", "present": True},
                  {"fact": "lb_shift_batch_count", "gt": 1}]},
         "at least one of: canary stages are set; or lb shift batch count: more than 1"),
    ],
)  # fmt: skip
def test_conditions_read_as_sentences(condition, text):
    assert condition_text(Condition.model_validate(condition)) == text


RULES = """
kind: test.kind
title: Test kind
provider: test
no_match: not assessed, because nothing matched
rules:
  - id: T-5-GROUNDED
    level: 5
    summary: With its grounds
    rationale: Because the documentation says so.
    basis: policy
    sources:
      - https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentGroupInfo.html
      - https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
    when:
      - {fact: deployment_policy, equals: Immutable}
  - id: T-4-SNAPSHOT
    level: 4
    summary: A snapshot with one source
    rationale: Weights.
    basis: snapshot
    sources: [https://learn.microsoft.com/en-us/azure/traffic-manager/traffic-manager-routing-methods]
    when:
      - {fact: weights, present: true}
"""


def test_each_rule_shows_its_basis_and_a_source_line_per_source():
    text = render_kind(parse_rule_file("test.yaml", RULES))
    grounded = text.split("#### T-5-GROUNDED")[1].split("####")[0]
    assert "Basis: policy (the deployment tool's own configuration says how every release " \
           "runs)" in grounded  # fmt: skip
    assert re.findall(r"^Source: <(\S+)>", grounded, re.M) == [
        "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentGroupInfo.html",
        "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html",
    ]
    snapshot = text.split("#### T-4-SNAPSHOT")[1].split("####")[0]
    assert "Basis: snapshot (inferred from the current traffic state)" in snapshot
    assert snapshot.count("Source: <https://learn.microsoft.com/") == 1


@pytest.mark.parametrize(
    ("missing", "cut"),
    [
        ("basis", "    basis: snapshot\n"),
        (
            "sources",
            "    sources: [https://learn.microsoft.com/en-us/azure/traffic-manager/"
            "traffic-manager-routing-methods]\n",
        ),
    ],
)
def test_a_rule_without_its_basis_or_sources_is_refused_when_it_loads(missing, cut):
    assert cut in RULES
    with pytest.raises(UsageError, match=rf"rule file test.yaml: .*{missing}"):
        parse_rule_file("test.yaml", RULES.replace(cut, ""))


def test_relscan_rules_prints_readable_markdown_without_the_docs_markers():
    r = relscan("rules", env=clean_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("## AWS\n") and "<!--" not in r.stdout
    conditions = re.findall(r"^When all hold:\n\n((?:- .*\n)+)", r.stdout, re.M)
    assert conditions
    for block in conditions:  # no Python lists, quotes or capitalised booleans
        assert not re.search(r"\['|'\]|`|\bTrue\b|\bFalse\b|\bNone\b", block), block
    levels = (Path(__file__).parents[1] / "docs" / "levels.md").read_text(encoding="utf-8")
    assert f"{BEGIN}\n\n{r.stdout}\n{END}\n" in levels
    assert generated_part() in levels
