"""AppConfig (REST JSON, routed from botocore's model) and the CloudWatch
alarms its environments' monitors name (JSON), as the emulator answers them,
from the estate's `appconfig` list. Mixed into AwsEmulator.

An estate entry is one application: `{region, application: {Id, Name,
Description?}, environments: [...]}`. An environment is an Environment as the
API has it (`Id`, `Name`, `State`? (default READY_FOR_DEPLOYMENT), `Monitors`?)
plus `deployments` (DeploymentSummary structures, in any order: the emulator
answers them in descending DeploymentNumber, as AppConfig does) and `tags`.
A monitor may carry the emulator's own `alarm`: `{ActionsEnabled?, type?
(MetricAlarm, CompositeAlarm, LogAlarm), missing? (no such alarm)}`; each
monitor's alarm is served by DescribeAlarms in the alarm ARN's region.
"""

from __future__ import annotations

from typing import Any

from providers.aws.emulator.services import AwsFault

MAX_RESULTS = 50  # ListApplications, ListEnvironments, ListDeployments: 1-50
MAX_ALARM_NAMES = 100
MAX_RECORDS = 100  # DescribeAlarms MaxRecords: 1-100 (default 50)
ALARM_KEYS = {"MetricAlarm": "MetricAlarms", "CompositeAlarm": "CompositeAlarms",
              "LogAlarm": "LogAlarms"}  # fmt: skip


class AppConfigServices:
    account: str
    page_size: int
    appconfig: list[dict[str, Any]]

    # -- paging -------------------------------------------------------------
    def _appconfig_page(self, items: list[Any], p: dict[str, Any]) -> dict[str, Any]:
        raw = p.get("MaxResults")
        wanted = int(raw) if raw is not None else MAX_RESULTS
        if not 1 <= wanted <= MAX_RESULTS:
            raise AwsFault(
                400,
                "BadRequestException",
                f"1 validation error detected: Value '{wanted}' at 'maxResults' failed to "
                f"satisfy constraint: Member must have value less than or equal to {MAX_RESULTS}",
            )
        start = int(p.get("NextToken") or 0)
        end = start + min(wanted, self.page_size)
        page: dict[str, Any] = {"Items": items[start:end]}
        if end < len(items):
            page["NextToken"] = str(end)
        return page

    # -- lookups ------------------------------------------------------------
    def _appconfig_apps(self, region: str) -> list[dict[str, Any]]:
        return [a for a in self.appconfig if a.get("region") == region]

    def _appconfig_app(self, region: str, app_id: str) -> dict[str, Any]:
        for a in self._appconfig_apps(region):
            if a["application"]["Id"] == app_id:
                return a
        raise AwsFault(
            404, "ResourceNotFoundException", f"Application {app_id} could not be found."
        )

    def _appconfig_env(self, region: str, app_id: str, env_id: str) -> dict[str, Any]:
        for e in self._appconfig_app(region, app_id).get("environments", []):
            if e["Id"] == env_id:
                return e
        raise AwsFault(
            404,
            "ResourceNotFoundException",
            f"Environment {env_id} of application {app_id} could not be found.",
        )

    @staticmethod
    def _appconfig_environment(app_id: str, e: dict[str, Any]) -> dict[str, Any]:
        """The Environment the API answers: the estate's, without the emulator's keys."""
        env = {k: v for k, v in e.items() if k not in ("deployments", "tags", "releases")}
        env.setdefault("State", "READY_FOR_DEPLOYMENT")
        env["Monitors"] = [
            {k: v for k, v in m.items() if k != "alarm"} for m in e.get("Monitors", [])
        ]
        if not env["Monitors"]:
            del env["Monitors"]
        return {"ApplicationId": app_id, **env}

    def appconfig_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        """(ARN, tags) of the region's environments, for the tagging API."""
        return [
            (
                f"arn:aws:appconfig:{region}:{self.account}:application/"
                f"{a['application']['Id']}/environment/{e['Id']}",
                e.get("tags", {}),
            )
            for a in self._appconfig_apps(region)
            for e in a.get("environments", [])
        ]

    # -- AppConfig ------------------------------------------------------------
    def appconfig_ListApplications(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._appconfig_page([a["application"] for a in self._appconfig_apps(region)], p)

    def appconfig_GetApplication(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return dict(self._appconfig_app(region, p["ApplicationId"])["application"])

    def appconfig_ListEnvironments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        app = self._appconfig_app(region, p["ApplicationId"])
        envs = [self._appconfig_environment(p["ApplicationId"], e) for e in app["environments"]]
        return self._appconfig_page(envs, p)

    def appconfig_GetEnvironment(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        env = self._appconfig_env(region, p["ApplicationId"], p["EnvironmentId"])
        return self._appconfig_environment(p["ApplicationId"], env)

    def appconfig_ListDeployments(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        env = self._appconfig_env(region, p["ApplicationId"], p["EnvironmentId"])
        newest_first = sorted(
            self._appconfig_all_deployments(env),
            key=lambda d: int(d["DeploymentNumber"]),
            reverse=True,
        )
        summaries = [{k: v for k, v in d.items() if k != "EventLog"} for d in newest_first]
        return self._appconfig_page(summaries, p)

    def _appconfig_all_deployments(self, env: dict[str, Any]) -> list[dict[str, Any]]:
        """The listed deployments and the `releases:` (histories.py)."""
        made = self._appconfig_release_deployments(env)  # type: ignore[attr-defined]
        return [*env.get("deployments", []), *made]

    def appconfig_GetDeployment(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        env = self._appconfig_env(region, p["ApplicationId"], p["EnvironmentId"])
        for d in self._appconfig_all_deployments(env):
            if int(d["DeploymentNumber"]) == int(p["DeploymentNumber"]):
                return {"ApplicationId": p["ApplicationId"], "EnvironmentId": env["Id"], **d}
        raise AwsFault(
            404,
            "ResourceNotFoundException",
            f"Deployment number {p['DeploymentNumber']} could not be found.",
        )

    # -- CloudWatch -----------------------------------------------------------
    def _alarms(self, region: str) -> dict[str, tuple[str, dict[str, Any]]]:
        """Alarm name -> (its type, the alarm), for the monitors' alarms in `region`."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for app in self.appconfig:
            for env in app.get("environments", []):
                for m in env.get("Monitors", []):
                    arn = str(m["AlarmArn"])
                    parts = arn.split(":", 6)
                    spec = m.get("alarm", {})
                    if len(parts) != 7 or parts[3] != region or spec.get("missing"):
                        continue
                    alarm_type = spec.get("type", "MetricAlarm")
                    alarm: dict[str, Any] = {
                        "AlarmName": parts[6],
                        "AlarmArn": arn,
                        "ActionsEnabled": spec.get("ActionsEnabled", True),
                        "StateValue": "OK",
                        "StateUpdatedTimestamp": "2026-11-20T09:00:00Z",
                    }
                    if alarm_type == "CompositeAlarm":
                        alarm["AlarmRule"] = 'ALARM("errors")'
                    elif alarm_type == "MetricAlarm":
                        alarm.update(
                            MetricName="5XXError", Namespace="AWS/ApplicationELB",
                            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5.0,
                            ComparisonOperator="GreaterThanThreshold",
                        )  # fmt: skip
                    found[parts[6]] = (alarm_type, alarm)
        return found

    def cloudwatch_DescribeAlarms(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        names = list(p.get("AlarmNames") or [])
        if len(names) > MAX_ALARM_NAMES:
            raise AwsFault(
                400,
                "ValidationError",
                f"1 validation error detected: Value at 'alarmNames' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_ALARM_NAMES}",
            )
        records = int(p.get("MaxRecords") or 50)
        if not 1 <= records <= MAX_RECORDS:
            raise AwsFault(400, "ValidationError", f"MaxRecords {records} is not 1-100")
        types = list(p.get("AlarmTypes") or ["MetricAlarm"])
        alarms = self._alarms(region)
        wanted = [alarms[n] for n in (names or sorted(alarms)) if n in alarms]
        matching = [(t, a) for t, a in wanted if t in types]
        start = int(p.get("NextToken") or 0)
        end = start + min(records, self.page_size)
        answer: dict[str, Any] = {key: [] for t, key in ALARM_KEYS.items() if t in types}
        for alarm_type, alarm in matching[start:end]:
            answer[ALARM_KEYS[alarm_type]].append(alarm)
        if end < len(matching):
            answer["NextToken"] = str(end)
        return answer
