"""The teacher tools (course_tools): lesson lookup, regenerate, reset, assignments, output masks.
Regenerate refuses to overwrite uncommitted work and backs up what git cannot give back (also with
--force); reset saves the learner's copy first, restores deleted or renamed lessons, and works
without git from the copy the first set-up stored, saying which git failure it met; assignments
drop the solutions and never write over lessons; the masks are read from the one sanitize file."""
import datetime
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from course_tools import lessons, masks, notebooks, originals

REAL_NOTEBOOKS = lessons.NOTEBOOKS
LESSON = "00_setup_check.ipynb"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A throwaway git clone-alike holding lesson 00, with course_tools pointed at it."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REAL_NOTEBOOKS / LESSON, root / "notebooks")
    git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True)
    git("init", "-q")
    git("add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    monkeypatch.setattr(lessons, "ROOT", root)
    monkeypatch.setattr(lessons, "NOTEBOOKS", root / "notebooks")
    monkeypatch.setattr(notebooks, "BACKUPS", root / "notebooks" / ".backups")
    return root


def backups(root: Path) -> list[Path]:
    return sorted((root / "notebooks" / ".backups").glob("*.ipynb"))


def test_resolve_lesson(course):
    assert lessons.resolve_lesson("00").name == LESSON
    assert lessons.resolve_lesson("00_setup_check").name == LESSON
    assert lessons.find_lesson("07") is None
    with pytest.raises(ValueError, match="expected one of: 00_setup_check"):
        lessons.resolve_lesson("07")


def test_regenerate_refuses_uncommitted_changes(course, capsys):
    lesson = course / "notebooks" / LESSON
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert notebooks.regenerate([lesson]) == 2
    assert "Refusing to overwrite 00_setup_check.ipynb" in capsys.readouterr().err
    assert "My notes" in lesson.read_text()


def test_regenerate_backs_up_an_untracked_notebook(course, monkeypatch):
    """git cannot give an untracked notebook back: its previous version goes to .backups/."""
    monkeypatch.setattr(lessons, "execute", lambda nb, cwd: nb)  # no kernel needed for this
    new = course / "notebooks" / "01_my_new_lesson.ipynb"
    shutil.copy(course / "notebooks" / LESSON, new)
    new.write_text(new.read_text().replace("Set-up check", "Draft only here"))
    assert notebooks.regenerate([new]) == 0
    (saved,) = backups(course)
    assert saved.name.startswith("01_my_new_lesson.") and "Draft only here" in saved.read_text()
    assert notebooks.regenerate([course / "notebooks" / LESSON]) == 0  # tracked, unchanged: no backup
    assert len(backups(course)) == 1


def test_reset_saves_the_learners_copy_first(course, capsys):
    lesson = course / "notebooks" / LESSON
    original = lesson.read_bytes()
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert notebooks.reset("00", yes=False, ask=lambda _: "n") == 1
    assert b"My notes" in lesson.read_bytes()
    assert notebooks.reset("00", yes=True) == 0
    assert lesson.read_bytes() == original
    (saved,) = backups(course)
    assert b"My notes" in saved.read_bytes()
    assert "Your copy was saved to notebooks/.backups/" in capsys.readouterr().out


def test_two_resets_in_the_same_second_keep_both_backups(course, monkeypatch):
    monkeypatch.setattr(notebooks, "_now", lambda: datetime.datetime(2026, 1, 2, 3, 4, 5))
    lesson = course / "notebooks" / LESSON
    for text in ("first notes", "second notes"):
        lesson.write_text(lesson.read_text().replace("Set-up check", text))
        assert notebooks.reset("00", yes=True) == 0
    saved = backups(course)
    assert len(saved) == 2, saved
    assert {("first notes" in p.read_text(), "second notes" in p.read_text()) for p in saved} == {
        (True, False), (False, True)}


@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_reset_restores_a_deleted_or_renamed_lesson(course, how, capsys):
    lesson = course / "notebooks" / LESSON
    original = lesson.read_bytes()
    if how == "deleted":
        lesson.unlink()
    else:
        lesson.rename(course / "notebooks" / "00_mine.ipynb")
    assert notebooks.reset("00", yes=True) == 0
    assert lesson.read_bytes() == original
    assert "it is back as the original" in capsys.readouterr().out
    if how == "renamed":
        assert (course / "notebooks" / "00_mine.ipynb").exists(), "the learner's renamed copy must stay"


def test_reset_of_an_unchanged_lesson_does_nothing(course, capsys):
    assert notebooks.reset("00", yes=True) == 0
    assert "already the original" in capsys.readouterr().out


def test_assignments_strip_solutions(course):
    out = course / "assignments"
    assert notebooks.assignments(out) == 0
    nb = nbformat.read(out / LESSON, as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    assert not any(c.source.strip() == "▸ Solution (click to expand)" for c in nb.cells)
    assert any("exercise" in c.metadata.get("tags", []) for c in nb.cells)
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_regenerate_force_backs_up_uncommitted_edits(course, monkeypatch, capsys):
    """--force overwrites uncommitted changes, but only after copying them to .backups/."""
    def execute(nb, cwd):
        nb.cells[0].source += "\n\nregenerated"
        return nb

    monkeypatch.setattr(lessons, "execute", execute)
    lesson = course / "notebooks" / LESSON
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert notebooks.regenerate([lesson], force=True) == 0
    (saved,) = backups(course)
    assert "My notes" in saved.read_text() and "regenerated" not in saved.read_text()
    assert "regenerated" in lesson.read_text()
    assert f"a copy of the previous version: notebooks/.backups/{saved.name}" in capsys.readouterr().out


@pytest.mark.parametrize("out", ["notebooks", "lessons-copy"])
def test_assignments_never_write_over_lessons(course, capsys, out):
    folder = course / out
    if out != "notebooks":
        shutil.copytree(course / "notebooks", folder)
    before = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    assert notebooks.assignments(folder) == 2
    assert "Refusing to write assignments into" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.glob("*.ipynb")} == before


def test_assignments_keep_a_changed_copy_before_rewriting_it(course):
    out = course / "assignments"
    assert notebooks.assignments(out) == 0
    assert notebooks.assignments(out) == 0 and not (out / ".backups").exists(), "unchanged: no backup"
    work = out / LESSON
    work.write_text(work.read_text().replace("Set-up check", "A learner's answers"))
    assert notebooks.assignments(out) == 0
    (saved,) = (out / ".backups").glob("*.ipynb")
    assert "A learner's answers" in saved.read_text() and "A learner's answers" not in work.read_text()


# ---------------------------------------------------------------- originals without git
@pytest.fixture
def zip_copy(tmp_path, monkeypatch):
    """The course as a ZIP download leaves it: no .git; its first set-up stored the lessons."""
    root = tmp_path / "course-main"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REAL_NOTEBOOKS / LESSON, root / "notebooks")
    monkeypatch.setattr(lessons, "ROOT", root)
    monkeypatch.setattr(lessons, "NOTEBOOKS", root / "notebooks")
    monkeypatch.setattr(notebooks, "BACKUPS", root / "notebooks" / ".backups")
    return root


def test_reset_works_in_a_zip_copy_from_the_stored_originals(zip_copy, capsys):
    assert originals.store_originals(zip_copy)
    lesson = zip_copy / "notebooks" / LESSON
    original = lesson.read_bytes()
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert notebooks.reset("00", yes=True) == 0
    assert lesson.read_bytes() == original
    out = capsys.readouterr().out
    assert f"{originals.FROM_STORE.format(rel='notebooks/' + LESSON)}\n{originals.NOT_A_CLONE}\n" in out
    lesson.unlink()
    assert notebooks.reset("00", yes=True) == 0 and lesson.read_bytes() == original, "a deleted lesson too"


def test_stored_originals_are_written_once(zip_copy):
    assert originals.store_originals(zip_copy)
    lesson = zip_copy / "notebooks" / LESSON
    lesson.write_text(lesson.read_text().replace("Set-up check", "My notes"))
    assert not originals.store_originals(zip_copy), "a later set-up must not store the learner's edits"
    assert b"My notes" not in (zip_copy / originals.STORE / LESSON).read_bytes()


def test_stored_originals_come_from_git_when_it_answers(course):
    lesson = course / "notebooks" / LESSON
    lesson.write_text(lesson.read_text().replace("Set-up check", "Edited before the first set-up"))
    assert originals.store_originals(course)
    assert b"Edited before" not in (course / originals.STORE / LESSON).read_bytes()


FAKE_GIT = textwrap.dedent('''
    import sys
    sys.stderr.write(sys.argv[1])
    sys.exit(128)
''')
GIT_SAYS_DUBIOUS = ("fatal: detected dubious ownership in repository at '/home/ada/course'\n"
                    "To add an exception for this directory, call:\n\n"
                    "\tgit config --global --add safe.directory /home/ada/course\n")


@pytest.mark.parametrize("failure, reason", [
    ("no git", originals.GIT_MISSING),
    ("zip copy", originals.NOT_A_CLONE),
    ("dubious ownership", "git refuses this folder because another user owns it"),
])
def test_each_git_failure_is_named(zip_copy, tmp_path, monkeypatch, capsys, failure, reason):
    if failure == "no git":
        monkeypatch.setattr(originals, "GIT", [str(tmp_path / "no-such-git")])
    elif failure == "dubious ownership":
        fake = tmp_path / "fake_git.py"
        fake.write_text(FAKE_GIT)
        monkeypatch.setattr(originals, "GIT", [sys.executable, str(fake), GIT_SAYS_DUBIOUS])
    assert notebooks.reset("00", yes=True) == 2
    first, second = capsys.readouterr().err.splitlines()[:2]
    assert first == originals.NO_ORIGINAL.format(rel=f"notebooks/{LESSON}")
    assert second.startswith(reason), second
    with pytest.raises(originals.GitError, match=re.escape(reason)):
        originals.committed_lessons(zip_copy)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_git_dubious_ownership_for_real(course, monkeypatch):
    """A clone owned by another user, as git (≥ 2.35.2) refuses it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # no safe.directory exception of this machine's
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for path in [course, *course.rglob("*")]:
        os.lchown(path, 54321, 54321)
    with pytest.raises(originals.GitError) as caught:
        originals.git("status", root=course)
    assert "another user owns it" in caught.value.reason and str(course) in caught.value.reason


def test_a_lesson_missing_from_the_commit_is_named(course, capsys):
    new = course / "notebooks" / "01_my_new_lesson.ipynb"
    shutil.copy(course / "notebooks" / LESSON, new)
    assert notebooks.reset("01", yes=True) == 2
    assert "git's last commit has no notebooks/01_my_new_lesson.ipynb." in capsys.readouterr().err


def test_tidy_sets_kernelspec_and_drops_widget_state():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.cells.append(nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "t"}}))
    nb = lessons.tidy(nb)
    assert nb.metadata.kernelspec.name == "python3" and "widgets" not in nb.metadata
    assert "execution" not in nb.cells[0].metadata


# ---------------------------------------------------------------- the output masks
def test_masks_are_parsed_as_nbval_parses_them():
    from nbval.plugin import get_sanitize_patterns

    expected = get_sanitize_patterns(masks.SANITIZE_CFG.read_text())
    assert [(p.pattern, r) for p, r in masks.load_masks()] == [tuple(e) for e in expected]


@pytest.mark.parametrize("text, masked", [
    ("<function f at 0x7f3a2b4c5d60>", "<function f at 0xADDRESS>"),
    ("<Figure size 640x480 with 1 Axes>", "<Figure size 640x480 with 1 Axes>"),  # sizes are compared
    ("mask = 0xFF, big = 0x7f3a2b4c5d60", "mask = 0xFF, big = 0x7f3a2b4c5d60"),  # hex literals too
    ("saved to /home/ada/course/x.png", "saved to PATH"),
    (r"saved to C:\Users\ada\course\x.png", "saved to PATH"),
])
def test_masks_hide_only_what_differs_between_machines(text, masked):
    assert masks.mask(text) == masked


def test_no_other_copy_of_the_masks():
    """The rerun test and the GPU check use course_tools.masks, not regexes of their own."""
    root = lessons.ROOT
    for rel in ("tests/test_notebook_rerun.py", "course_tools/gpu_check.py"):
        text = (root / rel).read_text()
        assert "mask" in text and not re.search(r"0x\[0-9a-f", text, re.I), rel


# ---------------------------------------------------------------- one home per small idea
CODE = ["course.py", "conftest.py", "course_tools", "helpers", "benchmarks", "tests/browser/harness.py",
        "tests/browser/conftest.py", "tests/notebook_rules.py", "tests/test_notebook_rerun.py"]


def _code_files():
    for rel in CODE:
        path = lessons.ROOT / rel
        yield from (sorted(path.rglob("*.py")) + sorted(path.rglob("*.js"))) if path.is_dir() else [path]


@pytest.mark.parametrize("idea, pattern, home", [
    ("lesson lookup", r'"\[0-9\]\[0-9\]_\*\.ipynb"', "course_tools/lessons.py"),
    ("kernel environment", r"PYTHONHASHSEED=", "course_tools/lessons.py"),
    ("JupyterLab command line", r'"-m", "jupyterlab"', "course_tools/lab.py"),
    ("JupyterLab settings", r"windowingMode", "course_tools/lab.py"),
    ("output masks", r"0xADDRESS|0x\[0-9a-fA-F\]", None),  # only in tests/nbval_sanitize.cfg
    ("minimum Python", r"\(3, ?1[01]\)|>=\s*3\.1[01]", None),  # only in pyproject.toml
])
def test_each_small_idea_has_one_home(idea, pattern, home):
    places = sorted({p.relative_to(lessons.ROOT).as_posix() for p in _code_files()
                     if re.search(pattern, p.read_text(encoding="utf-8"))})
    assert places == ([home] if home else []), f"{idea} is defined in {places}"


# ---------------------------------------------------------------- the Chinese edition
def _add_chinese_lesson(root: Path, commit: bool) -> Path:
    """A stand-in for notebooks/zh-CN/00_…: the English lesson with one word changed, so the two differ."""
    chinese = root / "notebooks" / "zh-CN" / LESSON
    chinese.parent.mkdir()
    chinese.write_text((root / "notebooks" / LESSON).read_text().replace("Set-up check", "环境检查"))
    if commit:
        git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True)
        git("add", ".")
        git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "zh")
    return chinese


def test_reset_lang_zh_restores_the_chinese_lesson_and_leaves_the_english_one(course, capsys):
    chinese = _add_chinese_lesson(course, commit=True)
    english = course / "notebooks" / LESSON
    original, english_before = chinese.read_bytes(), english.read_text()
    chinese.write_text(chinese.read_text().replace("环境检查", "我的笔记"))
    english.write_text(english_before.replace("Set-up check", "My notes"))
    assert notebooks.reset("00", yes=True, lang="zh-CN") == 0
    assert chinese.read_bytes() == original and "My notes" in english.read_text()
    (saved,) = sorted((chinese.parent / ".backups").glob("*.ipynb"))
    assert "我的笔记" in saved.read_text() and not backups(course)
    assert "notebooks/zh-CN/.backups/" in capsys.readouterr().out


def test_reset_lang_zh_in_a_zip_copy_uses_the_stored_chinese_original(zip_copy):
    chinese = _add_chinese_lesson(zip_copy, commit=False)
    original = chinese.read_bytes()
    assert originals.store_originals(zip_copy)
    assert (zip_copy / originals.STORE / "zh-CN" / LESSON).read_bytes() == original
    chinese.unlink()
    assert notebooks.reset("00", yes=True, lang="zh-CN") == 0 and chinese.read_bytes() == original
