"""Every kind is declared once (scanner/kind.py) and everything else agrees
with the declaration: the rule files, the grant, the ids `check` accepts, and
what the readers yield on the demo estate."""

from __future__ import annotations

import re

import pytest

from scanner.demo.serve import load_estate, patched_environ, serve
from scanner.errors import UsageError
from scanner.kind import Kind, facts, undeclared_facts
from scanner.model import Observation
from scanner.plugin import installed_plugins
from scanner.rules import build_rulebook, load_rulebook

PLUGINS = installed_plugins()
KINDS = [(p, k) for p in PLUGINS.values() for k in p.kinds()]
IDS = [f"{k.name}" for _, k in KINDS]


def test_every_installed_plugin_declares_its_kinds():
    assert {p.name for p in PLUGINS.values() if p.kinds()} == set(PLUGINS)
    names = [k.name for _, k in KINDS]
    assert len(names) == len(set(names)), "a kind is declared twice"
    for plugin, kind in KINDS:
        assert kind.provider == plugin.name, kind.name


@pytest.mark.parametrize(("plugin", "kind"), KINDS, ids=IDS)
def test_every_declared_kind_has_rules(plugin, kind):
    book = load_rulebook()
    assert kind.name in book, f"{kind.name} has no rule file"
    assert book[kind.name].provider == plugin.name
    assert book[kind.name].title == kind.title


def test_every_rule_file_names_a_declared_kind():
    declared = {k.name for _, k in KINDS}
    assert set(load_rulebook()) <= declared


@pytest.mark.parametrize(("plugin", "kind"), KINDS, ids=IDS)
def test_every_read_of_a_kind_is_in_its_providers_grant(plugin, kind):
    granted = set(plugin.permissions().permissions)
    assert kind.reads, f"{kind.name} declares no reads"
    for operation in kind.reads:
        permission = plugin.read_permission(operation)
        assert permission is not None, f"{kind.name}: {operation} is not in the permissions table"
        assert permission in granted, f"{kind.name}: {operation} needs {permission}, not granted"


# --- the rule files are checked against the kinds when they load -------------

TOY = Kind(
    name="toy.widget",
    title="Toy widget",
    provider="toy",
    id_form="toy:WIDGET",
    id_pattern=re.compile(r"toy:[a-z]+"),
    facts=facts(("policy", "Widget.Policy"), ("weight", "Widget.Weight")),
    reads=("GetWidget",),
)
TOY_RULES = """\
kind: toy.widget
title: Toy widget
provider: toy
context:
  - weight
no_match: not assessed, because the widget has no policy relscan knows
rules:
  - id: TOY-2-ROLLING
    level: 2
    basis: policy
    sources: [https://example.org/widgets]
    summary: rolling
    rationale: rolling
    when:
      - {fact: policy, equals: Rolling}
      - any:
          - {fact: weight, gt: 0}
          - {fact: policy, equals: Rolling}
"""


def test_a_rule_file_for_a_declared_kind_and_facts_loads():
    book = build_rulebook([("toy.yaml", TOY_RULES)], {TOY.name: TOY})
    assert [r.id for r in book["toy.widget"].rules] == ["TOY-2-ROLLING"]


def test_a_rule_naming_an_undeclared_fact_is_refused_with_file_and_line():
    text = TOY_RULES.replace("{fact: weight, gt: 0}", "{fact: wieght, gt: 0}")
    with pytest.raises(UsageError) as err:
        build_rulebook([("toy.yaml", text)], {TOY.name: TOY})
    assert str(err.value) == (
        "rule file toy.yaml, line 17: fact 'wieght' is not one that toy.widget yields "
        "(policy, weight)"
    )


def test_a_context_fact_that_is_not_declared_is_refused_with_its_line():
    text = TOY_RULES.replace("  - weight\n", "  - weights\n")
    with pytest.raises(UsageError, match=r"^rule file toy.yaml, line 5: fact 'weights'"):
        build_rulebook([("toy.yaml", text)], {TOY.name: TOY})


def test_a_rule_file_for_an_undeclared_kind_is_refused_with_file_and_line():
    text = TOY_RULES.replace("kind: toy.widget", "kind: toy.gadget")
    with pytest.raises(UsageError) as err:
        build_rulebook([("toy.yaml", text)], {TOY.name: TOY})
    assert str(err.value) == (
        "rule file toy.yaml, line 1: kind 'toy.gadget' is declared by no installed provider "
        "(declared: toy.widget)"
    )


def test_a_rule_file_whose_provider_is_not_its_kinds_is_refused():
    text = TOY_RULES.replace("provider: toy", "provider: aws")
    with pytest.raises(UsageError, match="provider 'aws' does not match kind toy.widget"):
        build_rulebook([("toy.yaml", text)], {TOY.name: TOY})


def test_a_plugin_brings_its_own_rule_files(tmp_path):
    """A third-party plugin's rule files join the built-in ones (here: a plugin
    object outside the entry points), named after the plugin."""
    from scanner import rules

    (tmp_path / "toy.yaml").write_text(TOY_RULES, encoding="utf-8")

    class ToyPlugin:
        name = "toy"

        def rule_files(self):
            return [tmp_path / "toy.yaml"]

    files = dict(rules.rule_files([ToyPlugin()]))
    assert files["toy:toy.yaml"] == TOY_RULES
    assert "aws_beanstalk.yaml" in files  # the built-in files stay


# --- what the readers yield on the demo estate agrees with the declarations ---


@pytest.fixture(scope="module")
def demo_observations() -> list[Observation]:
    estate = load_estate(None)
    found: list[Observation] = []
    with serve(estate) as env, patched_environ(env):
        for plugin in PLUGINS.values():
            run = plugin.configure({})
            for scope in run.scopes():
                found.extend(x for x in run.collect(scope) if isinstance(x, Observation))
    return found


def test_demo_units_carry_only_declared_facts_and_ids_their_kind_claims(demo_observations):
    kinds = {k.name: (p, k) for p, k in KINDS}
    assert demo_observations
    for obs in demo_observations:
        plugin, kind = kinds[obs.kind]
        assert undeclared_facts(kind, obs) == [], obs.id
        reader = plugin.reader_for(obs.id)
        assert reader is not None and reader.KIND is kind, obs.id


def test_every_declared_fact_is_yielded_by_some_demo_unit(demo_observations):
    yielded: dict[str, set[str]] = {}
    for obs in demo_observations:
        yielded.setdefault(obs.kind, set()).update(obs.facts)
    for _, kind in KINDS:
        assert kind.name in yielded, f"the demo estate has no {kind.title}"
        assert sorted(kind.fact_names - yielded[kind.name]) == [], kind.name


@pytest.mark.parametrize("plugin", list(PLUGINS.values()), ids=list(PLUGINS))
def test_the_permissions_table_holds_exactly_what_the_kinds_and_discovery_read(plugin):
    """Nothing is granted that no code reads, and nothing read goes undeclared."""
    wanted = set(plugin.discovery_reads) | {op for k in plugin.kinds() for op in k.reads}
    assert plugin.declared_reads() == wanted
