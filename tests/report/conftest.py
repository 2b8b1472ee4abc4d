"""A small scan result built from assessments, for report tests."""

from __future__ import annotations

import datetime as dt

import pytest

from scanner.model import Assessment, Evidence, ScanResult, ScopeError

HOSTILE = "<script>alert(1)</script>"


def unit(uid, level, service=None, provider="aws", account="111", **kw):
    tags = {"service": service} if service else {}
    tags.update(kw.pop("tags", {}))
    return Assessment(
        id=uid,
        provider=provider,
        kind="aws.codedeploy.deployment_group",
        name=uid.split(":")[-1],
        account=account,
        location="eu-west-2",
        tags=tags,
        level=level,
        status="assessed" if level else "not_assessed",
        rule=f"R-{level}" if level else None,
        reason=f"level {level} reason" if level else "not assessed, because X could not be read",
        evidence=[Evidence("api.field", f"value-{level}")],
        next_steps=["do the next thing"],
        service=service,
        **kw,
    )


@pytest.fixture
def result():
    r = ScanResult(started=dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC))
    r.finished = r.started + dt.timedelta(seconds=12)
    r.scopes = ["aws:111/eu-west-2", "aws:222/eu-west-2"]
    r.errors = [ScopeError("aws", "aws:222/eu-west-2", "elasticbeanstalk", "AccessDenied")]
    r.assessments = [
        unit("arn:pay:a", 5, "payments"),
        unit("arn:pay:b", 2, "payments"),
        unit("arn:portal:a", 4, "portal", tags={"note": HOSTILE}),
        unit("arn:hr:a", 1, "hr-tool", account="222"),
        unit("arn:data:a", None, "data"),
        unit("arn:loose:a", 3),
    ]
    return r
