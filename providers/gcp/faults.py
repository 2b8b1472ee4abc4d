"""Turning google-api-core exceptions into one-line causes."""

from __future__ import annotations

from google.api_core import exceptions
from google.auth.exceptions import GoogleAuthError
from requests.exceptions import RequestException

from scanner.errors import one_line

GCP_ERRORS = (exceptions.GoogleAPIError, GoogleAuthError, RequestException)


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
        return one_line(f"{label}{why}: {exc.message}")
    if isinstance(exc, GoogleAuthError):
        return one_line(f"Google credentials: {exc}")
    if isinstance(exc, RequestException):
        return one_line(f"cannot reach the Google Cloud endpoint: {type(exc).__name__}")
    return one_line(f"{type(exc).__name__}: {exc}")


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, exceptions.NotFound)


def is_credentials_error(exc: BaseException) -> bool:
    return isinstance(exc, exceptions.Unauthenticated | GoogleAuthError)
