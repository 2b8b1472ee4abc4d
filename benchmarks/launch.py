"""Run a command and write its own resource use to a JSON file:

    python benchmarks/launch.py RESULT.json COMMAND [ARG ...]

Why a separate, small process: on Linux a child's ru_maxrss keeps the high-water
mark of the address space it replaced at exec, and subprocess starts children
with vfork, whose address space is the parent's. So RUSAGE_CHILDREN measured in
the benchmark itself (which holds the estate and the emulators, 200-300 MB)
reports at least the benchmark's own size, not the scan's. Started from this
process, which imports nothing heavy, the scan's figure is its own.

A scan with worker processes (`--workers`) is several processes, and what a
container must be sized for is their sum; RUSAGE_CHILDREN's maxrss is the
largest one alone. So while the command runs, every process below it is
sampled every 20 ms from /proc: each one's own high-water mark (VmHWM, kept at
its last sample before it ends) and the sum of their resident sizes (VmRSS) at
each sample.

Written: the scan's exit code; peak_mb, the largest process's peak (maxrss);
peak_sum_mb, the sum over the scan's processes of each one's peak (an upper
bound of what was resident at once); rss_sum_mb, the largest resident sum seen
at one sample; processes, how many were seen; user and system CPU seconds (of
the command and every process it waited for, workers included); and
time.monotonic() just before the start and just after the end (CLOCK_MONOTONIC
is system-wide, so the benchmark compares them with its own).
"""

import json
import os
import resource
import subprocess
import sys
import threading
import time

SAMPLE = 0.02  # seconds between samples of the process tree


def _status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process, in kB (empty once it has ended)."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    found[line[:5]] = int(line.split()[1])
    except OSError:
        pass
    return found


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parents[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, todo = [root], [root]
    while todo:
        pid = todo.pop()
        children = [c for c, p in parents.items() if p == pid]
        tree += children
        todo += children
    return tree


class Sampler:
    def __init__(self, root: int) -> None:
        self.root = root
        self.hwm: dict[int, int] = {}  # kB, by pid
        self.rss_sum = 0  # kB
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for pid in _descendants(self.root):
                found = _status(pid)
                if "VmHWM" in found:
                    self.hwm[pid] = max(self.hwm.get(pid, 0), found["VmHWM"])
                total += found.get("VmRSS", 0)
            self.rss_sum = max(self.rss_sum, total)
            self.done.wait(SAMPLE)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def main() -> None:
    out, command = sys.argv[1], sys.argv[2:]
    began = time.monotonic()
    proc = subprocess.Popen(command)
    sampler = Sampler(proc.pid)
    code = proc.wait()
    ended = time.monotonic()
    sampler.stop()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024
    own = sampler.hwm.pop(proc.pid, 0) / 1024
    if not sampler.hwm:  # one process: its maxrss is exact, a sample may be 20 ms late
        own = max(own, peak_mb)
    result = {
        "returncode": code,
        "peak_mb": peak_mb,
        "peak_sum_mb": own + sum(sampler.hwm.values()) / 1024,
        "rss_sum_mb": sampler.rss_sum / 1024,
        "processes": 1 + len(sampler.hwm),
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "began": began,
        "ended": ended,
    }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
