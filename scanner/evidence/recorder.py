"""Recording API exchanges during a scan, with nothing secret in them.

Providers call `Recorder.record(...)` from the one place their SDK clients are
built. Request headers are never kept (they carry signatures and tokens);
response headers are kept only from a short allow-list; URL query parameters
and body fields whose names look like credentials are masked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

KEEP_RESPONSE_HEADERS = {"content-type", "opc-next-page", "x-amzn-requestid", "retry-after"}
_SECRET_NAME = re.compile(
    r"(?i)(token|secret|password|passwd|signature|sig|credential|credentials|authorization|"
    r"api[-_]?key|access[-_]?key|access[-_]?key[-_]?id|session[-_]?key|private[-_]?key|"
    r"external[-_]?id)$"
)
_SECRET_ELEMENT = re.compile(
    r"<(\w*?(?:Token|Secret\w*|AccessKey\w*|Password|ExternalId))>"
    r"[^<]*</\1>"
)
MASK = "REDACTED"


_PAGING = re.compile(r"(?i)(page|next|pagination|continuation|skip)[-_]?token$")
# In URLs only (in bodies these names are ordinary data: tag keys, error codes):
# function keys, SAS signatures, Google API keys.
_URL_ONLY = re.compile(r"(?i)^(code|sig|key)$")


def secret_name(name: str) -> bool:
    """Names of credentials; paging tokens are not secrets and are kept."""
    return bool(_SECRET_NAME.search(name)) and not _PAGING.search(name)


def url_secret_name(name: str) -> bool:
    """Names of credentials in a URL's query (`code`, `sig` and `key` too)."""
    return secret_name(name) or bool(_URL_ONLY.search(name))


def scrub_url(url: str) -> str:
    parts = urlsplit(url)
    query = [
        (k, MASK if url_secret_name(k) else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def scrub(value: Any) -> Any:
    """Mask fields whose names look like credentials, at any depth."""
    if isinstance(value, dict):
        return {
            k: MASK
            if isinstance(k, str) and secret_name(k) and isinstance(v, str | int)
            else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _mask_element(m: re.Match[str]) -> str:
    if _PAGING.search(m[1]):
        return m[0]  # <NextToken> and its kind: paging, not a secret
    return f"<{m[1]}>{MASK}</{m[1]}>"


def body_value(body: bytes | str | None) -> Any:
    """JSON bodies as data, anything else (XML) as text; secrets masked in both."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return scrub(json.loads(text))
    except ValueError:
        return _SECRET_ELEMENT.sub(_mask_element, text)


@dataclass(frozen=True)
class Exchange:
    provider: str
    service: str
    operation: str
    method: str
    url: str
    request: Any
    status: int
    headers: dict[str, str]
    body: Any
    read_at: str
    key: dict[str, Any]  # what a replay matches on

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Recorder:
    """Writes each exchange to `responses/` as one numbered file. `tag` names
    the process that recorded it (a worker process of the scan, see
    scanner/workers): workers write into the same folder, each under its own
    tag (`000001w1-aws-...`), so their files cannot collide and a provider's,
    all from one process, keep their order."""

    def __init__(self, folder: Path, tag: str = "") -> None:
        self.folder = folder
        self.tag = tag
        self.responses = folder / "responses"
        self.responses.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = 0

    def record(
        self,
        provider: str,
        service: str,
        operation: str,
        method: str,
        url: str,
        request: bytes | str | None,
        status: int,
        headers: dict[str, str],
        body: bytes | str | None,
        key: dict[str, Any] | None = None,
    ) -> None:
        kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEEP_RESPONSE_HEADERS}
        exchange = Exchange(
            provider=provider,
            service=service,
            operation=operation,
            method=method.upper(),
            url=scrub_url(url),
            request=body_value(request),
            status=status,
            headers=kept,
            body=body_value(body),
            read_at=dt.datetime.now(dt.UTC).isoformat(),
            key=scrub(key)
            if key
            else {
                "method": method.upper(),
                "path": urlsplit(url).path,
                "query": sorted(parse_qsl(urlsplit(url).query)),
            },
        )
        with self._lock:
            self._count += 1
            number = f"{self._count:06d}{self.tag}"
            name = f"{number}-{provider}-{_slug(service)}-{_slug(operation)}.json"
        (self.responses / name).write_text(
            json.dumps(exchange.as_dict(), indent=1, sort_keys=True, ensure_ascii=False),
            encoding="utf-8",
        )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text)[:40] or "x"
