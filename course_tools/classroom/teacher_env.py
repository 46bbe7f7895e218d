"""Is the teacher's environment here? The pinned teacher packages (requirements-teacher.txt) and
the Node proxy JupyterHub starts (configurable-http-proxy, pinned in deploy/proxy/).

Tests and benchmarks ask `problems()` and skip with its answer locally, or fail under CI.
"""
from __future__ import annotations

import os
import re
import shutil
from importlib import metadata
from pathlib import Path

from course_tools.lessons import ROOT

TEACHER_REQUIREMENTS = ROOT / "requirements-teacher.txt"
PROXY_LOCK = ROOT / "deploy" / "proxy" / "package-lock.json"
PROXY_PREFIX = ROOT / ".venv" / "node"  # where .ci/run installs the pinned proxy (`npm ci --prefix`)
PROXY_ENV = "COURSE_CHP"  # or point this at a configurable-http-proxy executable
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")

MISSING_PACKAGES = ("the teacher's packages are missing or differ from requirements-teacher.txt ({which}): "
                    "run `python3 course.py setup --teacher` (or `.venv/bin/pip install -r requirements-teacher.txt`)")
MISSING_PROXY = ("JupyterHub's proxy (configurable-http-proxy) was not found: install the pinned one with "
                 "`mkdir -p .venv/node && cp deploy/proxy/package*.json .venv/node/ && npm ci --prefix .venv/node`, "
                 "or set {env} to its path")


def teacher_pins(path: Path = TEACHER_REQUIREMENTS) -> dict[str, str]:
    """name → version of every pin in requirements-teacher.txt (names normalised as pip does)."""
    pins = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = PIN.match(line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def missing_packages() -> list[str]:
    """'name==version (installed: …)' for every teacher pin that is not installed as pinned."""
    wrong = []
    for name, version in teacher_pins().items():
        try:
            got = metadata.version(name)
        except metadata.PackageNotFoundError:
            got = "none"
        if got != version:
            wrong.append(f"{name}=={version} (installed: {got})")
    return wrong


def proxy_executable() -> str | None:
    """configurable-http-proxy: $COURSE_CHP, else the pinned one under .venv/node, else on PATH."""
    candidates = [os.environ.get(PROXY_ENV), str(PROXY_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"),
                  shutil.which("configurable-http-proxy")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def problems(proxy: bool = False) -> list[str]:
    """Why the teacher's tools cannot run here ([] when they can)."""
    found = []
    wrong = missing_packages()
    if wrong:
        found.append(MISSING_PACKAGES.format(which=", ".join(wrong)))
    if proxy and proxy_executable() is None:
        found.append(MISSING_PROXY.format(env=PROXY_ENV))
    return found
