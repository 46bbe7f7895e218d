"""Run every lesson on a CUDA machine and compare its text outputs with the stored (CPU) ones.

    python3 scripts/gpu_lesson_check.py [03 05 …]   # needs torch with CUDA, nbclient, ipykernel

Lessons choose their device with `helpers.default_device()`; this proves they run there
unchanged and print the same. Differences are listed per cell (masked as nbval masks them).
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.notebook_tools import kernel_env, lesson_paths  # noqa: E402

MASKS = [(r"0x[0-9a-fA-F]+", "0xADDRESS"), (r"<Figure size \d+x\d+ with \d+ Axes>", "<Figure>")]


def texts(cell) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            out.append(str(o.get("data", {}).get("text/plain", "")))
        elif o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}")
    text = "".join(out)
    for pattern, repl in MASKS:
        text = re.sub(pattern, repl, text)
    return text


def main() -> int:
    import torch

    print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}",
          f"({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "")
    failures = 0
    wanted = sys.argv[1:]
    for path in lesson_paths():
        if wanted and not any(path.name.startswith(w) for w in wanted):
            continue
        stored = nbformat.read(path, as_version=4)
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=90, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute(env=kernel_env())
        except Exception as exc:  # a dead or hung kernel: say where it stopped
            ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
            print(f"{path.name}: {type(exc).__name__} after {time.perf_counter() - start:.0f} s; "
                  f"last cell run: {ran[-1] if ran else None}")
            failures += 1
            continue
        diffs = []
        for i, (a, b) in enumerate(zip(stored.cells, nb.cells)):
            if a.cell_type != "code" or "nbval-ignore-output" in a.metadata.get("tags", []):
                continue
            if texts(a) != texts(b):
                diffs.append((i, texts(a)[:300], texts(b)[:300]))
        errors = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  and "raises-exception" not in c.metadata.get("tags", [])
                  and any(o.output_type == "error" for o in c.get("outputs", []))]
        print(f"{path.name}: {time.perf_counter() - start:.1f} s, {len(diffs)} cell(s) differ, "
              f"unexpected errors in cells {errors}")
        for i, a, b in diffs:
            print(f"  cell {i}:\n    stored: {a!r}\n    gpu:    {b!r}")
        failures += len(diffs) + len(errors)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
