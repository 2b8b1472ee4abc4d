"""`--shard K/N`: a deterministic slice of the resolved scopes.

A scope goes to shard (sha256(label) mod N) + 1, so every scope lands in
exactly one shard whatever N is, and a worker's slice does not depend on what
other workers resolved.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from scanner.errors import UsageError
from scanner.plugin import Scope


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m or not 1 <= int(m[1]) <= int(m[2]):
            raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/8")
        return cls(int(m[1]), int(m[2]))

    def owns(self, label: str) -> bool:
        digest = int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big")
        return digest % self.count == self.index - 1

    def take(self, scopes: list[Scope]) -> list[Scope]:
        return [s for s in scopes if self.owns(s.label)]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
