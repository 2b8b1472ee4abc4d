"""Turning botocore exceptions into one-line causes."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserFactory

from scanner.errors import one_line

CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AuthFailure",
}
THROTTLE_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def describe(exc: BaseException) -> str:
    """A one-line cause naming the AWS error code and the operation."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "Error")
        op = exc.operation_name
        prefix = "throttled and out of retries: " if code in THROTTLE_CODES else ""
        return one_line(f"{prefix}{code} on {op}: {err.get('Message', '')}".rstrip(": "))
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`)"
        )
    if isinstance(exc, NoRegionError):
        return "no AWS region is configured: pass --aws-region or set AWS_REGION"
    if isinstance(exc, EndpointConnectionError):
        return one_line(f"cannot reach the AWS endpoint: {exc}")
    if isinstance(exc, MalformedResponse):
        return one_line(str(exc))
    if isinstance(exc, BotoCoreError):
        return one_line(f"{type(exc).__name__}: {exc}")
    return one_line(f"{type(exc).__name__}: {exc}")


def is_credentials_error(exc: BaseException) -> bool:
    return isinstance(exc, NoCredentialsError | PartialCredentialsError) or (
        error_code(exc) in CREDENTIAL_CODES
    )


AWS_ERRORS = (ClientError, BotoCoreError)


class MalformedResponse(BotoCoreError):
    """An answer the SDK could not parse (bad XML, a field of the wrong type)."""

    fmt = "malformed answer from AWS: {error}"


class SafeParserFactory(ResponseParserFactory):
    """botocore's parsers, with any failure to parse an answer raised as
    MalformedResponse, so a bad answer is a read failure like any other."""

    def create_parser(self, protocol_name: str) -> Any:
        return _SafeParser(super().create_parser(protocol_name), protocol_name)


class _SafeParser:
    def __init__(self, inner: Any, protocol: str) -> None:
        self._inner = inner
        self._json = protocol in ("json", "rest-json")
        if self._json:  # botocore would read "abc" for a list as ["a", "b", "c"]
            handle_list = inner._handle_list

            def lists_only(shape: Any, value: Any) -> Any:
                if value is not None and not isinstance(value, list):
                    raise TypeError(f"{shape.name}: expected a list, got {type(value).__name__}")
                return handle_list(shape, value)

            inner._handle_list = lists_only

    def parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        body = response.get("body") or b""
        if self._json and response.get("status_code", 200) < 300 and body.strip():
            try:  # botocore would read a non-JSON success as an empty answer
                json.loads(body)
            except ValueError:
                text = body[:80].decode("utf-8", "replace")
                raise MalformedResponse(error=f"not JSON: {one_line(text)!r}") from None
        try:
            return self._inner.parse(response, shape)
        except BotoCoreError:
            raise
        except Exception as exc:  # ResponseParserError, AttributeError, TypeError...
            raise MalformedResponse(error=one_line(f"{type(exc).__name__}: {exc}", 300)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
