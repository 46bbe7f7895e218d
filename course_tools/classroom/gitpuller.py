"""The nbgitpuller link that puts the lessons into each learner's home and opens a lesson.

A learner who follows the link logs in to the hub; nbgitpuller (in the single-user environment)
clones the course into `~/backprop-step-by-step` the first time and merges the teacher's later
changes without overwriting the learner's own edits; then JupyterLab opens the lesson.
The deploy configs use the same path (without the hub) as the single-user default URL, so that
every server start pulls and opens lesson 00.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlencode, urlsplit

from course_tools import lessons

HUB_PREFIX = "/hub/user-redirect"
BAD_URL = "{name} must be an http(s) URL such as {example}, got {value!r}"


def _require_url(name: str, value: str, example: str) -> str:
    if not isinstance(value, str):
        raise TypeError(BAD_URL.format(name=name, example=example, value=value))
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(BAD_URL.format(name=name, example=example, value=value))
    return value.rstrip("/")


def target_folder(repo: str) -> str:
    """The folder the course is cloned into in each home: the repository's name."""
    name = PurePosixPath(urlsplit(repo).path).name
    return name[:-4] if name.endswith(".git") else name


def url_path(repo: str, branch: str = "main", lesson: str = "00") -> str:
    """`/git-pull?…` on a learner's own server: pull the course, then open `lesson` in JupyterLab."""
    repo = _require_url("--repo", repo, "https://github.com/your-org/backprop-step-by-step")
    notebook = lessons.resolve_lesson(lesson)
    folder = target_folder(repo)
    relative = notebook.relative_to(lessons.ROOT).as_posix()
    query = urlencode({"repo": repo, "branch": branch, "targetpath": folder,
                       "urlpath": f"lab/tree/{folder}/{relative}"})
    return f"/git-pull?{query}"


def link(hub: str, repo: str, branch: str = "main", lesson: str = "00") -> str:
    """The full link to hand to a class (e-mail, learning platform)."""
    hub = _require_url("--hub", hub, "https://hub.example.edu")
    return hub + HUB_PREFIX + url_path(repo, branch, lesson)
