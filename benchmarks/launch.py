"""Run a command and write its own resource use to a JSON file:

    python benchmarks/launch.py RESULT.json COMMAND [ARG ...]

Why a separate, small process: on Linux a child's ru_maxrss keeps the high-water
mark of the address space it replaced at exec, and subprocess starts children
with vfork, whose address space is the parent's. So RUSAGE_CHILDREN measured in
the benchmark itself (which holds the estate and the emulators, 200-300 MB)
reports at least the benchmark's own size, not the scan's. Started from this
process, which imports nothing heavy, the scan's figure is its own.

Written: the scan's exit code, peak resident memory (MB), user and system CPU
seconds, and time.monotonic() just before the start and just after the end
(CLOCK_MONOTONIC is system-wide, so the benchmark compares them with its own).
"""

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    out, command = sys.argv[1], sys.argv[2:]
    began = time.monotonic()
    code = subprocess.run(command).returncode
    ended = time.monotonic()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "returncode": code,
        "peak_mb": usage.ru_maxrss / 1024,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "began": began,
        "ended": ended,
    }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
