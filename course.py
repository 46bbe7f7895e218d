#!/usr/bin/env python3
"""One entry point for learners and teachers; standard library only, so it runs before set-up.

    python3 course.py lab          set up if needed, open JupyterLab on lesson 00
    python3 course.py test         set up if needed, run every test (unit, nbval, hygiene, browser)
    python3 course.py setup        create .venv and install the pins (skipped when up to date)
    python3 course.py regenerate   re-execute notebooks in fresh kernels, store their outputs
    python3 course.py reset 02     restore one lesson to its original (your copy is saved first)
    python3 course.py assignments  write copies of the lessons without solution cells

Works on Linux, macOS and Windows. Re-running is fast: the install is skipped while
requirements.txt, pyproject.toml and the Python version are unchanged.
"""
from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import os
import secrets
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".course-setup-stamp"
FIRST_LESSON = "notebooks/00_setup_check.ipynb"
DEFAULT_PORT = 8888
MIN_PYTHON = (3, 10)

# JupyterLab settings the course needs, written to the venv's overrides.json:
# no news pop-up over the lesson, and every cell rendered (windowing off) so that
# long lessons scroll smoothly and browser tests see every cell.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    exe = "python.exe" if os.name == "nt" else "python"
    return VENV / scripts / exe


def setup_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    digest.update(json.dumps(LAB_OVERRIDES, sort_keys=True).encode())
    return digest.hexdigest()


def run(cmd: list[str], **kwargs) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def write_lab_overrides() -> None:
    settings = VENV / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")


def setup() -> Path:
    """Create .venv and install the exact pins and `helpers`; a no-op when already done."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is needed; this is {sys.version.split()[0]}.")
    python = venv_python()
    fingerprint = setup_fingerprint()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return python
    if not python.exists():
        print(f"Creating {VENV.name}/ with {sys.executable} (Python {sys.version.split()[0]}) …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run([python, "-m", "pip", "install", "--disable-pip-version-check", "-r", ROOT / "requirements.txt"])
    run([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", "-e", ROOT])
    write_lab_overrides()
    STAMP.write_text(fingerprint + "\n")
    print("Set-up complete.", flush=True)
    return python


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(host: str, wanted: int) -> int:
    if port_is_free(host, wanted):
        return wanted
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    print(f"Port {wanted} is busy; using port {port} instead.", flush=True)
    return port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lab_command(python: Path, host: str, port: int, token: str, open_browser: bool) -> list[str]:
    return [
        str(python), "-m", "jupyterlab",
        f"--ServerApp.ip={host}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={ROOT}", f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        FIRST_LESSON,
    ]


def cmd_lab(args: argparse.Namespace) -> int:
    if not is_loopback(args.ip):
        if not args.allow_remote:
            print(f"Refusing to listen on {args.ip}: only 127.0.0.1 is safe by default. "
                  "Add --allow-remote if you really want other machines to reach this server.",
                  file=sys.stderr)
            return 2
        print(f"WARNING: listening on {args.ip}; anyone who can reach it and has the token "
              "can run code as you.", file=sys.stderr)
    python = setup()
    port = pick_port(args.ip, args.port)
    token = secrets.token_hex(24)
    url_host = "127.0.0.1" if args.ip in ("0.0.0.0", "::") else args.ip
    print(f"\nJupyterLab: http://{url_host}:{port}/lab/tree/{FIRST_LESSON}?token={token}\n"
          "Stop it with Ctrl+C.\n", flush=True)
    try:
        return subprocess.call(lab_command(python, args.ip, port, token, not args.no_browser), cwd=ROOT)
    except KeyboardInterrupt:
        return 0


def cmd_test(pytest_args: list[str]) -> int:
    python = setup()
    workers = min(4, os.cpu_count() or 1)
    cmd = [str(python), "-m", "pytest", "-n", str(workers), "--dist", "loadscope", *pytest_args]
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def call_tool(python: Path, *tool_args: str) -> int:
    return subprocess.call([str(python), "-m", "helpers.notebook_tools", *tool_args], cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("lab", help="set up if needed and open JupyterLab on lesson 00")
    lab.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    lab.add_argument("--port", type=int, default=DEFAULT_PORT, help="preferred port; another is taken if busy")
    lab.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --ip (not safe on shared networks)")
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
    return call_tool(python, "assignments", "--out", args.out)


if __name__ == "__main__":
    sys.exit(main())
