"""The emulators' fault plan: faults at the chosen rate, but never more than
`most_in_a_row` failures of one request in a row, so a client that retries
more often always gets through whatever order concurrent requests drew in."""

from __future__ import annotations

from scanner.emulators.faults import FaultPlan


def test_one_request_fails_at_most_twice_in_a_row_then_is_answered():
    plan = FaultPlan(rate=1.0, kinds=("500",))
    assert [plan.pick("GET /a") for _ in range(6)] == ["500", "500", None, "500", "500", None]
    assert plan.injected == {"500": 4}


def test_requests_are_counted_apart():
    plan = FaultPlan(rate=1.0, kinds=("drop",))
    picks = [plan.pick(key) for key in ("a", "b", "a", "b", "a", "b")]
    assert picks == ["drop", "drop", "drop", "drop", None, None]


def test_a_slow_answer_is_no_failure_and_breaks_the_run():
    plan = FaultPlan(rate=1.0, kinds=("slow",))
    assert [plan.pick("a") for _ in range(4)] == ["slow"] * 4


def test_no_faults_at_rate_zero():
    plan = FaultPlan(rate=0.0)
    assert [plan.pick("a") for _ in range(5)] == [None] * 5 and plan.injected == {}
