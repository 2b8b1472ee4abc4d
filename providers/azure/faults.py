"""Turning azure-core exceptions into one-line causes."""

from __future__ import annotations

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
)
from azure.identity import CredentialUnavailableError

from providers.azure.policies import MalformedAnswer
from scanner.errors import one_line

NO_CREDENTIALS = (
    "no Azure credentials found (sign in with `az login`, or set AZURE_TENANT_ID, "
    "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run with a managed or workload identity)"
)
AZURE_ERRORS = (AzureError,)


def status_of(exc: BaseException) -> int | None:
    if isinstance(exc, HttpResponseError):
        return exc.status_code
    return None


def code_of(exc: BaseException) -> str:
    """The ARM error code (`error.code` of the body), else empty."""
    if isinstance(exc, HttpResponseError) and exc.error is not None and exc.error.code:
        return str(exc.error.code)
    return ""


_UNAVAILABLE = ("unavailable", "not found", "not installed", "could not be found", "requires")


def _sign_in_failure(message: str) -> str:
    """DefaultAzureCredential lists every credential it tried; the chain stops
    at the first that failed (rather than was unavailable), so the last line
    says why. When all were unavailable, there are simply no credentials."""
    head, _, attempts = message.partition("Attempted credentials:")
    lines = [
        ln.strip()
        for ln in attempts.splitlines()
        if ln.strip().startswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    ]
    lines = [ln for ln in lines if not ln.startswith(("To mitigate", "Visit "))]
    if not attempts:
        return one_line(f"Azure sign-in failed: {head}")
    if not lines or any(word in lines[-1] for word in _UNAVAILABLE):
        return NO_CREDENTIALS
    return one_line(f"Azure sign-in failed: {lines[-1]}")


def describe(exc: BaseException) -> str:
    """A one-line cause naming the ARM error code and HTTP status."""
    if isinstance(exc, CredentialUnavailableError):
        return NO_CREDENTIALS
    if isinstance(exc, MalformedAnswer):
        return one_line(exc.message)
    status = status_of(exc)
    if isinstance(exc, HttpResponseError) and status is not None:
        code = code_of(exc) or (exc.reason or "Error")
        text = exc.error.message if exc.error is not None and exc.error.message else ""
        prefix = "throttled and out of retries: " if status == 429 else ""
        return one_line(f"{prefix}{code} (HTTP {status}): {text}".rstrip(": "))
    if isinstance(exc, ClientAuthenticationError):
        return _sign_in_failure(str(exc.message or exc))
    if isinstance(exc, ServiceRequestError):
        return one_line(f"cannot reach Azure Resource Manager: {exc.message}")
    message = getattr(exc, "message", None) or str(exc)
    return one_line(f"{type(exc).__name__}: {message}")


def is_credentials_error(exc: BaseException) -> bool:
    """The credential produced no token, or Resource Manager refused the token."""
    if isinstance(exc, ClientAuthenticationError) and status_of(exc) is None:
        return True
    return status_of(exc) == 401
