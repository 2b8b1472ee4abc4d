"""The linker leaves out a unit that another unit releases, and hands each
kind's units on as soon as the links allow (scanner/links.py)."""

from __future__ import annotations

from scanner.links import Link, Linker
from scanner.model import Observation, ScopeError


def unit(kind: str, name: str, **facts) -> Observation:
    obs = Observation(f"id:{kind}:{name}", "test", kind, name, "acct", "here")
    for fact, value in facts.items():
        obs.add(fact, f"Field.{fact}", value)
    return obs


def listed(fact):
    return lambda u: u.facts[fact].value or []


OWNS = Link("deployer", "service", listed("services"), lambda u: [u.name])
MADE = Link("env", "group", lambda u: [u.name], lambda u: [u.facts["env"].value], "groups")


def test_a_unit_its_owner_names_is_left_out_and_recorded_once():
    deployer = unit("deployer", "d", services=["a"])
    a, b = unit("service", "a"), unit("service", "b")
    linker = Linker([OWNS])
    out = list(linker.batches([("deployer", [deployer]), ("service", [a, b])]))
    assert out == [deployer, b]
    assert linker.linked == [("id:service:a", "id:deployer:d")]


def test_a_unit_named_by_no_owner_or_keyless_is_kept():
    deployer = unit("deployer", "d", services=["elsewhere"])
    a = unit("service", "a")
    out = list(Linker([OWNS]).batches([("deployer", [deployer]), ("service", [a])]))
    assert out == [deployer, a]
    keyless = Link("deployer", "service", listed("services"), lambda u: [])
    out = list(Linker([keyless]).batches([("deployer", [unit("deployer", "d", services=["a"])]),
                                          ("service", [a])]))  # fmt: skip
    assert a in out


def test_an_owner_that_names_nothing_itself_waits_and_gets_the_names():
    env = unit("env", "prod", groups=[])
    mine, other = unit("group", "g1", env="prod"), unit("group", "g2", env="test")
    error = ScopeError("test", "acct/here", "group", "one page failed")
    batches = [("env", [env]), ("other", []), ("group", [mine, error, other])]
    out = list(Linker([MADE]).batches(batches))
    assert out == [env, error, other]
    assert env.facts["groups"].value == ["g1"] and env.facts["groups"].field == "Field.groups"


def test_units_are_handed_on_before_later_kinds_are_read_unless_they_must_wait():
    """The owner that names nothing waits; one that needs nothing is handed on
    at once; a kind with no link never waits."""
    pulled: list[str] = []
    seen: list[tuple[str, list[str]]] = []
    deployer, env = unit("deployer", "d", services=[]), unit("env", "e", groups=[])

    def batches():
        plain = unit("plain", "p")
        order = [("deployer", [deployer]), ("env", [env]), ("plain", [plain])]
        for kind, items in [*order, ("service", []), ("group", [])]:
            pulled.append(kind)
            yield kind, items

    for item in Linker([OWNS, MADE]).batches(batches()):
        seen.append((item.name, list(pulled)))
    assert seen == [
        ("d", ["deployer"]),  # no names to add: handed on at once
        ("p", ["deployer", "env", "plain"]),  # unlinked kinds do not queue behind env
        ("e", ["deployer", "env", "plain", "service", "group"]),  # waited for its groups
    ]


def test_a_partner_that_never_comes_leaves_the_units_unlinked_at_the_end():
    env = unit("env", "e", groups=[])
    assert list(Linker([MADE]).batches([("env", [env])])) == [env]
    assert env.facts["groups"].value == []
