"""Turning botocore exceptions into one-line causes."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

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
    if isinstance(exc, BotoCoreError):
        return one_line(f"{type(exc).__name__}: {exc}")
    return one_line(f"{type(exc).__name__}: {exc}")


def is_credentials_error(exc: BaseException) -> bool:
    return isinstance(exc, NoCredentialsError | PartialCredentialsError) or (
        error_code(exc) in CREDENTIAL_CODES
    )


AWS_ERRORS = (ClientError, BotoCoreError)
