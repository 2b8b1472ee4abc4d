"""What every unit needs before it can be assessed at all: an id to name it by."""

from __future__ import annotations

from typing import Any

from providers.oci.tags import tags_of
from scanner.model import Observation


def identity_problem(item: Any, what: str) -> str | None:
    """Why an item cannot be a unit (no usable OCID), or None."""
    ident = getattr(item, "id", None)
    if isinstance(ident, str) and ident.startswith("ocid1.") and len(ident) <= 512:
        return None
    why = getattr(item, "malformed", None)
    shown = repr(ident)[:80]
    return f"a {what} without a usable id ({shown}) cannot be assessed" + (
        f": {why}" if why else ""
    )


def name_of(item: Any) -> str:
    name = getattr(item, "display_name", None)
    if isinstance(name, str) and name:
        return name
    return str(item.id)


def unit(kind: str, item: Any, region: str) -> Observation:
    """The observation of one unit of `kind`, before its facts: its OCID, name,
    compartment (empty when the answer has none that is text) and tags."""
    compartment = item.compartment_id if isinstance(item.compartment_id, str) else ""
    return Observation(
        id=item.id,
        provider="oci",
        kind=kind,
        name=name_of(item),
        account=compartment,
        location=region,
        tags=tags_of(item),
    )
