"""How long assigning services takes with many `--assign` patterns.

    python benchmarks/services_bench.py --patterns 50000 --units 300

Builds `--units` assessments with ids of every provider's form and `--patterns`
assignments (four in five with a wildcard, one in five an exact id, none of
them matching before the last few, which is the slow case: every unit is
tried against every pattern), then times parsing the patterns and assigning a
service to every unit. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import time

from scanner.model import Assessment
from scanner.services import Assignment, ServiceConfig, assign_services

IDS = (
    "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:app-{i}/prod",
    "/subscriptions/0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4/resourceGroups/rg-{i}/providers/"
    "Microsoft.Web/sites/portal-{i}",
    "//run.googleapis.com/projects/portal-prod/locations/europe-west2/services/svc-{i}",
    "ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaa{i:08d}",
)


def units(count: int) -> list[Assessment]:
    out = []
    for i in range(count):
        rid = IDS[i % len(IDS)].format(i=i)
        out.append(
            Assessment(
                id=rid, provider="aws", kind="k", name=f"u{i}", account="a", location="l",
                tags={}, level=None, status="not_assessed", rule=None, reason="r",
                evidence=[], next_steps=[],
            )
        )  # fmt: skip
    return out


def patterns(count: int, unit_count: int, leading_star: bool = False) -> list[str]:
    texts = []
    for i in range(count):
        j = i + unit_count  # no unit has this number: nothing matches early
        if i % 5 == 0:
            texts.append(IDS[i % len(IDS)].format(i=j) + f"=svc-{i}")
        else:
            texts.append(IDS[i % len(IDS)].format(i=j).rsplit("-", 1)[0] + f"-{j}*=svc-{i}")
    texts += [f"*{IDS[k].split(':')[0][:6]}*=catch-all-{k}" for k in range(len(IDS))]
    if leading_star:  # the worst case: no literal prefix narrows the patterns down
        texts = ["*" + t.split(":", 1)[-1] for t in texts]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--leading-star", action="store_true", help="every pattern starts with '*'")
    args = parser.parse_args()
    texts = patterns(args.patterns, args.units, args.leading_star)
    assessments = units(args.units)
    started = time.perf_counter()
    config = ServiceConfig(assignments=[Assignment.parse(t) for t in texts])
    parsed = time.perf_counter()
    assign_services(assessments, config)
    done = time.perf_counter()
    assigned = sum(1 for a in assessments if a.service)
    print(
        f"{len(texts)} patterns, {len(assessments)} units: parse {parsed - started:.2f} s, "
        f"assign {done - parsed:.2f} s ({assigned} units assigned)"
    )


if __name__ == "__main__":
    main()
