"""What changed between two scans."""

from __future__ import annotations

from scanner.history import diff, regressed
from tests.store.test_store import scan_at


def test_every_kind_of_change():
    old = scan_at(
        20,
        {
            "arn:up": 2,
            "arn:down": 4,
            "arn:gone": 3,
            "arn:same": 5,
            "arn:blind": 3,
            "arn:seen": None,
        },
    )
    new = scan_at(
        21,
        {"arn:up": 4, "arn:down": 1, "arn:new": 2, "arn:same": 5, "arn:blind": None, "arn:seen": 3},
    )
    changes = {c.id: (c.change, c.before, c.after) for c in diff(old, new)}
    assert changes == {
        "arn:up": ("up", 2, 4),
        "arn:down": ("down", 4, 1),
        "arn:gone": ("disappeared", 3, None),
        "arn:new": ("appeared", None, 2),
        "arn:blind": ("newly_not_assessed", 3, None),
        "arn:seen": ("newly_assessed", None, 3),
    }
    assert [c.change for c in diff(old, new)][0] == "down"  # regressions first
    assert regressed(diff(old, new))


def test_no_regression_without_a_level_going_down():
    old = scan_at(20, {"arn:a": 2})
    assert not regressed(diff(old, scan_at(21, {"arn:a": 3, "arn:b": 1})))
    assert diff(old, scan_at(21, {"arn:a": 2})) == []
