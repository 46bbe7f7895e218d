"""How long a teacher (and CI) waits for every lesson to run, against the floor of the same
number of fresh kernels that only import torch, matplotlib and ipywidgets.

    .venv/bin/python benchmarks/course_execution.py

Target: ratio <= 1.5, i.e. no lesson does heavy work a learner waits for.
"""
from __future__ import annotations

import time

import nbformat

from common import machine, print_table  # noqa: E402  (common puts the repo on sys.path)
from helpers.notebook_tools import NOTEBOOKS, execute, lesson_paths

FLOOR_CODE = "import torch, matplotlib, ipywidgets\nimport matplotlib.pyplot as plt"


def timed(nb) -> float:
    start = time.perf_counter()
    execute(nb, cwd=NOTEBOOKS)
    return time.perf_counter() - start


def main() -> None:
    rows, lesson_total, floor_total = [], 0.0, 0.0
    for path in lesson_paths():
        lesson = timed(nbformat.read(path, as_version=4))
        floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
        floor = timed(floor_nb)
        lesson_total += lesson
        floor_total += floor
        rows.append([path.stem, f"{lesson:.1f}", f"{floor:.1f}", f"{lesson / floor:.2f}"])
    rows.append(["TOTAL", f"{lesson_total:.1f}", f"{floor_total:.1f}", f"{lesson_total / floor_total:.2f}"])
    print(f"Machine: {machine()}")
    print("Each lesson in a fresh kernel vs a fresh kernel that only imports torch, matplotlib, ipywidgets")
    print_table(["notebook", "lesson s", "floor s", "ratio"], rows)
    print(f"Target ratio <= 1.5: {'met' if lesson_total / floor_total <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
