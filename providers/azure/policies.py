"""The pipeline policies relscan adds to every Azure SDK client it builds.

- `ReadOnlyGuard` (just before authentication, on every attempt): pins the
  request to the configured Resource Manager and refuses, before a token is
  asked for or a byte is sent, anything that is not a declared read.
- `ThrottleGate` (inside the retries): once Resource Manager throttles a
  subscription, every call of the scan to that subscription waits out the
  Retry-After, not only the one that was throttled.
- `WireCheck` and `EvidencePolicy` (outside the retries, so they see each
  call's final answer): a 2xx answer must have the declared shape, and every
  answer is written to the scan's evidence recorder.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy

from providers.azure import permissions
from scanner.evidence import recorder as evidence
from scanner.kit.retry_after import retry_after
from scanner.readonly import ReadOnlyViolation

MAX_GATE_SECONDS = 60.0
SHOWN = 160  # characters of a refused path shown in the error


class MalformedAnswer(AzureError):
    """A 2xx answer that is not the JSON shape the read declares."""


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


class ReadOnlyGuard(SansIOHTTPPolicy):  # type: ignore[type-arg]
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.scheme, self.netloc = parts.scheme, parts.netloc
        self.prefix = parts.path.rstrip("/")

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        http = request.http_request
        parts = urlsplit(http.url)
        path = parts.path
        if (parts.scheme, parts.netloc) != (self.scheme, self.netloc):
            # An absolute nextLink (another port, a recorded cloud host, or a
            # hostile answer) is read from this Resource Manager, never elsewhere.
            if self.prefix and not path.lower().startswith(self.prefix.lower()):
                path = self.prefix + path
            http.url = urlunsplit((self.scheme, self.netloc, path, parts.query, ""))
        relative = path[len(self.prefix) :] if self.prefix else path
        read = permissions.match(http.method, relative)
        if read is None:
            raise ReadOnlyViolation(
                f"relscan is read-only and refused {http.method.upper()} {_short(relative)}: "
                "not a declared read (providers/azure/permissions.py); nothing was sent"
            )
        request.context["relscan_read"] = read


def _subscription(url: str) -> str:
    segments = urlsplit(url).path.lower().split("/")
    return segments[segments.index("subscriptions") + 1] if "subscriptions" in segments[:-1] else ""


class ThrottleGate(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Shared by all clients of one scan; counts throttles and retried faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}
        self.throttled = 0
        self.faults = 0

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        with self._lock:
            until = self._until.get(_subscription(request.http_request.url), 0.0)
        wait = until - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, MAX_GATE_SECONDS))

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:  # type: ignore[type-arg]
        status = response.http_response.status_code
        if status in (408, 429) or status >= 500:
            with self._lock:
                self.faults += 1
        if status != 429:
            return
        delay = retry_after(response.http_response.headers, MAX_GATE_SECONDS) or 0.0
        key = _subscription(request.http_request.url)
        with self._lock:
            self.throttled += 1
            self._until[key] = max(self._until.get(key, 0.0), time.monotonic() + delay)

    def on_exception(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        with self._lock:
            self.faults += 1  # no answer at all (a dropped connection, a timeout)


def _shape_error(read: permissions.Read, body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"the answer is a JSON {type(body).__name__}, not an object"
    if read.shape != "list":
        return None
    if "value" in body and not isinstance(body["value"], list):
        return f"value is a JSON {type(body['value']).__name__}, not a list"
    link = body.get("nextLink")
    if link is not None and not (isinstance(link, str) and _is_url(link)):
        return f"nextLink is {link!r:.40}, not a URL"
    return None


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.path != ""


class WireCheck(SansIOHTTPPolicy):  # type: ignore[type-arg]
    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:  # type: ignore[type-arg]
        read = request.context.get("relscan_read")
        http = response.http_response
        if read is None or not 200 <= http.status_code < 300:
            return
        try:
            body = json.loads(http.text() or "null")
        except ValueError:
            body = None
            problem: str | None = "the answer is not JSON"
        else:
            problem = _shape_error(read, body)
        if problem:
            raise MalformedAnswer(f"malformed answer to {read.operation}: {problem}")


def _mask_links(value: Any, key: str = "") -> Any:
    """URLs inside an answer (a ramp-up rule's decision callback often carries
    a function key as ?code=...) keep their shape but lose credential values;
    nextLink is kept whole, since the replay follows it."""
    if isinstance(value, dict):
        return {k: _mask_links(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_links(v, key) for v in value]
    if isinstance(value, str) and key != "nextLink" and "?" in value and "://" in value[:12]:
        try:
            parts = urlsplit(value)
        except ValueError:
            return evidence.MASK
        query = [
            (k, evidence.MASK if evidence.url_secret_name(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return urlunsplit(parts._replace(query=urlencode(query, safe="<>")))
    return value


def recorded_body(raw: bytes) -> bytes | str:
    try:
        return json.dumps(_mask_links(json.loads(raw)), ensure_ascii=False)
    except ValueError:
        return raw


class EvidencePolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    def __init__(self, base_url: str, recorder: evidence.Recorder | None = None) -> None:
        self.prefix = urlsplit(base_url).path.rstrip("/")
        self.recorder = recorder

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:  # type: ignore[type-arg]
        recorder = self.recorder
        read = request.context.get("relscan_read")
        if recorder is None or read is None:
            return
        http = request.http_request
        answer = response.http_response
        recorder.record(
            "azure",
            read.service,
            read.operation,
            http.method,
            http.url,
            None,
            answer.status_code,
            dict(answer.headers),
            recorded_body(answer.body()),
            key=permissions.request_key(http.method, http.url, self.prefix),
        )
