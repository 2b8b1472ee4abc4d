"""What an OCI kind declares beyond the core's `Kind`: the OCID resource type
whose ids it claims, and the SDK client (service key and class) its reader
calls.

The OCID's resource type segment decides the kind (`ocid1.TYPE.REALM...`):
the kind's `id_form` and `id_pattern` are derived from `ocid_type` and the
OCID grammar in providers/oci/ocid.py, so `check`'s parser and the kinds
cannot disagree about which ids are whose.
"""

from __future__ import annotations

from dataclasses import dataclass

from providers.oci.ocid import id_form, id_pattern
from providers.oci.operation import Operation
from scanner.kind import FactSpec, Kind


@dataclass(frozen=True)
class OciKind(Kind):
    ocid_type: str = ""  # e.g. loadbalancer, devopsdeploypipeline
    # The key its reader asks the scan's clients for (and that the permissions
    # table's operations name), and the SDK client class for that key, as a
    # dotted path: imported only when the first client is built.
    service: str = ""
    client: str = ""
    # The read operations its reader calls, with their policy verbs: the
    # client guard and the printed policy take them from here.
    operations: tuple[Operation, ...] = ()
    # False for global resources (DNS steering policies): every region's
    # endpoint lists the same ones, so the scan reads them in its first region.
    regional: bool = True


def oci_kind(
    *,
    name: str,
    title: str,
    ocid_type: str,
    service: str,
    client: str,
    facts: tuple[FactSpec, ...],
    operations: tuple[Operation, ...],
    plural: str = "",
    regional: bool = True,
) -> OciKind:
    """A kind whose ids are OCIDs of one resource type; a scope error for it
    names its service as the failed part."""
    return OciKind(
        name=name,
        title=title,
        provider="oci",
        id_form=id_form(ocid_type),
        id_pattern=id_pattern(ocid_type),
        facts=facts,
        reads=tuple(op.name for op in operations),
        part=service,
        plural=plural,
        ocid_type=ocid_type,
        service=service,
        client=client,
        operations=operations,
        regional=regional,
    )
