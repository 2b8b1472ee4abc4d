"""Answers the SDK cannot turn into its models (a field of the wrong type, a
missing discriminator, an unparsable date) are data, not crashes: a list is
read item by item, and an item that cannot be read becomes a `Malformed`
stand-in that keeps what could be read (its id and name) and says why."""

from __future__ import annotations

import json
import threading
from typing import Any

import oci

from scanner.errors import one_line

_RAW = threading.local()  # the last raw answer this thread received


def remember(response: Any) -> None:
    _RAW.response = response


def last_raw() -> Any:
    return getattr(_RAW, "response", None)


def looks_like_json(request: Any) -> bool:
    """The SDK reads a body that is not JSON as a string, character by
    character, into empty models: refuse that before it does harm."""
    raw = last_raw()
    if raw is None or not isinstance(request.response_type, str):
        return True
    return raw.content.lstrip()[:1] in (b"[", b"{", b"")


class Malformed:
    """An item of an answer that could not be read; unknown attributes are None."""

    _FIELDS = {
        "id": "id",
        "displayName": "display_name",
        "name": "name",
        "compartmentId": "compartment_id",
        "deployPipelineId": "deploy_pipeline_id",
        "lifecycleState": "lifecycle_state",
    }

    def __init__(self, raw: Any, why: str) -> None:
        self.malformed = why
        self.freeform_tags: dict[str, Any] = {}
        self.defined_tags: dict[str, Any] = {}
        for key, attr in self._FIELDS.items():
            value = raw.get(key) if isinstance(raw, dict) else None
            setattr(self, attr, value if isinstance(value, str) else None)

    def __getattr__(self, name: str) -> Any:
        return None


def _why(exc: BaseException) -> str:
    return one_line(f"{type(exc).__name__}: {exc}", 300)


def _one(base: Any, raw: Any, type_name: str) -> Any:
    try:
        return base.deserialize_response_data(json.dumps(raw).encode(), type_name, True)
    except Exception as exc:  # the SDK raises many types for a bad field
        return Malformed(raw, f"malformed answer: {_why(exc)}")


def salvage(base: Any, request: Any, operation: str | None, exc: BaseException) -> Any:
    """An `oci.response.Response` read item by item from the raw answer, or
    None when the answer is not even a JSON list or collection."""
    raw_response = last_raw()
    type_name = request.response_type
    if raw_response is None or not isinstance(type_name, str):
        return None
    try:
        raw = json.loads(raw_response.content.decode("utf-8", "replace"), strict=False)
    except ValueError:
        return None
    if type_name.startswith("list[") and isinstance(raw, list):
        data: Any = [_one(base, item, type_name[5:-1]) for item in raw]
    elif isinstance(raw, dict) and isinstance(raw.get("items"), list):
        model = base.type_mappings.get(type_name)
        item_type = str(model().swagger_types.get("items", "")) if model else ""
        if not item_type.startswith("list["):
            return None
        collection = model()
        collection.items = [_one(base, item, item_type[5:-1]) for item in raw["items"]]
        data = collection
    elif isinstance(raw, dict):
        data = Malformed(raw, f"malformed answer to {operation or 'the request'}: {_why(exc)}")
    else:
        return None
    return oci.response.Response(raw_response.status_code, raw_response.headers, data, request)
