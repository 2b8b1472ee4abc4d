"""An App Engine service's release records: its versions (ListVersions).

A version is created by each deploy; the API gives its `createTime` and
`createdBy` (the deployer's email) in the default BASIC view, and no end,
outcome or rollback. Traffic splits live on the service, with no history, so
moving traffic back to an older version (a rollback) and promoting a version
deployed with --no-promote are recorded nowhere. Versions are kept until
someone deletes them (App Engine limits how many an application may keep, so
teams delete old ones): the records are whatever has not been deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from providers.gcp.facts import api_dict
from providers.gcp.reads import SEGMENT, rest_get
from scanner.practice.records import History, Release

if TYPE_CHECKING:
    from providers.gcp.context import GcpContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

SOURCE = "App Engine versions"
PAGE = 100
READ = rest_get(
    "appengine",
    "apps.services.versions.list",
    f"/v1/apps/{SEGMENT}/services/{SEGMENT}/versions",
    "appengine.versions.list",
)
NOTE = (
    "A version has a creation time and its deployer only: no end, outcome or "
    "rollback; traffic moves between versions (rollbacks, promotions) are not "
    "recorded, and a version deployed without promotion serves no users."
)


def history(ctx: GcpContext, unit: Observation, period: Period) -> History:
    client = ctx.clients.get("appengine_versions")
    parent = f"apps/{unit.account}/services/{unit.name}"
    pager = client.list_versions(request={"parent": parent, "page_size": PAGE},
                                 retry=ctx.clients.retry)  # fmt: skip
    releases = []
    for raw in map(api_dict, pager):  # the order is not documented: every page is read
        text = raw.get("createTime")
        if not text:
            continue
        started = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        if started < period.start:
            continue
        releases.append(
            Release(
                source="appengine:version",
                id=str(raw.get("name") or raw.get("id")),
                started=started,
                started_by=str(raw["createdBy"]) if raw.get("createdBy") else None,
            )
        )
    return History(
        source=SOURCE,
        releases=sorted(releases, key=lambda r: r.started),
        kept="until deleted",
        note=NOTE,
        fields=["version.createTime", "version.createdBy", "version.name"],
    )
