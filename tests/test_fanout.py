"""fan_out: per-unit reads overlap up to the account's free slots, results come
back in the units' order, failures surface where their result would have been,
and a scan holds one account to `per_account` requests in flight however its
scopes and their units are shaped."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

import pytest

from scanner.engine import run_scan
from scanner.fanout import AccountSlots, OncePerKey, current_lane, fan_out, reading_for
from scanner.model import Observation, ScopeError
from scanner.plugin import ProviderRun, Scope


class Gauge:
    """Counts calls in progress at once. Each call waits until `meet` calls
    are in progress (or a while has passed), so that calls that can overlap
    are seen to, however a busy machine schedules the threads; a call beyond
    `meet` would still be counted."""

    def __init__(self, meet: int = 1) -> None:
        self.meet = meet
        self.now = 0
        self.peak = 0
        self.changed = threading.Condition()

    def __call__(self, item: int) -> int:
        with self.changed:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.changed.notify_all()
            self.changed.wait_for(lambda: self.now >= self.meet, timeout=0.5)
        time.sleep(0.01)
        with self.changed:
            self.now -= 1
        return item * 10


def in_lane(per_account: int, func):
    """Run `func` in a thread that reads for account ("t", "a"), its own slot taken."""
    slots = AccountSlots(per_account)
    assert slots.try_take(("t", "a"))
    out: list = []

    def body() -> None:
        reading_for(slots, ("t", "a"))
        out.append(func())

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return out[0], slots


def test_outside_a_scan_the_reads_run_one_at_a_time_in_order():
    gauge = Gauge()
    assert current_lane() is None
    assert list(fan_out(range(6), gauge)) == [0, 10, 20, 30, 40, 50]
    assert gauge.peak == 1


def test_reads_overlap_up_to_the_accounts_slots_and_keep_their_order():
    gauge = Gauge(meet=4)
    results, slots = in_lane(4, lambda: list(fan_out(range(40), gauge)))
    assert results == [i * 10 for i in range(40)]
    assert gauge.peak == 4  # the scope's own slot and three free ones
    deadline = time.monotonic() + 5
    while slots.in_use(("t", "a")) != 1 and time.monotonic() < deadline:
        time.sleep(0.01)  # helpers give their slots back as they end
    assert slots.in_use(("t", "a")) == 1  # only the scope's own slot is left


def test_one_slot_means_one_read_at_a_time():
    gauge = Gauge()
    results, _ = in_lane(1, lambda: list(fan_out(range(10), gauge)))
    assert results == [i * 10 for i in range(10)] and gauge.peak == 1


def test_a_failure_is_raised_where_its_result_would_have_been():
    def read(item: int) -> int:
        if item == 3:
            raise ValueError("no answer for 3")
        return item

    def consume() -> tuple[list[int], str]:
        got: list[int] = []
        try:
            for value in fan_out(range(8), read):
                got.append(value)
        except ValueError as exc:
            return got, str(exc)
        return got, ""

    (got, error), _ = in_lane(4, consume)
    assert got == [0, 1, 2] and error == "no answer for 3"


def test_a_fan_out_that_found_no_free_slot_gets_the_next_one_given_back():
    # Both slots are taken when the fan-out starts (its scope's, and another
    # reader's). Item 0 waits until a second item is in flight: only the slot
    # the other reader gives back, handed to this fan-out, can start one. Read
    # one after another, item 0 would wait out its 10 s alone and fail.
    slots = AccountSlots(2)
    key = ("t", "a")
    assert slots.try_take(key) and slots.try_take(key)
    two = threading.Barrier(2, timeout=10)
    out: list = []

    def read(item: int) -> int:
        if item < 2:
            two.wait()
        return item

    def body() -> None:
        reading_for(slots, key)
        out.append(list(fan_out(range(4), read)))

    thread = threading.Thread(target=body)
    thread.start()
    deadline = time.monotonic() + 5
    while not slots.waiting(key) and time.monotonic() < deadline:
        time.sleep(0.005)  # the fan-out has asked for a slot
    slots.give_back(key)  # the other reader is done
    thread.join()
    assert out == [[0, 1, 2, 3]]
    deadline = time.monotonic() + 5
    while slots.in_use(key) != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slots.in_use(key) == 1 and slots.waiting(key) == 0


def test_a_later_read_that_hangs_never_holds_up_results_that_are_ready():
    # Item 1 is read by a helper (on the slot another reader gives back during
    # item 0) and waits until item 2 has started. Item 2 never answers until
    # the test lets it. Results 0 and 1 must be handed on while 2 hangs: the
    # scope's own thread must not be the one stuck in item 2 (it was, before
    # its slot was lent: a scan's time budget then kept none of a scope's
    # units read before one of its services hung).
    slots = AccountSlots(2)
    key = ("t", "a")
    assert slots.try_take(key) and slots.try_take(key)
    started = {i: threading.Event() for i in range(4)}
    release = threading.Event()
    handed: queue.Queue[int] = queue.Queue()

    def read(item: int) -> int:
        started[item].set()
        if item == 0:
            slots.give_back(key)  # the other reader is done: a helper takes item 1
            assert started[1].wait(10)
        elif item == 1:
            assert started[2].wait(10)
        elif item == 2:
            release.wait(30)
        return item

    def body() -> None:
        reading_for(slots, key)
        for value in fan_out(range(4), read):
            handed.put(value)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    try:
        assert [handed.get(timeout=5), handed.get(timeout=5)] == [0, 1]
        assert handed.empty()  # item 2 hangs, and 3 waits its turn
    finally:
        release.set()
    thread.join(10)
    assert [handed.get(timeout=5), handed.get(timeout=5)] == [2, 3]
    deadline = time.monotonic() + 5
    while slots.in_use(key) != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slots.in_use(key) == 1 and slots.waiting(key) == 0


def test_a_slot_given_back_skips_a_fan_out_that_has_finished():
    slots = AccountSlots(1)
    key = ("t", "a")
    assert slots.try_take(key)
    assert not slots.take_or_wait(key, lambda: False)  # a fan-out with nothing left
    slots.give_back(key)
    assert slots.in_use(key) == 0 and slots.try_take(key)


def test_once_the_consumer_stops_no_further_item_is_started():
    started: list[int] = []
    lock = threading.Lock()

    def read(item: int) -> int:
        with lock:
            started.append(item)
        time.sleep(0.005)
        return item

    def first_two() -> list[int]:
        taken = []
        for value in fan_out(range(200), read):
            taken.append(value)
            if len(taken) == 2:
                break
        return taken

    taken, _ = in_lane(3, first_two)
    time.sleep(0.05)
    assert taken == [0, 1]
    assert len(started) < 10  # the ones in progress finish; no more start


class UnitsRun(ProviderRun):
    """Every scope has `units` units, each read by one request (a Gauge)."""

    def __init__(self, units: int) -> None:
        self.units = units
        self.gauges: dict[str, Gauge] = {}
        self.lock = threading.Lock()

    def scopes(self) -> list[Scope]:
        return []

    def gauge(self, account: str) -> Gauge:
        with self.lock:
            return self.gauges.setdefault(account, Gauge(meet=4))

    def collect(self, scope: Scope) -> Iterator[Observation | ScopeError]:
        gauge = self.gauge(scope.account)
        for i in fan_out(range(self.units), gauge):
            yield Observation(f"{scope.label}/{i}", "t", "t.kind", str(i), scope.account, "r")

    def check(self, resource_id: str) -> Observation:
        raise NotImplementedError


@pytest.mark.parametrize(
    ("regions", "units"),
    [(1, 60), (3, 30), (12, 4)],
    ids=["one busy scope", "a few scopes", "many small scopes"],
)
def test_a_scan_keeps_each_account_to_per_account_requests(regions, units):
    run = UnitsRun(units)
    work = [Scope("t", f"a{a}", f"r{r}") for a in range(2) for r in range(regions)]
    result = run_scan([(run, work)], concurrency=16, per_account=4)
    assert len(result.assessments) == 2 * regions * units and result.errors == []
    assert {a: g.peak for a, g in run.gauges.items()} == {"a0": 4, "a1": 4}
    ids = [a.id for a in result.assessments]
    assert len(set(ids)) == len(ids)


def test_a_lazy_listing_is_read_as_needed_and_its_failure_comes_in_order():
    def listing() -> Iterator[int]:
        yield from range(5)
        raise ValueError("page 2 could not be read")

    def consume() -> tuple[list[int], str]:
        got: list[int] = []
        try:
            for value in fan_out(listing(), lambda i: i + 100):
                got.append(value)
        except ValueError as exc:
            return got, str(exc)
        return got, ""

    (got, error), _ = in_lane(3, consume)
    assert got == [100, 101, 102, 103, 104] and error == "page 2 could not be read"


def test_a_shared_object_is_fetched_once_however_many_ask_at_once():
    fetched: list[str] = []

    def fetch(name: str) -> str:
        fetched.append(name)
        time.sleep(0.02)
        return f"config {name}"

    once = OncePerKey(fetch)
    names = ["AllAtOnce", "Canary", "AllAtOnce", "AllAtOnce", "Canary"] * 4
    results, _ = in_lane(8, lambda: list(fan_out(names, once)))
    assert results == [f"config {n}" for n in names]
    assert sorted(fetched) == ["AllAtOnce", "Canary"]
