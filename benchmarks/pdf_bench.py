"""Benchmark: the PDF report of N release units.

    relscan demo --output-dir /tmp/demo -q
    python benchmarks/pdf_bench.py /tmp/demo/relscan-demo.json --units 60 300

Copies the scan's units (under new ids and names) until there are N, renders
the PDF as `relscan report -f pdf` does, and prints wall time, CPU time and the
process's peak memory for each N. It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import copy
import resource
import time
from pathlib import Path

from scanner.outputs import SCAN_FORMATS
from scanner.outputs.json_out import read_scan_file
from scanner.report import RenderOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scan", type=Path, help="a scan document (relscan's JSON output)")
    parser.add_argument("--units", type=int, nargs="+", default=[60, 300])
    args = parser.parse_args()
    result = read_scan_file(str(args.scan)).result
    base = list(result.assessments)
    for n in args.units:
        result.assessments = []
        for i in range(n):
            unit = copy.deepcopy(base[i % len(base)])
            copy_no = i // len(base)
            unit.id, unit.name = f"{unit.id}-{copy_no}", f"{unit.name}-{copy_no}"
            result.assessments.append(unit)
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = SCAN_FORMATS["pdf"](result, RenderOptions())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n} units: {wall:.1f} s wall, {cpu:.1f} s CPU, {len(pdf) // 1024} KiB, "
              f"peak RSS so far {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
