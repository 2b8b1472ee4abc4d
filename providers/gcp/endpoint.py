"""RELSCAN_GCP_ENDPOINT: the one switch that points every GCP client elsewhere
(an emulator). Kept free of SDK imports so the plugin loads fast."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scanner.endpoints import is_loopback
from scanner.errors import UsageError

ENDPOINT_VARIABLE = "RELSCAN_GCP_ENDPOINT"


def endpoint_from_env() -> str | None:
    """The endpoint override, validated; None when unset."""
    raw = os.environ.get(ENDPOINT_VARIABLE, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise UsageError(
            f"{ENDPOINT_VARIABLE}={raw!r} is not an endpoint: expected http(s)://HOST[:PORT]"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"{ENDPOINT_VARIABLE}={raw!r}: plain http is only allowed to a loopback address"
        )
    return raw.rstrip("/")
