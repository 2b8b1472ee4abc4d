"""Every scope lands in exactly one shard, for any N."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.errors import UsageError
from scanner.plugin import Scope
from scanner.shard import Shard

labels = st.lists(
    st.tuples(st.text(min_size=1, max_size=20), st.text(max_size=12)), max_size=60, unique=True
)


@given(labels, st.integers(min_value=1, max_value=50))
def test_each_scope_is_in_exactly_one_shard(pairs, n):
    scopes = [Scope("aws", account, region) for account, region in pairs]
    taken = [s for k in range(1, n + 1) for s in Shard(k, n).take(scopes)]
    assert sorted(taken, key=lambda s: s.label) == sorted(scopes, key=lambda s: s.label)


def test_shards_are_deterministic_and_share_the_work():
    scopes = [Scope("aws", f"{i:012}", r) for i in range(50) for r in ("eu-west-1", "eu-west-2")]
    sizes = [len(Shard(k, 4).take(scopes)) for k in range(1, 5)]
    assert sum(sizes) == 100 and min(sizes) > 10
    assert Shard(2, 4).take(scopes) == Shard.parse(" 2 / 4 ").take(scopes)


@pytest.mark.parametrize("text", ["0/4", "5/4", "a/b", "3", "-1/2"])
def test_bad_shard(text):
    with pytest.raises(UsageError, match="expected K/N with 1 <= K <= N"):
        Shard.parse(text)
