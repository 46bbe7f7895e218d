"""Each lesson's peak memory in its kernel against an import-only kernel, and what the difference is.

    .venv/bin/python benchmarks/lesson_memory.py [--lessons FOLDER] [--attribute N]

Every lesson runs in a fresh kernel (as `regenerate` and nbval run it, course_tools.lessons.execute)
with one cell appended that reports the kernel's peak resident memory (getrusage: ru_maxrss, the
kernel's high-water mark) and its loaded modules. The floor is a fresh kernel that only imports
torch, matplotlib and ipywidgets (as in benchmarks/course_execution.py), with the same report.

Printed: peak per lesson, its ratio to the floor (target <= 1.2, a performance target of the
classroom: per-learner memory decides how many learners a server holds), and the modules each
lesson loads beyond the floor, by package. For the N largest of those packages (--attribute), the
memory that importing it alone costs on top of the floor (a fresh interpreter each), so that one
can see which lazy imports make a lesson heavy.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import subprocess
import sys

import nbformat

from common import machine, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools.lessons import NOTEBOOKS, execute, kernel_env, lesson_paths

FLOOR_CODE = "import torch, matplotlib, ipywidgets\nimport matplotlib.pyplot as plt"
PROBE = ("import json as _j, resource as _r, sys as _s\n"
         "print('PROBE' + _j.dumps({'peak_kib': _r.getrusage(_r.RUSAGE_SELF).ru_maxrss, "
         "'modules': sorted(_s.modules)}))")
IMPORT_COST = ("import resource, sys, importlib\n" + FLOOR_CODE.replace("\n", "; ") + "\n"
               "def rss():\n    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() // 1024\n"
               "before = rss(); importlib.import_module(sys.argv[1]); print(rss() - before)")
TARGET = 1.2


def probe(nb, cwd) -> dict:
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    execute(nb, cwd=cwd)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text.split("PROBE", 1)[1])


def group(module: str) -> str:
    """torch._dynamo.utils → torch._dynamo; sympy.core → sympy: the unit a lazy import brings in."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "torch" and len(parts) > 1 else parts[0]


def import_cost_mib(module: str) -> float | None:
    """Resident memory that importing `module` adds to a process that has the floor's imports."""
    done = subprocess.run([sys.executable, "-c", IMPORT_COST, module], capture_output=True, text=True,
                          env=kernel_env(), timeout=300)
    if done.returncode != 0:
        return None
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", default=None, help="folder of the lessons (default notebooks/)")
    parser.add_argument("--attribute", type=int, default=8, help="how many extra packages to price (0: none)")
    args = parser.parse_args()
    folder = NOTEBOOKS if args.lessons is None else os.path.abspath(args.lessons)
    paths = lesson_paths(None if args.lessons is None else __import__("pathlib").Path(folder))
    floor = probe(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)]), NOTEBOOKS)
    floor_modules = set(floor["modules"])
    rows, extra = [], {}
    for path in paths:
        found = probe(nbformat.read(path, as_version=4), path.parent)
        new = [m for m in found["modules"] if m not in floor_modules]
        groups = collections.Counter(group(m) for m in new)
        extra[path.stem] = groups
        ratio = found["peak_kib"] / floor["peak_kib"]
        top = ", ".join(f"{g} ({n})" for g, n in groups.most_common(5))
        rows.append([path.stem, f"{found['peak_kib'] / 1024:.0f}", f"{ratio:.2f}",
                     "met" if ratio <= TARGET else "MISSED", str(len(new)), top])
    print(f"Machine: {machine()}; {dt.date.today()}; load average {os.getloadavg()[0]:.1f}")
    print(f"Floor (a fresh kernel that imports torch, matplotlib, ipywidgets): peak {floor['peak_kib'] / 1024:.0f} MiB, "
          f"{len(floor_modules)} modules")
    print_table(["lesson", "peak MiB", "÷ floor", f"target ≤ {TARGET}", "modules beyond floor",
                 "largest packages beyond the floor (modules)"], rows)
    if args.attribute:
        heavy = collections.Counter()
        for stem, groups in extra.items():
            heavy.update({g: n for g, n in groups.items()})
        priced = []
        for name, _ in heavy.most_common(args.attribute):
            cost = import_cost_mib(name)
            lessons_with = [stem[:2] for stem, groups in extra.items() if name in groups]
            priced.append([name, "—" if cost is None else f"{cost:.0f}", " ".join(lessons_with)])
        print("\nWhat the largest extra packages cost: resident MiB added by importing each alone after the floor's "
              "imports (fresh interpreter each)")
        print_table(["package", "MiB", "lessons that load it"], priced)


if __name__ == "__main__":
    main()
