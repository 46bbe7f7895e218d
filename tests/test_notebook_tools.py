"""Regenerate refuses to overwrite uncommitted work; reset saves the learner's copy first;
assignments drop the solutions."""
import shutil
import subprocess

import nbformat
import pytest

from helpers import notebook_tools as nt


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A throwaway git clone-alike holding lesson 00, with notebook_tools pointed at it."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(nt.NOTEBOOKS / "00_setup_check.ipynb", root / "notebooks")
    git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    monkeypatch.setattr(nt, "ROOT", root)
    monkeypatch.setattr(nt, "NOTEBOOKS", root / "notebooks")
    monkeypatch.setattr(nt, "BACKUPS", root / "notebooks" / ".backups")
    return root


def test_resolve_lesson(course):
    assert nt.resolve_lesson("00").name == "00_setup_check.ipynb"
    with pytest.raises(ValueError, match="expected one of: 00_setup_check"):
        nt.resolve_lesson("07")


def test_regenerate_refuses_uncommitted_changes(course, capsys):
    lesson = course / "notebooks" / "00_setup_check.ipynb"
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert nt.regenerate([lesson]) == 2
    assert "Refusing to overwrite 00_setup_check.ipynb" in capsys.readouterr().err
    assert "My notes" in lesson.read_text()


def test_reset_saves_the_learners_copy_first(course, capsys):
    lesson = course / "notebooks" / "00_setup_check.ipynb"
    original = lesson.read_bytes()
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert nt.reset(lesson, yes=False, ask=lambda _: "n") == 1
    assert b"My notes" in lesson.read_bytes()
    assert nt.reset(lesson, yes=True) == 0
    assert lesson.read_bytes() == original
    backups = list((course / "notebooks" / ".backups").glob("00_setup_check.*.ipynb"))
    assert len(backups) == 1 and b"My notes" in backups[0].read_bytes()
    assert "Your copy was saved to notebooks/.backups/" in capsys.readouterr().out


def test_reset_of_an_unchanged_lesson_does_nothing(course, capsys):
    assert nt.reset(course / "notebooks" / "00_setup_check.ipynb", yes=True) == 0
    assert "already the original" in capsys.readouterr().out


def test_assignments_strip_solutions(course):
    out = course / "assignments"
    assert nt.assignments(out) == 0
    nb = nbformat.read(out / "00_setup_check.ipynb", as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    assert not any(c.source.strip() == "▸ Solution (click to expand)" for c in nb.cells)
    assert any("exercise" in c.metadata.get("tags", []) for c in nb.cells)
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_tidy_sets_kernelspec_and_drops_widget_state():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.cells.append(nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "t"}}))
    nb = nt.tidy(nb)
    assert nb.metadata.kernelspec.name == "python3" and "widgets" not in nb.metadata
    assert "execution" not in nb.cells[0].metadata
