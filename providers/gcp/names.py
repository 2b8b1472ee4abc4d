"""The resource ids `relscan check` takes, parsed strictly against the kinds'
declarations, and project, folder and organisation ids.

relscan's own ids are full resource names, as Cloud Asset Inventory writes them
(//compute.googleapis.com/projects/P/...). The two other forms Google's
resource-name design gives people are accepted too: the resource URL, which
Compute Engine returns as `selfLink` and `gcloud ... --uri` prints
(https://www.googleapis.com/compute/v1/projects/P/...), and the relative name
(projects/P/locations/L/services/S, apps/P/services/S) that gcloud and the
Cloud Run and App Engine APIs show as `name`.
See https://cloud.google.com/apis/design/resource_names.

Nothing here names a kind: each kind (`GcpKind`, kind.py, declared in its
reader module) gives its API, the address of its resource URLs and the paths
of its ids below the API, as templates whose {placeholders} are checked against
`PARTS` and the kind's own `parts`. The parser and the supported-kind lists in
its errors are derived from those declarations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.errors import UsageError

if TYPE_CHECKING:
    from providers.gcp.kind import GcpKind

PROJECT = r"(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
ZONE = r"[a-z]+-[a-z]+[0-9]+-[a-z]"
REGION = r"[a-z]+-[a-z]+[0-9]+"
NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"  # RFC 1035, as Compute Engine names

_PROJECT_ID = re.compile(rf"^{PROJECT}$")
_PARENT_ID = re.compile(r"(?:(?P<collection>folders|organizations)/)?(?P<number>[1-9][0-9]{0,19})")

# A placeholder's pattern, and what an error says when a value does not fit it.
Part = tuple[str, str]
PARTS: dict[str, Part] = {
    "project": (
        PROJECT,
        "project id {!r} is not 6 to 30 lowercase letters, digits and hyphens, "
        "starting with a letter",
    ),
    "zone": (ZONE, "{!r} is not a zone such as europe-west2-a"),
    "region": (REGION, "{!r} is not a region such as europe-west2"),
    "name": (
        NAME,
        "name {!r} is not 1 to 63 lowercase letters, digits and hyphens, starting with a letter",
    ),
}
# Where a template's last placeholder is not {name}, its value is still the name.
_LOCATIONS = ("zone", "region")


@dataclass(frozen=True)
class ResourceName:
    kind: str
    project: str
    location: str  # zone, region, or "global"; "" for App Engine
    name: str
    id: str = field(default="", compare=False)  # the full resource name

    @property
    def zonal(self) -> bool:
        return self.location.count("-") == 2


def _kinds(kinds: Sequence[GcpKind] | None) -> tuple[GcpKind, ...]:
    if kinds is not None:
        return tuple(kinds)
    from providers.gcp.plugin import plugin  # the declared kinds, in `readers` order

    return plugin.gcp_kinds()


def _relative_roots(kinds: Sequence[GcpKind]) -> list[str]:
    return list(dict.fromkeys(t.split("/", 1)[0] for k in kinds for t in k.templates))


def looks_like_resource_name(text: str, kinds: Sequence[GcpKind] | None = None) -> bool:
    """A full resource name (//SERVICE.googleapis.com/...), a resource URL
    (https://...googleapis.com/..., as selfLink), or a relative name
    (projects/..., apps/...), as gcloud and the console give them."""
    roots = "|".join(re.escape(f"{r}/") for r in _relative_roots(_kinds(kinds)))
    claimed = rf"(?://[a-z0-9.-]+\.googleapis\.com/|https://[a-z0-9.-]+\.googleapis\.com/|{roots})"
    return re.match(claimed, text, re.ASCII) is not None


def check_project_id(project: str) -> str:
    if not _PROJECT_ID.fullmatch(project):
        raise UsageError(
            f"malformed GCP project id {project!r}: 6 to 30 lowercase letters, digits and "
            "hyphens, starting with a letter"
        )
    return project


def check_parent_id(text: str, kind: str) -> str:
    """A folder or organisation id, `123456789` or `KINDs/123456789`, as the
    resource name Resource Manager takes (`folders/123456789`)."""
    collection = f"{kind}s"
    m = _PARENT_ID.fullmatch(text.strip())
    if not m or m["collection"] not in (None, collection):
        option = "--gcp-folder" if kind == "folder" else "--gcp-organization"
        raise UsageError(
            f"malformed GCP {kind} id {text!r} ({option}): expected a number such as "
            f"123456789, or {collection}/123456789"
        )
    return f"{collection}/{m['number']}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _prefix_fit(template: str, parts: list[str]) -> int:
    """How many leading parts a template's words allow (placeholders take any)."""
    count = 0
    for word, part in zip(template.split("/"), parts, strict=False):
        if not word.startswith("{") and word != part:
            break
        count += 1
    return count


def _service_and_path(text: str, kinds: Sequence[GcpKind]) -> tuple[str, str]:
    """The API (compute, run, appengine) and the path below it, from any of the
    three forms; raises for a form or an API relscan does not read."""
    full = re.match(r"//(?P<host>[a-z0-9.-]+)\.googleapis\.com/(?P<path>.*)$", text, re.A | re.S)
    if full:
        return full["host"], full["path"]
    by_url = {k.url: k.service for k in kinds}
    for address, service in by_url.items():
        url = re.match(f"https://(?:{address})/(?P<path>.*)$", text, re.ASCII | re.S)
        if url:
            return service, url["path"]
    if text.startswith("https://"):
        examples = list(dict.fromkeys(f"{k.url_example}..." for k in kinds))
        raise UsageError(
            f"unsupported GCP resource URL {text[:200]!r}; relscan reads {_and(examples)} addresses"
        )
    parts = text.split("/")
    if len(parts) > 1 and parts[0] in _relative_roots(kinds):
        # The API whose template the relative name follows furthest (the first
        # declared on a tie): projects/P/locations/... is Cloud Run's.
        best = max(kinds, key=lambda k: max(_prefix_fit(t, parts) for t in k.templates))
        return best.service, text
    raise UsageError(
        f"malformed GCP resource name {text[:200]!r}: expected //SERVICE.googleapis.com/..., "
        "a https:// self link, or a relative name projects/..."
    )


def _fit(kind: GcpKind, template: str, parts: list[str]) -> tuple[int, str, dict[str, str]]:
    """How far `parts` follow `template`: the number of parts that fit, what is
    wrong at the first that does not ('' if none), and the placeholders' values
    (the last placeholder's as `name`)."""
    values: dict[str, str] = {}
    want = template.split("/")
    last = [w for w in want if w.startswith("{")][-1]
    for i, word in enumerate(want):
        if i >= len(parts):
            return i, "it is incomplete", values
        part = parts[i]
        if word.startswith("{"):
            pattern, problem = kind.placeholder(word.strip("{}"))
            if not re.fullmatch(pattern, part, re.ASCII):
                return i, problem.format(part[:80]), values
            values["name" if word == last else word.strip("{}")] = part
        elif part != word:
            return i, f"expected {word!r} where it has {part[:80]!r}", values
    if len(parts) > len(want):
        return len(want), "extra", values
    return len(want), "", values


def parse_resource_name(text: str, kinds: Sequence[GcpKind] | None = None) -> ResourceName:
    """A supported resource by its full name, resource URL or relative name
    (`kinds`: the declared kinds, by default the plugin's)."""
    declared = _kinds(kinds)
    supported = "; ".join(k.id_form for k in declared)
    service, path = _service_and_path(text, declared)
    templates = [(k, t) for k in declared if k.service == service for t in k.templates]
    shown = repr(text[:300]) + (" (cut)" if len(text) > 300 else "")
    if not templates:
        raise UsageError(
            f"unsupported GCP service {service[:60]}.googleapis.com in {shown}; relscan checks "
            + supported
        )
    parts = path.removesuffix("/").split("/")  # one trailing '/', as copied from a URL
    fits = []
    for kind, template in templates:
        count, problem, values = _fit(kind, template, parts)
        if not problem:
            location = next((values[p] for p in _LOCATIONS if values.get(p)), "")
            rn = ResourceName(kind.name, values["project"], location or kind.default_location,
                              values["name"])  # fmt: skip
            full = f"//{service}.googleapis.com/{'/'.join(parts)}"
            return ResourceName(rn.kind, rn.project, rn.location, rn.name, full)
        collection = template.split("/")[-2]
        has_kind = collection in parts
        fits.append((has_kind, count, kind, template, problem))
    has_kind, count, kind, template, problem = max(fits, key=lambda f: (f[0], f[1]))
    at_collection = count == len(template.split("/")) - 2
    if problem == "extra" and not parts[count]:
        problem = "an empty segment ('//') follows the name"
    elif problem == "extra" or (at_collection and problem.startswith("expected")):
        what = parts[count] if count < len(parts) else ""
        raise UsageError(
            f"unsupported GCP resource kind {service}.googleapis.com {what[:60]!r} in {shown}; "
            "relscan checks " + supported
        )
    if not has_kind:
        relative = " or ".join(f"{root}/..." for root in _relative_roots(declared))
        raise UsageError(
            f"malformed GCP resource name {shown}: {problem}; relscan checks {supported}"
            f" (or the https:// self link, or the relative name {relative})"
        )
    raise UsageError(
        f"malformed GCP {kind.label} name {shown}: {problem} (expected {kind.id_form}, "
        "or its https:// self link or relative name)"
    )


def last_segment(url: str | None) -> str | None:
    """The last path segment of a Compute Engine URL (a zone, a template, a service)."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None
