"""--history: each AWS source's release records, read through boto3 against
the loopback emulator (which pages after 2 items, so every listing pages),
as `AwsRun.collect` hands them over on each unit (`Observation.history`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from providers.aws.plugin import plugin
from scanner.model import Observation, ScopeError
from tests.aws.inproc import emulated

REGION = "eu-west-2"
END = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # the scan's start: the period's end
NOW = "2026-11-29T12:00:00Z"  # the emulator's now, from which the rhythms count back
ALL_AT_ONCE = "CodeDeployDefault.AllAtOnce"


def rhythm(times: str, count: int, **failed: str) -> list[dict[str, Any]]:
    """One `releases:` spec; `failed` maps an occurrence (n0 the latest) to who rolled it back."""
    return [{"times": times, "count": count, "failed": {int(k[1:]): v for k, v in failed.items()}}]


def collect(estate: dict[str, Any], days: int = 90, **faults: Any):
    """(units by name, scope errors, the emulator) of a --history scan of `estate`."""
    estate = {"account": "123456789012", "regions": [REGION], "now": NOW, **estate}
    with emulated(estate) as (server, app):
        run = plugin.configure({"aws_region": [REGION], "history_days": days, "history_end": END})
        units: dict[str, Observation] = {}
        errors: list[ScopeError] = []
        for scope in run.scopes():
            for item in run.collect(scope):
                if isinstance(item, Observation):
                    units[item.name] = item
                else:
                    errors.append(item)
        return units, errors, app, server


def group(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "region": REGION,
        "application": "shop",
        "group": {
            "deploymentGroupName": name,
            "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
        },
        **extra,
    }


# -- CodeDeploy -----------------------------------------------------------------


def test_codedeploy_releases_rollbacks_and_scale_outs_left_out():
    units, errors, app, _ = collect(
        {
            "codedeploy": [
                group(
                    "web",
                    releases=[
                        {
                            "times": "weekly Sun 02:30",
                            "count": 5,
                            "failed": {0: "automatic", 2: "manual"},
                        }
                    ],
                    scale_outs=[{"times": "daily 12:00", "count": 3}],
                )
            ]
        }
    )
    assert errors == []
    h = units["shop/web"].history
    assert h.source == "CodeDeploy deployments" and h.error is None and h.unavailable is None
    assert h.left_out == {"scale-out deployments (creator autoscaling)": 3}
    assert h.covers_from is None  # CodeDeploy documents no retention
    releases = [r for r in h.releases if r.kind == "release"]
    rollbacks = [r for r in h.releases if r.kind == "rollback"]
    assert [r.started for r in releases] == [
        datetime(2026, 11, d, 2, 30, tzinfo=UTC) for d in (1, 8, 15, 22, 29)
    ]  # Sunday 02:30 in London is 02:30 UTC in November
    assert [r.outcome for r in releases] == [
        "succeeded",
        "succeeded",
        "stopped",
        "succeeded",
        "failed",
    ]
    assert [r.rolled_back for r in releases] == [None, None, "manual", None, "automatic"]
    assert releases[4].restored == datetime(2026, 11, 29, 2, 44, tzinfo=UTC)
    assert "errorInformation.code ALARM_ACTIVE" in releases[4].detail
    assert "errorInformation.code MANUAL_STOP" in releases[2].detail
    assert {r.started_by for r in releases} == {"user"}
    assert [r.started_by for r in rollbacks] == ["codeDeployRollback"] * 2
    assert all(r.source == "codedeploy:deployment" for r in h.releases)
    # 10 deployments in the period listed 2 a page: 5 ListDeployments, and one
    # BatchGetDeployments (25 ids a call) for the 10
    ops = [c[1] for c in app.calls]
    assert ops.count("ListDeployments") == 5
    assert ops.count("BatchGetDeployments") == 1


def deployment(n: int, created: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "deploymentId": f"d-EXAMPLE{n:02d}",
        "applicationName": "shop",
        "deploymentGroupName": "web",
        "creator": "user",
        "status": "Succeeded",
        "createTime": created.isoformat(),
        "startTime": (created + timedelta(minutes=1)).isoformat(),
        "completeTime": (created + timedelta(minutes=9)).isoformat(),
        **extra,
    }


def test_codedeploy_reads_only_the_period_and_a_deployment_a_second_before_it_is_not_read():
    start = END - timedelta(days=3)
    units, _, app, _ = collect(
        {
            "codedeploy": [
                group(
                    "web",
                    deployments=[
                        deployment(1, start - timedelta(seconds=1)),  # just outside
                        deployment(2, start),
                        deployment(3, END - timedelta(hours=1)),
                    ],
                )
            ]
        },
        days=3,
    )
    h = units["shop/web"].history
    assert [r.id for r in h.releases] == ["d-EXAMPLE02", "d-EXAMPLE03"]
    assert h.releases[0].started == start + timedelta(minutes=1)
    # the period is asked of the API (createTimeRange): the older one is never read
    assert [c[1] for c in app.calls].count("BatchGetDeployments") == 1


def test_codedeploy_one_units_records_failing_keeps_the_unit_with_the_error():
    units, errors, _, _ = collect(
        {
            "codedeploy": [
                group("first", releases=[{"times": "daily 09:00", "count": 2}]),
                group("second", releases=[{"times": "daily 09:00", "count": 2}]),
            ],
            "faults": [
                {
                    "service": "codedeploy",
                    "operation": "ListDeployments",
                    "code": "InvalidDeploymentGroupNameException",
                    "times": 1,
                }
            ],
        }
    )
    assert errors == []  # not a scope error: one unit's records
    first, second = units["shop/first"].history, units["shop/second"].history
    assert first.error == (
        "InvalidDeploymentGroupNameException on ListDeployments: injected "
        f"InvalidDeploymentGroupNameException for codedeploy:ListDeployments in {REGION}"
    )
    assert first.releases == []
    assert second.error is None and len(second.releases) == 2
    assert units["shop/first"].facts["deployment_config_name"].value == ALL_AT_ONCE  # kept


def test_codedeploy_history_refused_is_one_scope_error_naming_the_operation():
    units, errors, _, _ = collect(
        {
            "codedeploy": [group("first"), group("second")],
            "faults": [{"service": "codedeploy", "operation": "BatchGetDeployments"}],
        }
    )
    # no deployments: BatchGetDeployments is never sent, so nothing is refused
    assert errors == [] and units["shop/first"].history.releases == []
    units, errors, _, _ = collect(
        {
            "codedeploy": [
                group("first", releases=[{"times": "daily 09:00", "count": 1}]),
                group("second", releases=[{"times": "daily 09:00", "count": 1}]),
            ],
            "faults": [{"service": "codedeploy", "operation": "BatchGetDeployments"}],
        }
    )
    assert [(e.service, e.message) for e in errors] == [
        (
            "history codedeploy:BatchGetDeployments",
            "AccessDeniedException on BatchGetDeployments: User is not authorized to perform: "
            f"codedeploy:BatchGetDeployments in {REGION}",
        )
    ]
    for name in ("shop/first", "shop/second"):
        assert units[name].history.error.startswith("AccessDeniedException on BatchGetDeployments")


# -- ECS ----------------------------------------------------------------------------


def ecs(name: str, controller: str | None = None, **extra: Any) -> dict[str, Any]:
    service: dict[str, Any] = {"serviceName": name}
    if controller:
        service["deploymentController"] = {"type": controller}
    return {"region": REGION, "cluster": "prod", "service": service, **extra}


def test_ecs_service_deployments_with_automatic_and_manual_rollbacks():
    units, errors, app, _ = collect(
        {
            "ecs": [
                ecs(
                    "api",
                    releases=[
                        {
                            "times": "daily 09:10,14:40",
                            "count": 7,
                            "failed": {1: "automatic", 3: "manual"},
                        }
                    ],
                )
            ]
        }
    )
    assert errors == []
    h = units["prod/api"].history
    assert h.source == "ECS service deployments"
    assert h.covers_from == END - timedelta(days=90)
    assert h.kept == "90 days (deployments created on or after 2024-10-25)"
    assert len(h.releases) == 7
    by_outcome = [(r.outcome, r.rolled_back) for r in h.releases]
    assert by_outcome.count(("succeeded", None)) == 5
    auto = next(r for r in h.releases if r.rolled_back == "automatic")
    manual = next(r for r in h.releases if r.rolled_back == "manual")
    assert auto.outcome == "failed" and manual.outcome == "stopped"
    assert auto.started == datetime(2026, 11, 28, 14, 40, tzinfo=UTC)
    assert auto.restored == auto.started + timedelta(minutes=14)
    assert "status ROLLBACK_SUCCESSFUL" in auto.detail
    ops = [c[1] for c in app.calls]
    assert ops.count("ListServiceDeployments") == 4  # 7 a page of 2
    assert ops.count("DescribeServiceDeployments") == 1  # up to 20 ARNs a call


def test_ecs_coverage_starts_no_earlier_than_25_october_2024():
    from providers.aws.ecs_history import covers_from
    from scanner.practice.settings import Period

    assert covers_from(Period(90, datetime(2025, 1, 1, tzinfo=UTC))) == datetime(
        2024, 10, 25, tzinfo=UTC
    )
    end = datetime(2025, 3, 1, tzinfo=UTC)
    assert covers_from(Period(90, end)) == end - timedelta(days=90)


def test_a_codedeploy_ecs_service_is_linked_and_its_records_not_read():
    units, _, app, _ = collect(
        {
            "codedeploy": [
                {
                    "region": REGION,
                    "application": "shop",
                    "group": {
                        "deploymentGroupName": "api-bg",
                        "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
                        "ecsServices": [{"serviceName": "api", "clusterName": "prod"}],
                    },
                    "releases": [{"times": "daily 10:00", "count": 2}],
                }
            ],
            "ecs": [ecs("api", "CODE_DEPLOY"), ecs("gateway", "EXTERNAL")],
        }
    )
    assert "prod/api" not in units  # linked: the group is the unit
    assert len(units["shop/api-bg"].history.releases) == 2
    assert units["prod/gateway"].history.unavailable.startswith(
        "its task sets are moved by an outside controller"
    )
    assert "ListServiceDeployments" not in [c[1] for c in app.calls]


# -- Auto Scaling ---------------------------------------------------------------------


def test_instance_refreshes_are_read_newest_first_and_stop_before_the_period():
    units, _, app, _ = collect(
        {
            "autoscaling": [
                {
                    "region": REGION,
                    "name": "fleet",
                    "releases": [
                        {
                            "times": "weekdays 10:00",
                            "count": 12,
                            "failed": {0: "automatic", 2: "manual"},
                        }
                    ],
                }
            ]
        },
        days=7,
    )
    h = units["fleet"].history
    assert h.source == "Auto Scaling instance refreshes" and h.kept == "six weeks"
    assert h.covers_from == END - timedelta(weeks=6)
    # weekdays 10:00 London (UTC in November) in the 7 days back from Sun 29 Nov 12:00
    assert [r.started.day for r in h.releases] == [23, 24, 25, 26, 27]
    assert [(r.outcome, r.rolled_back) for r in h.releases][-3:] == [
        ("stopped", "manual"),
        ("succeeded", None),
        ("failed", "automatic"),
    ]
    # 12 refreshes, 2 a page: reading stops at the first page reaching before the period
    assert [c[1] for c in app.calls].count("DescribeInstanceRefreshes") < 6


# -- Elastic Beanstalk --------------------------------------------------------------


def test_beanstalk_deployments_from_events_leave_out_configuration_and_managed_updates():
    units, errors, app, _ = collect(
        {
            "beanstalk": [
                {
                    "region": REGION,
                    "application": "portal",
                    "environment": "prod",
                    "options": {},
                    "releases": [
                        {"times": "weekly Tue 11:00", "count": 3, "failed": {1: "automatic"}}
                    ],
                    "configuration_updates": [{"times": "weekly Wed 11:00", "count": 2}],
                    "managed_updates": [{"times": "weekly Sun 03:00", "count": 2}],
                }
            ]
        }
    )
    assert errors == []
    h = units["portal/prod"].history
    assert h.source == "Elastic Beanstalk events"
    assert h.covers_from == END - timedelta(weeks=6)
    assert h.left_out == {
        "configuration-only updates": 2,
        "platform maintenance (managed actions)": 2,
    }
    assert [(r.started.day, r.outcome, r.rolled_back) for r in h.releases] == [
        (10, "succeeded", None),
        (17, "failed", "automatic"),
        (24, "succeeded", None),
    ]
    assert h.releases[1].restored == datetime(2026, 11, 17, 11, 14, tzinfo=UTC)
    assert h.releases[0].detail == "version app-r1; Environment update completed successfully."
    # the period asked is 90 days, the events go back six weeks: StartTime says so
    assert "DescribeEnvironmentManagedActionHistory" in [c[1] for c in app.calls]


def test_beanstalk_a_repeated_event_is_read_once_and_events_without_a_request_are_ignored():
    request = "5e9a1a4c-0000-4000-8000-000000000001"
    base = {"ApplicationName": "portal", "EnvironmentName": "prod", "RequestId": request}
    deploying = "Deploying new version to instance(s)."
    events = [
        {**base, "EventDate": "2026-11-20T10:00:00Z", "Message": "Environment update is starting."},
        {**base, "EventDate": "2026-11-20T10:01:00Z", "Message": deploying},
        {**base, "EventDate": "2026-11-20T10:01:00Z", "Message": deploying},
        {**base, "EventDate": "2026-11-20T10:06:00Z",
         "Message": "Environment update completed successfully."},
        {"ApplicationName": "portal", "EnvironmentName": "prod", "EventDate": "2026-11-20T10:07Z",
         "Message": "Environment health has transitioned from Info to Ok."},
    ]  # fmt: skip
    units, _, _, _ = collect(
        {
            "beanstalk": [
                {
                    "region": REGION,
                    "application": "portal",
                    "environment": "prod",
                    "options": {},
                    "events": events,
                }
            ]
        }  # fmt: skip
    )
    (release,) = units["portal/prod"].history.releases
    assert release.id == request and release.outcome == "succeeded"
    assert release.started == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert release.ended == datetime(2026, 11, 20, 10, 6, tzinfo=UTC)


# -- AppConfig ----------------------------------------------------------------------


def test_appconfig_deployments_and_who_rolled_them_back():
    units, _, app, _ = collect(
        {
            "appconfig": [
                {
                    "region": REGION,
                    "application": {"Id": "app1", "Name": "flags"},
                    "environments": [
                        {
                            "Id": "env1",
                            "Name": "prod",
                            "releases": [
                                {
                                    "times": "weekly Thu 10:00",
                                    "count": 3,
                                    "failed": {0: "automatic", 1: "manual"},
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )
    h = units["flags/prod"].history
    assert h.source == "AppConfig deployments"
    assert [(r.id, r.outcome, r.rolled_back) for r in h.releases] == [
        ("1", "succeeded", None),
        ("2", "stopped", "manual"),
        ("3", "failed", "automatic"),
    ]
    assert h.releases[2].restored == datetime(2026, 11, 26, 10, 14, tzinfo=UTC)
    # GetDeployment only for the two rolled back
    assert [c[1] for c in app.calls].count("GetDeployment") == 2


# -- Kinds without records, and scans without --history -------------------------------


def test_lambda_aliases_say_no_api_records_their_moves():
    units, _, app, _ = collect(
        {
            "lambda": [
                {
                    "region": REGION,
                    "name": "fn",
                    "aliases": [{"Name": "live", "FunctionVersion": "3"}],
                }
            ]
        }
    )
    h = units["fn:live"].history
    assert h.source == "Lambda aliases" and h.releases == []
    assert h.unavailable.startswith("no AWS API records when an alias moved")


def test_without_history_no_record_is_read():
    estate = {
        "account": "123456789012",
        "regions": [REGION],
        "now": NOW,
        "codedeploy": [group("web", releases=[{"times": "daily 09:00", "count": 2}])],
    }
    with emulated(estate) as (_, app):
        run = plugin.configure({"aws_region": [REGION]})
        units = [i for s in run.scopes() for i in run.collect(s) if isinstance(i, Observation)]
    assert [u.history for u in units] == [None]
    assert "ListDeployments" not in [c[1] for c in app.calls]


def test_check_reads_the_one_units_history():
    estate = {
        "account": "123456789012",
        "regions": [REGION],
        "now": NOW,
        "codedeploy": [group("web", releases=[{"times": "daily 09:00", "count": 2}])],
    }
    arn = f"arn:aws:codedeploy:{REGION}:123456789012:deploymentgroup:shop/web"
    with emulated(estate):
        run = plugin.configure({"history_days": 30, "history_end": END})
        unit = run.check(arn)
    assert [r.started for r in unit.history.releases] == [
        datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    "operation",
    [
        "codedeploy:ListDeployments",
        "codedeploy:BatchGetDeployments",
        "ecs:ListServiceDeployments",
        "ecs:DescribeServiceDeployments",
        "elasticbeanstalk:DescribeEvents",
        "elasticbeanstalk:DescribeEnvironmentManagedActionHistory",
        "autoscaling:DescribeInstanceRefreshes",
        "appconfig:ListDeployments",
        "appconfig:GetDeployment",
    ],
)
def test_every_history_read_is_declared_and_granted(operation):
    from providers.aws.permissions import grant, permission_for

    service, _, name = operation.partition(":")
    assert permission_for(service, name) == operation
    assert operation in grant("account").permissions


def test_a_history_scan_sends_every_history_read_and_nothing_undeclared():
    """With records of every kind (and rollbacks, so GetDeployment is needed), a
    --history scan sends each history read; with the kinds' other reads, the
    grant is exactly what it uses."""
    from providers.aws.history import history_reads
    from providers.aws.permissions import SIGNING_NAMES, grant, permission_for
    from tests.aws.inproc import replay_key

    daily = rhythm("daily 09:00", 3, n0="automatic")
    units, errors, _, server = collect(
        {
            "codedeploy": [group("web", releases=daily)],
            "ecs": [ecs("api", releases=daily)],
            "autoscaling": [{"region": REGION, "name": "fleet", "releases": daily}],
            "beanstalk": [
                {
                    "region": REGION,
                    "application": "portal",
                    "environment": "prod",
                    "options": {},
                    "releases": daily,
                }
            ],
            "appconfig": [
                {
                    "region": REGION,
                    "application": {"Id": "app1", "Name": "flags"},
                    "environments": [{"Id": "env1", "Name": "prod", "releases": daily}],
                }
            ],
        }  # fmt: skip
    )
    assert errors == []
    assert all(len(u.history.releases) >= 3 for u in units.values())
    keys = [replay_key(r) for r in server.requests]
    sent = {f"{SIGNING_NAMES.get(k['service'], k['service'])}:{k['operation']}" for k in keys}
    assert history_reads() == {
        "codedeploy:ListDeployments",
        "codedeploy:BatchGetDeployments",
        "ecs:ListServiceDeployments",
        "ecs:DescribeServiceDeployments",
        "elasticbeanstalk:DescribeEvents",
        "elasticbeanstalk:DescribeEnvironmentManagedActionHistory",
        "appconfig:GetDeployment",
    }
    assert history_reads() <= sent
    assert {permission_for(*read.split(":")) for read in sent} <= set(grant().permissions)
