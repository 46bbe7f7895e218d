"""Nothing a learner has is lost: the test run's tracked-file guard works, and lesson 00 still
reports (rather than crashes) when a package is missing."""
import subprocess

import nbformat
import pytest

import conftest
from course_tools.lessons import NOTEBOOKS, kernel_env


def test_tracked_file_guard_sees_a_modified_file(tmp_path, monkeypatch):
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / "lesson.ipynb").write_text("original")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    monkeypatch.setattr(conftest, "ROOT", tmp_path)
    before = conftest.tracked_state()
    (tmp_path / "untracked.txt").write_text("scratch")  # untracked files are the learner's own
    assert conftest.tracked_state() == before
    (tmp_path / "lesson.ipynb").write_text("changed by a test")
    assert conftest.tracked_state() != before


@pytest.mark.parametrize("name", ["my lesson.ipynb", "leçon 02 ü.ipynb", "résumé.txt"])
def test_tracked_file_guard_sees_paths_with_spaces_and_non_ascii(tmp_path, monkeypatch, name):
    """git quotes such paths in plain --porcelain output; the guard reads -z output verbatim."""
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / name).write_text("original")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    monkeypatch.setattr(conftest, "ROOT", tmp_path)
    (tmp_path / name).write_text("edited by the learner")
    before = conftest.tracked_state()
    assert list(before) == [name]
    (tmp_path / name).write_text("changed by a test")
    assert conftest.tracked_state() != before


@pytest.mark.parametrize("missing", ["torch", "ipywidgets", "matplotlib"])
def test_lesson_00_report_cell_works_with_a_package_missing(missing):
    from nbclient import NotebookClient

    lesson = nbformat.read(NOTEBOOKS / "00_setup_check.ipynb", as_version=4)
    report_cell = next(c for c in lesson.cells if c.cell_type == "code" and "run_checks" in c.source)
    block = nbformat.v4.new_code_cell(f"import sys\nsys.modules[{missing!r}] = None")
    nb = nbformat.v4.new_notebook(cells=[block, report_cell], metadata=lesson.metadata)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute(env=kernel_env())
    outputs = nb.cells[1].outputs
    assert not [o for o in outputs if o.output_type == "error"], "the report cell raised"
    text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs)
    assert "✗" in text and "fix: run `python3 course.py setup`" in text
