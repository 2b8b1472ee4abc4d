"""Function URLs without a qualifier (issue 16: unqualified invocations of a
function with aliases go in the evidence).

botocore's lambda examples-1.json has no ListFunctionUrlConfigs example and
the AWS CLI reference shows none, so the Stubber answers follow the API
reference's FunctionUrlConfig
(https://docs.aws.amazon.com/lambda/latest/api/API_FunctionUrlConfig.html):
a URL's FunctionArn carries its qualifier, which can only be an alias name
(FunctionUrlQualifier). moto 5.2.5 does not implement the call (404)."""

from __future__ import annotations

from botocore.stub import Stubber

from providers.aws.lambda_functions import LambdaReader
from scanner.classify import classify
from scanner.model import Observation
from tests.aws.conftest import ACCOUNT, REGION
from tests.aws.inproc import emulated, operation_of
from tests.aws.test_lambda import ALIASES, MY_FUNCTION, assess_all

FIELD = "FunctionUrlConfig.FunctionUrl (FunctionArn unqualified)"
ARN = "arn:aws:lambda:us-west-2:123456789012:function:my-function"
UNQUALIFIED_URL = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-2.on.aws/"
ALIAS_URL = "https://0123456789abcdefghijklmnopqrstuv.lambda-url.us-west-2.on.aws/"


def url_config(url, arn):
    return {
        "FunctionUrl": url,
        "FunctionArn": arn,
        "CreationTime": "2026-11-01T09:00:00.000Z",
        "LastModifiedTime": "2026-11-01T09:00:00.000Z",
        "AuthType": "AWS_IAM",
        "InvokeMode": "BUFFERED",
    }


URLS = {
    "FunctionUrlConfigs": [
        url_config(UNQUALIFIED_URL, ARN),
        url_config(ALIAS_URL, f"{ARN}:BLUE"),
    ]
}


def test_each_alias_shows_the_functions_unqualified_urls_and_keeps_its_level(clients):
    found = assess_all(clients, [MY_FUNCTION], {"my-function": ALIASES["Aliases"]}, urls=URLS)
    blue, green = found["my-function:BLUE"], found["my-function:GREEN"]
    assert (blue.level, blue.rule) == (4, "AWS-LAMBDA-4-WEIGHTED-ALIAS")
    assert (green.level, green.rule) == (3, "AWS-LAMBDA-3-ALIAS-ON-VERSION")
    for a in (blue, green):
        assert {e.field: e.value for e in a.evidence}[FIELD] == [UNQUALIFIED_URL]


def test_urls_only_on_an_alias_show_nothing(clients):
    only_alias = {"FunctionUrlConfigs": [url_config(ALIAS_URL, f"{ARN}:BLUE")]}
    found = assess_all(clients, [MY_FUNCTION], {"my-function": ALIASES["Aliases"]}, urls=only_alias)
    assert not any(e.field == FIELD for e in found["my-function:BLUE"].evidence)


def _units(clients, function, aliases, queue_urls):
    reader = LambdaReader(clients, ACCOUNT, "us-west-2", "aws:test")
    with Stubber(reader.client) as stub:
        stub.add_response(
            "list_event_source_mappings", {"EventSourceMappings": []}, {"MaxItems": 100}
        )
        stub.add_response("list_functions", {"Functions": [function]}, {"MaxItems": 50})
        stub.add_response(
            "list_aliases",
            {"Aliases": aliases},
            {"FunctionName": function["FunctionName"], "MaxItems": 10000},
        )
        queue_urls(stub)
        units = list(reader.collect())
        stub.assert_no_pending_responses()
    return units


def test_a_function_without_aliases_is_not_asked_for_its_urls(clients):
    [unit] = _units(clients, MY_FUNCTION, [], lambda stub: None)
    fact = unit.facts["unqualified_function_urls"]
    assert (fact.known, fact.value) == (True, [])
    assert fact.field == (
        "FunctionUrlConfig.FunctionUrl (not read: a function without aliases is called "
        "unqualified anyway)"
    )
    assert classify(unit).rule == "AWS-LAMBDA-1-UNQUALIFIED"


def test_a_denied_url_read_is_an_unknown_fact_and_changes_no_level(clients):
    def denied(stub):
        stub.add_client_error(
            "list_function_url_configs",
            service_error_code="AccessDeniedException",
            service_message="not authorized to perform: lambda:ListFunctionUrlConfigs",
            http_status_code=403,
            expected_params={"FunctionName": "my-function", "MaxItems": 50},
        )

    [unit] = _units(clients, MY_FUNCTION, [ALIASES["Aliases"][0]], denied)
    fact = unit.facts["unqualified_function_urls"]
    assert not fact.known
    assert fact.field == FIELD
    assert fact.error == (
        "AccessDeniedException on ListFunctionUrlConfigs: not authorized to perform: "
        "lambda:ListFunctionUrlConfigs"
    )
    a = classify(unit)
    assert (a.level, a.rule) == (4, "AWS-LAMBDA-4-WEIGHTED-ALIAS")


def test_urls_are_paged_at_50(clients):
    first = {"FunctionUrlConfigs": [url_config(UNQUALIFIED_URL, ARN)], "NextMarker": "m1"}
    second = {"FunctionUrlConfigs": [url_config(ALIAS_URL.replace("0123", "9999"), ARN)]}

    def paged(stub):
        stub.add_response(
            "list_function_url_configs", first, {"FunctionName": "my-function", "MaxItems": 50}
        )
        stub.add_response(
            "list_function_url_configs",
            second,
            {"FunctionName": "my-function", "MaxItems": 50, "Marker": "m1"},
        )

    [unit] = _units(clients, MY_FUNCTION, [ALIASES["Aliases"][1]], paged)
    assert unit.facts["unqualified_function_urls"].value == [
        UNQUALIFIED_URL,
        ALIAS_URL.replace("0123", "9999"),
    ]


# -- through the emulator ------------------------------------------------------
ESTATE = {
    "account": ACCOUNT,
    "regions": [REGION],
    "lambda": [
        {"region": REGION, "name": "plain", "urls": [{"AuthType": "NONE"}]},
        {
            "region": REGION,
            "name": "aliased",
            "aliases": [{"Name": "live", "FunctionVersion": "3"}],
            # three URLs: the emulator pages after 2
            "urls": [{"qualifier": "live"}, {"AuthType": "NONE"}, {"qualifier": "live"}],
        },
    ],
}
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"


def _collected(estate):
    from providers.aws.plugin import plugin

    with emulated(estate) as (server, _app):
        run = plugin.configure({"aws_region": (REGION,)})
        items = [x for scope in run.scopes() for x in run.collect(scope)]
        checked = run.check(f"{FN}:aliased:live")
        ops = [operation_of(r) for r in server.requests]
    units = {o.id: o for o in items if isinstance(o, Observation)}
    return units, ops, checked, [x for x in items if not isinstance(x, Observation)]


def test_the_emulator_answers_urls_for_aliased_functions_only():
    units, ops, checked, errors = _collected(ESTATE)
    assert not errors
    live = units[f"{FN}:aliased:live"].facts["unqualified_function_urls"]
    [url] = live.value
    assert url.startswith("https://") and url.endswith(f".lambda-url.{REGION}.on.aws/")
    assert live.field == FIELD
    assert units[f"{FN}:plain"].facts["unqualified_function_urls"].value == []
    # the aliased function's 3 URLs take 2 pages; the plain function is not asked
    assert ops.count(("lambda", "ListFunctionUrlConfigs")) == 2 + 2  # scan, then check
    # check by ARN gives the scan's facts
    assert {n: (f.field, f.value) for n, f in checked.facts.items()} == {
        n: (f.field, f.value) for n, f in units[f"{FN}:aliased:live"].facts.items()
    }


def test_a_denied_url_read_through_the_emulator_is_unknown_with_the_error():
    estate = {**ESTATE, "faults": [{"service": "lambda", "operation": "ListFunctionUrlConfigs"}]}
    units, _, _, errors = _collected(estate)
    assert not errors
    fact = units[f"{FN}:aliased:live"].facts["unqualified_function_urls"]
    assert not fact.known
    assert fact.error.startswith("AccessDeniedException on ListFunctionUrlConfigs: ")
    assert classify(units[f"{FN}:aliased:live"]).rule == "AWS-LAMBDA-3-ALIAS-ON-VERSION"
