"""What an Azure reader gets to read one subscription: the scan's clients,
the subscription, the scope label its errors name, and the SDK's errors.

The reader modules import this only for type hints, so they load without the
Azure SDK; the run builds a context per subscription (and `check` one for the
subscription an id names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.azure.clients import AzureClients
from providers.azure.faults import AZURE_ERRORS, describe, is_credentials_error, status_of
from providers.azure.kind import AzureKind
from providers.azure.values import Unusable
from scanner.errors import CloudError, CredentialsError, NotFoundError
from scanner.model import Observation


@dataclass(frozen=True)
class AzureContext:
    clients: AzureClients
    subscription: str
    scope: str  # the scope's label, named by scope errors

    # The SDK's errors: what a failed call raises (readers catch these and
    # turn them into scope errors or unknown facts).
    errors: tuple[type[BaseException], ...] = AZURE_ERRORS

    def client(self, kind: AzureKind) -> Any:
        """The SDK client that reads `kind` in this subscription (shared by the scan)."""
        return self.clients.client(kind, self.subscription)

    def service_client(self, sdk_client: str, service: str) -> Any:
        """Another SDK client (`module:Class`) in this subscription, under its
        service name: the Activity Log's, for App Service slot swaps."""
        return self.clients.service_client(sdk_client, service, self.subscription)

    @staticmethod
    def describe(exc: BaseException) -> str:
        """A failed call's cause, on one line."""
        return describe(exc)

    @staticmethod
    def read_one(resource_id: str, read: Callable[[], Observation]) -> Observation:
        """One unit by its id, with the SDK's failures as relscan's errors:
        absent is NotFoundError, a refused credential CredentialsError, any
        other failure (or a malformed answer) CloudError."""
        try:
            return read()
        except Unusable as exc:
            raise CloudError(f"cannot read {resource_id}: malformed answer: {exc}") from None
        except AZURE_ERRORS as exc:
            if is_credentials_error(exc):
                raise CredentialsError(f"Azure credentials: {describe(exc)}") from None
            if status_of(exc) == 404:
                raise NotFoundError(f"no such resource: {resource_id} ({describe(exc)})") from None
            raise CloudError(f"cannot read {resource_id}: {describe(exc)}") from None
