"""A GCP kind: what every kind declares (scanner/kind.py), and how its ids are
written, what it reads and with which SDK clients. Free of SDK imports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from providers.gcp.names import PARTS, Part
from providers.gcp.reads import Read
from scanner.kind import FactSpec, Kind


@dataclass(frozen=True)
class GcpKind(Kind):
    """A GCP kind: what `Kind` holds, and how its ids are written.

    `templates` are the id's paths below `//SERVICE.googleapis.com/`, with
    {project}, {zone}, {region}, {name} (see PARTS) or placeholders of the
    kind's own `parts`; the last placeholder is the unit's name. `url` is the
    regular expression of the resource URL's address before the path (host and
    API version), and `url_example` that address as a person reads it.
    """

    label: str = ""  # "managed instance group": what a malformed-id error calls it
    service: str = ""  # compute, run, appengine: the API host's first label
    templates: tuple[str, ...] = ()
    url: str = ""
    url_example: str = ""
    parts: tuple[tuple[str, Part], ...] = ()
    default_location: str = ""  # the location of an id with no zone or region
    # A 404 from this kind's project-wide list means the project itself is
    # absent (or invisible): the scope reports that once and reads no further.
    absent_project_on_404: bool = False
    # The REST reads the reader makes (`reads` holds their operation names),
    # and the SDK clients it asks GcpClients for: name -> "module:Class",
    # imported only when first used.
    rest: tuple[Read, ...] = ()
    clients: tuple[tuple[str, str], ...] = ()

    def placeholder(self, name: str) -> Part:
        return dict(self.parts).get(name) or PARTS[name]


def gcp_kind(
    *,
    name: str,
    title: str,
    label: str,
    service: str,
    templates: Sequence[str],
    id_form: str,
    url: str,
    url_example: str,
    facts: tuple[FactSpec, ...],
    reads: Sequence[Read],
    clients: dict[str, str],
    parts: dict[str, Part] | None = None,
    default_location: str = "",
    absent_project_on_404: bool = False,
) -> GcpKind:
    """A GCP kind whose id pattern (the full resource names it claims) follows
    from its templates; its scope errors name the kind, and its plural title is
    the label's."""
    own = dict(parts or {})
    alternatives = "|".join(_template_regex(t, {**PARTS, **own}) for t in templates)
    host = re.escape(f"//{service}.googleapis.com/")
    return GcpKind(
        name=name,
        title=title,
        provider="gcp",
        id_form=id_form,
        id_pattern=re.compile(f"{host}(?:{alternatives})", re.ASCII),
        facts=facts,
        reads=tuple(read.operation for read in reads),
        part=name,
        plural=f"{label}s",
        label=label,
        service=service,
        templates=tuple(templates),
        url=url,
        url_example=url_example,
        parts=tuple(own.items()),
        default_location=default_location,
        absent_project_on_404=absent_project_on_404,
        rest=tuple(reads),
        clients=tuple(clients.items()),
    )


def _template_regex(template: str, parts: dict[str, Part]) -> str:
    return "/".join(
        f"(?:{parts[w.strip('{}')][0]})" if w.startswith("{") else re.escape(w)
        for w in template.split("/")
    )
