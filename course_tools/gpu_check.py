"""Run every lesson on a CUDA machine and compare its text outputs with the stored (CPU) ones.

    python -m course_tools gpu-check [03 05 …]     (or: python3 course.py gpu-check …)

Lessons choose their device with `helpers.default_device()`; this proves they run there
unchanged and print the same. Differences are listed per cell, masked as nbval masks them.
"""
from __future__ import annotations

import time

from course_tools.lessons import execute, find_lesson, lesson_paths
from course_tools.masks import mask


def texts(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            data = o.get("data", {})
            out.extend(str(data.get(m, "")) for m in ("text/plain", "text/html"))
        elif o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}")
    return mask("".join(out))


def check(path) -> int:
    """Differences and unexpected errors of one lesson, printed; returns their number."""
    import nbformat

    stored = nbformat.read(path, as_version=4)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        execute(nb, cwd=path.parent, timeout=90, allow_errors=True)
    except Exception as exc:  # a dead or hung kernel: say where it stopped
        ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
        print(f"{path.name}: {type(exc).__name__} after {time.perf_counter() - start:.0f} s; "
              f"last cell run: {ran[-1] if ran else None}")
        return 1
    diffs = [(i, texts(a)[:300], texts(b)[:300]) for i, (a, b) in enumerate(zip(stored.cells, nb.cells))
             if a.cell_type == "code" and "nbval-ignore-output" not in a.metadata.get("tags", [])
             and texts(a) != texts(b)]
    errors = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
              and "raises-exception" not in c.metadata.get("tags", [])
              and any(o.output_type == "error" for o in c.get("outputs", []))]
    print(f"{path.name}: {time.perf_counter() - start:.1f} s, {len(diffs)} cell(s) differ, "
          f"unexpected errors in cells {errors}")
    for i, a, b in diffs:
        print(f"  cell {i}:\n    stored: {a!r}\n    gpu:    {b!r}")
    return len(diffs) + len(errors)


def main(wanted: list[str]) -> int:
    import torch

    print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}",
          f"({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "")
    paths = [find_lesson(w) for w in wanted] if wanted else lesson_paths()
    if None in paths:
        print(f"no lesson named {wanted[paths.index(None)]!r}")
        return 2
    return 1 if sum(check(p) for p in paths) else 0
