"""Turning google-api-core exceptions into one-line causes.

A cause quotes the cloud's own message, which is data from outside: control
and bidirectional-override characters are shown as escapes and it is cut to a
readable length. An answer the SDK cannot parse (a wrong type in a field)
is one of the errors, so it fails only the part of the scan that read it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

from google.api_core import exceptions
from google.auth.exceptions import GoogleAuthError, TransportError
from google.protobuf.json_format import ParseError
from requests.exceptions import RequestException

from scanner.errors import one_line

GCP_ERRORS = (exceptions.GoogleAPIError, GoogleAuthError, RequestException, ParseError)
LIMIT = 400


def safe_text(text: object, limit: int = LIMIT) -> str:
    """One line, control/format characters escaped, at most `limit` characters."""
    out = "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co") else f"\\u{ord(ch):04x}"
        for ch in one_line(text)
    )
    return out if len(out) <= limit else out[: limit - 1] + "\u2026"


# A REST error message quotes the request: "GET https://HOST/PATH?%24alt=json...: why".
_QUERY = re.compile(r"(https?://[^\s?]+)\?[^\s:]*")
_HTML = re.compile(r"<(?:!doctype|html)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def tidy(message: str) -> str:
    """The API's message without the request's query string (the SDK's own
    `$alt=json;enum-encoding=int`, page tokens), and an HTML page (a proxy's or
    a front end's error page, not the API's answer) reduced to its title."""
    message = _QUERY.sub(r"\1", message)
    page = _HTML.search(message)
    if page:
        title = _TITLE.search(message, page.start())
        named = f" titled {html.unescape(' '.join(title[1].split()))[:100]!r}" if title else ""
        message = f"{message[: page.start()].rstrip()} an HTML page{named}, not an API answer"
    return message


def is_connection_error(exc: BaseException) -> bool:
    """The endpoint could not be reached or did not answer (no API verdict)."""
    return isinstance(exc, RequestException | TransportError)


def _endpoint(exc: BaseException) -> str:
    request = getattr(exc, "request", None)
    host = urlsplit(str(getattr(request, "url", "") or "")).hostname
    return f" {host}" if host else ""


def reason(exc: BaseException) -> str:
    """The google.rpc.ErrorInfo reason (SERVICE_DISABLED, ...), or ''."""
    return str(getattr(exc, "reason", None) or "")


def disabled_api(exc: BaseException) -> str | None:
    """The API named by a SERVICE_DISABLED error, else None."""
    if reason(exc) != "SERVICE_DISABLED":
        return None
    metadata = getattr(exc, "metadata", None) or {}
    return str(metadata.get("service") or "the API")


def describe(exc: BaseException) -> str:
    """A one-line cause naming the HTTP status and the API's message."""
    api = disabled_api(exc)
    if api:
        return f"{api} is not enabled in this project (SERVICE_DISABLED)"
    if isinstance(exc, exceptions.GoogleAPICallError):
        code = exc.code.value if hasattr(exc.code, "value") else exc.code
        label = f"{code} {type(exc).__name__}"
        if isinstance(exc, exceptions.TooManyRequests | exceptions.ServiceUnavailable):
            label = f"throttled and out of retries: {label}"
        why = f" ({reason(exc)})" if reason(exc) else ""
        return safe_text(f"{label}{why}: {tidy(str(exc.message))}")
    if isinstance(exc, ParseError):
        return safe_text(f"malformed answer from the API (the SDK cannot parse it): {exc}")
    if isinstance(exc, GoogleAuthError):
        return safe_text(f"Google credentials: {exc}")
    if isinstance(exc, RequestException):
        return one_line(
            f"cannot reach the Google Cloud endpoint{_endpoint(exc)}: {type(exc).__name__}"
        )
    return safe_text(tidy(f"{type(exc).__name__}: {exc}"))


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, exceptions.NotFound)


def is_credentials_error(exc: BaseException) -> bool:
    return isinstance(exc, exceptions.Unauthenticated | GoogleAuthError)
