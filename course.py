#!/usr/bin/env python3
"""One entry point for learners and teachers; standard library only, so it runs before set-up.

    python3 course.py lab          set up if needed, open JupyterLab on lesson 00
    python3 course.py test         set up if needed, run every test (unit, nbval, hygiene, browser)
    python3 course.py setup        create .venv and install the pins (skipped when up to date)
    python3 course.py regenerate   re-execute notebooks in fresh kernels, store their outputs
    python3 course.py reset 02     restore one lesson to its original (your copy is saved first)
    python3 course.py assignments  write copies of the lessons without solution cells
    python3 course.py gpu-check    run the lessons on a CUDA machine, compare with stored outputs

Works on Linux, macOS and Windows. Re-running is fast: the install is skipped while
requirements.txt, pyproject.toml and the Python version are unchanged. Everything after
set-up runs in .venv as `python -m course_tools …` (the course's tooling package).

COURSE_TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu takes torch (and only torch) from
that index, e.g. its CPU build on Linux; every other package still comes from pip's own index.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".course-setup-stamp"
DEFAULT_PORT = 8888
TORCH_INDEX_ENV = "COURSE_TORCH_INDEX_URL"


def min_python() -> tuple[int, int]:
    """The minimum Python version: pyproject.toml's requires-python, its one home."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    major, minor = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text, re.M).groups()
    return int(major), int(minor)


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    exe = "python.exe" if os.name == "nt" else "python"
    return VENV / scripts / exe


def setup_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def run(cmd: list[str], **kwargs) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def torch_pin() -> str:
    return next(line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                if line.strip().startswith("torch=="))


def setup() -> Path:
    """Create .venv and install the exact pins and `helpers`; a no-op when already done."""
    needed = min_python()
    if sys.version_info < needed:
        sys.exit(f"Python {needed[0]}.{needed[1]} or newer is needed; this is {sys.version.split()[0]}.")
    python = venv_python()
    fingerprint = setup_fingerprint()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return python
    if not python.exists():
        print(f"Creating {VENV.name}/ with {sys.executable} (Python {sys.version.split()[0]}) …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check"]
    torch_index = os.environ.get(TORCH_INDEX_ENV)
    if torch_index:  # torch alone from that index (no second index for any other name)
        run([*pip, "--no-deps", "--index-url", torch_index, torch_pin()])
    run([*pip, "-r", ROOT / "requirements.txt"])
    run([*pip, "--no-deps", "-e", ROOT])
    STAMP.write_text(fingerprint + "\n")
    print("Set-up complete.", flush=True)
    return python


def cmd_lab(args: argparse.Namespace) -> int:
    python = setup()
    return hand_over(python, "lab", "--ip", args.ip, "--port", str(args.port),
                     *(["--allow-remote"] if args.allow_remote else []),
                     *(["--no-browser"] if args.no_browser else []))


def hand_over(python: Path, *tool_args: str) -> int:
    """Become `python -m course_tools …` (same process on POSIX: Ctrl+C reaches it directly)."""
    cmd = [str(python), "-m", "course_tools", *tool_args]
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(ROOT)
        os.execv(cmd[0], cmd)
    process = subprocess.Popen(cmd, cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # the console's Ctrl+C reached course_tools too: it stops cleanly
            continue


def cmd_test(pytest_args: list[str]) -> int:
    python = setup()
    workers = min(4, os.cpu_count() or 1)
    cmd = [str(python), "-m", "pytest", "-n", str(workers), "--dist", "loadscope", *pytest_args]
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def call_tool(python: Path, *tool_args: str) -> int:
    return subprocess.call([str(python), "-m", "course_tools", *tool_args], cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("lab", help="set up if needed and open JupyterLab on lesson 00")
    lab.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1; ::1 for IPv6)")
    lab.add_argument("--port", type=int, default=DEFAULT_PORT, help="preferred port; another is taken if busy")
    lab.add_argument("--allow-remote", action="store_true",
                     help="allow a non-loopback --ip (plain HTTP: the token travels unencrypted)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser window")

    test = sub.add_parser("test", help="set up if needed and run every test")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments passed to pytest")

    sub.add_parser("setup", help="create .venv and install the pins")

    regen = sub.add_parser("regenerate", help="re-execute notebooks in fresh kernels and store their outputs")
    regen.add_argument("notebooks", nargs="*", help="notebooks to regenerate (default: all)")
    regen.add_argument("--force", action="store_true", help="overwrite notebooks that have uncommitted changes")

    reset = sub.add_parser("reset", help="restore one lesson to its original, saving your copy first")
    reset.add_argument("lesson", help="lesson number or file name, e.g. 02")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    assign = sub.add_parser("assignments", help="write lesson copies without solution cells")
    assign.add_argument("--out", default="assignments", help="output folder (default: assignments/)")

    gpu = sub.add_parser("gpu-check", help="run lessons on a CUDA machine and compare with the stored outputs")
    gpu.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["test"]:  # everything after `test` goes to pytest untouched
        return cmd_test(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "lab":
        return cmd_lab(args)
    python = setup()
    if args.command == "setup":
        return 0
    if args.command == "regenerate":
        return call_tool(python, "regenerate", *args.notebooks, *(["--force"] if args.force else []))
    if args.command == "reset":
        return call_tool(python, "reset", args.lesson, *(["--yes"] if args.yes else []))
    if args.command == "gpu-check":
        return call_tool(python, "gpu-check", *args.lessons)
    return call_tool(python, "assignments", "--out", args.out)


if __name__ == "__main__":
    sys.exit(main())
