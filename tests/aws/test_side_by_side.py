"""A busy AWS region is read side by side: Beanstalk settings per environment
and CodeDeploy applications overlap, up to --per-account requests in flight,
and the result is the one a one-at-a-time read gives."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.estate import beanstalk_region, codedeploy_region
from benchmarks.inflight import Timed, overlap
from providers.aws.emulator.app import AwsEmulator, endpoint_env
from providers.aws.plugin import plugin
from scanner.demo.serve import load_estate, patched_environ
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan
from tests.aws.inproc import verdicts

REGION = "eu-west-2"


def scan_in_flight(estate: dict[str, Any], per_account: int) -> tuple[dict, int, int]:
    """The verdicts, the most requests in flight, and the requests made."""
    timed = Timed(AwsEmulator(json.loads(json.dumps(estate))), latency=0.005)
    with LoopbackServer(timed) as server, patched_environ(endpoint_env(server.url)):
        run = plugin.configure({"aws_region": [REGION]})
        result = run_scan([(run, run.scopes())], concurrency=8, per_account=per_account)
    assert result.errors == []
    intervals = timed.snapshot()
    return verdicts(result), overlap(intervals, (0.0, 1.0)).max, len(intervals)


@pytest.mark.parametrize(
    "estate",
    [
        beanstalk_region(load_estate()["aws"], 24, REGION),
        codedeploy_region(load_estate()["aws"], 48, 2, REGION),
    ],
    ids=["beanstalk settings", "codedeploy applications"],
)
def test_per_unit_reads_overlap_within_the_account_limit_and_change_nothing(estate):
    serial, serial_peak, serial_requests = scan_in_flight(estate, per_account=1)
    side_by_side, peak, requests = scan_in_flight(estate, per_account=4)
    assert serial_peak == 1
    assert 1 < peak <= 4
    assert side_by_side == serial  # the same units, verdicts and evidence
    assert len(serial) in (24, 48)
    assert requests == serial_requests  # one GetDeploymentConfig per name, side by side too


def test_units_get_their_tags_by_arn_while_the_tag_listing_overlaps_the_kinds():
    """The tag listing is read beside the kinds; every unit still carries the
    tags the tagging API gives its ARN (the estates tag each unit)."""
    estate = beanstalk_region(load_estate()["aws"], 24, REGION)
    found, peak, _ = scan_in_flight(estate, per_account=4)
    tagged = {arn: v["tags"] for arn, v in found.items()}
    assert len(tagged) == 24 and all(tags for tags in tagged.values())
    assert 1 < peak <= 4
