"""Release records in the ARM emulator: App Service deployment records, the
Activity Log's slot-swap events, and Container Apps revisions, served from an
estate's `releases:` rhythms (scanner/emulators/releases.py expand()) in the
APIs' own wire shapes, newest first, paged through nextLink.

An app fixture may hold `releases` (specs: deployments to production),
`swaps` (specs: each a deployment to `swap_slot`, default its first slot,
20 minutes before a swap of that slot into production; the swap's caller is
`swap_caller`), `author` / `deployer` (the deployment records' strings) and
`activity` (extra Activity Log events in wire shape). A container app may
hold `revisions` (specs) and `same_image` (record ids, r1.., whose revision
keeps the image of the one before: a configuration-only revision).

The Activity Log needs `$filter` in its documented form (eventTimestamp ge,
optionally le, then optionally one of resourceUri, resourceGroupName,
resourceProvider, correlationId eq); a start more than 90 days back is
refused, and events older than 90 days are gone, as on Azure.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from providers.azure.emulator.containerapps import APP, app_id
from providers.azure.emulator.wire import site_id
from scanner.emulators.releases import Record, expand

_SUB = r"/subscriptions/(?P<sub>[^/]+)"
_SITE = _SUB + r"/resourcegroups/(?P<rg>[^/]+)/providers/microsoft\.web/sites/(?P<name>[^/]+)"
ROUTES = [
    ("deployments.list", _SITE + r"/deployments", "Microsoft.Web/sites/deployments/read"),
    (
        "slotdeployments.list",
        _SITE + r"/slots/(?P<slot>[^/]+)/deployments",
        "Microsoft.Web/sites/slots/deployments/read",
    ),
    (
        "activitylog.list",
        _SUB + r"/providers/microsoft\.insights/eventtypes/management/values",
        "Microsoft.Insights/eventtypes/values/read",
    ),
    (
        "revisions.list",
        _SUB + r"/resourcegroups/(?P<rg>[^/]+)/providers/microsoft\.app/containerapps"
        r"/(?P<name>[^/]+)/revisions",
        "Microsoft.App/containerApps/revisions/read",
    ),
]
RETENTION = timedelta(days=90)
KUDU_SUCCESS, KUDU_FAILED = 4, 3
SWAP_OP = "Microsoft.Web/sites/slots/slotsswap/action"
_FILTER = re.compile(
    r"^\s*eventTimestamp ge '(?P<ge>[^']+)'"
    r"(?: and eventTimestamp le '(?P<le>[^']+)')?"
    r"(?: and (?P<field>resourceUri|resourceGroupName|resourceProvider|correlationId)"
    r" eq '(?P<value>[^']+)')?\s*$",
    re.IGNORECASE,
)


class FilterError(ValueError):
    """A $filter the Activity Log would refuse (a 400 BadRequest)."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _kudu_id(*parts: str) -> str:
    return hashlib.sha1("/".join(parts).encode()).hexdigest()  # noqa: S324 - an id, not security


def deployment(app: dict[str, Any], record: Record, slot: str | None, active: bool) -> Any:
    base = site_id(app) if slot is None else f"{site_id(app)}/slots/{slot}"
    dep = _kudu_id(app["name"], slot or "", record.id)
    name = f"{app['name']}/{dep}" if slot is None else f"{app['name']}/{slot}/{dep}"
    scm = f"{app['name']}{'-' + slot if slot else ''}.scm.azurewebsites.net"
    return {
        "id": f"{base}/deployments/{dep}",
        "name": name,
        "type": "Microsoft.Web/sites/deployments"
        if slot is None
        else "Microsoft.Web/sites/slots/deployments",
        "kind": None,
        "properties": {
            "status": KUDU_SUCCESS if record.outcome == "succeeded" else KUDU_FAILED,
            "message": app.get("message", f"Release {record.id}"),
            "author": app.get("author", "N/A"),
            "author_email": app.get("author_email", "N/A"),
            "deployer": app.get("deployer", "GitHub"),
            "start_time": _iso(record.started),
            "end_time": _iso(record.ended),
            "active": active,
            "details": f"https://{scm}/api/deployments/{dep}/log",
        },
    }


def _event(
    app: dict[str, Any],
    resource: str,
    op: str,
    status: str,
    at: datetime,
    correlation: str,
    caller: str,
    properties: dict[str, Any] | None = None,
    sub_status: str = "",
) -> dict[str, Any]:
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{correlation}/{status}/{op}"))
    return {
        "authorization": {"action": op, "scope": resource},
        "caller": caller,
        "channels": "Operation",
        "correlationId": correlation,
        "description": "",
        "eventDataId": event_id,
        "eventName": {
            "value": "BeginRequest" if status == "Started" else "EndRequest",
            "localizedValue": "Begin request" if status == "Started" else "End request",
        },
        "category": {"value": "Administrative", "localizedValue": "Administrative"},
        "id": f"{resource}/events/{event_id}/ticks/{int(at.timestamp() * 10**7)}",
        "level": "Error" if status == "Failed" else "Informational",
        "resourceGroupName": app["resource_group"],
        "resourceProviderName": {"value": "Microsoft.Web", "localizedValue": "Azure Web Sites"},
        "resourceId": resource,
        "resourceType": {"value": "Microsoft.Web/sites/slots", "localizedValue": "Slots"},
        "operationId": correlation,
        "operationName": {"value": op, "localizedValue": "Swap Web App Slots"},
        "properties": properties or {},
        "status": {"value": status, "localizedValue": status},
        "subStatus": {"value": sub_status, "localizedValue": sub_status},
        "eventTimestamp": _iso(at),
        "submissionTimestamp": _iso(at + timedelta(seconds=40)),
        "subscriptionId": app["subscription"],
        "tenantId": "72f988bf-0000-4000-8000-00000000dd5a",
    }


def swap_events(app: dict[str, Any], record: Record, slot: str) -> list[dict[str, Any]]:
    """One swap of `slot` into production, as ARM logs the POST: Started,
    Accepted, then Succeeded or Failed; and an unrelated event beside it."""
    resource = f"{site_id(app)}/slots/{slot}"
    correlation = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource}/{record.id}"))
    caller = app.get("swap_caller", "release.manager@dds.example")
    body = json.dumps({"targetSlot": "production", "preserveVnet": True})
    end = "Succeeded" if record.outcome == "succeeded" else "Failed"
    sub = "" if end == "Succeeded" else "Conflict"
    return [
        _event(
            app,
            resource,
            SWAP_OP,
            "Started",
            record.started,
            correlation,
            caller,
            {"requestbody": body, "statusCode": "Started"},
        ),
        _event(
            app,
            resource,
            SWAP_OP,
            "Accepted",
            record.started + timedelta(seconds=2),
            correlation,
            caller,
            {"statusCode": "Accepted"},
        ),
        _event(
            app,
            resource,
            SWAP_OP,
            end,
            record.ended,
            correlation,
            caller,
            {"statusCode": "OK" if end == "Succeeded" else "Conflict"},
            sub,
        ),
        _event(
            app,
            resource,
            "Microsoft.Web/sites/slots/config/list/action",
            "Succeeded",
            record.started - timedelta(minutes=3),
            correlation + "-cfg",
            caller,
        ),
    ]


def revision(app: dict[str, Any], record: Record, number: int, image: int, latest: bool) -> Any:
    name = f"{app['name']}--{record.id}"
    return {
        "id": f"{app_id(app)}/revisions/{name}",
        "name": name,
        "type": f"{APP}/containerApps/revisions",
        "properties": {
            "createdTime": _iso(record.started),
            "lastActiveTime": _iso(record.ended),
            "fqdn": f"{name}.wittymoss-3f1c2a7e.uksouth.azurecontainerapps.io",
            "template": {
                "revisionSuffix": record.id,
                "containers": [
                    {
                        "name": app["name"],
                        "image": f"ddsregistry.azurecr.io/{app['name']}:1.{image}",
                        "resources": {"cpu": 0.5, "memory": "1Gi"},
                    }
                ],
                "scale": {"minReplicas": 1, "maxReplicas": 10},
            },
            "active": latest,
            "replicas": 1 if latest else 0,
            "trafficWeight": 100 if latest else 0,
            "healthState": "Healthy" if latest else "None",
            "provisioningState": "Provisioned",
            "runningState": "Running" if latest else "Stopped",
        },
    }


class HistoryMixin:
    """The emulator's release-record handlers (AzureEmulator mixes them in)."""

    apps: list[dict[str, Any]]
    container_apps: list[dict[str, Any]]
    _app: Any
    _slot: Any
    _find: Any

    def _records(self, fixture: dict[str, Any], key: str) -> list[Record]:
        cache = fixture.setdefault("_expanded", {})
        if key not in cache:
            cache[key] = expand(fixture.get(key), datetime.now(UTC))
        return list(cache[key])

    def deployments_list(self, sub: str, rg: str, name: str) -> list[Any]:
        app = self._app(sub, rg, name)
        records = self._records(app, "releases")
        latest = records[-1].id if records else None
        served = [deployment(app, r, None, r.id == latest) for r in records]
        return served[::-1]  # newest first

    def slotdeployments_list(self, sub: str, rg: str, name: str, slot: str) -> list[Any]:
        app = self._app(sub, rg, name)
        entry = self._slot(app, slot)
        if entry["name"].lower() != _swap_slot(app):
            return []
        served = []
        for r in self._records(app, "swaps"):
            staged = Record(
                r.id,
                r.started - timedelta(minutes=20),
                r.started - timedelta(minutes=12),
                "succeeded",
                None,
                None,
            )
            served.append(deployment(app, staged, entry["name"], False))
        return served[::-1]

    def _events(self, sub: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for app in self.apps:
            if app["subscription"] != sub.lower():
                continue
            slot = _swap_slot(app)
            for r in self._records(app, "swaps"):
                events.extend(swap_events(app, r, slot or "staging"))
            events.extend(app.get("activity", []))
        return events

    def activitylog_list(self, sub: str, req: Any) -> list[Any]:
        text = req.arg("$filter")
        if not text:
            raise FilterError("The $filter query parameter is required.")
        m = _FILTER.match(text)
        if m is None:
            raise FilterError(f"The $filter '{text}' is not supported.")
        now = datetime.now(UTC)
        since = _parse(m["ge"])
        if since < now - RETENTION - timedelta(minutes=5):
            raise FilterError("The start time cannot be more than 90 days in the past.")
        until = _parse(m["le"]) if m["le"] else now
        field, value = (m["field"] or "").lower(), (m["value"] or "").lower()
        kept = []
        for event in self._events(sub):
            at = _parse(event["eventTimestamp"])
            if not (since <= at <= until) or at < now - RETENTION:
                continue
            if field == "resourceuri" and event.get("resourceId", "").lower() != value:
                continue
            if field == "resourcegroupname" and event.get("resourceGroupName", "").lower() != value:
                continue
            if field == "correlationid" and event.get("correlationId", "").lower() != value:
                continue
            if field == "resourceprovider" and not event.get("resourceId", "").lower().count(
                f"/providers/{value}/"
            ):
                continue
            kept.append(event)
        kept.sort(key=lambda e: e["eventTimestamp"], reverse=True)  # newest first
        return kept

    def revisions_list(self, sub: str, rg: str, name: str) -> list[Any]:
        app = self._find(self.container_apps, sub.lower(), rg, name, f"{APP}/containerApps")
        records = self._records(app, "revisions")
        same = set(app.get("same_image") or [])
        served, image = [], 0
        for n, r in enumerate(records, 1):
            image += 0 if r.id in same else 1
            served.append(revision(app, r, n, image, n == len(records)))
        return served[::-1]


def _swap_slot(app: dict[str, Any]) -> str | None:
    slots = [s["name"] for s in app.get("slots", [])]
    chosen = app.get("swap_slot") or (slots[0] if slots else None)
    return chosen.lower() if chosen else None
