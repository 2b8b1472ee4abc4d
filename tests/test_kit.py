"""The providers' shared toolkit (scanner/kit/): one reading of each thing
every cloud sends, so the clouds cannot drift apart."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from scanner.kit.retry_after import MAX_WAIT, retry_after


def _in(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "3"}, 3.0),  # RFC 9110 delta-seconds
        ({"retry-after": "0"}, 0.0),
        ({"Retry-After": "-5"}, 0.0),  # never negative
        ({"Retry-After": "86400"}, MAX_WAIT),  # never longer than the cap
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # RFC 9110's own example date
        ({"retry-after-ms": "1500"}, 1.5),  # Azure's millisecond forms win over seconds
        ({"x-ms-retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"x-ms-retry-after-ms": "many", "Retry-After": "9"}, 9.0),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_reads_every_form_a_service_sends(headers, wait):
    assert retry_after(headers) == wait


def test_an_http_date_is_the_time_until_it():
    assert 25 <= (retry_after({"Retry-After": _in(30)}) or 0) <= 30


def test_a_caller_may_set_a_shorter_cap_and_case_insensitive_headers_work():
    headers = requests.structures.CaseInsensitiveDict({"RETRY-AFTER": "45"})
    assert retry_after(headers, cap=10) == 10.0


def test_a_fact_that_is_not_a_scalar_is_shown_as_the_apis_own_json():
    from scanner.facts import plain

    assert plain({"b": 1, "a": [True, None]}) == '{"a": [true, null], "b": 1}'
    assert plain(["x", 2]) == '["x", 2]'  # a list of strings stays a list, others are text
    assert plain(["x", "y"]) == ["x", "y"]
    assert plain(object.__new__(object)).startswith("<object object")


def test_a_path_template_matches_one_segment_per_parameter_and_the_rest_literally():
    from scanner.kit.paths import template_regex

    arm = template_regex("/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites",
                         trailing_slash=True, ignore_case=True)  # fmt: skip
    assert arm.match("/subscriptions/0000/providers/microsoft.web/sites/")
    assert not arm.match("/subscriptions/0000/x/providers/Microsoft.Web/sites")
    assert not arm.match("/subscriptions//providers/Microsoft.Web/sites")  # one non-empty segment
    assert not arm.match("/subscriptions/0000/providers/Microsoft-Web/sites")  # "." is literal
    oci = template_regex("/20160918/compartments/{compartmentId}", suffix_of_path=True)
    assert oci.search("/uk-london-1/20160918/compartments/ocid1.compartment.oc1..x")
    assert not oci.search("/20160918/compartments/a/b")
    assert not oci.search("/x20160918/compartments/a")
