"""Turning OCI SDK exceptions into one-line causes."""

from __future__ import annotations

import oci
import requests

from scanner.errors import one_line


class MalformedAnswer(Exception):
    """An answer that cannot be read at all (not JSON, a page token that loops)."""


OCI_ERRORS: tuple[type[BaseException], ...] = (
    MalformedAnswer,
    oci.exceptions.ServiceError,
    oci.exceptions.RequestException,
    oci.exceptions.ClientError,
    requests.exceptions.RequestException,
)


def status_of(exc: BaseException) -> int | None:
    return exc.status if isinstance(exc, oci.exceptions.ServiceError) else None


def describe(exc: BaseException) -> str:
    """A one-line cause naming the HTTP status, the OCI error code and the operation."""
    if isinstance(exc, oci.exceptions.ServiceError):
        op = exc.operation_name or "the request"
        prefix = "throttled and out of retries: " if exc.status == 429 else ""
        return one_line(f"{prefix}{exc.status} {exc.code} on {op}: {exc.message or ''}").rstrip(
            ": "
        )
    if isinstance(exc, oci.exceptions.RequestException | requests.exceptions.RequestException):
        return one_line(f"cannot reach the OCI endpoint: {type(exc).__name__}: {exc}", 300)
    if isinstance(exc, MalformedAnswer):
        return one_line(f"malformed answer: {exc}", 300)
    return one_line(f"{type(exc).__name__}: {exc}", 300)


def is_credentials_error(exc: BaseException) -> bool:
    return status_of(exc) == 401


def is_not_found(exc: BaseException) -> bool:
    return status_of(exc) == 404
