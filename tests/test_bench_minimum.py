"""The benchmark's minimum (benchmarks/minimum.py) is the number of requests a
scan makes, read by read: small estates of each AWS profile's shape, served by
the emulator with AWS's page sizes (pages of 100, as the benchmark serves),
scanned in this process, and each read's requests counted. Nothing is timed.

The aws-kinds estate is just big enough to cross every page and batch boundary
of issue 16's reads: 102 services in one cluster (two ListServices pages of
100, eleven DescribeServices of 10), 101 Auto Scaling groups (two
DescribeAutoScalingGroups pages of 100) and 51 Lambda functions (two
ListFunctions pages of 50). A reader that asked for smaller pages or batches,
or read anything twice, would send more than the minimum and fail here.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from benchmarks.estate import aws_kinds_region, beanstalk_region, codedeploy_region, scale_estate
from benchmarks.minimum import aws_reads
from providers.aws.emulator.app import AwsEmulator, endpoint_env
from providers.aws.plugin import plugin
from scanner.demo.serve import load_estate, patched_environ
from scanner.emulators.server import LoopbackServer
from scanner.engine import run_scan

REGION = "eu-west-2"
AWS_PAGE = 100  # the benchmark's --page-size default: the APIs' own page sizes


def counted(estate: dict[str, Any], regions: list[str], page: int) -> tuple[Counter, int]:
    """Requests by read ("service:Operation") of one scan, and its units."""
    app = AwsEmulator(json.loads(json.dumps(estate)), page_size=page)
    with LoopbackServer(app) as server, patched_environ(endpoint_env(server.url)):
        run = plugin.configure({"aws_region": regions})
        result = run_scan([(run, run.scopes())], concurrency=8)
    assert result.errors == []
    return Counter(f"{service}:{op}" for service, op, _ in app.calls), len(result.assessments)


def kinds_estate() -> dict[str, Any]:
    return aws_kinds_region(
        load_estate()["aws"], REGION, services=203, clusters=3, groups=101, functions=51
    )


def test_the_aws_kinds_estate_crosses_every_page_and_batch_boundary():
    minimum = aws_reads(kinds_estate(), [REGION], AWS_PAGE)
    assert minimum["ecs:ListClusters"] == 1
    assert minimum["ecs:ListServices"] == 2 + 1 + 1  # 102 services, then 51 and 50
    assert minimum["ecs:DescribeServices"] == 11 + 6 + 5
    assert minimum["autoscaling:DescribeAutoScalingGroups"] == 2
    assert minimum["autoscaling:DescribeInstanceRefreshes"] == 101
    assert minimum["lambda:ListFunctions"] == 2
    assert minimum["lambda:ListAliases"] == 51
    assert minimum["lambda:ListEventSourceMappings"] == 1  # 26 mappings
    # 254 tagged (not the groups) in the region, and the global scope's own listing
    assert minimum["resourcegroupstaggingapi:GetResources"] == 3 + 1


@pytest.mark.parametrize(
    ("name", "build", "page"),
    [
        ("aws-kinds", kinds_estate, AWS_PAGE),
        ("beanstalk", lambda: beanstalk_region(load_estate()["aws"], 24, REGION), AWS_PAGE),
        ("codedeploy", lambda: codedeploy_region(load_estate()["aws"], 48, 2, REGION), AWS_PAGE),
        # the four-clouds profile's AWS part: every kind, eight regions, most empty
        ("four-clouds aws", lambda: scale_estate(load_estate(), 1)[0]["aws"], AWS_PAGE),
        # the same with the emulator's test pages of 2: the formula follows the page
        ("four-clouds aws, pages of 2", lambda: scale_estate(load_estate(), 1)[0]["aws"], 2),
    ],
)
def test_a_scan_sends_each_read_exactly_its_minimum(name, build, page):
    estate = build()
    regions = estate["regions"]
    made, units = counted(estate, regions, page)
    minimum = {read: n for read, n in aws_reads(estate, regions, page).items() if n}
    assert dict(made) == minimum, name
    assert units > 0


def test_every_read_a_kind_declares_has_its_line_in_the_minimum():
    """A kind that adds a read (issue 16's ListFunctionUrlConfigs, say) adds its
    line to benchmarks/minimum.py's AWS_READS, or the benchmark's minimum would
    leave it out."""
    from benchmarks.minimum import AWS_GLOBAL_READS, AWS_READS, CHECK_ONLY
    from providers.aws.history import history_reads

    # the minimum is a scan's without --history: the release records' reads
    # (providers/aws/history.py) are counted apart
    for kind in plugin.aws_kinds():
        lines = AWS_GLOBAL_READS if kind.global_service else AWS_READS
        counted_reads = {read for name, read, _ in lines if name == kind.name}
        assert counted_reads == set(kind.reads) - CHECK_ONLY - history_reads(), kind.name
