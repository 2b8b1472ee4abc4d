"""Benchmark: scan a generated estate with the real `relscan scan` command.

    python benchmarks/scan_bench.py [--profile four-clouds] [--units 5000]
        [--latency-ms 20] [--concurrency 8] [--per-account 16] [--workers N]
    python benchmarks/scan_bench.py --profile beanstalk [--units 1600] [--region eu-west-2]
    python benchmarks/scan_bench.py --profile codedeploy [--units 1600] [--per-app 8]
    python benchmarks/scan_bench.py --profile aws-kinds [--units 1600] [--region eu-west-2]

Profiles:
- four-clouds (the default): the demo estate (scanner/demo/estate.yaml) copied
  until it holds about N units: AWS copies spread over eight regions, Azure
  copies in new subscriptions, GCP copies in new projects, OCI copies in new
  compartments.
- beanstalk: one AWS region of N Elastic Beanstalk environments (default 1,600),
  each answering DescribeConfigurationSettings with about 110 option settings
  (benchmarks/beanstalk_options.py).
- codedeploy: one AWS region of N CodeDeploy deployment groups (default 1,600),
  --per-app to an application (default 8, so 200 applications).
- aws-kinds: one AWS region of about N units (default 1,600) of the kinds of
  issue 16: half ECS services in 8 clusters (half of them in the first, so it
  holds more than 100), a quarter Auto Scaling groups (each with an instance
  refresh), a quarter Lambda units (functions with and without aliases, half
  with an event source mapping), cycling through the demo estate's entries.

Each cloud's emulator serves the estate on loopback with a fixed latency per
request and pages of --page-size items. The scan runs in a subprocess; this
script prints, each beside the issue's target where there is one: wall time,
requests made against the minimum the estate needs (benchmarks/minimum.py),
per AWS read too,
requests in flight at the emulators (max, mean while busy, mean over the scan),
the CPU seconds of the scan's processes (worker processes included) and CPU per
request, start-up (process start to the emulators' first request) and peak
memory summed over the scan's processes (benchmarks/launch.py). It is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.estate import (  # noqa: E402
    aws_kinds_region,
    aws_kinds_sizes,
    beanstalk_region,
    codedeploy_region,
    scale_estate,
)
from benchmarks.inflight import Timed, overlap  # noqa: E402
from benchmarks.minimum import aws_reads, minimum_requests  # noqa: E402
from providers.aws.emulator import app as aws  # noqa: E402
from providers.azure.emulator import app as azure  # noqa: E402
from providers.gcp.emulator import app as gcp  # noqa: E402
from providers.oci.emulator import app as oci  # noqa: E402
from scanner.demo.serve import load_estate  # noqa: E402
from scanner.emulators.server import LoopbackServer  # noqa: E402

RELSCAN = str(Path(sys.executable).parent / "relscan")
LAUNCH = Path(__file__).with_name("launch.py")  # measures the scan's own peak memory
EMULATOR_MODULES = {"aws": aws, "azure": azure, "gcp": gcp, "oci": oci}
DEFAULT_UNITS = {"four-clouds": 5000, "beanstalk": 1600, "codedeploy": 1600, "aws-kinds": 1600}

# The targets (issue 15), by profile.
TARGETS: dict[str, dict[str, Any]] = {
    "four-clouds": {"ratio": 1.1, "ideal_factor": 1.3, "memory_mb": 400},
    "beanstalk": {"ratio": 1.1, "wall": 5.0, "memory_mb": 200, "startup": 1.5},
    "codedeploy": {"ratio": 1.1, "wall": 3.0},
    "aws-kinds": {"ratio": 1.1},  # issue 16: requests only
}


def serve(
    estate: dict, latency: float, page: int, stack: ExitStack
) -> tuple[dict, dict, dict[str, Timed], dict[str, Any]]:
    """Start one emulator per cloud in `estate`; return the environment, the
    servers, the timers that record each request's time in flight, and the
    emulators (AWS's logs each call's operation)."""
    env: dict[str, str | None] = {}
    servers, timers, apps = {}, {}, {}
    makers = {
        "aws": aws.AwsEmulator,
        "azure": azure.AzureEmulator,
        "gcp": gcp.GcpEmulator,
        "oci": oci.OciEmulator,
    }
    for cloud in estate:
        app = apps[cloud] = makers[cloud](estate[cloud], page_size=page)
        timers[cloud] = Timed(app, latency)  # the timer sleeps the latency, not the server
        server = stack.enter_context(LoopbackServer(timers[cloud]))
        servers[cloud] = server
        if cloud == "oci":
            env.update(
                {
                    "RELSCAN_OCI_ENDPOINT": server.url + "/{region}",
                    "RELSCAN_OCI_TENANCY": app.tenancy,
                    "OCI_REGION": app.regions[0],
                }
            )
        elif cloud == "gcp":
            env.update(
                {
                    "RELSCAN_GCP_ENDPOINT": server.url,
                    "GOOGLE_APPLICATION_CREDENTIALS": None,
                    "GOOGLE_CLOUD_PROJECT": None,
                }
            )
        else:
            env.update(EMULATOR_MODULES[cloud].endpoint_env(server.url))
    return env, servers, timers, apps


def build(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """The estate (by cloud) and the AWS regions to scan, for the profile."""
    demo = load_estate()
    units = args.units or DEFAULT_UNITS[args.profile]
    if args.profile == "beanstalk":
        return {"aws": beanstalk_region(demo["aws"], units, args.region)}, [args.region]
    if args.profile == "codedeploy":
        part = codedeploy_region(demo["aws"], units, args.per_app, args.region)
        return {"aws": part}, [args.region]
    if args.profile == "aws-kinds":
        part = aws_kinds_region(demo["aws"], args.region, **aws_kinds_sizes(units))
        return {"aws": part}, [args.region]
    return scale_estate(demo, units)


def mark(value: float, limit: float | None, unit: str = "") -> str:
    if limit is None:
        return "(no target)"
    verdict = "met" if value <= limit else "NOT met"
    return f"(target <= {limit:g}{unit}: {verdict})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(DEFAULT_UNITS), default="four-clouds")
    parser.add_argument("--units", type=int, help="units (default: 5000, or 1600 in one region)")
    parser.add_argument("--region", default="eu-west-2", help="the single-region profiles' region")
    parser.add_argument("--per-app", type=int, default=8, help="codedeploy: groups an application")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--per-account", type=int, default=16)
    parser.add_argument("--workers", type=int, help="relscan's --workers (default: its own)")
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    target = TARGETS[args.profile]

    estate, regions = build(args)
    with ExitStack() as stack:
        env_changes, servers, timers, apps = serve(
            estate, args.latency_ms / 1000, args.page_size, stack
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GOOGLE_"))}
        for key, value in env_changes.items():
            if value is not None:
                env[key] = value
        out = Path(tempfile.mkdtemp()) / "scan.json"
        command = [RELSCAN, "scan"] + [a for cloud in estate for a in ("-p", cloud)]
        command += ["--no-store", "--quiet", "-f", "json", "-o", str(out)]
        command += ["--concurrency", str(args.concurrency), "--per-account", str(args.per_account)]
        command += [a for r in regions for a in ("--aws-region", r)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        usage_file = out.with_name("usage.json")
        launcher = [sys.executable, str(LAUNCH), str(usage_file)]
        done = subprocess.run(launcher + command, env=env, capture_output=True, text=True)
        usage = json.loads(usage_file.read_text())
        began, ended = usage["began"], usage["ended"]
        wall = ended - began
        peak_mb, cpu = usage["peak_sum_mb"], usage["user"] + usage["sys"]
        if usage["returncode"] not in (0, 3):
            sys.exit(f"scan failed ({usage['returncode']}): {done.stderr[-2000:]}")
        doc = json.loads(out.read_text())
        made = {cloud: len(server.requests) for cloud, server in servers.items()}
        aws_made = (
            Counter(f"{svc}:{op}" for svc, op, _ in apps["aws"].calls) if "aws" in apps else {}
        )
        intervals = [i for timer in timers.values() for i in timer.snapshot()]
    firsts = [t.first_start() for t in timers.values()]
    startup = min((f for f in firsts if f is not None), default=ended) - began
    flight = overlap(intervals, (began, ended))
    units = doc["summary"]["total"]
    minimum = minimum_requests(estate, regions, args.page_size)
    total_made, total_min = sum(made.values()), sum(minimum.values())
    by_provider = Counter(u["provider"] for u in doc["resources"])

    print(
        f"profile {args.profile}: units {units} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_provider.items()))}); "
        f"scopes: {len(doc['scan']['scopes'])}; scope errors: {len(doc['scan']['errors'])}"
    )
    for cloud in sorted(made):
        print(
            f"  {cloud:6} requests {made[cloud]:6}  minimum {minimum[cloud]:6}  "
            f"ratio {made[cloud] / max(minimum[cloud], 1):.2f}"
        )
    if "aws" in estate:
        aws_minimum = aws_reads(estate["aws"], regions, args.page_size)
        for read in sorted(set(aws_minimum) | set(aws_made)):
            sent, least = aws_made.get(read, 0), aws_minimum.get(read, 0)
            if not sent and not least:
                continue  # a kind the profile does not hold
            share = f"{sent / least:.2f}" if least else "over: the minimum is 0"
            print(f"    {read:48} {sent:6} / {least:6}  {share}")
    ratio = total_made / max(total_min, 1)
    print(
        f"requests: {total_made} made, {total_min} minimum, ratio {ratio:.2f} "
        f"{mark(ratio, target['ratio'], ' x minimum')}"
    )
    ideal = total_made * args.latency_ms / 1000 / args.concurrency
    if "ideal_factor" in target:
        limit = target["ideal_factor"] * ideal + startup
        print(
            f"wall time: {wall:.1f} s; requests x latency / concurrency = {ideal:.1f} s; "
            f"ratio {wall / max(ideal, 1e-9):.2f} "
            f"(target <= {target['ideal_factor']} x that + start-up = {limit:.1f} s: "
            f"{'met' if wall <= limit else 'NOT met'})"
        )
    else:
        serial = total_made * args.latency_ms / 1000
        print(
            f"wall time: {wall:.1f} s {mark(wall, target.get('wall'), ' s')}; "
            f"requests x latency, one at a time = {serial:.1f} s"
        )
    print(
        f"requests in flight at the emulator{'s' if len(timers) > 1 else ''}: max {flight.max}, "
        f"mean {flight.mean_busy:.2f} while any was in flight ({flight.busy:.1f} s), "
        f"mean {flight.mean_overall:.2f} over the whole scan (no target; "
        f"--concurrency {args.concurrency}, --per-account {args.per_account})"
    )
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"CPU: scan's processes {cpu:.1f} s user+sys ({cpu / wall:.2f} cores); "
        f"{cpu / max(total_made, 1) * 1000:.1f} ms per request, so one core allows at most "
        f"{total_made / max(cpu, 1e-9):.0f} requests/s (no target); "
        f"emulators and harness {own.ru_utime + own.ru_stime:.1f} s"
    )
    print(
        f"start-up (process start to first request): {startup:.2f} s "
        f"{mark(startup, target.get('startup'), ' s')}"
    )
    memory_target = mark(peak_mb, target.get("memory_mb"), " MB")
    if args.profile == "four-clouds" and (args.units or 5000) > 10000:
        memory_target = "(target at 20,000 units: <= 1.3 x the 5,000-unit figure)"
    print(
        f"peak memory, summed over the scan's {usage['processes']} process(es) "
        f"(each one's VmHWM, benchmarks/launch.py): {peak_mb:.0f} MB {memory_target}; "
        f"largest resident sum seen at once {usage['rss_sum_mb']:.0f} MB; largest process "
        f"{usage['peak_mb']:.0f} MB; units per second {units / wall:.0f}"
    )
    print(
        f"run id {uuid.uuid4().hex[:8]}; latency {args.latency_ms} ms; page size "
        f"{args.page_size}; concurrency {args.concurrency}, per account {args.per_account}, "
        f"workers {args.workers or 'default'}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
