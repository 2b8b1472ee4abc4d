"""A Cloud Run service's release records: its revisions (v2 ListRevisions).

"When you deploy to a service or change the configuration of a service, an
immutable revision is created" (https://cloud.google.com/run/docs/managing/
revisions): a revision is the one record Cloud Run keeps. It has a
`createTime` and no end, outcome, rollback or author; moving traffic (a
rollback, a canary step) creates none. A revision that only changes
configuration cannot be told apart from one that ships new code in general
(an image can be re-tagged; environment variables are code's settings too),
so every revision counts, and the note says so. Cloud Run keeps at most 1,000
revisions per service and deletes the oldest beyond that, and people may
delete revisions: the records are a count, not days.

A service that a Cloud Deploy pipeline releases is that pipeline's
(providers/gcp/links.py) and is not a unit, so its revisions are not read.
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

SOURCE = "Cloud Run revisions"
PAGE = 100
KEPT_AT_MOST = 1000  # revisions per service
READ = rest_get(
    "run",
    "projects.locations.services.revisions.list",
    f"/v2/projects/{SEGMENT}/locations/{SEGMENT}/services/{SEGMENT}/revisions",
    "run.revisions.list",
)
NOTE = (
    "A revision has a creation time only: no end, outcome, rollback or author. "
    "Any configuration change creates one, and configuration-only revisions cannot "
    "be told apart; traffic moves and rollbacks create none, and a revision created "
    "while traffic is pinned to another one serves no users."
)


def _time(text: object) -> datetime | None:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def history(ctx: GcpContext, unit: Observation, period: Period) -> History:
    client = ctx.clients.get("run_revisions")
    parent = f"projects/{unit.account}/locations/{unit.location}/services/{unit.name}"
    pager = client.list_revisions(request={"parent": parent, "page_size": PAGE},
                                  retry=ctx.clients.retry)  # fmt: skip
    created: list[tuple[datetime, str]] = []
    for raw in map(api_dict, pager):  # the order is not documented: every page is read
        when = _time(raw.get("createTime"))
        if when is not None:
            created.append((when, str(raw.get("name"))))
    releases = [
        Release(
            source="run:revision",
            id=name,
            started=when,
        )
        for when, name in sorted(created)
        if when >= period.start
    ]
    full = len(created) >= KEPT_AT_MOST  # older revisions have been deleted
    return History(
        source=SOURCE,
        releases=releases,
        covers_from=min(created)[0] if full and created else None,
        kept=f"the last {KEPT_AT_MOST} revisions (older ones are deleted; people may delete any)",
        note=NOTE,
        fields=["revision.createTime", "revision.name"],
    )
