"""What a provider plugin offers the core, and how the core finds plugins.

A provider registers an instance of `ProviderPlugin` under the entry-point
group `relscan.providers`; a new cloud is a new package, not a core edit.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.abc import Traversable
from importlib.metadata import entry_points
from typing import Any, cast

import click

from scanner.errors import UsageError
from scanner.evidence.recorder import Recorder
from scanner.kind import Kind, KindReader
from scanner.model import Observation, ScopeError
from scanner.readonly import Grant

ENTRY_POINT_GROUP = "relscan.providers"


@dataclass(frozen=True)
class Scope:
    """One slice of an estate scanned as a unit: an account and region, a
    subscription, a project, a compartment and region."""

    provider: str
    account: str
    location: str

    @property
    def label(self) -> str:
        return (
            f"{self.provider}:{self.account}/{self.location}"
            if self.location
            else (f"{self.provider}:{self.account}")
        )


class ProviderRun(ABC):
    """A provider configured from the user's options, ready to scan."""

    @abstractmethod
    def scopes(self) -> list[Scope]:
        """Resolve the scopes to scan (may call the cloud, e.g. to list regions)."""

    @abstractmethod
    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        """Yield every release unit in the scope, and a ScopeError for each part
        (a service, a page) that failed; never raise for a cloud-side failure."""

    @abstractmethod
    def check(self, resource_id: str) -> Observation:
        """Read one resource by its native id (raise NotFoundError if absent)."""


class ProviderPlugin(ABC):
    name: str
    title: str
    # The modules that read this provider's kinds of release unit, one kind
    # each (scanner/kind.py): the scan loop, `check`, the ids `check` accepts,
    # the rule files' checks and the grant all follow this list.
    readers: tuple[str, ...] = ()
    # The module of this provider's loopback emulator (for `demo`, `assess` and
    # the benchmark), or None. It offers `start(part, stack) -> env`, serving an
    # estate part until the stack closes and returning the environment that
    # points the provider's SDK at it, and `endpoint_env(url) -> env`.
    emulator: str | None = None

    def emulator_module(self) -> Any:
        """The emulator module, imported (only `demo`, `assess` and tests need it)."""
        if self.emulator is None:
            raise UsageError(f"the {self.name} provider has no emulator")
        return importlib.import_module(self.emulator)

    # Parameter names of options that choose what a scan covers (accounts,
    # projects, compartments): `check` reads the one resource its id names, so
    # its --help leaves these out.
    scan_only: frozenset[str] = frozenset()

    @abstractmethod
    def options(self) -> list[click.Option]:
        """Options this provider adds to `scan` and `check` (named --<name>-...)."""

    @abstractmethod
    def claims(self, resource_id: str) -> bool:
        """Whether the id looks like this cloud's (its kind may still be unsupported)."""

    @abstractmethod
    def check_id(self, resource_id: str) -> None:
        """Refuse a malformed or unsupported id (UsageError) before anything is
        configured: no SDK is imported and no credential read for a typo."""

    @abstractmethod
    def configure(self, options: dict[str, Any], recorder: Recorder | None = None) -> ProviderRun:
        """Validate the options and credentials; raise UsageError/CredentialsError.
        `recorder`, when given, receives every API exchange of the run (the
        evidence bundle); the provider hands it to the one place it builds clients."""

    def check_notes(self, resource_id: str, options: dict[str, Any]) -> list[str]:
        """Warnings for `check`: options that the id contradicts (and so are ignored)."""
        return []

    def reader_modules(self) -> tuple[KindReader, ...]:
        """The reader modules, imported (they import without the cloud's SDK)."""
        return _readers(self.readers)

    def kinds(self) -> tuple[Kind, ...]:
        return tuple(reader.KIND for reader in self.reader_modules())

    def reader(self, kind: str) -> KindReader:
        for reader in self.reader_modules():
            if reader.KIND.name == kind:
                return reader
        raise KeyError(f"the {self.name} provider declares no kind {kind!r}")

    def reader_for(self, resource_id: str) -> KindReader | None:
        """The reader of the kind whose id pattern claims this id, if any."""
        for reader in self.reader_modules():
            if reader.KIND.claims(resource_id):
                return reader
        return None

    def id_forms(self) -> list[str]:
        """The ids `check` accepts, as a person writes them (for errors and help)."""
        return [kind.id_form for kind in self.kinds()]

    def rule_files(self) -> list[Traversable]:
        """Rule files this plugin brings for its kinds. The built-in providers'
        rules live in the `mappings` package, so theirs is empty; a third-party
        plugin returns its own (e.g. files under importlib.resources)."""
        return []

    # Reads the provider makes beyond its kinds' own (identity, listing
    # regions, subscriptions, projects or compartments, tags), named as its
    # permissions table names them. A test holds the table to exactly these
    # plus the kinds' reads: nothing is granted that no code reads.
    discovery_reads: tuple[str, ...] = ()

    def declared_reads(self) -> set[str]:
        """Every read operation the provider's permissions table declares."""
        return set()

    def read_permission(self, operation: str) -> str | None:
        """The permission the grant holds for a read operation a kind names,
        or None when the provider's permissions table does not declare it."""
        return None

    def permissions(self, scope: str = "account") -> Grant:
        """The least-privilege read grant, from the same declarations the
        provider's client guard enforces. `scope` is the kind of scan when a
        cloud needs more for one (AWS: account, assume-role, organization);
        a provider whose grant is the same for every scan takes `account`."""
        raise NotImplementedError(f"{self.name} declares no permissions")


@cache
def _readers(modules: tuple[str, ...]) -> tuple[KindReader, ...]:
    return tuple(cast(KindReader, importlib.import_module(m)) for m in modules)


def all_kinds() -> dict[str, Kind]:
    """Every kind every installed plugin declares, by name."""
    return {k.name: k for p in installed_plugins().values() for k in p.kinds()}


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, ProviderPlugin], dict[str, str]]:
    plugins: dict[str, ProviderPlugin] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = ep.load()
        except Exception as exc:  # one broken plugin must not take the others down
            broken[ep.name] = f"{type(exc).__name__}: {exc}"
            continue
        plugins[plugin.name] = plugin
    return dict(sorted(plugins.items())), broken


def installed_plugins() -> dict[str, ProviderPlugin]:
    return _load()[0]


def broken_plugins() -> dict[str, str]:
    """Entry points that failed to load, with the one-line cause."""
    return _load()[1]
