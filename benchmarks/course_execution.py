"""How long a teacher (and CI) waits for every lesson to run, against the floor of the same
number of fresh kernels that only import torch, matplotlib and ipywidgets.

    .venv/bin/python benchmarks/course_execution.py [--slowest 3]

Each lesson and each floor notebook runs in a fresh kernel, alternately (lesson, floor, lesson,
floor, …), so that both see the same load. Also printed: each lesson's slowest cells (from
nbclient's per-cell timing), where a lesson spends what it spends beyond its imports.

Target: ratio <= 1.5, i.e. no lesson does heavy work a learner waits for.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time

import nbformat

from common import machine, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools.lessons import NOTEBOOKS, execute, lesson_paths

FLOOR_CODE = "import torch, matplotlib, ipywidgets\nimport matplotlib.pyplot as plt"
TARGET = 1.5


def timed(nb) -> float:
    start = time.perf_counter()
    execute(nb, cwd=NOTEBOOKS)
    return time.perf_counter() - start


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
    parser.add_argument("--slowest", type=int, default=3, help="slowest cells to list per lesson")
    args = parser.parse_args()
    rows, slow, lesson_total, floor_total = [], [], 0.0, 0.0
    for path in lesson_paths():
        nb = nbformat.read(path, as_version=4)
        lesson = timed(nb)
        floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
        floor = timed(floor_nb)
        lesson_total += lesson
        floor_total += floor
        cells = cell_seconds(nb)
        rows.append([path.stem, f"{lesson:.1f}", f"{floor:.1f}", f"{lesson / floor:.2f}",
                     f"{sum(s for s, _, _ in cells):.1f}"])
        for s, i, first in sorted(cells, reverse=True)[:args.slowest]:
            slow.append([path.stem, str(i), f"{s:.2f}", first])
    ratio = lesson_total / floor_total
    rows.append(["TOTAL", f"{lesson_total:.1f}", f"{floor_total:.1f}", f"{ratio:.2f}", ""])
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print("Each lesson in a fresh kernel vs a fresh kernel that only imports torch, matplotlib, ipywidgets")
    print_table(["notebook", "lesson s", "floor s", "ratio", "cells s"], rows)
    print(f"Target ratio <= {TARGET}: {'met' if ratio <= TARGET else 'MISSED'} ({ratio:.2f})")
    print("\nSlowest cells (busy → idle in the kernel)")
    print_table(["notebook", "cell", "s", "first line"], slow)


if __name__ == "__main__":
    main()
