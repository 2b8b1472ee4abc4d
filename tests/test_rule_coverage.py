"""Every rule in mappings/ is named by at least one test (each provider's tests
also hold a neighbour case that just misses it)."""

from __future__ import annotations

from pathlib import Path

from scanner.rules import load_rulebook

TESTS = Path(__file__).parent


def test_every_rule_is_reached_by_a_test():
    text = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    missing = [r.id for kind in load_rulebook().values() for r in kind.rules if r.id not in text]
    assert missing == []
