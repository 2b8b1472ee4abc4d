"""AppConfig: every environment of every application, where configuration and
feature flags are released, with its latest deployment and its monitors.

Reads: ListApplications and ListEnvironments (50 a page, the API's maximum),
ListDeployments once per environment with MaxResults 1 (the API lists
deployments "in descending deployment number order", so the first item is the
latest), and CloudWatch DescribeAlarms for the monitors' alarms, 100 names a
call (the API's limit), only where an environment has monitors: AppConfig does
not roll back on an alarm whose actions are disabled
(https://docs.aws.amazon.com/appconfig/latest/userguide/monitoring-deployments.html).

The latest deployment is whatever its state (running, baking, complete, rolled
back or reverted): its summary carries the strategy as that release ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# --history: the unit's release records (appconfig_history.py)
from providers.aws.appconfig_history import HISTORY_READS
from providers.aws.appconfig_history import HISTORY_SOURCE as HISTORY_SOURCE  # noqa: F401
from providers.aws.appconfig_history import history as history  # noqa: F401
from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.facts import plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

PAGE = 50  # ListApplications, ListEnvironments: MaxResults 1-50
LATEST = 1  # ListDeployments: newest first, so one item is the latest
ALARM_BATCH = 100  # DescribeAlarms: "up to 100 alarm names"; MaxRecords 1-100
# Without AlarmTypes, DescribeAlarms answers metric alarms only.
ALARM_TYPES = ["CompositeAlarm", "LogAlarm", "MetricAlarm"]
ALARM_LISTS = ("MetricAlarms", "CompositeAlarms", "LogAlarms")

SUMMARY = "DeploymentSummary"
MONITORS = "Environment.Monitors[].AlarmArn"
DECLARED = "Environment.Monitors.AlarmArn"  # as the kind declares it (no element marker)
ROLLS_BACK = f"{MONITORS} (alarm's ActionsEnabled true: rolls the deployment back)"
DISABLED = f"{MONITORS} (alarm's ActionsEnabled false: does not roll back)"
NOT_FOUND = f"{MONITORS} (no such alarm in DescribeAlarms: does not roll back)"
DEPLOYMENT_FIELDS = [
    ("deployment_state", f"{SUMMARY}.State"),
    ("deployment_type", f"{SUMMARY}.Type"),
    ("configuration_name", f"{SUMMARY}.ConfigurationName"),
    ("growth_type", f"{SUMMARY}.GrowthType"),
    ("growth_factor", f"{SUMMARY}.GrowthFactor"),
    ("deployment_duration_minutes", f"{SUMMARY}.DeploymentDurationInMinutes"),
    ("final_bake_minutes", f"{SUMMARY}.FinalBakeTimeInMinutes"),
]
NUMBER = f"{SUMMARY}.DeploymentNumber (the latest)"
NO_DEPLOYMENT = "ListDeployments.Items (none on record)"

KIND = aws_kind(
    name="aws.appconfig.environment",
    title="AppConfig environment",
    plural="AppConfig environments",
    service="appconfig",
    resource_prefix="application/",
    names="APPID/environment/ENVID",
    resource_regex=r"application/(?P<app>[^/\x00-\x1f\x7f]+)/environment/(?P<name>[^/\x00-\x1f\x7f]+)",
    # The tagging API's filter is "the same as that embedded in a resource's
    # ARN"; an environment's ARN embeds application/..., so the service alone
    # is asked for and the environments are picked out by ARN.
    tagging_type="appconfig",
    facts=facts(
        ("environment_state", "Environment.State"),
        ("deployment_number", f"{SUMMARY}.DeploymentNumber | ListDeployments.Items (newest)"),
        *DEPLOYMENT_FIELDS,
        ("monitors", DECLARED),
        ("rollback_monitors", ROLLS_BACK.replace(MONITORS, DECLARED)),
        ("monitors_actions_disabled", DISABLED.replace(MONITORS, DECLARED)),
        ("monitors_not_found", NOT_FOUND.replace(MONITORS, DECLARED)),
    ),
    reads=(
        "appconfig:ListApplications",
        "appconfig:ListEnvironments",
        "appconfig:ListDeployments",
        "cloudwatch:DescribeAlarms",
        "appconfig:GetApplication",
        "appconfig:GetEnvironment",
        *HISTORY_READS,
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every environment of every application in the scope."""

    def read() -> Iterator[Observation | ScopeError]:
        return AppConfigReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The environment an ARN names (NotFoundError when there is none)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = AppConfigReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    obs = reader.get(arn.application, arn.name)
    obs.tags = dict(ctx.tags.get(resource_id, {}))
    return obs


@dataclass
class _Environment:
    application: dict[str, Any]
    environment: dict[str, Any]
    latest: dict[str, Any] | None = None  # the latest deployment's summary, if any
    deployments_error: str = ""  # why ListDeployments could not be read
    monitors: list[str] = field(default_factory=list)


@dataclass
class _Alarms:
    """What DescribeAlarms said of the monitors' alarms in this scope."""

    enabled: dict[str, bool] = field(default_factory=dict)  # alarm name -> ActionsEnabled
    error: str = ""  # why they could not be read


class AppConfigReader:
    """Reads one account and region."""

    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.clients = clients
        self.client = clients.get("appconfig", region)
        self.partition = clients.partition(region)
        self.account = account
        self.region = region
        self.scope = scope

    def arn(self, app_id: str, env_id: str) -> str:
        return (
            f"arn:{self.partition}:appconfig:{self.region}:{self.account}:"
            f"application/{app_id}/environment/{env_id}"
        )

    # -- reads -------------------------------------------------------------
    def _environments(self, app: dict[str, Any]) -> list[_Environment | ScopeError]:
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            pages = self.client.get_paginator("list_environments").paginate(
                ApplicationId=app["Id"], PaginationConfig={"PageSize": PAGE}
            )
            return [
                _Environment(app, env)
                for page in pages
                for env in page.get("Items") or []
                if isinstance(env, dict) and isinstance(env.get("Id"), str) and env["Id"]
            ]
        except AWS_ERRORS as exc:
            where = f"appconfig application {app.get('Name') or app['Id']}"
            return [ScopeError("aws", self.scope, where, describe(exc))]

    def _latest(self, unit: _Environment) -> _Environment:
        from providers.aws.faults import AWS_ERRORS, describe

        try:
            resp = self.client.list_deployments(
                ApplicationId=unit.application["Id"],
                EnvironmentId=unit.environment["Id"],
                MaxResults=LATEST,
            )
        except AWS_ERRORS as exc:
            unit.deployments_error = describe(exc)
            return unit
        items = [d for d in resp.get("Items") or [] if isinstance(d, dict)]
        # newest first, as documented; should an answer not be, the highest number is the latest
        unit.latest = max(items, key=_number) if items else None
        return unit

    def _alarms(self, arns: list[str]) -> _Alarms:
        """ActionsEnabled of every alarm named (those in this account and region)."""
        from providers.aws.faults import AWS_ERRORS, describe

        names = list(dict.fromkeys(n for n in (self._alarm_name(a) for a in arns) if n))
        found = _Alarms()
        if not names:
            return found
        cloudwatch = self.clients.get("cloudwatch", self.region)
        batches = [names[i : i + ALARM_BATCH] for i in range(0, len(names), ALARM_BATCH)]

        def batch(part: list[str]) -> dict[str, bool] | str:
            got: dict[str, bool] = {}
            try:
                pages = cloudwatch.get_paginator("describe_alarms").paginate(
                    AlarmNames=part,
                    AlarmTypes=ALARM_TYPES,
                    PaginationConfig={"PageSize": ALARM_BATCH},
                )
                for page in pages:
                    for alarm in (a for key in ALARM_LISTS for a in page.get(key) or []):
                        if isinstance(alarm, dict) and isinstance(alarm.get("AlarmName"), str):
                            got[alarm["AlarmName"]] = alarm.get("ActionsEnabled") is not False
            except AWS_ERRORS as exc:
                return describe(exc)
            return got

        for result in fan_out(batches, batch):
            if isinstance(result, str):
                found.error = found.error or result
            else:
                found.enabled.update(result)
        return found

    def _alarm_name(self, arn: str) -> str:
        """The name of an alarm of this account and region (arn:...:alarm:NAME), else ""."""
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[2] != "cloudwatch" or parts[5] != "alarm":
            return ""
        if (parts[3], parts[4]) != (self.region, self.account):
            return ""
        return parts[6]

    # -- units -------------------------------------------------------------
    def collect(self) -> Iterator[Observation | ScopeError]:
        apps = [
            a
            for page in self.client.get_paginator("list_applications").paginate(
                PaginationConfig={"PageSize": PAGE}
            )
            for a in page.get("Items") or []
            if isinstance(a, dict) and isinstance(a.get("Id"), str) and a["Id"]
        ]
        units: list[_Environment] = []
        for found in fan_out(apps, self._environments):  # applications side by side
            for item in found:
                if isinstance(item, ScopeError):
                    yield item
                else:
                    units.append(item)
        units = list(fan_out(units, self._latest))
        alarms = self._alarms([arn for u in units for arn in _monitors(u.environment)])
        for unit in units:
            yield self.observe(unit, alarms)

    def get(self, app_id: str, env_id: str) -> Observation:
        from providers.aws.faults import AWS_ERRORS, error_code

        try:
            env = self.client.get_environment(ApplicationId=app_id, EnvironmentId=env_id)
            app = self.client.get_application(ApplicationId=app_id)
        except AWS_ERRORS as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise NotFoundError(f"no such resource: {self.arn(app_id, env_id)}") from None
            raise
        unit = self._latest(_Environment(app, env))
        return self.observe(unit, self._alarms(_monitors(env)))

    def observe(self, unit: _Environment, alarms: _Alarms) -> Observation:
        app, env = unit.application, unit.environment
        app_name = app.get("Name") if isinstance(app.get("Name"), str) else app["Id"]
        env_name = env.get("Name") if isinstance(env.get("Name"), str) else env["Id"]
        obs = Observation(
            id=self.arn(app["Id"], env["Id"]),
            provider="aws",
            kind=KIND.name,
            name=f"{app_name}/{env_name}",
            account=self.account,
            location=self.region,
        )
        obs.add("environment_state", "Environment.State", plain(env.get("State")))
        self._deployment(obs, unit)
        self._monitors(obs, _monitors(env), alarms)
        return obs

    @staticmethod
    def _deployment(obs: Observation, unit: _Environment) -> None:
        if unit.deployments_error:
            obs.unknown("deployment_number", NUMBER, unit.deployments_error)
            for name, path in DEPLOYMENT_FIELDS:
                obs.unknown(name, path, unit.deployments_error)
            return
        latest = unit.latest
        if latest is None:
            obs.add("deployment_number", NO_DEPLOYMENT, None)
            for name, path in DEPLOYMENT_FIELDS:
                obs.add(name, path, None)
            return
        obs.add("deployment_number", NUMBER, plain(latest.get("DeploymentNumber")))
        for name, path in DEPLOYMENT_FIELDS:
            obs.add(name, path, plain(latest.get(path.rsplit(".", 1)[1])))

    def _monitors(self, obs: Observation, arns: list[str], alarms: _Alarms) -> None:
        obs.add("monitors", MONITORS, arns)
        here = [a for a in arns if self._alarm_name(a)]
        elsewhere = [a for a in arns if not self._alarm_name(a)]
        if here and alarms.error:
            obs.unknown("monitors_actions_disabled", DISABLED, alarms.error)
            obs.unknown("monitors_not_found", NOT_FOUND, alarms.error)
            obs.unknown("rollback_monitors", ROLLS_BACK, f"DescribeAlarms: {alarms.error}")
            return
        state = {a: alarms.enabled.get(self._alarm_name(a)) for a in here}
        enabled = [a for a, on in state.items() if on is True]
        obs.add(
            "monitors_actions_disabled", DISABLED, [a for a, on in state.items() if on is False]
        )
        obs.add("monitors_not_found", NOT_FOUND, [a for a, on in state.items() if on is None])
        if enabled or not elsewhere:
            obs.add("rollback_monitors", ROLLS_BACK, enabled)
            return
        obs.unknown(
            "rollback_monitors",
            ROLLS_BACK,
            f"the alarm {elsewhere[0]} is not in this scope's account and region "
            f"({self.account}, {self.region}), where relscan reads alarms",
        )


def _monitors(env: dict[str, Any]) -> list[str]:
    """The environment's monitors' alarm ARNs, in order."""
    monitors = env.get("Monitors") if isinstance(env.get("Monitors"), list) else []
    return [
        str(m["AlarmArn"])
        for m in monitors
        if isinstance(m, dict) and isinstance(m.get("AlarmArn"), str) and m["AlarmArn"]
    ]


def _number(deployment: dict[str, Any]) -> int:
    number = deployment.get("DeploymentNumber")
    return number if isinstance(number, int) and not isinstance(number, bool) else -1
