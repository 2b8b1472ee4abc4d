"""Parsing OCIDs strictly: `ocid1.TYPE.REALM.[REGION][.FUTURE].UNIQUE`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

_TYPE = re.compile(r"^[a-z][a-z0-9]*$")
_REALM = re.compile(r"^oc[0-9]+$")
_REGION = re.compile(r"^([a-z]{2,}(-[a-z0-9]+)+-[0-9]+|[a-z]{3})?$")
_FUTURE = re.compile(r"^[a-z0-9-]+$")
_UNIQUE = re.compile(r"^[a-z0-9]{8,255}$")

LOAD_BALANCER = "loadbalancer"
DEPLOY_PIPELINE = "devopsdeploypipeline"
SUPPORTED = {
    LOAD_BALANCER: "ocid1.loadbalancer.REALM.REGION.UNIQUE",
    DEPLOY_PIPELINE: "ocid1.devopsdeploypipeline.REALM.REGION.UNIQUE",
}
SCOPE_TYPES = ("compartment", "tenancy")


@dataclass(frozen=True)
class Ocid:
    text: str
    type: str
    realm: str
    region: str  # as written in the OCID: a region name, a short code, or ""


def looks_like_ocid(text: str) -> bool:
    return text.startswith("ocid")


def parse_ocid(text: str) -> Ocid:
    parts = text.split(".")
    problem = ""
    if parts[0] != "ocid1":
        problem = "it must start with 'ocid1.'"
    elif len(parts) not in (5, 6):
        problem = (
            f"it has {len(parts)} dot-separated parts where an OCID has 5 (or 6): "
            "ocid1.TYPE.REALM.[REGION].UNIQUE_ID"
        )
    elif not _TYPE.fullmatch(parts[1]):
        problem = f"resource type {parts[1]!r} is not lowercase letters and digits"
    elif not _REALM.fullmatch(parts[2]):
        problem = f"realm {parts[2]!r} is not like oc1"
    elif not _REGION.fullmatch(parts[3]):
        problem = f"region {parts[3]!r} is not a region name or key"
    elif len(parts) == 6 and not _FUTURE.fullmatch(parts[4]):
        problem = f"segment {parts[4]!r} is malformed"
    elif not _UNIQUE.fullmatch(parts[-1]):
        problem = "the unique id is not 8 to 255 lowercase letters and digits"
    if problem:
        raise UsageError(f"malformed OCID {text!r}: {problem}")
    return Ocid(text, parts[1], parts[2], parts[3])


def parse_resource(text: str) -> Ocid:
    """An OCID that `relscan check` can assess."""
    ocid = parse_ocid(text)
    if ocid.type not in SUPPORTED:
        raise UsageError(
            f"unsupported OCID kind {ocid.type!r}; relscan checks "
            f"{' and '.join(SUPPORTED.values())}"
        )
    return ocid


def parse_scope(text: str) -> Ocid:
    """A compartment (or the tenancy) given to --oci-compartment."""
    ocid = parse_ocid(text)
    if ocid.type not in SCOPE_TYPES:
        raise UsageError(
            f"--oci-compartment {text!r}: an OCID of kind {ocid.type!r}, "
            "expected a compartment or tenancy OCID"
        )
    return ocid
