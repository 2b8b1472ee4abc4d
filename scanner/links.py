"""Units that describe one release twice, linked so that it is counted once.

Some resources are released by another resource that is already a unit: an
ECS service whose deployments CodeDeploy runs, an Auto Scaling group that an
Elastic Beanstalk environment made. The owner is the unit; the owned resource
is not counted again, and the owner's evidence names it.

A provider declares its `Link`s (which kind owns which, and how each side is
keyed) and passes each scope's units through a `Linker`, one batch per kind,
in its readers' order. The linker hands the units on as soon as it can:

- an owned kind's batch waits until every kind that may own it has arrived,
  so that linked units can be left out;
- an owner's batch waits for the kinds it owns only when the link adds their
  names to its evidence (`names_fact`), since it must not be handed on before
  that fact is complete;
- every other batch is handed on as it arrives.

Batches that are never followed by a partner (a reader that is not run) are
handed on at the end, unlinked. Links are made within one scope only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from scanner.model import Observation, ScopeError

Item = Observation | ScopeError


@dataclass(frozen=True)
class Link:
    """A unit of kind `owned` that a unit of kind `owner` releases.

    `owner_keys(owner)` gives the keys of what the owner releases, and
    `owned_keys(unit)` the keys an owned unit is known by (none: it is
    nobody's); one key in common links them. When the
    owner's own answer does not name what it releases, `names_fact` is the
    owner's fact (declared by its kind, read as an empty list) to which the
    linked units' names are added.
    """

    owner: str
    owned: str
    owner_keys: Callable[[Observation], Iterable[str]]
    owned_keys: Callable[[Observation], Iterable[str]]
    names_fact: str | None = None
    how: str = ""  # one line for docs and logs: how the two are matched


def list_facts(*names: str) -> Callable[[Observation], Iterable[str]]:
    """Keys held in a unit's list facts `names` (strings only, in order): the
    usual `owner_keys` of an owner whose answer names what it releases."""

    def keys(unit: Observation) -> Iterable[str]:
        found: list[str] = []
        for name in names:
            fact = unit.facts.get(name)
            value = fact.value if fact is not None else None
            if isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
        return found

    return keys


@dataclass
class Linker:
    links: Sequence[Link]
    # (owned unit id, owner unit id) for every unit left out
    linked: list[tuple[str, str]] = field(default_factory=list)

    def _waits_for(self, kind: str) -> set[str]:
        owners = {link.owner for link in self.links if link.owned == kind}
        named = {link.owned for link in self.links if link.owner == kind and link.names_fact}
        return owners | named

    def batches(self, batches: Iterable[tuple[str, list[Item]]]) -> Iterator[Item]:
        """Each kind's items, in order where possible, without linked units."""
        arrived: dict[str, list[Observation]] = {}
        dropped: set[int] = set()
        pending: list[tuple[str, list[Item]]] = []
        for kind, items in batches:
            arrived[kind] = [i for i in items if isinstance(i, Observation)]
            for link in self.links:
                if kind in (link.owner, link.owned) and {link.owner, link.owned} <= set(arrived):
                    self._apply(link, arrived[link.owner], arrived[link.owned], dropped)
            pending.append((kind, items))
            still = []
            for waiting, its_items in pending:
                if self._waits_for(waiting) <= set(arrived):
                    yield from (i for i in its_items if id(i) not in dropped)
                else:
                    still.append((waiting, its_items))
            pending = still
        for _, its_items in pending:
            yield from (i for i in its_items if id(i) not in dropped)

    def _apply(
        self,
        link: Link,
        owners: list[Observation],
        owned: list[Observation],
        dropped: set[int],
    ) -> None:
        by_key: dict[str, list[Observation]] = {}
        for owner in owners:
            for key in link.owner_keys(owner):
                by_key.setdefault(key, []).append(owner)
        for unit in owned:
            releasing = [o for key in link.owned_keys(unit) for o in by_key.get(key, [])]
            if not releasing:
                continue
            if id(unit) not in dropped:
                dropped.add(id(unit))
                self.linked.append((unit.id, releasing[0].id))
            if link.names_fact:
                for owner in {id(o): o for o in releasing}.values():  # each owner once
                    fact = owner.facts[link.names_fact]
                    names = list(fact.value) if isinstance(fact.value, list) else []
                    owner.add(link.names_fact, fact.field, [*names, unit.name])
