"""Merging the shards of one scan group into one result."""

from __future__ import annotations

from scanner.errors import UsageError
from scanner.model import ScanResult, sort_key
from scanner.store.store import COMPLETE, Store


def merge_group(store: Store, group_id: str) -> tuple[ScanResult, list[str]]:
    """The group's complete shards merged, and the shards still missing."""
    rows = store.group(group_id)
    if not rows:
        raise UsageError(f"no scans in scan group {group_id!r}")
    complete = [r for r in rows if r.status == COMPLETE]
    counts = {int(r.shard.split("/")[1]) for r in rows if r.shard}
    total = max(counts) if counts else 1
    done = (
        {int(r.shard.split("/")[0]) for r in complete if r.shard}
        if counts
        else ({1} if complete else set())
    )
    missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in done]
    if not complete:
        raise UsageError(f"scan group {group_id!r} has no complete shard yet")
    parts = [store.load(r) for r in complete]
    merged = ScanResult(started=min(p.started for p in parts))
    merged.finished = max((p.finished for p in parts if p.finished), default=None)
    merged.tool_version = parts[0].tool_version
    merged.scopes = sorted({s for p in parts for s in p.scopes})
    merged.errors = [e for p in parts for e in p.errors]
    seen: set[str] = set()
    for p in parts:
        for a in p.assessments:
            if a.id not in seen:
                seen.add(a.id)
                merged.assessments.append(a)
    merged.assessments.sort(key=sort_key)
    return merged, missing
