"""What `--history` costs in requests, on the demo estate.

Serves the built-in demo estate's four clouds from the emulators (pages of
--page-size items, as scan_bench does), scans them twice in a subprocess,
without and with `--history DAYS`, and counts the requests each emulator
answered. The difference, per cloud, is what reading the release records
cost; it is divided by the units that got records (a practice block whose
status is not "no_records"), and AWS's is broken down by operation.

    python benchmarks/history_cost.py [--days 90] [--page-size 100]

docs/performance.md ("Release records") quotes a run and gives each
source's cost per unit per 90 days from the formulas in docs/<cloud>.md.
The demo's histories are rhythms relative to now (scanner/emulators/releases.py),
so a run's numbers move a little with the day of the week it runs on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scan_bench import RELSCAN, serve  # noqa: E402
from scanner.demo.serve import load_estate  # noqa: E402

CLOUDS = ("aws", "azure", "gcp", "oci")


def scan(estate: dict[str, Any], page: int, days: int | None) -> tuple[dict, Counter, Counter]:
    """One scan of `estate`: its JSON, the requests each cloud answered, and
    AWS's requests by operation."""
    with ExitStack() as stack:
        changes, servers, _, apps = serve(estate, 0.0, page, stack)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GOOGLE_"))}
        env.update({k: v for k, v in changes.items() if v is not None})
        out = Path(tempfile.mkdtemp()) / "scan.json"
        command = [RELSCAN, "scan", *[a for c in estate for a in ("-p", c)]]
        command += ["--no-store", "--quiet", "-f", "json", "-o", str(out)]
        if days:
            command += ["--history", str(days)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode not in (0, 3):
            sys.exit(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
        made = Counter({cloud: len(server.requests) for cloud, server in servers.items()})
        operations = Counter(f"{svc}:{op}" for svc, op, _ in apps["aws"].calls)
        return json.loads(out.read_text()), made, operations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    demo = load_estate()
    estate = {cloud: demo[cloud] for cloud in CLOUDS}
    _, before, ops_before = scan(estate, args.page_size, None)
    doc, after, ops_after = scan(estate, args.page_size, args.days)
    with_records: Counter[str] = Counter()
    releases: Counter[str] = Counter()
    for unit in doc["resources"]:
        practice = unit.get("practice")
        if practice and practice["status"] != "no_records":
            with_records[unit["provider"]] += 1
            releases[unit["provider"]] += practice["release_count"]
    print(f"--history {args.days}, pages of {args.page_size}: requests without / with")
    for cloud in CLOUDS:
        extra = after[cloud] - before[cloud]
        units = with_records[cloud]
        per_unit = f"{extra / units:.1f}" if units else "-"
        print(
            f"  {cloud:6} {before[cloud]:5} / {after[cloud]:5}: +{extra} for {units} units "
            f"with records ({releases[cloud]} releases): {per_unit} a unit"
        )
    print("  aws by operation (added):")
    for op, count in sorted((ops_after - ops_before).items()):
        print(f"    {op:45} {count}")


if __name__ == "__main__":
    main()
