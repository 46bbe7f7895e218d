"""What a learner and a teacher wait for: the README's set-up in a fresh clone (pip's wheel
cache already filled), its disk size and torch's share of it, and the test suite by layer.

    python3 benchmarks/setup_and_tests.py            # set-up in a temporary clone, then tests
    python3 benchmarks/setup_and_tests.py --tests    # only the test layers, in this checkout
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, machine, print_table  # noqa: E402

LAYERS = [
    ("unit + hygiene + rerun", ["tests", "--ignore=tests/browser"]),
    ("nbval (every notebook)", ["notebooks"]),
    ("browser (JupyterLab + Chromium)", ["tests/browser"]),
]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, result.returncode


def setup_rows() -> list[list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        first, rc1 = timed([sys.executable, "course.py", "setup"], clone)
        again, rc2 = timed([sys.executable, "course.py", "setup"], clone)
        venv = clone / ".venv"
        torch_dir = next(venv.glob("lib/python*/site-packages/torch"), None) or next(venv.glob("Lib/site-packages/torch"))
        rows = [["set-up, fresh clone (wheels cached)", f"{first:.0f} s", f"exit {rc1}"],
                ["set-up again, nothing changed", f"{again:.1f} s", f"exit {rc2}"],
                [".venv on disk", f"{du(venv) / 2**20:.0f} MiB", ""],
                ["of which torch (CPU build)", f"{du(torch_dir) / 2**20:.0f} MiB", ""]]
        shutil.rmtree(clone, ignore_errors=True)
    return rows


def test_rows() -> list[list[str]]:
    python = ROOT / ".venv" / "bin" / "python"
    rows, total = [], 0.0
    for name, args in LAYERS:
        seconds, rc = timed([str(python), "-m", "pytest", "-q", "-n", "2", "--dist", "loadscope", *args], ROOT)
        total += seconds
        rows.append([name, f"{seconds:.0f} s", f"exit {rc}"])
    rows.append(["all layers (sum)", f"{total:.0f} s", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", action="store_true", help="only time the test layers")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    rows = [] if args.tests else setup_rows()
    rows += test_rows()
    print_table(["what", "time / size", "result"], rows)


if __name__ == "__main__":
    main()
