"""Release records as the emulator serves them (--history), in each API's
own shape and paging, honouring its time filters. Mixed into AwsEmulator.

A unit's `releases:` (rhythm specs, scanner/emulators/releases.py) become its
records, relative to the emulator's `now` (the estate's `now:`, else when the
emulator started). What is not a release comes from the unit's own keys:

- CodeDeploy (`codedeploy` entries): `scale_outs:` (specs: deployments with
  creator `autoscaling`), and `deployments:` (DeploymentInfo structures, served
  as given);
- ECS (`ecs` entries): `service_deployments:` (ServiceDeployment structures);
- Elastic Beanstalk (`beanstalk` entries): `configuration_updates:` and
  `managed_updates:` (specs: configuration-only updates, and managed platform
  updates with their managed action history), `events:` (EventDescription
  structures) and `managed_actions:` (ManagedActionHistoryItem structures);
- Auto Scaling and AppConfig: `releases:` are added to the group's
  `refreshes` and the environment's `deployments` (both already served).

A rolled-back release is answered as each API records one: CodeDeploy with
a `codeDeployRollback` deployment and the release's error code (ALARM_ACTIVE;
MANUAL_STOP for a person's stop); ECS with ROLLBACK_SUCCESSFUL and the
alarms' status TRIGGERED (automatic) or a rollback reason without it
(manual); Auto Scaling with RollbackSuccessful and RollbackDetails; AppConfig
with ROLLED_BACK and an EventLog whose TriggeredBy is CLOUDWATCH_ALARM or
USER; Elastic Beanstalk with its revert message.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from providers.aws.emulator.services import AwsFault
from scanner.emulators.releases import Record, expand

DEPLOYMENTS_BATCH = 25  # BatchGetDeployments
SERVICE_DEPLOYMENTS_BATCH = 20  # DescribeServiceDeployments
EB_MAX_RECORDS = 1000  # DescribeEvents MaxRecords
DEPLOYED = "New application version was deployed to running EC2 instances."
REVERTED = "The environment was reverted to the previous configuration setting."


def _stamp(value: Any) -> datetime | None:
    """A time filter as it arrives: epoch seconds (JSON) or ISO 8601 (query, REST)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _short(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:9].upper()


def _ts(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class ReleaseHistories:
    """`self` is the AwsEmulator."""

    account: str
    page_size: int
    groups: list[dict[str, Any]]
    environments: list[dict[str, Any]]
    ecs: list[dict[str, Any]]
    history_now: datetime

    def _records(self, specs: Any) -> list[Record]:
        return expand(specs or [], self.history_now)

    # -- CodeDeploy -----------------------------------------------------------
    def _cd_deployments(self, region: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
        app, group = entry["application"], entry["group"]["deploymentGroupName"]
        out: list[dict[str, Any]] = [dict(d) for d in entry.get("deployments") or []]
        base = {"applicationName": app, "deploymentGroupName": group}
        for r in self._records(entry.get("releases")):
            deployment = f"d-{_short(region, app, group, r.id)}"
            info: dict[str, Any] = {
                **base,
                "deploymentId": deployment,
                "creator": "user",
                "status": {"succeeded": "Succeeded", "failed": "Failed"}.get(r.outcome, "Stopped"),
                "createTime": r.started - timedelta(minutes=1),
                "startTime": r.started,
                "completeTime": r.ended,
            }
            if r.outcome != "succeeded":
                manual = r.rolled_back == "manual" or r.outcome == "stopped"
                info["errorInformation"] = (
                    {"code": "MANUAL_STOP", "message": "The deployment was stopped by a user."}
                    if manual
                    else {"code": "ALARM_ACTIVE", "message": "One or more alarms were activated."}
                )
                info["status"] = "Stopped" if manual else "Failed"
            if r.rolled_back:
                rollback = f"d-{_short(region, app, group, r.id, 'rollback')}"
                info["rollbackInfo"] = {
                    "rollbackDeploymentId": rollback,
                    "rollbackMessage": f"Rolled back by {rollback}",
                }
                out.append(
                    {
                        **base,
                        "deploymentId": rollback,
                        "creator": "codeDeployRollback",
                        "status": "Succeeded",
                        "createTime": r.ended,
                        "startTime": r.ended,
                        "completeTime": r.restored,
                        "rollbackInfo": {"rollbackTriggeringDeploymentId": deployment},
                    }
                )
            out.append(info)
        for r in self._records(entry.get("scale_outs")):
            out.append(
                {
                    **base,
                    "deploymentId": f"d-{_short(region, app, group, r.id, 'scale')}",
                    "creator": "autoscaling",
                    "status": "Succeeded",
                    "createTime": r.started,
                    "startTime": r.started,
                    "completeTime": r.ended,
                }
            )
        return sorted(out, key=lambda d: _ts(d["createTime"]), reverse=True)

    def codedeploy_ListDeployments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        app, group = p.get("applicationName"), p.get("deploymentGroupName")
        if bool(app) != bool(group):
            raise AwsFault(
                400,
                "InvalidInputException",
                "applicationName and deploymentGroupName must be specified together",
            )
        window = p.get("createTimeRange") or {}
        start, end = _stamp(window.get("start")), _stamp(window.get("end"))
        ids = []
        for entry in self.groups:
            names = (entry["application"], entry["group"]["deploymentGroupName"])
            if entry["region"] != region or (app and names != (app, group)):
                continue
            for d in self._cd_deployments(region, entry):
                created = _ts(d["createTime"])
                if (start and created < start) or (end and created > end):
                    continue
                ids.append(d["deploymentId"])
        page, token = self._page(ids, p.get("nextToken"))  # type: ignore[attr-defined]
        return {"deployments": page, **({"nextToken": token} if token else {})}

    def codedeploy_BatchGetDeployments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        wanted = list(p.get("deploymentIds") or [])
        if len(wanted) > DEPLOYMENTS_BATCH:
            raise AwsFault(
                400, "BatchLimitExceededException", "The maximum number of deployments is 25"
            )
        by_id = {
            d["deploymentId"]: d
            for entry in self.groups
            if entry["region"] == region
            for d in self._cd_deployments(region, entry)
        }
        return {"deploymentsInfo": [by_id[d] for d in wanted if d in by_id]}

    # -- ECS ------------------------------------------------------------------
    def _ecs_deployments(self, region: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
        cluster, name = entry["cluster"], entry["service"]["serviceName"]
        service_arn = f"arn:aws:ecs:{region}:{self.account}:service/{cluster}/{name}"
        cluster_arn = f"arn:aws:ecs:{region}:{self.account}:cluster/{cluster}"
        base = {"serviceArn": service_arn, "clusterArn": cluster_arn}
        out: list[dict[str, Any]] = []
        for d in entry.get("service_deployments") or []:
            out.append({**base, **d})
        for r in self._records(entry.get("releases")):
            sid = _short(region, cluster, name, r.id)
            arn = f"arn:aws:ecs:{region}:{self.account}:service-deployment/{cluster}/{name}/{sid}"
            target = (
                f"arn:aws:ecs:{region}:{self.account}:service-revision/{cluster}/{name}/{sid}R"
            )
            d: dict[str, Any] = {
                **base,
                "serviceDeploymentArn": arn,
                "createdAt": r.started - timedelta(seconds=20),
                "startedAt": r.started,
                "updatedAt": r.restored or r.ended,
                "status": {"succeeded": "SUCCESSFUL"}.get(r.outcome, "STOPPED"),
                "targetServiceRevision": {"arn": target},
            }
            if r.outcome == "succeeded" or (r.outcome == "stopped" and not r.rolled_back):
                d["finishedAt" if r.outcome == "succeeded" else "stoppedAt"] = r.ended
            if r.rolled_back:
                d["status"] = "ROLLBACK_SUCCESSFUL"
                d["finishedAt"] = r.restored
                automatic = r.rolled_back == "automatic"
                d["alarms"] = {
                    "status": "TRIGGERED" if automatic else "MONITORING",
                    "alarmNames": ["service-5xx"],
                    **({"triggeredAlarmNames": ["service-5xx"]} if automatic else {}),
                }
                d["rollback"] = {
                    "reason": (
                        "Service deployment rolled back because an alarm went into ALARM."
                        if automatic
                        else "Service deployment rolled back on a StopServiceDeployment request."
                    ),
                    "startedAt": r.ended,
                    "serviceRevisionArn": target.replace(f"{sid}R", f"{sid}P"),
                }
            out.append(d)
        return sorted(out, key=lambda d: _ts(d["createdAt"]), reverse=True)

    def _ecs_entry(self, region: str, cluster: str | None, service: str) -> dict[str, Any]:
        name = (cluster or "default").rsplit("/", 1)[-1]
        for entry in self.ecs:
            if (entry["region"], entry["cluster"]) == (region, name) and entry["service"][
                "serviceName"
            ] == service.rsplit("/", 1)[-1]:
                return entry
        raise AwsFault(400, "ServiceNotFoundException", "Service not found.")

    def ecs_ListServiceDeployments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        entry = self._ecs_entry(region, p.get("cluster"), p["service"])
        window = p.get("createdAt") or {}
        after, before = _stamp(window.get("after")), _stamp(window.get("before"))
        wanted = set(p.get("status") or [])
        briefs = []
        for d in self._ecs_deployments(region, entry):
            created = _ts(d["createdAt"])
            if (after and created < after) or (before and created > before):
                continue
            if wanted and d["status"] not in wanted:
                continue
            briefs.append(
                {
                    k: d[k]
                    for k in (
                        "serviceDeploymentArn",
                        "serviceArn",
                        "clusterArn",
                        "startedAt",
                        "createdAt",
                        "finishedAt",
                        "status",
                        "statusReason",
                    )
                    if k in d
                }
            )
        size = min(int(p.get("maxResults") or 20), self.page_size)
        start = int(p.get("nextToken") or 0)
        page = briefs[start : start + size]
        token = str(start + size) if start + size < len(briefs) else None
        return {"serviceDeployments": page, **({"nextToken": token} if token else {})}

    def ecs_DescribeServiceDeployments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        arns = list(p.get("serviceDeploymentArns") or [])
        if not arns or len(arns) > SERVICE_DEPLOYMENTS_BATCH:
            raise AwsFault(
                400,
                "InvalidParameterException",
                "serviceDeploymentArns must hold between 1 and 20 ARNs.",
            )
        by_arn = {
            d["serviceDeploymentArn"]: d
            for entry in self.ecs
            if entry["region"] == region
            for d in self._ecs_deployments(region, entry)
        }
        return {
            "serviceDeployments": [by_arn[a] for a in arns if a in by_arn],
            "failures": [{"arn": a, "reason": "MISSING"} for a in arns if a not in by_arn],
        }

    # -- Elastic Beanstalk ----------------------------------------------------
    def _eb_env(self, region: str, name: str | None) -> dict[str, Any] | None:
        return next(
            (e for e in self.environments if e["region"] == region and e["environment"] == name),
            None,
        )

    def _eb_events(self, env: dict[str, Any]) -> list[dict[str, Any]]:
        base = {"ApplicationName": env["application"], "EnvironmentName": env["environment"]}
        events: list[dict[str, Any]] = [dict(e) for e in env.get("events") or []]

        def group(r: Record, tag: str, messages: list[tuple[datetime, str]]) -> None:
            request = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{env['environment']}/{tag}/{r.id}"))
            for at, message in messages:
                severity = "ERROR" if message.startswith("Failed") else "INFO"
                events.append(
                    {
                        **base,
                        "EventDate": at,
                        "Message": message,
                        "RequestId": request,
                        "Severity": severity,
                    }
                )

        second = timedelta(seconds=30)
        for r in self._records(env.get("releases")):
            steps = [
                (r.started, "Environment update is starting."),
                (r.started + second, "Deploying new version to instance(s)."),
            ]
            if r.outcome == "succeeded":
                steps += [
                    (r.ended - second, DEPLOYED),
                    (r.ended, "Environment update completed successfully."),
                ]
            elif r.rolled_back == "automatic" and r.restored:
                steps += [
                    (r.ended, "Failed to deploy application."),
                    (r.restored, REVERTED),
                ]
            else:
                steps += [
                    (r.ended - second, "Failed to deploy application."),
                    (r.ended, "Update environment operation is complete, but with errors."),
                ]
            group(r, "release", steps)
            for event in events[-len(steps) :]:
                event["VersionLabel"] = f"app-{r.id}"
        for r in self._records(env.get("configuration_updates")):
            group(
                r,
                "configuration",
                [
                    (r.started, "Environment update is starting."),
                    (r.ended - second, "Successfully deployed new configuration to environment."),
                    (r.ended, "Environment update completed successfully."),
                ],
            )
        for r in self._records(env.get("managed_updates")):
            group(
                r,
                "managed",
                [
                    (r.started, "Environment update is starting."),
                    (r.started + second, "Deploying new version to instance(s)."),
                    (r.ended, "Environment update completed successfully."),
                ],
            )
        return sorted(events, key=lambda e: _ts(e["EventDate"]), reverse=True)

    def elasticbeanstalk_DescribeEvents(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        start, end = _stamp(p.get("StartTime")), _stamp(p.get("EndTime"))
        records = int(p.get("MaxRecords") or EB_MAX_RECORDS)
        if not 1 <= records <= EB_MAX_RECORDS:
            raise AwsFault(400, "InvalidParameterValue", "MaxRecords must be 1 to 1000.")
        envs = [
            e
            for e in self.environments
            if e["region"] == region
            and p.get("EnvironmentName", e["environment"]) == e["environment"]
            and p.get("ApplicationName", e["application"]) == e["application"]
        ]
        found = [
            ev
            for e in envs
            for ev in self._eb_events(e)
            if (not start or _ts(ev["EventDate"]) >= start)
            and (not end or _ts(ev["EventDate"]) < end)  # EndTime is exclusive
        ]
        found.sort(key=lambda ev: _ts(ev["EventDate"]), reverse=True)
        size = min(records, self.page_size)
        first = int(p.get("NextToken") or 0)
        page = found[first : first + size]
        token = str(first + size) if first + size < len(found) else None
        return {"Events": page, **({"NextToken": token} if token else {})}

    def elasticbeanstalk_DescribeEnvironmentManagedActionHistory(
        self, region: str, p: dict[str, Any]
    ) -> dict[str, Any]:
        env = self._eb_env(region, p.get("EnvironmentName"))
        if env is None:
            raise AwsFault(400, "InvalidParameterValue", "No Environment found.")
        items = [dict(i) for i in env.get("managed_actions") or []]
        for r in self._records(env.get("managed_updates")):
            items.append(
                {
                    "ActionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{env['environment']}/{r.id}")),
                    "ActionType": "PlatformUpdate",
                    "ActionDescription": "Update platform version",
                    "Status": "Completed",
                    "ExecutedTime": r.started,
                    "FinishedTime": r.ended,
                }
            )
        items.sort(key=lambda i: _ts(i["ExecutedTime"]), reverse=True)
        size = min(int(p.get("MaxItems") or 100), self.page_size)
        first = int(p.get("NextToken") or 0)
        page = items[first : first + size]
        token = str(first + size) if first + size < len(items) else None
        # an answer without items leaves the list out (the model's minimum length is 1)
        return {
            **({"ManagedActionHistoryItems": page} if page else {}),
            **({"NextToken": token} if token else {}),
        }

    # -- Auto Scaling and AppConfig -------------------------------------------
    def _asg_release_refreshes(self, region: str, group: dict[str, Any]) -> list[dict[str, Any]]:
        """The group's `releases:` as InstanceRefresh structures, newest first."""
        out = []
        for r in reversed(self._records(group.get("releases"))):
            refresh: dict[str, Any] = {
                "InstanceRefreshId": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"{region}/{group['name']}/{r.id}")
                ),
                "AutoScalingGroupName": group["name"],
                "Status": {"succeeded": "Successful"}.get(r.outcome, "Cancelled"),
                "StartTime": r.started,
                "EndTime": r.restored or r.ended,
                "PercentageComplete": 100,
                "Preferences": {"AutoRollback": True, "MinHealthyPercentage": 90},
            }
            if r.rolled_back:
                refresh["Status"] = "RollbackSuccessful"
                refresh["RollbackDetails"] = {
                    "RollbackReason": (
                        "Automatic rollback: an alarm went into ALARM."
                        if r.rolled_back == "automatic"
                        else "Manual rollback requested (RollbackInstanceRefresh)."
                    ),
                    "RollbackStartTime": r.ended,
                }
            out.append(refresh)
        return out

    def _appconfig_release_deployments(self, env: dict[str, Any]) -> list[dict[str, Any]]:
        """The environment's `releases:` as deployments (with an EventLog), numbered
        after its listed ones."""
        first = max((int(d["DeploymentNumber"]) for d in env.get("deployments") or []), default=0)
        out = []
        for n, r in enumerate(self._records(env.get("releases")), first + 1):
            d: dict[str, Any] = {
                "DeploymentNumber": n,
                "ConfigurationName": env.get("Name", "configuration"),
                "ConfigurationVersion": str(n),
                "DeploymentDurationInMinutes": 10,
                "GrowthType": "LINEAR",
                "GrowthFactor": 20,
                "FinalBakeTimeInMinutes": 5,
                "State": "COMPLETE",
                "PercentageComplete": 100,
                "StartedAt": r.started,
                "CompletedAt": r.ended,
                "EventLog": [
                    {"EventType": "DEPLOYMENT_STARTED", "TriggeredBy": "USER",
                     "Description": "Deployment started", "OccurredAt": r.started},
                ],  # fmt: skip
            }
            if r.rolled_back:
                who = "CLOUDWATCH_ALARM" if r.rolled_back == "automatic" else "USER"
                d["State"] = "ROLLED_BACK"
                d["EventLog"] += [
                    {"EventType": "ROLLBACK_STARTED", "TriggeredBy": who,
                     "Description": "Rollback started", "OccurredAt": r.ended},
                    {"EventType": "ROLLBACK_COMPLETED", "TriggeredBy": "APPCONFIG",
                     "Description": "Rollback completed", "OccurredAt": r.restored},
                ]  # fmt: skip
            d["EventLog"].reverse()  # newest first, as GetDeployment's published example
            out.append(d)
        return out
