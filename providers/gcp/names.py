"""The resource ids `relscan check` takes, parsed strictly, and project, folder
and organisation ids.

relscan's own ids are full resource names, as Cloud Asset Inventory writes them
(//compute.googleapis.com/projects/P/...). The two other forms Google's
resource-name design gives people are accepted too: the resource URL, which
Compute Engine returns as `selfLink` and `gcloud ... --uri` prints
(https://www.googleapis.com/compute/v1/projects/P/...), and the relative name
(projects/P/locations/L/services/S, apps/P/services/S) that gcloud and the
Cloud Run and App Engine APIs show as `name`.
See https://cloud.google.com/apis/design/resource_names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import UsageError

PROJECT = r"(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
ZONE = r"[a-z]+-[a-z]+[0-9]+-[a-z]"
REGION = r"[a-z]+-[a-z]+[0-9]+"
NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"  # RFC 1035, as Compute Engine names
GAE_SERVICE = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
RUN_SERVICE = r"[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?"

MIG = "gcp.compute.instance_group_manager"
URL_MAP = "gcp.compute.url_map"
GAE = "gcp.appengine.service"
RUN = "gcp.run.service"

_PROJECT_ID = re.compile(rf"^{PROJECT}$")
_PARENT_ID = re.compile(r"(?:(?P<collection>folders|organizations)/)?(?P<number>[1-9][0-9]{0,19})")

# What each supported kind's path looks like below its service: literal words,
# and {placeholders} checked against the patterns in _PARTS.
_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "compute": [
        (MIG, "projects/{project}/zones/{zone}/instanceGroupManagers/{name}"),
        (MIG, "projects/{project}/regions/{region}/instanceGroupManagers/{name}"),
        (URL_MAP, "projects/{project}/global/urlMaps/{name}"),
        (URL_MAP, "projects/{project}/regions/{region}/urlMaps/{name}"),
    ],
    "run": [(RUN, "projects/{project}/locations/{region}/services/{run_service}")],
    "appengine": [(GAE, "apps/{project}/services/{gae_service}")],
}
_PARTS: dict[str, tuple[re.Pattern[str], str]] = {
    "project": (
        re.compile(PROJECT, re.ASCII),
        "project id {!r} is not 6 to 30 lowercase letters, digits and hyphens, "
        "starting with a letter",
    ),
    "zone": (re.compile(ZONE, re.ASCII), "{!r} is not a zone such as europe-west2-a"),
    "region": (re.compile(REGION, re.ASCII), "{!r} is not a region such as europe-west2"),
    "name": (
        re.compile(NAME, re.ASCII),
        "name {!r} is not 1 to 63 lowercase letters, digits and hyphens, starting with a letter",
    ),
    "gae_service": (
        re.compile(GAE_SERVICE, re.ASCII),
        "service {!r} is not 1 to 63 lowercase letters, digits and hyphens",
    ),
    "run_service": (
        re.compile(RUN_SERVICE, re.ASCII),
        "service {!r} is not 1 to 49 lowercase letters, digits and hyphens, starting with a letter",
    ),
}
TITLES = {
    MIG: "managed instance group",
    URL_MAP: "URL map",
    GAE: "App Engine service",
    RUN: "Cloud Run service",
}
SUPPORTED = (
    "//compute.googleapis.com/projects/P/zones/Z/instanceGroupManagers/N (or regions/R)",
    "//compute.googleapis.com/projects/P/global/urlMaps/N (or regions/R/urlMaps/N)",
    "//appengine.googleapis.com/apps/P/services/S",
    "//run.googleapis.com/projects/P/locations/L/services/S",
)
_FORMS = " (or the https:// self link, or the relative name projects/... or apps/...)"
_EXPECTED = {
    MIG: SUPPORTED[0],
    URL_MAP: SUPPORTED[1],
    GAE: SUPPORTED[2],
    RUN: SUPPORTED[3],
}
_FULL = re.compile(r"^//(?P<host>[a-z0-9.-]+)\.googleapis\.com/(?P<path>.*)$", re.ASCII | re.S)
# Resource URLs (selfLinks): the service's REST address with its API version.
_URL = re.compile(
    r"^https://(?:(?:www|compute)\.googleapis\.com/(?P<compute>compute)/(?:v1|beta|alpha)"
    r"|(?P<run>run)\.googleapis\.com/v[12]"
    r"|(?P<appengine>appengine)\.googleapis\.com/v1(?:beta|alpha)?)/(?P<path>.*)$",
    re.ASCII | re.S,
)
_CLAIMED = re.compile(r"^(?://[a-z0-9.-]+\.googleapis\.com/|https://[a-z0-9.-]+\.googleapis\.com/"
                      r"|projects/|apps/)", re.ASCII)  # fmt: skip


@dataclass(frozen=True)
class ResourceName:
    kind: str
    project: str
    location: str  # zone, region, or "global"; "" for App Engine
    name: str

    @property
    def zonal(self) -> bool:
        return self.location.count("-") == 2


def looks_like_resource_name(text: str) -> bool:
    """A full resource name (//SERVICE.googleapis.com/...), a resource URL
    (https://...googleapis.com/..., as selfLink), or a relative name
    (projects/..., apps/...), as gcloud and the console give them."""
    return bool(_CLAIMED.match(text))


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


def _service_and_path(text: str) -> tuple[str, str]:
    """The API (compute, run, appengine) and the path below it, from any of the
    three forms; raises for a form or an API relscan does not read."""
    full = _FULL.match(text)
    if full:
        return full["host"], full["path"]
    url = _URL.match(text)
    if url:
        return url["compute"] or url["run"] or url["appengine"], url["path"]
    if text.startswith("https://"):
        raise UsageError(
            f"unsupported GCP resource URL {text[:200]!r}; relscan reads "
            "https://www.googleapis.com/compute/v1/..., https://run.googleapis.com/v2/... and "
            "https://appengine.googleapis.com/v1/... addresses"
        )
    if text.startswith("apps/"):
        return "appengine", text
    if text.startswith("projects/"):
        parts = text.split("/")
        return ("run" if len(parts) > 2 and parts[2] == "locations" else "compute"), text
    raise UsageError(
        f"malformed GCP resource name {text[:200]!r}: expected //SERVICE.googleapis.com/..., "
        "a https:// self link, or a relative name projects/..."
    )


def _fit(template: str, parts: list[str]) -> tuple[int, str, dict[str, str]]:
    """How far `parts` follow `template`: the number of parts that fit, what is
    wrong at the first that does not ('' if none), and the placeholders' values."""
    values: dict[str, str] = {}
    want = template.split("/")
    for i, word in enumerate(want):
        if i >= len(parts):
            return i, "it is incomplete", values
        part = parts[i]
        if word.startswith("{"):
            pattern, problem = _PARTS[word.strip("{}")]
            if not pattern.fullmatch(part):
                return i, problem.format(part[:80]), values
            key = word.strip("{}")
            values["name" if key.endswith("service") else key] = part
        elif part != word:
            return i, f"expected {word!r} where it has {part[:80]!r}", values
    if len(parts) > len(want):
        return len(want), "extra", values
    return len(want), "", values


def parse_resource_name(text: str) -> ResourceName:
    """A supported resource by its full name, resource URL or relative name."""
    service, path = _service_and_path(text)
    templates = _TEMPLATES.get(service)
    shown = repr(text[:300]) + (" (cut)" if len(text) > 300 else "")
    if templates is None:
        raise UsageError(
            f"unsupported GCP service {service[:60]}.googleapis.com in {shown}; relscan checks "
            + "; ".join(SUPPORTED)
        )
    parts = path.removesuffix("/").split("/")  # one trailing '/', as copied from a URL
    fits = []
    for kind, template in templates:
        count, problem, values = _fit(template, parts)
        if not problem:
            location = values.get("zone") or values.get("region") or ""
            if kind == URL_MAP and not location:
                location = "global"
            return ResourceName(kind, values["project"], location, values["name"])
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
            "relscan checks " + "; ".join(SUPPORTED)
        )
    if not has_kind:
        raise UsageError(
            f"malformed GCP resource name {shown}: {problem}; relscan checks "
            + "; ".join(SUPPORTED)
            + _FORMS
        )
    raise UsageError(
        f"malformed GCP {TITLES[kind]} name {shown}: {problem} (expected {_EXPECTED[kind]}, "
        "or its https:// self link or relative name)"
    )


def mig_id(project: str, location: str, name: str) -> str:
    scope = "zones" if location.count("-") == 2 else "regions"
    base = f"//compute.googleapis.com/projects/{project}/{scope}/{location}"
    return f"{base}/instanceGroupManagers/{name}"


def url_map_id(project: str, location: str, name: str) -> str:
    scope = "global" if location == "global" else f"regions/{location}"
    return f"//compute.googleapis.com/projects/{project}/{scope}/urlMaps/{name}"


def gae_id(project: str, service: str) -> str:
    return f"//appengine.googleapis.com/apps/{project}/services/{service}"


def run_id(project: str, location: str, service: str) -> str:
    return f"//run.googleapis.com/projects/{project}/locations/{location}/services/{service}"


def last_segment(url: str | None) -> str | None:
    """The last path segment of a Compute Engine URL (a zone, a template, a service)."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None
