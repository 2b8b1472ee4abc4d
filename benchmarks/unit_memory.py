"""Where a scan's memory goes, per unit, measured in one process with tracemalloc:

    python benchmarks/unit_memory.py [--units 2000]

The demo estate (scanner/demo/estate.yaml) is served on loopback and read
once by the real providers; its Observations are then copied (deep copies,
each with its own id) until there are about N, and each stage a scan goes
through is measured as the bytes tracemalloc sees it add, divided by N:

- the Observations (what a provider hands the engine);
- the Assessments classified from them (what a scan keeps until its outputs
  are written), with and without the Observations still alive;
- the JSON document as a dict tree (`scan_document`) and as one string
  (`render_scan`): what the JSON output held before it was streamed;
- the streamed JSON output (`write_scan`) to a file, beyond the Assessments;
- the store's rows, all at once (as before batching) and one batch of 500.

It is a measurement, not a test; it makes no request beyond the demo estate's.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.classify import classify  # noqa: E402
from scanner.demo.serve import emulators, load_estate, patched_environ, serve  # noqa: E402
from scanner.model import Assessment, Fact, Observation, ScanResult  # noqa: E402
from scanner.outputs import json_out  # noqa: E402
from scanner.plugin import installed_plugins  # noqa: E402
from scanner.session import ScanSession  # noqa: E402
from scanner.store import store as store_module  # noqa: E402


def demo_observations() -> list[Observation]:
    """Every Observation the providers read from the demo estate."""
    estate = load_estate()
    plugins = installed_plugins()
    found: list[Observation] = []
    with serve(estate) as env, patched_environ(env):
        served = emulators()
        chosen = [plugins[n] for n in plugins if n in estate and n in served]
        session = ScanSession(chosen, {p.name: {} for p in chosen})
        session.discover(keep_going=False)
        for run, scopes in session.work:
            for scope in scopes:
                found.extend(o for o in run.collect(scope) if isinstance(o, Observation))
    return found


def fresh(value: Any) -> Any:
    """A deep copy in which every string is a new object too, as an SDK parses
    each answer into strings of its own (copy.deepcopy shares strings)."""
    if isinstance(value, str):
        return value[:1] + value[1:] if len(value) > 1 else value
    if isinstance(value, dict):
        return {fresh(k): fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    if isinstance(value, Fact):
        return Fact(fresh(value.name), fresh(value.field), fresh(value.value), value.error,
                    fresh(value.raw))  # fmt: skip
    if isinstance(value, Observation):
        return Observation(*(fresh(getattr(value, f.name)) for f in fields(value)))
    return copy.deepcopy(value)


def copies(seed: list[Observation], n: int) -> list[Observation]:
    """`n` copies of the seed, each with an id of its own and strings of its
    own (as a scan of a larger estate reads them: nothing shared between units)."""
    out = []
    for i in range(n):
        obs = fresh(seed[i % len(seed)])
        out.append(replace(obs, id=f"{obs.id}-{i}", name=f"{obs.name}-{i}"))
    return out


def measured(step: Callable[[], Any]) -> tuple[Any, int]:
    """What `step` returns, and the bytes it added that are still allocated."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    value = step()
    gc.collect()
    return value, tracemalloc.get_traced_memory()[0] - before


def _now() -> int:
    return tracemalloc.get_traced_memory()[0]


def peak_of(step: Callable[[], Any]) -> int:
    """The highest allocation `step` reached above where it started."""
    gc.collect()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    step()
    return tracemalloc.get_traced_memory()[1] - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    n = parser.parse_args().units
    seed = demo_observations()
    tracemalloc.start()
    rows: list[tuple[str, float]] = []

    def per_unit(label: str, size: int) -> None:
        rows.append((label, size / n))

    raw = sum(1 for o in seed for f in o.facts.values() if f.raw is not f.value)
    gc.collect()
    start = tracemalloc.get_traced_memory()[0]
    observations, size = measured(lambda: copies(seed, n))
    per_unit("Observation (as a provider hands it over)", size)
    assessments, size = measured(lambda: [classify(o) for o in observations])
    per_unit("Assessment, beside its Observation", size)
    observations.clear()
    gc.collect()
    per_unit("Assessment, kept alone (what a scan holds)", _now() - start)
    result = ScanResult(started=datetime.now(UTC), assessments=assessments)
    result.scopes = ["x"]
    document, size = measured(lambda: json_out.scan_document(result))
    per_unit("JSON document as a dict tree", size)
    del document
    text, size = measured(lambda: _whole_text(result))
    per_unit("JSON document as one string", size)
    per_unit("  of which the text itself (UTF-8 bytes)", len(text.encode()))
    del text
    per_unit("peak of render_scan + write (before)", peak_of(_old_write(result)))
    per_unit("peak of write_scan to a file (streamed)", peak_of(_streamed(result)))
    per_unit("peak of store rows, all at once (before)", peak_of(_rows(result, n)))
    per_unit("peak of store rows, batches of 500", peak_of(_rows(result, 500)))
    tracemalloc.stop()
    print(f"{n} units ({len(seed)} demo units copied); {raw} facts hold a raw value apart")
    print(f"{'':<48} bytes per unit")
    for label, value in rows:
        print(f"{label:<48} {value:>10,.0f}")


def _whole_text(result: ScanResult) -> str:
    """The JSON output as it was made before it was streamed."""
    return json.dumps(json_out.scan_document(result), indent=2, ensure_ascii=False) + "\n"


def _old_write(result: ScanResult) -> Callable[[], None]:
    def step() -> None:
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "x.json").write_text(_whole_text(result), encoding="utf-8")

    return step


def _streamed(result: ScanResult) -> Callable[[], None]:
    def step() -> None:
        with open(os.devnull, "w", encoding="utf-8") as fh:
            json_out.write_scan(result, None, fh)

    return step


def _rows(result: ScanResult, batch: int) -> Callable[[], None]:
    def step() -> None:
        units: list[Assessment] = result.assessments
        for start in range(0, len(units), batch):
            chunk = [store_module._row(1, a) for a in units[start : start + batch]]
            del chunk

    return step


if __name__ == "__main__":
    main()
