"""The benchmark's in-flight counter (benchmarks/inflight.py): what it reports
for known sequences of requests. Nothing here times anything: intervals are
given, and the timed wrapper runs on a fake clock with no latency."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.inflight import Timed, overlap
from scanner.emulators.server import Request, Response


def test_three_overlapping_requests_give_max_three_and_time_weighted_means() -> None:
    # 0-4, 1-3, 2-5: one in flight 0-1, two 1-2, three 2-3, two 3-4, one 4-5
    got = overlap([(0.0, 4.0), (1.0, 3.0), (2.0, 5.0)], span=(0.0, 10.0))
    assert got.max == 3
    assert got.busy == pytest.approx(5.0)
    assert got.mean_busy == pytest.approx(9.0 / 5.0)  # 1+2+3+2+1 request-seconds over 5 s
    assert got.mean_overall == pytest.approx(0.9)  # the same over the 10 s scan


def test_serial_requests_that_touch_never_count_as_two() -> None:
    got = overlap([(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)], span=(0.0, 4.0))
    assert got.max == 1
    assert got.mean_busy == pytest.approx(1.0)
    assert got.mean_overall == pytest.approx(0.75)


def test_gaps_lower_the_overall_mean_but_not_the_busy_mean() -> None:
    got = overlap([(0.0, 2.0), (1.0, 2.0), (6.0, 8.0), (6.0, 8.0)], span=(0.0, 8.0))
    assert got.max == 2
    assert got.busy == pytest.approx(4.0)
    assert got.mean_busy == pytest.approx(7.0 / 4.0)
    assert got.mean_overall == pytest.approx(7.0 / 8.0)


def test_no_requests_reports_zero() -> None:
    got = overlap([], span=(0.0, 3.0))
    assert (got.max, got.busy, got.mean_busy, got.mean_overall) == (0, 0.0, 0.0, 0.0)


def test_timed_records_each_request_and_passes_the_answer_through() -> None:
    ticks = itertools.count(10.0, 0.5)
    seen: list[str] = []

    def app(req: Request) -> Response:
        seen.append(req.path)
        if req.path == "/boom":
            raise RuntimeError("emulator bug")
        return Response(200, b"ok")

    timed = Timed(app, latency=0.0, clock=lambda: next(ticks))
    assert timed.first_start() is None
    answer = timed(Request("GET", "/a", {}, {}, b""))
    with pytest.raises(RuntimeError):
        timed(Request("GET", "/boom", {}, {}, b""))
    assert answer.body == b"ok"
    assert seen == ["/a", "/boom"]
    assert timed.snapshot() == [(10.0, 10.5), (11.0, 11.5)]  # a failed request counts too
    assert timed.first_start() == 10.0
