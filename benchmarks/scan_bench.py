"""Benchmark: scan a generated estate of N release units across the four clouds.

    python benchmarks/scan_bench.py [--units 5000] [--latency-ms 20] [--concurrency 8]

The estate is the demo estate (scanner/demo/estate.yaml) copied until it holds
about N units: AWS copies spread over eight regions, Azure copies in new
subscriptions, GCP copies in new projects, OCI copies in new compartments.
Each cloud's emulator serves it on loopback with a fixed latency per request
and pages of --page-size items. The scan runs as the real `relscan scan`
command in a subprocess; this script prints wall time, requests made against
the minimum the estate needs (counted from page and batch sizes), units per
second and the scan process's peak memory. It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.estate import scale_estate  # noqa: E402
from benchmarks.minimum import minimum_requests  # noqa: E402
from providers.aws.emulator import app as aws  # noqa: E402
from providers.azure.emulator import app as azure  # noqa: E402
from providers.gcp.emulator import app as gcp  # noqa: E402
from providers.oci.emulator import app as oci  # noqa: E402
from scanner.demo.serve import load_estate  # noqa: E402
from scanner.emulators.server import LoopbackServer  # noqa: E402

RELSCAN = str(Path(sys.executable).parent / "relscan")
EMULATOR_MODULES = {"aws": aws, "azure": azure, "gcp": gcp, "oci": oci}


def serve(estate: dict, latency: float, page: int, stack: ExitStack) -> tuple[dict, dict]:
    """Start one emulator per cloud; return the environment and the servers."""
    env: dict[str, str | None] = {}
    servers = {}
    apps = {
        "aws": aws.AwsEmulator(estate["aws"], page_size=page),
        "azure": azure.AzureEmulator(estate["azure"], page_size=page),
        "gcp": gcp.GcpEmulator(estate["gcp"], page_size=page),
        "oci": oci.OciEmulator(estate["oci"], page_size=page),
    }
    for cloud, app in apps.items():
        server = stack.enter_context(LoopbackServer(app, latency=latency))
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
    return env, servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--per-account", type=int, default=4)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    estate, regions = scale_estate(load_estate(), args.units)
    with ExitStack() as stack:
        env_changes, servers = serve(estate, args.latency_ms / 1000, args.page_size, stack)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GOOGLE_"))}
        for key, value in env_changes.items():
            if value is not None:
                env[key] = value
        out = Path(tempfile.mkdtemp()) / "scan.json"
        command = [
            RELSCAN,
            "scan",
            "-p",
            "aws",
            "-p",
            "azure",
            "-p",
            "gcp",
            "-p",
            "oci",
            "--no-store",
            "--quiet",
            "-f",
            "json",
            "-o",
            str(out),
            "--concurrency",
            str(args.concurrency),
            "--per-account",
            str(args.per_account),
        ] + [a for r in regions for a in ("--aws-region", r)]
        began = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.monotonic() - began
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb, cpu = child.ru_maxrss / 1024, child.ru_utime + child.ru_stime
        if done.returncode not in (0, 3):
            sys.exit(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
        doc = json.loads(out.read_text())
        made = {cloud: len(server.requests) for cloud, server in servers.items()}
    units = doc["summary"]["total"]
    minimum = minimum_requests(estate, regions, args.page_size)
    total_made, total_min = sum(made.values()), sum(minimum.values())
    ideal = total_made * args.latency_ms / 1000 / args.concurrency
    by_provider = Counter(u["provider"] for u in doc["resources"])
    print(
        f"units: {units} ({', '.join(f'{k} {v}' for k, v in sorted(by_provider.items()))}); "
        f"scopes: {len(doc['scan']['scopes'])}; scope errors: {len(doc['scan']['errors'])}"
    )
    for cloud in sorted(made):
        print(
            f"  {cloud:6} requests {made[cloud]:6}  minimum {minimum[cloud]:6}  "
            f"ratio {made[cloud] / max(minimum[cloud], 1):.2f}"
        )
    print(
        f"requests: {total_made} made, {total_min} minimum, ratio "
        f"{total_made / max(total_min, 1):.2f} (target <= 1.10)"
    )
    print(
        f"wall time: {wall:.1f} s; requests x latency / concurrency = {ideal:.1f} s; "
        f"ratio {wall / max(ideal, 1e-9):.2f} (target <= 1.50)"
    )
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"units per second: {units / wall:.0f}; CPU: scan process {cpu:.1f} s "
        f"({cpu / wall:.2f} cores), emulators {own.ru_utime + own.ru_stime:.1f} s"
    )
    print(f"peak memory of the scan process: {peak_mb:.0f} MB (target < 300 MB at 5,000)")
    print(
        f"run id {uuid.uuid4().hex[:8]}; latency {args.latency_ms} ms; page size "
        f"{args.page_size}; concurrency {args.concurrency}, per account {args.per_account}; "
        f"{math.ceil(units)} units"
    )


if __name__ == "__main__":
    main()
