"""Reading a scope's units side by side, under its account's request limit.

A reader that makes one or more requests per unit (Beanstalk's settings, a
CodeDeploy application's groups, an App Service app's configuration) hands
the units to `fan_out`: the reads overlap, and the results come back in the
order of the units, so a scan's result does not depend on which answer came
first.

How many reads overlap is decided by the account, not the reader. The engine
gives every account (subscription, project, tenancy) `per_account` slots
(`AccountSlots`): a scope being read holds one, and `fan_out` takes more only
while the account has free ones. So one account never has more than
`per_account` requests in flight, whether they come from many scopes read at
once (17 regions: each reads one unit at a time) or from one busy scope (one
region: its units are read `per_account` at a time). Outside a scan (`check`,
a test calling a reader) the reads run one after another.

A fan-out that finds no free slot when it starts (the account's slots are
busy with other scopes or other fan-outs for a moment) asks to be told: the
next slot given back for that account goes to it, not to the pool, while it
still has items left. Without that, a fan-out whose own thread is blocked in
a long request would read serially even after slots came free.

The scope's own slot reads too, but only the item whose result it must hand
on next. While a helper reads that one, the slot is lent to a thread that
reads one later item, so a later read that hangs (a cloud that never answers)
never holds up results that are ready: they are handed on, and a time budget
that runs out keeps them. Between two results the consumer may make a request
of its own beside a lent read; readers do their requests inside `func`.

The helper threads are daemons and nobody waits for them once the consumer
stops: a thread blocked in an SDK call must not hold up Ctrl-C, the time
budget or the process's exit.
"""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Key = tuple[str, str]  # (provider, account)


class AccountSlots:
    """At most `per_account` slots in use per account, taken without waiting.
    A slot given back goes first to the fan-outs waiting for one (`wait_for`),
    in the order they asked; the first that still has work takes it over."""

    def __init__(self, per_account: int) -> None:
        self.per_account = max(1, per_account)
        self._used: Counter[Key] = Counter()
        self._waiting: dict[Key, list[Callable[[], bool]]] = {}
        self._lock = threading.Lock()

    def try_take(self, key: Key) -> bool:
        with self._lock:
            if self._used[key] >= self.per_account:
                return False
            self._used[key] += 1
            return True

    def take_or_wait(self, key: Key, offer: Callable[[], bool]) -> bool:
        """A free slot now; or, if none, `offer` is called (in the giver's
        thread) with the next slot given back. `offer` returns whether it took
        the slot over; one that no longer needs it returns False."""
        with self._lock:
            if self._used[key] < self.per_account:
                self._used[key] += 1
                return True
            waiting = self._waiting.setdefault(key, [])
            if offer not in waiting:
                waiting.append(offer)
            return False

    def waiting(self, key: Key) -> int:
        """How many fan-outs of the account wait for a slot."""
        with self._lock:
            return len(self._waiting.get(key, []))

    def stop_waiting(self, key: Key, offer: Callable[[], bool]) -> None:
        with self._lock:
            waiting = self._waiting.get(key, [])
            if offer in waiting:
                waiting.remove(offer)

    def give_back(self, key: Key) -> None:
        while True:
            with self._lock:
                waiting = self._waiting.get(key)
                if not waiting:
                    self._used[key] -= 1
                    return
                offer = waiting.pop(0)
            if offer():  # the slot is the waiter's now
                return

    def in_use(self, key: Key) -> int:
        with self._lock:
            return self._used[key]


@dataclass(frozen=True)
class Lane:
    """The account a scope's thread reads for, and the slots it shares."""

    slots: AccountSlots
    key: Key


_lane: contextvars.ContextVar[Lane | None] = contextvars.ContextVar("relscan_lane", default=None)


def reading_for(slots: AccountSlots, key: Key) -> contextvars.Token[Lane | None]:
    """Mark the current thread as reading a scope of account `key` (the
    engine, in each scope's thread; the scope's own slot is already taken)."""
    return _lane.set(Lane(slots, key))


def current_lane() -> Lane | None:
    return _lane.get()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_PENDING = object()


class _Fan(Generic[T, R]):
    def __init__(self, items: Iterable[T], func: Callable[[T], R], lane: Lane | None) -> None:
        self.source = iter(items)
        self.func = func
        self.lane = lane
        self.items: list[Any] = []  # taken from the source so far
        self.results: list[Any] = []
        self.exhausted = False
        self.stopped = False
        self.lent = False  # a thread reads on the consumer's slot while it waits
        self.awaiting = 0  # the index whose result the consumer hands on next
        self.own_read = False  # the consumer reads an item itself
        self.ready = threading.Condition()

    def more(self) -> bool:
        return not (self.stopped or self.exhausted)

    def claim(self, only: int | None = None) -> int | None:
        """The next item's index, taken from the source (which may read a page
        of a listing: the claim is made under the lock, one at a time); with
        `only`, none unless the next item is that one."""
        with self.ready:
            if not self.more() or (only is not None and len(self.items) != only):
                return None
            try:
                item: Any = next(self.source)
            except StopIteration:
                self.exhausted = True
                self.ready.notify_all()
                return None
            except BaseException as exc:  # the listing failed: raised in its place
                self.exhausted = True
                item = _Failed(exc)
            self.items.append(item)
            self.results.append(_PENDING)
            return len(self.items) - 1

    def run(self, index: int) -> None:
        item = self.items[index]
        self.items[index] = None  # read: not kept
        try:
            value: Any = item if isinstance(item, _Failed) else self.func(item)
        except BaseException as exc:  # handed to the consumer, in order
            value = _Failed(exc)
        with self.ready:
            self.results[index] = value
            self.ready.notify_all()

    def read_lent(self, context: contextvars.Context) -> None:
        """Items read on the consumer's slot while a helper reads the one it
        waits for. Once the next item to take is the awaited one, the consumer
        reads it itself, and this thread stops: the slot is one read at a time."""
        while True:
            with self.ready:
                mine_next = self.own_read or len(self.items) <= self.awaiting
                index = None if mine_next else self.claim()
                if index is None:
                    self.lent = False
                    self.ready.notify_all()
                    return
            context.run(self.run, index)

    def helper(self, context: contextvars.Context) -> None:
        assert self.lane is not None
        try:
            while (index := self.claim()) is not None:
                context.run(self.run, index)
        finally:
            self.lane.slots.give_back(self.lane.key)

    def add_helpers(self) -> None:
        """One more helper per free slot of the account, while work is left;
        when none is free, the next slot given back is offered to this fan."""
        if self.lane is None:
            return
        while self.more():
            if not self.lane.slots.take_or_wait(self.lane.key, self.offered):
                return
            self.start_helper()

    def offered(self) -> bool:
        """A slot given back by another reader of the account: taken over by a
        new helper while items are left (called in the giver's thread)."""
        if not self.more():
            return False
        self.start_helper()
        return True

    def start_helper(self) -> None:
        context = contextvars.copy_context()
        threading.Thread(
            target=self.helper, args=(context,), daemon=True, name="relscan-fan-out"
        ).start()

    def next_result(self, index: int) -> Any:
        """The result at `index`: read here if nobody has taken it yet; while a
        helper reads it, this slot is lent to a later item. `_PENDING` once the
        source is exhausted before `index`."""
        while True:
            with self.ready:
                self.awaiting = index
                if index < len(self.results) and self.results[index] is not _PENDING:
                    value = self.results[index]
                    self.results[index] = None  # handed over: not kept
                    return value
                if index >= len(self.results) and not self.more():
                    return _PENDING
                unclaimed = index >= len(self.items)
            if unclaimed:
                with self.ready:
                    self.own_read = self.claim(only=index) is not None
                if self.own_read:
                    try:
                        self.run(index)
                    finally:
                        with self.ready:
                            self.own_read = False
                    self.add_helpers()
                continue
            with self.ready:  # a helper reads it
                if self.results[index] is not _PENDING:
                    continue
                if not self.lent and self.more():
                    self.lent = True
                    threading.Thread(
                        target=self.read_lent,
                        args=(contextvars.copy_context(),),
                        daemon=True,
                        name="relscan-fan-out",
                    ).start()
                self.ready.wait(0.05)

    def results_in_order(self) -> Iterator[R]:
        try:
            index = 0
            while True:
                self.add_helpers()
                value = self.next_result(index)
                if value is _PENDING:
                    return
                if isinstance(value, _Failed):
                    raise value.error
                yield value
                index += 1
        finally:
            with self.ready:
                self.stopped = True
            if self.lane is not None:
                self.lane.slots.stop_waiting(self.lane.key, self.offered)


def fan_out(items: Iterable[T], func: Callable[[T], R]) -> Iterator[R]:
    """`func(item)` for every item, up to the account's free slots at once
    (see the module's docstring), yielded in the items' order. `items` may be
    lazy (a generator over a paged listing): it is read one item at a time,
    under a lock, as the reads need more, so the next page is fetched while
    the current one's units are still being read. An exception from `func`,
    or from `items`, is raised where its result would have been yielded; once
    the consumer stops, no further item is started."""
    return _Fan(items, func, current_lane()).results_in_order()


class OncePerKey(Generic[R]):
    """One fetch per shared object, however many reads ask for it at once
    (a CodeDeploy deployment config named by many groups): the first asker
    fetches, the others wait for its answer. `fetch` must not raise; it
    returns what to keep (a value, or the reason it could not be read)."""

    def __init__(self, fetch: Callable[[str], R]) -> None:
        self.fetch = fetch
        self._values: dict[str, R] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str) -> R:
        with self._lock:
            if key in self._values:
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = self.fetch(key)
            with self._lock:
                self._values[key] = value
            return value
