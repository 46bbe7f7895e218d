"""Each lesson's peak memory in its kernel against an import-only kernel, and what the difference is.

    .venv/bin/python benchmarks/lesson_memory.py [--lessons FOLDER] [--attribute N]

Every lesson runs in a fresh kernel (as `regenerate` and nbval run it, course_tools.lessons.execute)
with one cell appended that reports the kernel's peak resident memory (getrusage: ru_maxrss, the
kernel's high-water mark) and its loaded modules. The floor is a fresh kernel that only imports
torch, matplotlib and ipywidgets (as in benchmarks/course_execution.py), with the same report.

Printed: peak per lesson, its ratio to the floor (target <= 1.2, a performance target of the
classroom: per-learner memory decides how many learners a server holds), and where a lesson's
extra memory comes from:

* imports: the modules the lesson loads beyond the floor, imported all together in a fresh
  interpreter after the floor's imports (resident memory added); the rest of the extra peak is
  the lesson's own data, figures and computations;
* the cells that raised the kernel's high-water mark most (a probe after every code cell);
* for the N packages that add the most modules (--attribute), the memory that importing that
  package's new modules costs on its own, after the floor's imports;
* reference kernels: the floor plus one call of an API that torch itself loads more modules for
  on first use (constructing an optimiser imports torch._dynamo, and with it sympy and torch._inductor;
  gradcheck and backward(gradient) import sympy through torch.fx). A lesson that teaches that
  API cannot peak below that reference; its "÷ reference" column is what the lesson adds beyond it.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from common import machine, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools.lessons import NOTEBOOKS, execute, kernel_env, lesson_paths

FLOOR_CODE = "import torch, matplotlib, ipywidgets\nimport matplotlib.pyplot as plt"
PROBE = ("import json as _j, resource as _r, sys as _s\n"
         "print('PROBE' + _j.dumps({'peak_kib': _r.getrusage(_r.RUSAGE_SELF).ru_maxrss, "
         "'modules': sorted(_s.modules)}))")
CELL_PROBE = "import resource as _r\nprint('CELLPEAK', _r.getrusage(_r.RUSAGE_SELF).ru_maxrss)"
IMPORT_COST = ("import importlib, json, resource, sys, warnings\n" + FLOOR_CODE + "\n"
               "warnings.simplefilter('ignore')\n"
               "def rss():\n    return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() // 1024\n"
               "before = rss()\n"
               "for name in json.load(sys.stdin):\n"
               "    try:\n        importlib.import_module(name)\n    except Exception:\n        pass\n"
               "print(rss() - before)")
TARGET = 1.2
# The floor plus one first use of an API whose lazy imports are the price of teaching it; the
# module that gives it away in a lesson's sys.modules picks the reference for that lesson.
REFERENCES = {
    "one torch.optim step": ("torch._dynamo", FLOOR_CODE + "\nw = torch.zeros(1, requires_grad=True)\n"
                             "(2 * w).sum().backward()\ntorch.optim.SGD([w], lr=0.1).step()"),
    "sympy loaded (here by one gradcheck)": ("sympy", FLOOR_CODE + "\nfrom torch.autograd import gradcheck\n"
                      "gradcheck(torch.sin, (torch.zeros(2, dtype=torch.float64, requires_grad=True),))"),
}


def _stream(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def probe(nb, cwd) -> dict:
    """Run nb with a high-water-mark probe after every code cell; the kernel's peak, modules, and
    (cell index, first line, KiB the cell raised the peak by) per code cell."""
    cells = []
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(CELL_PROBE, metadata={"probe_of": index}))
    nb.cells = cells + [nbformat.v4.new_code_cell(PROBE)]
    execute(nb, cwd=cwd)
    found = json.loads(_stream(nb.cells[-1]).split("PROBE", 1)[1])
    rises, last = [], 0
    for i, cell in enumerate(nb.cells):
        if "probe_of" in cell.metadata:
            peak = int(_stream(cell).split("CELLPEAK", 1)[1])
            source = nb.cells[i - 1].source
            first = next((line for line in source.splitlines() if line.strip() and not line.startswith("#")), "")
            rises.append((cell.metadata["probe_of"], first[:50], peak - last))
            last = peak
    found["rises"] = rises
    return found


def group(module: str) -> str:
    """torch._dynamo.utils → torch._dynamo; sympy.core → sympy: the unit a lazy import brings in."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "torch" and len(parts) > 1 else parts[0]


def import_cost_mib(modules: list[str]) -> float | None:
    """Resident memory that importing `modules` adds to a process that has the floor's imports."""
    done = subprocess.run([sys.executable, "-c", IMPORT_COST], input=json.dumps(sorted(modules)),
                          capture_output=True, text=True, env=kernel_env(), timeout=300)
    if done.returncode != 0:
        return None
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", default=None, help="folder of the lessons (default notebooks/)")
    parser.add_argument("--attribute", type=int, default=8, help="how many extra packages to price (0: none)")
    args = parser.parse_args()
    paths = lesson_paths(None if args.lessons is None else Path(args.lessons).resolve())
    floor = probe(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)]), NOTEBOOKS)
    floor_modules = set(floor["modules"])
    references = {}
    for name, (marker, code) in REFERENCES.items():
        found = probe(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), NOTEBOOKS)
        references[name] = (marker, found["peak_kib"])
    rows, extra, new_modules, cells = [], {}, {}, []
    for path in paths:
        found = probe(nbformat.read(path, as_version=4), path.parent)
        new = [m for m in found["modules"] if m not in floor_modules]
        new_modules[path.stem] = new
        groups = collections.Counter(group(m) for m in new)
        extra[path.stem] = groups
        ratio = found["peak_kib"] / floor["peak_kib"]
        imports = import_cost_mib(new) if new else 0.0
        beyond = (found["peak_kib"] - floor["peak_kib"]) / 1024
        top = ", ".join(f"{g} ({n})" for g, n in groups.most_common(4))
        reference = next(((name, kib) for name, (marker, kib) in references.items() if marker in found["modules"]),
                         ("floor", floor["peak_kib"]))
        rows.append([path.stem, f"{found['peak_kib'] / 1024:.0f}", f"{ratio:.2f}",
                     "met" if ratio <= TARGET else "MISSED", f"{beyond:.0f}",
                     "—" if imports is None else f"{imports:.0f}",
                     "—" if imports is None else f"{beyond - imports:.0f}", reference[0],
                     f"{found['peak_kib'] / reference[1]:.2f}", top])
        for index, first, rise in sorted(found["rises"], key=lambda r: -r[2])[:3]:
            if rise > 2048:
                cells.append([path.stem, str(index), f"{rise / 1024:.0f}", first])
    print(f"Machine: {machine()}; {dt.date.today()}; load average {os.getloadavg()[0]:.1f}")
    print(f"Floor (a fresh kernel that imports torch, matplotlib, ipywidgets): peak {floor['peak_kib'] / 1024:.0f} MiB, "
          f"{len(floor_modules)} modules")
    print("Reference kernels (the floor plus the first use of one API; a lesson that uses it cannot peak lower): "
          + "; ".join(f"{name}: {kib / 1024:.0f} MiB, {kib / floor['peak_kib']:.2f} × floor"
                      for name, (_, kib) in references.items()))
    print_table(["lesson", "peak MiB", "÷ floor", f"target ≤ {TARGET}", "beyond floor MiB", "of which imports",
                 "of which the rest", "reference", "÷ reference", "packages loaded beyond the floor (modules)"], rows)
    print("\nCells that raised the kernel's peak most (> 2 MiB; the first code cell holds the imports)")
    print_table(["lesson", "cell", "MiB", "first line"], cells)
    if args.attribute:
        heavy = collections.Counter()
        for stem, groups in extra.items():
            heavy.update({g: n for g, n in groups.items()})
        priced = []
        for name, _ in heavy.most_common(args.attribute):
            cost = import_cost_mib(sorted({m for new in new_modules.values() for m in new if group(m) == name}))
            lessons_with = [stem[:2] for stem, groups in extra.items() if name in groups]
            priced.append([name, "—" if cost is None else f"{cost:.0f}", " ".join(lessons_with)])
        print("\nWhat the largest extra packages cost: resident MiB added by importing that package's new modules "
              "alone after the floor's imports (fresh interpreter each)")
        print_table(["package", "MiB", "lessons that load it"], priced)


if __name__ == "__main__":
    main()
