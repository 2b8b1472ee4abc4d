"""Which failures count as "no answer" (tried twice) and which as a transient
fault (tried with each SDK's full backoff), for the errors each SDK raises."""

from __future__ import annotations

import pytest
from azure.core.exceptions import (
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from urllib3.connection import HTTPConnection
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from scanner.network import timeout_of, unanswered

URL = "http://127.0.0.1:9/"


def _refused() -> RequestsConnectionError:
    """requests' error for a refused connection, built as requests builds it."""
    reason = NewConnectionError(HTTPConnection("127.0.0.1", 9), "[Errno 111] Connection refused")
    return RequestsConnectionError(MaxRetryError(None, URL, reason))  # type: ignore[arg-type]


def _dropped() -> RequestsConnectionError:
    reason = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    return RequestsConnectionError(reason)


def _wrapped(outer: Exception, inner: BaseException) -> Exception:
    try:
        raise outer from inner
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url=URL),
        ConnectTimeoutError(endpoint_url=URL),
        EndpointConnectionError(endpoint_url=URL),
        _refused(),
        ReadTimeout("read timed out"),
        ServiceResponseTimeoutError("Read timed out. (read timeout=1.0)"),
        _wrapped(ServiceRequestError("cannot connect"), _refused()),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_no_answer(error):
    assert unanswered(error)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionClosedError(endpoint_url=URL),
        _dropped(),
        ServiceResponseError("Connection aborted"),
        ValueError("not JSON"),
        None,
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_transient_fault_or_an_answer(error):
    assert not unanswered(error)


def test_timeout_default_and_given():
    assert timeout_of({}) == 20.0
    assert timeout_of({"timeout": 0.5}) == 0.5
