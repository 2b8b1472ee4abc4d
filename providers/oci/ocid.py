"""Parsing OCIDs strictly: `ocid1.TYPE.REALM.[REGION][.FUTURE].UNIQUE`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.errors import UsageError

if TYPE_CHECKING:
    from providers.oci.kind import OciKind

# Each segment's grammar, once: the parser checks an OCID segment by segment
# (to say which one is wrong), and a kind's id pattern joins the same pieces.
_TYPE_RE = r"[a-z][a-z0-9]*"
_REALM_RE = r"oc[0-9]+"
_REGION_RE = r"(?:[a-z]{2,}(?:-[a-z0-9]+)+-[0-9]+|[a-z]{3})?"
_FUTURE_RE = r"[a-z0-9-]+"
_UNIQUE_RE = r"[a-z0-9]{8,255}"
_TYPE = re.compile(_TYPE_RE)
_REALM = re.compile(_REALM_RE)
_REGION = re.compile(_REGION_RE)
_FUTURE = re.compile(_FUTURE_RE)
_UNIQUE = re.compile(_UNIQUE_RE)

SCOPE_TYPES = ("compartment", "tenancy")


@dataclass(frozen=True)
class Ocid:
    text: str
    type: str
    realm: str
    region: str  # as written in the OCID: a region name, a short code, or ""


def id_form(resource_type: str) -> str:
    """The OCIDs of one resource type, as a person writes them."""
    return f"ocid1.{resource_type}.REALM.REGION.UNIQUE"


def id_pattern(resource_type: str) -> re.Pattern[str]:
    """Exactly the well-formed OCIDs (as `parse_ocid` accepts them) of one
    resource type."""
    if not _TYPE.fullmatch(resource_type):
        raise ValueError(f"OCID resource type {resource_type!r} is not lowercase letters, digits")
    return re.compile(
        rf"ocid1\.{resource_type}\.{_REALM_RE}\.{_REGION_RE}(?:\.{_FUTURE_RE})?\.{_UNIQUE_RE}"
    )


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


def supported(kinds: Iterable[OciKind] | None = None) -> dict[str, str]:
    """The resource types `relscan check` reads, each with its id form: one
    per kind (default: the kinds the OCI plugin declares)."""
    if kinds is None:
        from providers.oci.plugin import plugin  # it lists the readers that declare them

        kinds = plugin.oci_kinds()
    return {kind.ocid_type: kind.id_form for kind in kinds}


def parse_resource(text: str, kinds: Iterable[OciKind] | None = None) -> Ocid:
    """An OCID that `relscan check` can assess: well formed, and of a
    resource type that one of the kinds claims."""
    ocid = parse_ocid(text)
    forms = supported(kinds)
    if ocid.type not in forms:
        raise UsageError(
            f"unsupported OCID kind {ocid.type!r}; relscan checks {' and '.join(forms.values())}"
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
