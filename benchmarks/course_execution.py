"""How long a teacher (and CI) waits for every lesson to run, against the floor of the same
number of fresh kernels that only import torch, matplotlib and ipywidgets.

    .venv/bin/python benchmarks/course_execution.py [--repeat 3] [--slowest 3]

Each lesson and each floor notebook runs in a fresh kernel, alternately (lesson, floor, frozen
floor, next lesson, …), so that all see the same load; with --repeat N the whole round runs N
times and every figure is the median of the N. Also printed: each lesson's slowest cells (from
nbclient's per-cell timing, last round), where a lesson spends what it spends beyond its imports.

Two floors. "floor" is the target's: a kernel that only imports. `import helpers` also calls
`gc.freeze()` in a kernel (helpers/kernel.py), which spares the lessons the garbage collector's
re-scans of the imported objects, during the lesson and when the kernel exits; "frozen floor"
gives an import-only kernel the same freeze, so the ratio to it shows what the lessons cost
without that advantage.

Target: ratio <= 1.5 (to "floor"), i.e. no lesson does heavy work a learner waits for.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import nbformat

from common import machine, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools.lessons import NOTEBOOKS, execute, lesson_paths

FLOOR_CODE = "import torch, matplotlib, ipywidgets\nimport matplotlib.pyplot as plt"
FROZEN_FLOOR_CODE = FLOOR_CODE + "\nimport gc\ngc.freeze()"
TARGET = 1.5


def timed(nb) -> float:
    start = time.perf_counter()
    execute(nb, cwd=NOTEBOOKS)
    return time.perf_counter() - start


def one_cell(code: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])


def cell_seconds(nb) -> list[tuple[float, int, str]]:
    """(seconds, index, first line) of each code cell, from nbclient's busy/idle timestamps."""
    out = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "iopub.status.busy" not in timing:
            continue
        busy, idle = (dt.datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                      for k in ("iopub.status.busy", "iopub.status.idle"))
        first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
        out.append(((idle - busy).total_seconds(), i, first[:60]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds to run; figures are their medians")
    parser.add_argument("--slowest", type=int, default=3, help="slowest cells to list per lesson")
    args = parser.parse_args()
    paths = lesson_paths()
    times = {p.stem: {"lesson": [], "floor": [], "frozen": [], "cells": []} for p in paths}
    totals = {"lesson": [], "floor": [], "frozen": []}
    slow = []
    for round_ in range(args.repeat):
        round_totals = dict.fromkeys(totals, 0.0)
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            measured = {"lesson": timed(nb), "floor": timed(one_cell(FLOOR_CODE)),
                        "frozen": timed(one_cell(FROZEN_FLOOR_CODE))}
            cells = cell_seconds(nb)
            for key, seconds in measured.items():
                times[path.stem][key].append(seconds)
                round_totals[key] += seconds
            times[path.stem]["cells"].append(sum(s for s, _, _ in cells))
            if round_ == args.repeat - 1:
                slow += [[path.stem, str(i), f"{s:.2f}", first] for s, i, first in sorted(cells, reverse=True)[:args.slowest]]
        for key in totals:
            totals[key].append(round_totals[key])
    med = {stem: {k: statistics.median(v) for k, v in t.items()} for stem, t in times.items()}
    rows = [[stem, f"{m['lesson']:.1f}", f"{m['floor']:.1f}", f"{m['lesson'] / m['floor']:.2f}",
             f"{m['frozen']:.1f}", f"{m['lesson'] / m['frozen']:.2f}", f"{m['cells']:.1f}"] for stem, m in med.items()]
    total = {k: sum(m[k] for m in med.values()) for k in ("lesson", "floor", "frozen")}
    ratio, ratio_frozen = total["lesson"] / total["floor"], total["lesson"] / total["frozen"]
    rows.append(["TOTAL", f"{total['lesson']:.1f}", f"{total['floor']:.1f}", f"{ratio:.2f}",
                 f"{total['frozen']:.1f}", f"{ratio_frozen:.2f}", ""])
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}; "
          f"{args.repeat} round{'s' if args.repeat > 1 else ''}, medians")
    print("Each lesson in a fresh kernel vs a fresh kernel that only imports torch, matplotlib, ipywidgets "
          "(floor), and one that also calls gc.freeze() as `import helpers` does (frozen floor)")
    print_table(["notebook", "lesson s", "floor s", "ratio", "frozen floor s", "ratio to frozen", "cells s"], rows)
    if args.repeat > 1:
        per_round = [f"{l / f:.2f}" for l, f in zip(totals["lesson"], totals["floor"])]
        per_round_frozen = [f"{l / f:.2f}" for l, f in zip(totals["lesson"], totals["frozen"])]
        print(f"Ratio of each round: {', '.join(per_round)} (to the frozen floor: {', '.join(per_round_frozen)})")
    print(f"Target ratio <= {TARGET}: {'met' if ratio <= TARGET else 'MISSED'} ({ratio:.2f})")
    print("\nSlowest cells (busy → idle in the kernel, last round)")
    print_table(["notebook", "cell", "s", "first line"], slow)


if __name__ == "__main__":
    main()
