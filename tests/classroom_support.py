"""Shared by the classroom tests: skip when the teacher's tools are missing, fail under CI
(the policy of tests/browser/conftest.py), and helpers to read lessons and nbgrader cells."""
from __future__ import annotations

import os

import pytest

from course_tools.classroom import teacher_env


def truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def need_teacher_env(proxy: bool = False) -> None:
    """Skip (locally) or fail (CI set) unless the teacher pins, and the proxy if asked, are installed."""
    found = teacher_env.problems(proxy=proxy)
    if not found:
        return
    reason = "; ".join(found)
    if truthy_env("CI"):
        pytest.fail(f"{reason}. CI is set: the classroom tests must run, not be skipped.", pytrace=False)
    pytest.skip(reason)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def grading(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def without_blank_lines(source: str) -> list[str]:
    return [line.rstrip() for line in source.split("\n") if line.strip()]
