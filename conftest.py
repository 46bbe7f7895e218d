"""Shared pytest set-up.

* The kernel environment of `course.py regenerate` (fixed hash seed, inline plots, no display),
  so nbval compares like with like.
* A guard: the test run must leave every tracked file as it found it (learners' work and the
  stored notebooks are never modified by tests). If it does not, the run fails.
"""
import hashlib
import os
import subprocess
from pathlib import Path

from helpers.notebook_tools import kernel_env

ROOT = Path(__file__).resolve().parent
os.environ.update(kernel_env())


def tracked_state() -> dict[str, str] | None:
    """Hash of every tracked file that differs from HEAD (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    state = {}
    for line in out.splitlines():
        path = ROOT / line[3:].split(" -> ")[-1]
        state[line[3:]] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "deleted"
    return state


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the xdist controller, or a plain run
        session.config._tracked_before = tracked_state()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_tracked_before", None)
    if before is None:
        return
    after = tracked_state()
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        print(f"\nERROR: the test run modified tracked files: {changed}")
        session.exitstatus = 1
