"""Property tests: the rule evaluator and the config loader, fed anything."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.classify import classify, rule_holds
from scanner.config import parse_config
from scanner.errors import UsageError
from scanner.model import Observation
from scanner.plugin import installed_plugins
from scanner.rules import load_rulebook

BOOK = load_rulebook()
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "BLUE_GREEN",
            "IN_PLACE",
            "Server",
            "Lambda",
            "ECS",
            "STOP_DEPLOYMENT",
            "CONTINUE_DEPLOYMENT",
            "Rolling",
            "TrafficSplitting",
            "PROACTIVE",
            "OPPORTUNISTIC",
            "Weighted",
            "Priority",
            "HOST_COUNT",
        ]
    ),
)
values = st.one_of(
    scalars,
    st.lists(
        st.one_of(st.text(max_size=20), st.sampled_from(["DEPLOYMENT_STOP_ON_ALARM"])), max_size=4
    ),
)


@st.composite
def observations(draw):
    kind = draw(st.sampled_from(sorted(BOOK)))
    names = sorted({f for rule in BOOK[kind].rules for f in rule.facts()} | set(BOOK[kind].context))
    obs = Observation("id", "p", kind, "n", "a", "l")
    for name in names:
        choice = draw(st.sampled_from(["value", "unknown", "missing"]))
        if choice == "value":
            obs.add(name, f"api.{name}", draw(values))
        elif choice == "unknown":
            obs.unknown(name, f"api.{name}", "AccessDenied")
    return obs


@settings(max_examples=400, deadline=None)
@given(observations())
def test_the_evaluator_never_crashes_and_never_guesses(obs):
    a = classify(obs)
    assert a.level in (None, 1, 2, 3, 4, 5)
    assert (a.status == "assessed") == (a.level is not None)
    if a.level is not None:
        rules = BOOK[obs.kind].rules
        index = [r.id for r in rules].index(a.rule)
        assert rule_holds(rules[index], obs.facts)  # the deciding rule really holds
        for earlier in rules[:index]:  # and every rule above it is known to be false
            assert rule_holds(earlier, obs.facts) is False
    else:
        assert a.reason.startswith("not assessed") or a.rule is not None


toml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
section_names = st.sampled_from(
    ["scan", "services", "report", "store", "outputs", "aws", "azure", "gcp", "oci", "other"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(section_names, toml_values, max_size=5))
def test_the_config_loader_accepts_or_names_the_problem(data):
    try:
        parse_config(data, Path("relscan.toml"), installed_plugins())
    except UsageError as exc:
        assert str(exc).startswith("relscan.toml: ") and "\n" not in str(exc)
