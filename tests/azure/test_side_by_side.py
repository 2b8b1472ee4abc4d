"""App Service reads overlap under the subscription's request limit: apps side
by side, an app's production config/web beside its slots, and its slots'
config/web side by side; never more than --per-account at once, with the
same requests and the same result as when they are read one at a time."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest

from providers.azure.emulator.app import AzureEmulator
from providers.azure.plugin import plugin
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from scanner.model import ScanResult
from tests.azure.conftest import SUB, app, estate, evidence, profile
from tests.azure.inflight import InFlight

PER_ACCOUNT = 4


def operation(req: Any) -> str:
    return AzureEmulator._match(req.path)[0]


def scan(part: dict[str, Any], per_account: int, monkeypatch, gauge: tuple | None) -> tuple:
    """The scan of SUB, the emulator's calls by operation, and the gauge
    (`gauge`: its held operation and the one it waits for, if any)."""
    emulator = AzureEmulator(copy.deepcopy(part), page_size=2)
    served = InFlight(emulator, operation, *gauge) if gauge else emulator
    with LoopbackServer(served) as server:
        monkeypatch.setenv("RELSCAN_AZURE_ENDPOINT", server.url)
        run = plugin.configure({"azure_subscription": (SUB,)})
        result = run_scan([(run, run.scopes())], concurrency=4, per_account=per_account)
    return result, Counter(op for op, _ in emulator.calls), served


def side_by_side(
    part: dict[str, Any],
    monkeypatch,
    held: set[str],
    alongside: str | set[str] | None = None,
    extra: Counter[str] | None = None,
) -> tuple[ScanResult, InFlight]:
    """Scan with PER_ACCOUNT and with 1; both must agree, request for request
    but for `extra`: at most so many more of an operation. In the first scan,
    a request of a `held` operation waits for an `alongside` one (see
    tests/azure/inflight.py)."""
    serial, serial_calls, _ = scan(part, 1, monkeypatch, gauge=None)
    result, calls, gauge = scan(part, PER_ACCOUNT, monkeypatch, gauge=(held, alongside))
    more = calls - serial_calls
    assert calls - more == serial_calls  # no fewer
    assert more <= (extra or Counter())
    assert [a.as_dict() for a in result.assessments] == [a.as_dict() for a in serial.assessments]
    assert [e.as_dict() for e in result.errors] == [e.as_dict() for e in serial.errors]
    assert 1 < gauge.peak <= PER_ACCOUNT
    return result, gauge


def test_apps_are_read_side_by_side_in_list_order(monkeypatch):
    apps = [app(f"app{i}", slots=[{"name": "staging"}] * (i % 2)) for i in range(9)]
    result, gauge = side_by_side(estate(apps), monkeypatch, {"config.get"}, "config.get")
    assert [a.name for a in result.assessments] == [f"app{i}" for i in range(9)]
    assert gauge.peaks["config.get"] > 1  # one per app: apps overlapped


@pytest.mark.parametrize("slots", [0, 1])
def test_one_apps_production_config_is_read_beside_its_slots(monkeypatch, slots):
    part = estate([app(slots=[{"name": f"s{i}"} for i in range(slots)])])
    # production's config/web and the slots' list are each held until the other
    # is in flight beside it; read one after the other, each would wait out its
    # hold alone (other kinds' lists may be in flight too, so the overall peak
    # says nothing here)
    pair = {"config.get", "slots.list"}
    result, gauge = side_by_side(part, monkeypatch, pair, pair)
    assert gauge.met == 2
    [a] = result.assessments
    assert (a.level, a.rule) == (
        (1, "AZ-APP-1-NO-SLOTS") if slots == 0 else (3, "AZ-APP-3-MANUAL-SWAP")
    )


def test_one_apps_slots_are_read_side_by_side(monkeypatch):
    slots = [{"name": f"s{i}"} for i in range(6)]
    slots[3]["auto_swap"] = "production"
    part = estate([app(slots=slots)])
    result, gauge = side_by_side(part, monkeypatch, {"slotconfig.get"}, "slotconfig.get")
    assert gauge.peaks["slotconfig.get"] > 1
    [a] = result.assessments
    assert (a.level, a.rule) == (4, "AZ-APP-4-AUTO-SWAP")
    ev = evidence(a)
    assert ev["slots.value[].name"] == [f"s{i}" for i in range(6)]
    assert ev["slots[autoSwapSlotName set].name"] == ["s3"]


def test_the_first_unreadable_slot_in_list_order_is_the_reason(monkeypatch):
    """s2 and s4 both answer a malformed config/web; whichever answer comes
    first, the reason names s2, as a one-at-a-time read would. Reads of later
    slots already in flight finish (at most the three after s2), and no
    further one starts."""
    slots = [{"name": f"s{i}"} for i in range(6)]
    for i, bad in ((2, 5), (4, ["x"])):
        slots[i]["config_wire"] = {"properties": {"autoSwapSlotName": bad}}
    extra = Counter({"slotconfig.get": 3})
    part = estate([app(slots=slots)])
    result, _ = side_by_side(part, monkeypatch, {"slotconfig.get"}, "slotconfig.get", extra)
    [a] = result.assessments
    assert (a.level, a.status) == (None, "not_assessed")
    assert "slot s2 config/web properties.autoSwapSlotName is a number (5)" in a.reason
    assert "s4" not in a.reason


def test_a_subscriptions_kinds_are_read_side_by_side(monkeypatch):
    """App Service apps and Traffic Manager profiles: their lists overlap."""
    part = estate([app()], [profile(routing="Weighted")])
    result, gauge = side_by_side(part, monkeypatch, {"sites.list", "profiles.list"})
    assert sorted(a.name for a in result.assessments) == ["portal", "portal-tm"]
    assert gauge.peak > 1


def test_a_subscriptions_clients_are_closed_once_its_scope_is_read(monkeypatch):
    """Many subscriptions: each one's clients are let go when it is read, so a
    scan does not keep every subscription's clients and pools to the end."""
    emulator = AzureEmulator(estate([app("a"), app("b")]), page_size=2)
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("RELSCAN_AZURE_ENDPOINT", server.url)
        run = plugin.configure({"azure_subscription": (SUB,)})
        scopes = run.scopes()
        run.clients.client(plugin.kinds()[0], SUB)  # as a reader would
        assert any(key[1] == SUB for key in run.clients._cache)
        result = run_scan([(run, scopes)], concurrency=4)
    assert result.assessments and result.errors == []
    assert not any(key[1] == SUB for key in run.clients._cache)
