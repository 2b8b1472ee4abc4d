"""AppConfig environments: levels through the real clients and botocore's
Stubber, built from botocore's appconfig examples-1.json (ListApplications,
ListEnvironments, ListDeployments: application 339ohji, environment 54j1r29,
a LINEAR 25 % deployment over 15 minutes with no final bake), and the reads,
their count, `check` and the tags through the emulator."""

from __future__ import annotations

import copy
import json

import botocore.loaders
import pytest
from botocore.stub import Stubber

from providers.aws.appconfig import AppConfigReader
from providers.aws.emulator.app import AwsEmulator, endpoint_env
from providers.aws.plugin import plugin
from scanner.classify import classify
from scanner.demo.serve import patched_environ
from scanner.emulators.server import LoopbackServer
from scanner.errors import NotFoundError, UsageError
from scanner.model import Observation, ScopeError
from tests.aws.conftest import ACCOUNT, REGION
from tests.aws.inproc import emulated, operation_of, scan, verdicts

EXAMPLES = botocore.loaders.Loader().load_service_model("appconfig", "examples-1")["examples"]
# "To list the available applications": 339ohji (test-application) and rwalwu7.
APPLICATIONS = EXAMPLES["ListApplications"][0]["output"]
# "To list the available environments": 54j1r29, Example-Environment, of 339ohji.
ENVIRONMENTS = EXAMPLES["ListEnvironments"][0]["output"]
# "To list the available deployments": deployment 1, LINEAR, GrowthFactor 25,
# DeploymentDurationInMinutes 15, FinalBakeTimeInMinutes 0, COMPLETE.
DEPLOYMENTS = EXAMPLES["ListDeployments"][0]["output"]
ENV_ARN = f"arn:aws:appconfig:{REGION}:{ACCOUNT}:application/339ohji/environment/54j1r29"
ALARM = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:flag-errors"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/appconfig-alarms"
ROLLS_BACK = (
    "Environment.Monitors[].AlarmArn (alarm's ActionsEnabled true: rolls the deployment back)"
)
DISABLED = "Environment.Monitors[].AlarmArn (alarm's ActionsEnabled false: does not roll back)"
NOT_FOUND = "Environment.Monitors[].AlarmArn (no such alarm in DescribeAlarms: does not roll back)"


def deployment(**changes):
    """The example's deployment, changed."""
    base = copy.deepcopy(DEPLOYMENTS["Items"][0])
    base.update(changes)
    return base


def environment(*alarms: str):
    env = copy.deepcopy(ENVIRONMENTS["Items"][0])
    if alarms:
        env["Monitors"] = [{"AlarmArn": a, "AlarmRoleArn": ROLE} for a in alarms]
    return env


def metric_alarm(arn: str, enabled: bool = True) -> dict:
    return {"AlarmName": arn.rsplit(":", 1)[1], "AlarmArn": arn, "ActionsEnabled": enabled}


def assess(clients, env, deployments, alarms=None, alarm_error=None):
    """One application (the example's 339ohji) with one environment; `alarms`
    is DescribeAlarms' answer (None: the call is not expected)."""
    reader = AppConfigReader(clients, ACCOUNT, REGION, "aws:test")
    cloudwatch = clients.get("cloudwatch", REGION)
    app = APPLICATIONS["Items"][0]
    with Stubber(reader.client) as stub, Stubber(cloudwatch) as cw:
        stub.add_response("list_applications", {"Items": [app]}, {"MaxResults": 50})
        stub.add_response(
            "list_environments", {"Items": [env]}, {"ApplicationId": "339ohji", "MaxResults": 50}
        )
        stub.add_response(
            "list_deployments",
            {"Items": deployments},
            {"ApplicationId": "339ohji", "EnvironmentId": "54j1r29", "MaxResults": 1},
        )
        here = [m["AlarmArn"] for m in env.get("Monitors", []) if f":{REGION}:" in m["AlarmArn"]]
        names = [arn.rsplit(":", 1)[1] for arn in here]
        expected = {
            "AlarmNames": names,
            "AlarmTypes": ["CompositeAlarm", "LogAlarm", "MetricAlarm"],
            "MaxRecords": 100,
        }
        if alarm_error:
            cw.add_client_error("describe_alarms", alarm_error, "denied", 400, expected_params=None)
        elif alarms is not None:
            cw.add_response("describe_alarms", alarms, expected)
        [unit] = list(reader.collect())
        stub.assert_no_pending_responses()
        cw.assert_no_pending_responses()
    assert unit.id == ENV_ARN and unit.name == "test-application/Example-Environment"
    return classify(unit)


def evidence(a):
    return {e.field: e.value for e in a.evidence}


# -- not assessed: no deployment on record ---------------------------------------
def test_an_environment_never_deployed_to_is_not_assessed(clients):
    a = assess(clients, environment(), [])
    assert (a.level, a.rule, a.status) == (None, "AWS-APPCONFIG-NA-NO-DEPLOYMENT", "not_assessed")
    assert "no deployment is on record" in a.reason
    assert evidence(a)["ListDeployments.Items (none on record)"] is None


def test_one_deployment_on_record_just_misses_not_assessed(clients):
    a = assess(clients, environment(), DEPLOYMENTS["Items"])
    assert a.rule != "AWS-APPCONFIG-NA-NO-DEPLOYMENT" and a.level is not None
    assert evidence(a)["DeploymentSummary.DeploymentNumber (the latest)"] == 1


# -- 5: gradual with a monitor -----------------------------------------------------
def test_the_examples_gradual_deployment_with_an_enabled_alarm_is_level_5(clients):
    a = assess(
        clients, environment(ALARM), DEPLOYMENTS["Items"], {"MetricAlarms": [metric_alarm(ALARM)]}
    )
    assert (a.level, a.rule, a.basis) == (5, "AWS-APPCONFIG-5-GRADUAL-MONITORED", "snapshot")
    ev = evidence(a)
    assert ev["DeploymentSummary.DeploymentDurationInMinutes"] == 15
    assert ev["DeploymentSummary.GrowthFactor"] == 25
    assert ev["DeploymentSummary.GrowthType"] == "LINEAR"
    assert ev["DeploymentSummary.State"] == "COMPLETE"
    assert ev["DeploymentSummary.ConfigurationName"] == "Example-Configuration-Profile"
    assert ev[ROLLS_BACK] == [ALARM]
    assert ev["Environment.Monitors[].AlarmArn"] == [ALARM]


def test_an_alarm_with_its_actions_disabled_does_not_roll_back_so_gradual_is_4(clients):
    a = assess(
        clients,
        environment(ALARM),
        DEPLOYMENTS["Items"],
        {"MetricAlarms": [metric_alarm(ALARM, False)]},
    )
    assert (a.level, a.rule) == (4, "AWS-APPCONFIG-4-GRADUAL")
    ev = evidence(a)
    assert ev[ROLLS_BACK] == []
    assert ev[DISABLED] == [ALARM]  # the evidence says why it does not count


def test_a_composite_alarm_counts_like_a_metric_alarm(clients):
    composite = {**metric_alarm(ALARM), "AlarmRule": 'ALARM("errors")'}
    a = assess(clients, environment(ALARM), DEPLOYMENTS["Items"], {"CompositeAlarms": [composite]})
    assert (a.level, a.rule) == (5, "AWS-APPCONFIG-5-GRADUAL-MONITORED")


def test_an_alarm_describe_alarms_does_not_know_is_not_counted(clients):
    a = assess(clients, environment(ALARM), DEPLOYMENTS["Items"], {"MetricAlarms": []})
    assert (a.level, a.rule) == (4, "AWS-APPCONFIG-4-GRADUAL")
    assert evidence(a)[NOT_FOUND] == [ALARM]


def test_growth_factor_100_just_misses_gradual(clients):
    a = assess(
        clients,
        environment(ALARM),
        [deployment(GrowthFactor=100)],
        {"MetricAlarms": [metric_alarm(ALARM)]},
    )
    assert a.rule not in ("AWS-APPCONFIG-5-GRADUAL-MONITORED", "AWS-APPCONFIG-4-GRADUAL")
    assert (a.level, a.rule) == (3, "AWS-APPCONFIG-3-ALL-AT-ONCE")  # the example bakes 0 minutes


# -- 5: all at once, monitored, with a final bake ----------------------------------
def test_all_at_once_with_an_alarm_and_a_final_bake_is_level_5(clients):
    # AppConfig.AllAtOnce: duration 0, growth 100, bake 10 minutes.
    latest = deployment(DeploymentDurationInMinutes=0, GrowthFactor=100, FinalBakeTimeInMinutes=10)
    a = assess(clients, environment(ALARM), [latest], {"MetricAlarms": [metric_alarm(ALARM)]})
    assert (a.level, a.rule, a.basis) == (5, "AWS-APPCONFIG-5-BAKE-MONITORED", "snapshot")
    assert evidence(a)["DeploymentSummary.FinalBakeTimeInMinutes"] == 10


def test_all_at_once_with_an_alarm_but_no_bake_just_misses_5_and_is_3(clients):
    latest = deployment(DeploymentDurationInMinutes=0, GrowthFactor=100, FinalBakeTimeInMinutes=0)
    a = assess(clients, environment(ALARM), [latest], {"MetricAlarms": [metric_alarm(ALARM)]})
    assert (a.level, a.rule) == (3, "AWS-APPCONFIG-3-ALL-AT-ONCE")


def test_all_at_once_with_a_bake_but_no_monitor_is_3_and_reads_no_alarm(clients):
    latest = deployment(DeploymentDurationInMinutes=0, FinalBakeTimeInMinutes=10)
    a = assess(clients, environment(), [latest])  # no DescribeAlarms expected
    assert (a.level, a.rule) == (3, "AWS-APPCONFIG-3-ALL-AT-ONCE")
    assert evidence(a)[ROLLS_BACK] == []


# -- 4: gradual without monitors -------------------------------------------------
def test_the_examples_gradual_deployment_without_monitors_is_level_4(clients):
    a = assess(clients, environment(), DEPLOYMENTS["Items"])
    assert (a.level, a.rule, a.basis) == (4, "AWS-APPCONFIG-4-GRADUAL", "snapshot")
    assert "a person" in a.reason


def test_duration_0_just_misses_gradual_and_is_3(clients):
    a = assess(clients, environment(), [deployment(DeploymentDurationInMinutes=0)])
    assert (a.level, a.rule) == (3, "AWS-APPCONFIG-3-ALL-AT-ONCE")


# -- 3: all at once ------------------------------------------------------------------
def test_growth_factor_100_over_15_minutes_is_all_at_once_level_3(clients):
    a = assess(clients, environment(), [deployment(GrowthFactor=100)])
    assert (a.level, a.rule, a.basis) == (3, "AWS-APPCONFIG-3-ALL-AT-ONCE", "snapshot")


def test_growth_factor_just_below_100_misses_all_at_once(clients):
    a = assess(clients, environment(), [deployment(GrowthFactor=99.9)])
    assert (a.level, a.rule) == (4, "AWS-APPCONFIG-4-GRADUAL")


def test_a_deployment_without_duration_or_growth_is_not_assessed_with_the_kinds_reason(clients):
    bare = {"DeploymentNumber": 4, "State": "DEPLOYING"}
    a = assess(clients, environment(), [bare])
    assert (a.level, a.rule) == (None, None)
    assert a.reason.startswith("not assessed, because the latest deployment reports no")


def test_the_latest_is_whatever_its_state_and_its_state_is_shown(clients):
    rolled_back = deployment(DeploymentNumber=7, State="ROLLED_BACK")
    a = assess(clients, environment(ALARM), [rolled_back], {"MetricAlarms": [metric_alarm(ALARM)]})
    assert (a.level, a.rule) == (5, "AWS-APPCONFIG-5-GRADUAL-MONITORED")
    assert evidence(a)["DeploymentSummary.State"] == "ROLLED_BACK"


# -- what could not be read -----------------------------------------------------------
def test_alarms_that_cannot_be_read_leave_a_monitored_environment_not_assessed(clients):
    a = assess(clients, environment(ALARM), DEPLOYMENTS["Items"], alarm_error="AccessDenied")
    assert (a.level, a.status) == (None, "not_assessed")
    assert "DescribeAlarms: AccessDenied" in a.reason
    assert "AWS-APPCONFIG-5-GRADUAL-MONITORED" in a.reason


def test_an_alarm_in_another_region_is_unknown_unless_another_monitor_rolls_back(clients):
    elsewhere = ALARM.replace(REGION, "us-east-1")
    a = assess(clients, environment(elsewhere), DEPLOYMENTS["Items"])  # nothing to describe here
    assert (a.level, a.status) == (None, "not_assessed")
    assert f"the alarm {elsewhere} is not in this scope's account and region" in a.reason
    both = assess(
        clients,
        environment(elsewhere, ALARM),
        DEPLOYMENTS["Items"],
        {"MetricAlarms": [metric_alarm(ALARM)]},
    )
    assert (both.level, both.rule) == (5, "AWS-APPCONFIG-5-GRADUAL-MONITORED")


def test_a_failed_list_deployments_leaves_that_environment_not_assessed(clients):
    reader = AppConfigReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("list_applications", {"Items": [APPLICATIONS["Items"][0]]})
        stub.add_response("list_environments", ENVIRONMENTS)
        stub.add_client_error("list_deployments", "AccessDeniedException", "no", 403)
        [unit] = list(reader.collect())
    a = classify(unit)
    assert (a.level, a.status) == (None, "not_assessed")
    assert "AccessDeniedException" in a.reason


def test_a_failed_list_environments_names_the_application_and_keeps_the_others(clients):
    reader = AppConfigReader(clients, ACCOUNT, REGION, "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response("list_applications", APPLICATIONS)
        stub.add_response("list_environments", ENVIRONMENTS)
        stub.add_client_error("list_environments", "ResourceNotFoundException", "gone", 404)
        stub.add_response("list_deployments", DEPLOYMENTS)
        found = list(reader.collect())
    errors = [x for x in found if isinstance(x, ScopeError)]
    units = [x for x in found if isinstance(x, Observation)]
    assert [u.id for u in units] == [ENV_ARN]
    [error] = errors
    assert error.service == "appconfig application Test-Application"
    assert "ResourceNotFoundException" in error.message


# -- the emulator: reads, request counts, check, tags ----------------------------------
def _estate(apps: int, envs: int, alarms: int) -> dict:
    """`apps` applications of `envs` environments each; every environment's latest
    deployment is gradual, and the first `alarms` environments watch their own alarm."""
    entries, n = [], 0
    for i in range(apps):
        environments = []
        for j in range(envs):
            env = {
                "Id": f"e{i:03d}{j:03d}",
                "Name": f"env-{j}",
                "tags": {"service": f"s{i}"},
                "deployments": [deployment(DeploymentNumber=k) for k in (1, 2, 3)],
            }
            if n < alarms:
                env["Monitors"] = [
                    {
                        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:a{n}",
                        "AlarmRoleArn": ROLE,
                    }
                ]
            n += 1
            environments.append(env)
        entries.append(
            {"region": REGION, "application": {"Id": f"app{i:04d}", "Name": f"app-{i}"},
             "environments": environments}
        )  # fmt: skip
    return {"account": ACCOUNT, "regions": [REGION], "appconfig": entries}


def _appconfig_requests(estate: dict, page_size: int) -> tuple[list[tuple[str, str]], dict]:
    app = AwsEmulator(json.loads(json.dumps(estate)), page_size=page_size)
    with LoopbackServer(app) as server, patched_environ(endpoint_env(server.url)):
        result = scan({"aws_region": (REGION,)})
        sent = [operation_of(r) for r in server.requests]
    return [s for s in sent if s[0] in ("appconfig", "monitoring")], verdicts(result)


@pytest.mark.parametrize(
    ("apps", "envs", "alarms"), [(1, 1, 0), (3, 2, 6), (51, 1, 0), (2, 51, 102)]
)
def test_a_scan_sends_exactly_the_minimum_requests(apps, envs, alarms):
    """ceil(A/50) ListApplications + per application ceil(E/50) ListEnvironments
    + one ListDeployments per environment + ceil(alarms/100) DescribeAlarms."""
    sent, found = _appconfig_requests(_estate(apps, envs, alarms), page_size=100)
    count = {op: sum(1 for _, o in sent if o == op) for _, op in sent}
    assert count.get("ListApplications") == -(-apps // 50)
    assert count.get("ListEnvironments") == apps * -(-envs // 50)
    assert count.get("ListDeployments") == apps * envs
    assert count.get("DescribeAlarms", 0) == -(-alarms // 100)
    assert len(found) == apps * envs
    levels = sorted({v["level"] for v in found.values()})
    assert levels == ([4, 5] if 0 < alarms < apps * envs else [5] if alarms else [4])


def test_small_pages_read_every_environment_and_the_latest_deployment():
    sent, found = _appconfig_requests(_estate(3, 3, 9), page_size=2)  # paging exercised
    assert len(found) == 9
    assert all(v["level"] == 5 for v in found.values())
    for v in found.values():
        ev = {e["field"]: e["value"] for e in v["evidence"]}
        assert ev["DeploymentSummary.DeploymentNumber (the latest)"] == 3  # newest first
    assert sum(1 for _, op in sent if op == "ListApplications") == 2


def test_check_by_arn_is_exactly_the_scans_unit_with_its_tags():
    estate = _estate(1, 2, 1)
    arn = f"arn:aws:appconfig:{REGION}:{ACCOUNT}:application/app0000/environment/e000000"
    with emulated(estate) as (server, _):
        scanned = verdicts(scan({"aws_region": (REGION,)}))
        seen = len(server.requests)
        obs = plugin.configure({}).check(arn)
        sent = [operation_of(r) for r in server.requests[seen:]]
    one = verdicts_of(obs)
    assert one == scanned[arn]
    assert one["tags"] == {"service": "s0"} and one["level"] == 5
    assert [s for s in sent if s[0] != "sts"] == [
        ("tagging", "GetResources"),
        ("appconfig", "GetEnvironment"),
        ("appconfig", "GetApplication"),
        ("appconfig", "ListDeployments"),
        ("monitoring", "DescribeAlarms"),
    ]


def verdicts_of(obs: Observation) -> dict:
    a = classify(obs).as_dict()
    return {
        k: v
        for k, v in a.items()
        if k in ("level", "rule", "status", "reason", "evidence", "tags", "name")
    }


def test_check_of_a_missing_environment_is_not_found():
    with emulated(_estate(1, 1, 0)), pytest.raises(NotFoundError) as err:
        plugin.configure({}).check(ENV_ARN.replace("339ohji", "app0000"))
    assert str(err.value) == (
        f"no such resource: arn:aws:appconfig:{REGION}:{ACCOUNT}:"
        "application/app0000/environment/54j1r29"
    )


def test_a_malformed_appconfig_arn_names_the_form():
    from providers.aws.arn import parse_arn

    with pytest.raises(UsageError) as err:
        parse_arn(f"arn:aws:appconfig:{REGION}:{ACCOUNT}:application/339ohji")
    assert str(err.value) == (
        f"malformed AppConfig environment ARN 'arn:aws:appconfig:{REGION}:{ACCOUNT}:application/"
        "339ohji': the resource part does not have the form application/APPID/environment/ENVID"
    )
    parsed = parse_arn(ENV_ARN)
    assert (parsed.application, parsed.name, parsed.text) == ("339ohji", "54j1r29", ENV_ARN)
