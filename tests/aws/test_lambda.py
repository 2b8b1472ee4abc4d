"""Lambda functions and aliases: levels through the real client and botocore's
Stubber, built from botocore's lambda examples-1.json (ListFunctions,
ListAliases, ListEventSourceMappings), and the reads through the emulator."""

from __future__ import annotations

import copy
import re

import botocore.loaders
import pytest
from botocore.stub import Stubber

from providers.aws.lambda_functions import LambdaReader
from scanner.classify import classify
from scanner.errors import NotFoundError, UsageError
from tests.aws.conftest import ACCOUNT, REGION
from tests.aws.inproc import emulated, operation_of, scan, verdicts

EXAMPLES = botocore.loaders.Loader().load_service_model("lambda", "examples-1")["examples"]
# botocore lambda/2015-03-31/examples-1.json, "To list a function's aliases"
# (to-list-a-functions-aliases-1481650199732): BLUE -> 2 with {"1": 0.7}, GREEN -> 1.
ALIASES = EXAMPLES["ListAliases"][0]["output"]
# ... "ListFunctions": helloworld and my-function, both Version $LATEST.
FUNCTIONS = EXAMPLES["ListFunctions"][0]["output"]
# ... "ListEventSourceMappings": an SQS queue calling my-function unqualified.
MAPPINGS = EXAMPLES["ListEventSourceMappings"][0]["output"]
MY_FUNCTION = FUNCTIONS["Functions"][1]


def assess_all(clients, functions, aliases_by_name, mappings=None, urls=None):
    """Every unit of `functions`; `urls` answers ListFunctionUrlConfigs, which
    is asked only for functions with aliases (none by default)."""
    reader = LambdaReader(clients, ACCOUNT, "us-west-2", "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "list_event_source_mappings",
            mappings if mappings is not None else {"EventSourceMappings": []},
            {"MaxItems": 100},
        )
        stub.add_response("list_functions", {"Functions": functions}, {"MaxItems": 50})
        for f in functions:
            aliases = aliases_by_name.get(f["FunctionName"], [])
            stub.add_response(
                "list_aliases",
                {"Aliases": aliases},
                {"FunctionName": f["FunctionName"], "MaxItems": 10000},
            )
            if aliases:
                stub.add_response(
                    "list_function_url_configs",
                    urls if urls is not None else {"FunctionUrlConfigs": []},
                    {"FunctionName": f["FunctionName"], "MaxItems": 50},
                )
        units = list(reader.collect())
        stub.assert_no_pending_responses()
    return {u.name: classify(u) for u in units}


def assess_alias(clients, alias):
    found = assess_all(clients, [MY_FUNCTION], {"my-function": [alias]})
    [a] = found.values()
    return a


def evidence(a):
    return {e.field: e.value for e in a.evidence}


def alias(**changes):
    """GREEN from the example (version 1, no routing), changed."""
    base = copy.deepcopy(ALIASES["Aliases"][1])
    base.update(changes)
    return base


# -- level 1 -----------------------------------------------------------------
def test_function_without_aliases_is_level_1_with_its_unqualified_callers(clients):
    found = assess_all(clients, FUNCTIONS["Functions"], {}, MAPPINGS)
    a = found["my-function"]
    assert (a.level, a.rule, a.basis) == (1, "AWS-LAMBDA-1-UNQUALIFIED", "policy")
    ev = evidence(a)
    assert ev["FunctionConfiguration.Version (unqualified invocation)"] == "$LATEST"
    assert ev["EventSourceMappingConfiguration.EventSourceArn (FunctionArn unqualified)"] == [
        "arn:aws:sqs:us-west-2:123456789012:mySQSqueue"
    ]
    assert "called by its unqualified name ($LATEST)" in a.reason
    assert set(found) == {"helloworld", "my-function"}


def test_managed_instances_function_runs_latest_published(clients):
    managed = dict(
        MY_FUNCTION,
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {
                "CapacityProviderArn": f"arn:aws:lambda:us-west-2:{ACCOUNT}:capacity-provider:cp"
            }
        },
    )
    [a] = assess_all(clients, [managed], {}).values()
    assert (a.level, a.rule) == (1, "AWS-LAMBDA-1-UNQUALIFIED")
    ev = evidence(a)
    assert ev["FunctionConfiguration.Version (unqualified invocation)"] == "$LATEST.PUBLISHED"
    assert ev["FunctionConfiguration.CapacityProviderConfig"] is True


def test_alias_on_latest_is_level_1(clients):
    a = assess_alias(clients, alias(FunctionVersion="$LATEST"))
    assert (a.level, a.rule) == (1, "AWS-LAMBDA-1-ALIAS-ON-LATEST")


def test_alias_on_a_version_just_misses_level_1(clients):
    a = assess_alias(clients, alias())
    assert a.rule != "AWS-LAMBDA-1-ALIAS-ON-LATEST"
    assert evidence(a)["AliasConfiguration.FunctionVersion"] == "1"


# -- levels 3 and 4 (botocore's ListAliases example) ---------------------------
def test_examples_blue_is_a_weighted_alias_and_green_a_plain_one(clients):
    found = assess_all(clients, [MY_FUNCTION], {"my-function": ALIASES["Aliases"]})
    blue, green = found["my-function:BLUE"], found["my-function:GREEN"]
    assert (blue.level, blue.rule, blue.basis) == (4, "AWS-LAMBDA-4-WEIGHTED-ALIAS", "snapshot")
    ev = evidence(blue)
    weights = "AliasConfiguration.RoutingConfig.AdditionalVersionWeights"
    assert ev[f"{weights} (version)"] == "1"
    assert ev[f"{weights} (weight)"] == 0.7
    assert (green.level, green.rule, green.basis) == (
        3,
        "AWS-LAMBDA-3-ALIAS-ON-VERSION",
        "snapshot",
    )
    # the function itself is not a unit beside its aliases
    assert "my-function" not in found


def test_weight_zero_just_misses_level_4(clients):
    a = assess_alias(clients, alias(RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}}))
    assert (a.level, a.rule) == (3, "AWS-LAMBDA-3-ALIAS-ON-VERSION")


def test_weight_one_is_a_switch_made_not_a_split(clients):
    a = assess_alias(clients, alias(RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}}))
    assert (a.level, a.rule) == (3, "AWS-LAMBDA-3-ALIAS-ON-VERSION")


def test_smallest_weight_reaches_level_4(clients):
    a = assess_alias(clients, alias(RoutingConfig={"AdditionalVersionWeights": {"2": 0.01}}))
    assert (a.level, a.rule) == (4, "AWS-LAMBDA-4-WEIGHTED-ALIAS")


def test_alias_without_a_version_is_not_assessed(clients):
    bare = alias()
    del bare["FunctionVersion"]
    a = assess_alias(clients, bare)
    assert a.level is None
    assert a.rule is None


def test_mappings_unreadable_leave_the_level_and_say_why(clients):
    reader = LambdaReader(clients, ACCOUNT, "us-west-2", "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_client_error(
            "list_event_source_mappings",
            service_error_code="AccessDeniedException",
            service_message="not authorized to perform: lambda:ListEventSourceMappings",
            http_status_code=403,
        )
        stub.add_response("list_functions", {"Functions": [MY_FUNCTION]}, {"MaxItems": 50})
        stub.add_response(
            "list_aliases", {"Aliases": []}, {"FunctionName": "my-function", "MaxItems": 10000}
        )
        [unit] = list(reader.collect())
    fact = unit.facts["unqualified_event_sources"]
    assert not fact.known
    assert "AccessDeniedException" in fact.error
    assert classify(unit).level == 1


# -- through the emulator ------------------------------------------------------
ESTATE = {
    "account": ACCOUNT,
    "regions": [REGION],
    "lambda": [
        {
            "region": REGION,
            "name": "plain",
            "tags": {"service": "plain"},
            "mappings": [{"EventSourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}],
        },
        {
            "region": REGION,
            "name": "aliased",
            "tags": {"service": "aliased"},
            "aliases": [
                {"Name": "live", "FunctionVersion": "3"},
                {
                    "Name": "canary",
                    "FunctionVersion": "3",
                    "RoutingConfig": {"AdditionalVersionWeights": {"4": 0.1}},
                },
                {"Name": "dev", "FunctionVersion": "$LATEST"},
            ],
            "mappings": [
                {"EventSourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q2", "qualifier": "live"}
            ],
        },
    ],
}
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"


def test_scan_through_the_emulator_pages_and_tags_aliases_from_their_function():
    with emulated(ESTATE) as (server, _app):
        found = verdicts(scan({"aws_region": [REGION]}))
        ops = [operation_of(r) for r in server.requests]
    lam = {k: v for k, v in found.items() if ":lambda:" in k}
    assert {k: (v["level"], v["rule"]) for k, v in lam.items()} == {
        f"{FN}:plain": (1, "AWS-LAMBDA-1-UNQUALIFIED"),
        f"{FN}:aliased:live": (3, "AWS-LAMBDA-3-ALIAS-ON-VERSION"),
        f"{FN}:aliased:canary": (4, "AWS-LAMBDA-4-WEIGHTED-ALIAS"),
        f"{FN}:aliased:dev": (1, "AWS-LAMBDA-1-ALIAS-ON-LATEST"),
    }
    assert lam[f"{FN}:aliased:live"]["tags"] == {"service": "aliased"}
    assert lam[f"{FN}:plain"]["tags"] == {"service": "plain"}
    # the emulator pages after 2 items: 3 aliases take 2 ListAliases calls
    assert ops.count(("lambda", "ListAliases")) == 3
    assert ops.count(("lambda", "ListFunctions")) == 1
    assert ops.count(("lambda", "ListEventSourceMappings")) == 1


def test_check_by_alias_arn_and_by_function_arn():
    from providers.aws.plugin import plugin

    with emulated(ESTATE) as (server, _):
        run = plugin.configure({})
        unit = run.check(f"{FN}:aliased:canary")
        assert unit.facts["additional_version_weight"].value == 0.1
        assert unit.tags == {"service": "aliased"}
        plain = run.check(f"{FN}:plain")
        assert classify(plain).rule == "AWS-LAMBDA-1-UNQUALIFIED"
        with pytest.raises(UsageError, match="has aliases .*live, canary, dev"):
            run.check(f"{FN}:aliased")
        with pytest.raises(NotFoundError, match="no such Lambda alias: aliased:nope"):
            run.check(f"{FN}:aliased:nope")
        with pytest.raises(NotFoundError, match="ghost"):
            run.check(f"{FN}:ghost")
        # a version is not a unit; alias names cannot be all digits (API_CreateAlias)
        sent = len(server.requests)
        for version in ("3", "$LATEST"):
            message = f"names version {re.escape(version)} of Lambda function aliased;"
            with pytest.raises(UsageError, match=message):
                run.check(f"{FN}:aliased:{version}")
        # refused before any Lambda request (the run lists the ARN's tags first)
        assert {operation_of(r)[0] for r in server.requests[sent:]} == {"tagging"}
