"""An Elastic Beanstalk environment's release records (--history), from its events.

DescribeEvents(ApplicationName, EnvironmentName, StartTime, EndTime) returns
the environment's events "up to the last 6 weeks", newest first, up to 1,000 a
page (MaxRecords), paged by NextToken. Events have no id; each carries the
RequestId of the operation it belongs to, so the events of one deployment
are grouped by RequestId (research: an UpdateEnvironment call's events share
it). An event repeated in an answer (same RequestId, time and message) is
read once.

Event messages are not documented in the API reference; relscan matches the
texts AWS's own EB CLI matches (aws-elastic-beanstalk-cli,
ebcli/resources/strings.py `responses`) and the steps an `eb deploy` prints:

- an application version deployment: a group with "Deploying new version to
  instance(s).", "New application version was deployed to running EC2
  instances." or "Failed to deploy application."; it starts at the group's
  first event and ends at "Environment update completed successfully."
  (succeeded) or a failure ("Failed to deploy application.", "Update
  environment operation is complete, but with errors.");
- rolled back: "The environment was reverted to the previous configuration
  setting." in the group (Elastic Beanstalk's own revert after a failure:
  automatic), or a message naming an abort (AbortEnvironmentUpdate, a
  person's: manual). This is an inference from message text;
- left out, counted: configuration-only updates ("Successfully deployed new
  configuration to environment.", or "Failed to deploy configuration.",
  without a version deployment), and platform maintenance: any group that
  starts while a managed action ran (DescribeEnvironmentManagedActionHistory:
  ExecutedTime to FinishedTime), whatever its messages say.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from providers.aws.history import count, not_before, when
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    IN_PROGRESS,
    MANUAL,
    SUCCEEDED,
    History,
    Release,
)

if TYPE_CHECKING:
    from providers.aws.context import AwsContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

HISTORY_SOURCE = "Elastic Beanstalk events"
HISTORY_READS = (
    "elasticbeanstalk:DescribeEvents",
    "elasticbeanstalk:DescribeEnvironmentManagedActionHistory",
)
PAGE = 1000  # DescribeEvents: MaxRecords 1-1000
ACTIONS_PAGE = 100  # DescribeEnvironmentManagedActionHistory: MaxItems 1-100
RETENTION = timedelta(weeks=6)

DEPLOYING = (
    "Deploying new version to instance(s).",
    "New application version was deployed to running EC2 instances.",
    "Failed to deploy application.",
)
SUCCESS = "Environment update completed successfully."
FAILURES = (
    "Failed to deploy application.",
    "Update environment operation is complete, but with errors.",
)
REVERTED = "The environment was reverted to the previous configuration setting."
CONFIGURATION = (
    "Successfully deployed new configuration to environment.",
    "Failed to deploy configuration.",
)
CONFIG_ONLY = "configuration-only updates"
MAINTENANCE = "platform maintenance (managed actions)"
FIELDS = [
    "Events[].EventDate",
    "Events[].Message",
    "Events[].RequestId",
    "Events[].VersionLabel",
    "ManagedActionHistoryItems[].ExecutedTime",
    "ManagedActionHistoryItems[].FinishedTime",
]
NOTE = (
    "Elastic Beanstalk's events are messages: what a deployment was, how it ended and "
    "whether it was rolled back are read from their text; the events name no initiator"
)


def history(ctx: AwsContext, unit: Observation, period: Period) -> History:
    app, _, env = unit.name.partition("/")
    client = ctx.clients.get("elasticbeanstalk", ctx.region)
    covers = period.end - RETENTION
    pages = client.get_paginator("describe_events").paginate(
        ApplicationName=app,
        EnvironmentName=env,
        StartTime=max(period.start, covers),
        EndTime=period.end,
        PaginationConfig={"PageSize": PAGE},
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, Any, str]] = set()
    for page in pages:
        for event in page.get("Events") or []:
            if not isinstance(event, dict) or not event.get("RequestId"):
                continue  # health transitions and the like: no operation to group by
            key = (str(event["RequestId"]), event.get("EventDate"), str(event.get("Message")))
            if key in seen:
                continue
            seen.add(key)
            groups.setdefault(str(event["RequestId"]), []).append(event)
    managed = _managed_windows(client, env)
    found = History(
        source=HISTORY_SOURCE,
        covers_from=covers,
        kept="six weeks",
        note=NOTE,
        fields=list(FIELDS),
    )
    for request, events in groups.items():
        events.sort(key=lambda e: when(e.get("EventDate")) or period.start)
        messages = [str(e.get("Message") or "") for e in events]
        started = when(events[0].get("EventDate"))
        if started is None:
            continue
        deploys = any(m in DEPLOYING for m in messages)
        if any(a <= started <= b for a, b in managed):
            if deploys or any(m in CONFIGURATION for m in messages):
                count(found.left_out, MAINTENANCE)
            continue
        if not deploys:
            if any(m in CONFIGURATION for m in messages):
                count(found.left_out, CONFIG_ONLY)
            continue
        if period.start <= started <= period.end:
            found.releases.append(_release(request, events, messages, started))
    found.releases.sort(key=lambda r: r.started)
    return found


def _release(
    request: str, events: list[dict[str, Any]], messages: list[str], started: datetime
) -> Release:
    ended = None
    outcome = IN_PROGRESS
    for event, message in zip(events, messages, strict=True):
        if message == SUCCESS and outcome == IN_PROGRESS:
            outcome, ended = SUCCEEDED, when(event.get("EventDate"))
        elif message in FAILURES:
            outcome, ended = FAILED, when(event.get("EventDate"))
    rolled_back = restored = None
    for event, message in zip(events, messages, strict=True):
        if "abort" in message.lower():
            rolled_back = MANUAL
        elif message == REVERTED:
            rolled_back = rolled_back or AUTOMATIC
            restored = when(event.get("EventDate"))
    version = next((str(e["VersionLabel"]) for e in events if e.get("VersionLabel")), "")
    detail = [f"version {version}"] if version else []
    detail.append(messages[-1])
    return Release(
        source="elasticbeanstalk:request",
        id=request,
        started=started,
        ended=not_before(ended, started),
        outcome=outcome,
        rolled_back=rolled_back,
        restored=restored,
        detail="; ".join(detail),
    )


def _managed_windows(client: Any, env: str) -> list[tuple[datetime, datetime]]:
    """When each managed action (platform update, instance refresh) ran."""
    windows: list[tuple[datetime, datetime]] = []
    pages = client.get_paginator("describe_environment_managed_action_history").paginate(
        EnvironmentName=env, PaginationConfig={"PageSize": ACTIONS_PAGE}
    )
    for page in pages:
        for item in page.get("ManagedActionHistoryItems") or []:
            began = when(item.get("ExecutedTime")) if isinstance(item, dict) else None
            if began is None:
                continue
            finished = when(item.get("FinishedTime")) or began + timedelta(hours=4)
            windows.append((began, finished))
    return windows
