"""Shared pytest set-up.

* The kernel environment of `course.py regenerate` (course_tools.lessons.kernel_env: fixed hash
  seed, inline plots, no display), so nbval compares like with like.
* A guard: the test run must leave every tracked file as it found it (learners' work and the
  stored notebooks are never modified by tests). If it does not, the run fails.
"""
import hashlib
import os
import subprocess
from pathlib import Path

from course_tools.lessons import kernel_env

ROOT = Path(__file__).resolve().parent
os.environ.update(kernel_env())


def changed_paths(root: Path) -> list[str]:
    """Tracked paths that differ from HEAD, verbatim (NUL-separated output: no quoting of
    spaces or non-ASCII characters); for a rename, the new path."""
    out = subprocess.run(["git", "status", "--porcelain", "-z", "--untracked-files=no"], cwd=root,
                         capture_output=True, check=True).stdout.decode("utf-8", "surrogateescape")
    entries, paths = out.split("\0"), []
    i = 0
    while i < len(entries):
        entry = entries[i]
        if entry:
            paths.append(entry[3:])
            if entry[0] in "RC":  # a rename or copy is followed by its source path
                i += 1
        i += 1
    return paths


def tracked_state() -> dict[str, str] | None:
    """Hash of every tracked file that differs from HEAD (None outside a git checkout)."""
    try:
        paths = changed_paths(ROOT)
    except (OSError, subprocess.CalledProcessError):
        return None
    state = {}
    for rel in paths:
        path = ROOT / rel
        state[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "deleted"
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
