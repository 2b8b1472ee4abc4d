"""Services by tag or id pattern; a service's level is its weakest unit's."""

from __future__ import annotations

import pytest

from scanner.errors import UsageError
from scanner.services import Assignment, ServiceConfig, assign_services, rollup
from tests.report.conftest import unit


def test_tag_keys_are_tried_in_order():
    config = ServiceConfig()
    assert config.service_of(unit("x", 1, tags={"Service": "B", "app": "C"})) == "B"
    assert config.service_of(unit("x", 1, tags={"app": "C"})) == "C"
    assert config.service_of(unit("x", 1, tags={"service": " ", "app": "C"})) == "C"
    assert config.service_of(unit("x", 1, tags={"team": "D"})) is None


def test_explicit_assignment_overrides_tags_and_ignores_case():
    config = ServiceConfig(assignments=[Assignment.parse("ARN:AWS:*:legacy/*=hr-tool")])
    a = unit("arn:aws:codedeploy:eu-west-2:1:deploymentgroup:legacy/batch", 1, "payments")
    assert config.service_of(a) == "hr-tool"


def test_custom_tag_keys():
    assert ServiceConfig(tag_keys=("team",)).service_of(unit("x", 1, tags={"team": "T"})) == "T"


@pytest.mark.parametrize("text", ["no-equals", "=svc", "pattern="])
def test_malformed_assignment_is_refused(text):
    with pytest.raises(UsageError, match="expected ID_PATTERN=SERVICE"):
        Assignment.parse(text)


def test_service_level_is_the_lowest_assessed_and_unassigned_is_counted(result):
    assign_services(result.assessments, ServiceConfig())
    groups = {r.name: r for r in rollup(result.assessments, "service")}
    assert groups["payments"].level == 2
    assert groups["payments"].distribution == {
        "1": 0,
        "2": 1,
        "3": 0,
        "4": 0,
        "5": 1,
        "not_assessed": 0,
    }
    assert groups["data"].level == 0  # nothing assessed: "I don't know"
    assert [u.id for u in groups["Unassigned"].units] == ["arn:loose:a"]
    assert list(groups)[-1] == "Unassigned"


def test_estate_per_provider_and_account(result):
    by_account = {r.name: r.level for r in rollup(result.assessments, "account")}
    assert by_account == {"aws:111": 2, "aws:222": 1}
    assert [r.level for r in rollup(result.assessments, "provider")] == [1]
