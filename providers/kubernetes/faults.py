"""The API server's errors, in one line each: its Status message, which names
the verb and the resource for a 403."""

from __future__ import annotations

import json
from typing import Any


def status_of(exc: Any) -> dict[str, Any]:
    try:
        body = json.loads(getattr(exc, "body", None) or "{}")
    except (ValueError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


def describe(exc: Exception) -> str:
    code = getattr(exc, "status", None)
    status = status_of(exc)
    message = status.get("message") or getattr(exc, "reason", None) or str(exc)
    reason = status.get("reason") or ""
    head = f"HTTP {code}" + (f" {reason}" if reason else "") if code else type(exc).__name__
    return f"{head}: {' '.join(str(message).split())}"


def errors() -> tuple[type[BaseException], ...]:
    """What a cluster-side failure raises (the SDK's, and the network's)."""
    import urllib3
    from kubernetes.client.exceptions import ApiException

    return (ApiException, urllib3.exceptions.HTTPError, OSError)
