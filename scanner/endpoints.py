"""The one rule for endpoint variables: plain http only to this machine.

Every provider's endpoint variable (AWS_ENDPOINT_URL aside, which boto3 reads
itself) may point at an emulator over plain http only on a loopback address;
there no credential is looked for and nothing is signed or sent with a token.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_http(url: str) -> bool:
    """Plain http to 127.0.0.0/8, ::1 or localhost."""
    parts = urlsplit(url)
    return parts.scheme == "http" and bool(parts.hostname) and is_loopback(parts.hostname or "")
