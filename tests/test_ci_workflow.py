"""The GitHub workflow runs on Linux, Windows and macOS, and the Windows and macOS jobs stay a
mirror of the Linux one (they cannot run on the course's build machine, so this is their check)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"

pytestmark = pytest.mark.timeout(60)


def matrix() -> list[dict[str, str]]:
    """The matrix's include entries (os, command), read as text: the workflow is small and flat."""
    text = WORKFLOW.read_text()
    block = text.split("include:", 1)[1].split("runs-on:", 1)[0]
    entries = []
    for chunk in block.split("- os:")[1:]:
        lines = chunk.strip().splitlines()
        entry = {"os": lines[0].strip()}
        for line in lines[1:]:
            key, _, value = line.strip().partition(":")
            entry[key] = value.strip()
        entries.append(entry)
    return entries


def python_versions() -> list[str]:
    text = WORKFLOW.read_text()
    block = text.split("python-version: |", 1)[1].split("- name:", 1)[0]
    return [line.strip() for line in block.splitlines() if re.fullmatch(r"\s*\d+\.\d+\s*", line)]


def test_linux_windows_and_macos_are_tested():
    assert {e["os"] for e in matrix()} == {"ubuntu-latest", "windows-latest", "macos-latest"}
    assert "runs-on: ${{ matrix.os }}" in WORKFLOW.read_text(), "one job definition for all three"


def test_linux_runs_what_the_course_ci_runs():
    (linux,) = [e for e in matrix() if e["os"] == "ubuntu-latest"]
    assert linux["command"] == "bash .ci/run"
    assert "python3 course.py test" in (ROOT / ".ci" / "run").read_text()


def test_windows_and_macos_run_the_readme_command_without_the_browser():
    """With the teacher extra (nbgrader runs everywhere), without the browser and the loopback hub."""
    for entry in matrix():
        if entry["os"] == "ubuntu-latest":
            continue
        setup, test = entry["command"].split(" && ")
        assert shlex.split(setup) == ["python", "course.py", "setup", "--teacher"], entry
        assert shlex.split(test) == ["python", "course.py", "test", "-m", "not browser and not hub"], entry


def test_the_default_python_is_the_minimum_and_an_older_one_is_there_to_be_refused():
    import tomllib

    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(x) for x in re.search(r">=\s*(\d+)\.(\d+)", spec).groups())
    versions = [tuple(int(x) for x in v.split(".")) for v in python_versions()]
    assert versions[-1] == minimum, "setup-python's last version is the default python"
    assert any(v < minimum for v in versions[:-1])
