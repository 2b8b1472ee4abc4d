"""Credentials for a scan: the OCI config file and profile, instance principals,
resource principals; or nothing at all for a plain-http loopback emulator."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import oci
import requests

from providers.oci import AUTH_MODES
from scanner.endpoints import is_loopback_http
from scanner.errors import CredentialsError, UsageError, one_line

ENDPOINT_VAR = "RELSCAN_OCI_ENDPOINT"
TENANCY_VAR = "RELSCAN_OCI_TENANCY"
REGION_VAR = "OCI_REGION"  # the SDK's own variable
_PLACEHOLDER_KEYS = {
    "user": "ocid1.user.oc1..unsignedloopback",
    "fingerprint": "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
    "key_content": "unsigned",
}


class Unsigned(requests.auth.AuthBase):
    """Signs nothing: used only when the endpoint is plain http on loopback."""

    @property
    def without_content_headers(self) -> Unsigned:
        return self

    def __call__(self, request: Any) -> Any:
        return request


@dataclass
class Credentials:
    config: dict[str, Any]
    signer: Any
    tenancy: str | None
    region: str | None
    source: str
    extra: dict[str, Any] = field(default_factory=dict)


def endpoint() -> str | None:
    return os.environ.get(ENDPOINT_VAR) or None


def load(options: dict[str, Any]) -> Credentials:
    mode = options.get("oci_auth") or "config"
    if mode not in AUTH_MODES:
        raise UsageError(f"--oci-auth {mode!r}: expected one of {', '.join(AUTH_MODES)}")
    url = endpoint()
    if url and is_loopback_http(url):
        return _unsigned()
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise UsageError(f"{ENDPOINT_VAR}={url!r}: expected an http(s) URL")
    if mode == "instance_principal":
        return _instance_principal()
    if mode == "resource_principal":
        return _resource_principal()
    return _config_file(options.get("oci_config_file"), options.get("oci_profile"))


def _unsigned() -> Credentials:
    region = os.environ.get(REGION_VAR) or None
    tenancy = os.environ.get(TENANCY_VAR) or None
    config = {**_PLACEHOLDER_KEYS, "tenancy": tenancy or "", "region": region or ""}
    return Credentials(config, Unsigned(), tenancy, region, "unsigned loopback endpoint")


def _config_file(path: str | None, profile: str | None) -> Credentials:
    location = path or os.environ.get("OCI_CONFIG_FILE") or oci.config.DEFAULT_LOCATION
    name = profile or os.environ.get("OCI_CLI_PROFILE") or oci.config.DEFAULT_PROFILE
    shown = os.path.expanduser(location)
    try:
        config = oci.config.from_file(location, name)
        oci.config.validate_config(config)
        signer = oci.signer.Signer(
            tenancy=config["tenancy"],
            user=config["user"],
            fingerprint=config["fingerprint"],
            private_key_file_location=config.get("key_file"),
            pass_phrase=oci.config.get_config_value_or_default(config, "pass_phrase"),
            private_key_content=config.get("key_content"),
        )
    except oci.exceptions.ConfigFileNotFound:
        raise CredentialsError(
            f"OCI config file {shown}: no such file (create it with `oci setup config`, "
            "or pass --oci-config-file, or use --oci-auth instance_principal)"
        ) from None
    except oci.exceptions.ProfileNotFound:
        raise CredentialsError(f"OCI config file {shown}: no profile [{name}]") from None
    except oci.exceptions.InvalidConfig as exc:
        raise CredentialsError(f"OCI config file {shown} [{name}]: {_invalid(exc)}") from None
    except (oci.exceptions.InvalidPrivateKey, oci.exceptions.MissingPrivateKeyPassphrase) as exc:
        raise CredentialsError(
            f"OCI config file {shown} [{name}]: the private key cannot be used ({one_line(exc)})"
        ) from None
    except (ValueError, KeyError, OSError) as exc:
        raise CredentialsError(f"OCI config file {shown} [{name}]: {one_line(exc)}") from None
    except configparser.Error as exc:
        raise CredentialsError(
            f"OCI config file {shown}: not a valid config file ({_first(exc)})"
        ) from None
    except Exception as exc:  # key loading and path checks raise many types
        raise CredentialsError(f"OCI config file {shown} [{name}]: {_first(exc)}") from None
    return Credentials(config, signer, config.get("tenancy"), config.get("region"), shown)


def _first(exc: BaseException) -> str:
    """The SDK's message without its trailing pointer to the documentation."""
    text = one_line(exc).split(" For more info")[0]
    text = text.split(" file: ")[0] if isinstance(exc, configparser.Error) else text
    return text.removesuffix(".").removesuffix(",")[:300]


def _invalid(exc: oci.exceptions.InvalidConfig) -> str:
    errors = exc.args[0] if exc.args else None
    if isinstance(errors, dict):
        return "; ".join(f"{key} is {problem}" for key, problem in sorted(errors.items()))
    return one_line(exc)


def _instance_principal() -> Credentials:
    try:
        signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
    except Exception as exc:  # the metadata service is absent off OCI compute
        raise CredentialsError(
            f"OCI instance principal: not available here ({type(exc).__name__}: "
            f"{one_line(exc, 200)})"
        ) from None
    region = getattr(signer, "region", None)
    config = {"region": region or "", "tenancy": signer.tenancy_id}
    return Credentials(config, signer, signer.tenancy_id, region, "instance principal")


def _resource_principal() -> Credentials:
    try:
        signer = oci.auth.signers.get_resource_principals_signer()
        tenancy = getattr(signer, "tenancy_id", None) or signer.get_claim("res_tenant")
    except Exception as exc:
        raise CredentialsError(
            f"OCI resource principal: not available here ({type(exc).__name__}: "
            f"{one_line(exc, 200)})"
        ) from None
    region = getattr(signer, "region", None)
    config = {"region": region or "", "tenancy": tenancy}
    return Credentials(config, signer, tenancy, region, "resource principal")
