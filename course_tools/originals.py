"""Where a lesson's original comes from: git's last commit in a clone, else the copy that the first
set-up stored in `.lesson-originals/`. Standard library only (course.py stores that copy).

A ZIP download has no git history, git may not be installed, and git refuses a folder that another
user owns ("dubious ownership"): each is told apart in words (`GitError.reason`), and `reset` still
works from the stored copy in all three.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from course_tools import lessons

STORE = ".lesson-originals"
GIT = ["git"]  # the command; tests put a stand-in here
PATH_NOT_IN_COMMIT = ("does not exist in", "exists on disk, but not in")  # git show's two answers

GIT_MISSING = "git is not installed (or not on the PATH)."
NOT_A_CLONE = "This folder is not a git clone (a ZIP download?)."
DUBIOUS = ("git refuses this folder because another user owns it (git's \"dubious ownership\" check); "
           "`git config --global --add safe.directory {folder}` tells git to trust it.")
GIT_FAILED = "git failed: {message}"
NOT_COMMITTED = "git's last commit has no {rel}."
NO_ORIGINAL = "Cannot find the original of {rel}: git cannot give it, and the first set-up stored no copy of it."
FROM_STORE = "The original of {rel} comes from the copy the first set-up stored, since git cannot give it."


class GitError(Exception):
    """git could not answer; `reason` says why, in words a learner can act on. `not_in_commit`:
    git works, but the commit has no such path."""

    def __init__(self, reason: str, not_in_commit: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.not_in_commit = not_in_commit


def git(*args: str, root: Path | None = None) -> bytes:
    """git's stdout for args, run in root (default: the course); GitError explains any failure."""
    root = root or lessons.ROOT
    try:
        result = subprocess.run([*GIT, *args], cwd=root, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise GitError(GIT_MISSING) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(GIT_FAILED.format(message=exc)) from None
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace")
        raise GitError(git_failure(stderr, root), not_in_commit=any(s in stderr for s in PATH_NOT_IN_COMMIT))
    return result.stdout


def git_failure(stderr: str, root: Path) -> str:
    """Why git failed, from its message."""
    if "dubious ownership" in stderr:
        return DUBIOUS.format(folder=root)
    if "not a git repository" in stderr:
        return NOT_A_CLONE
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "no message")
    return GIT_FAILED.format(message=first)


EDITIONS = ("notebooks", "notebooks/zh-CN")  # where lessons live: the English ones and the Chinese edition


def committed_lessons(root: Path | None = None, folder: str = "notebooks") -> list[Path]:
    """The lessons of one edition's `folder` as git's last commit has them (also those deleted or
    renamed since); GitError when git cannot tell."""
    root = root or lessons.ROOT
    out = git("ls-tree", "-z", "--name-only", "HEAD", f"{folder}/", root=root).decode()
    return sorted(root / name for name in out.split("\0")
                  if name and Path(name).match(lessons.LESSON_GLOB) and Path(name).parent.as_posix() == folder)


def _stored(folder: str) -> str:
    """The stored copy's folder for an edition: STORE itself for the English lessons, STORE/zh-CN…"""
    return STORE + folder.removeprefix("notebooks")


def stored_lessons(root: Path | None = None, folder: str = "notebooks") -> list[Path]:
    """The lessons of the stored copy, as paths under `folder` (where they are restored to)."""
    root = root or lessons.ROOT
    return [root / folder / p.name for p in lessons.lesson_paths(root / _stored(folder))]


def known_lessons(root: Path | None = None, folder: str = "notebooks") -> list[Path]:
    """Every lesson of one edition that has an original: git's (when git answers) and the stored copy's."""
    try:
        committed = committed_lessons(root, folder)
    except GitError:
        committed = []
    return sorted(set(committed) | set(stored_lessons(root, folder)))


def original(path: Path, root: Path | None = None) -> tuple[bytes, str | None]:
    """(the original bytes of a lesson, None when git gave them or a note saying where they came
    from and why); LookupError with a learner's message (where it looked, why git failed) when there
    is none."""
    root = root or lessons.ROOT
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    try:
        return git("show", f"HEAD:{rel}", root=root), None
    except GitError as exc:
        reason = NOT_COMMITTED.format(rel=rel) if exc.not_in_commit else exc.reason
    stored = root / _stored(Path(rel).parent.as_posix()) / path.name
    if stored.is_file():
        return stored.read_bytes(), "\n".join([FROM_STORE.format(rel=rel), reason])
    raise LookupError("\n".join([NO_ORIGINAL.format(rel=rel), reason]))


def store_originals(root: Path | None = None) -> bool:
    """Keep a copy of the lessons, as git's last commit has them (or as they are, without git),
    in STORE, once: a later set-up never overwrites it with a learner's edits. True when written."""
    root = root or lessons.ROOT
    target = root / STORE
    if target.exists():
        return False
    sources = [(folder, path) for folder in EDITIONS for path in lessons.lesson_paths(root / folder)]
    if not sources:
        return False
    staging = root / f"{STORE}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        for folder, path in sources:
            try:
                data = git("show", f"HEAD:{folder}/{path.name}", root=root)
            except GitError:
                data = path.read_bytes()
            copy = staging / _stored(folder).removeprefix(STORE).lstrip("/") / path.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
        os.replace(staging, target)  # all lessons or none
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True
