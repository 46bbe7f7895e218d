"""nbgrader, for real: the course directory written from the lessons goes through nbgrader's own
generate_assignment, release, fetch, submit, collect, autograde and generate_feedback, with three
simulated learners, and the scores are read back from nbgrader's gradebook.

Skipped locally without the teacher's packages (requirements-teacher.txt); failed under CI.
"""
from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools.classroom import conversion, nbgrader_course
from course_tools.lessons import execute, find_lesson, lesson_paths

from .classroom_support import grading, need_teacher_env, tags, without_blank_lines

pytestmark = pytest.mark.filterwarnings("ignore:Object of type")  # nbgrader's own SAWarning; naming its class would import sqlalchemy, which only the teacher extra installs
ROUND_TRIP_LESSON = "02"  # several exercises, one with two checks, a quick lesson
LEARNERS = ("solver", "untouched", "mistaken")


@pytest.fixture(scope="module")
def nbgrader_api(tmp_path_factory):
    need_teacher_env()
    with pytest.MonkeyPatch.context() as patch:
        # nbgrader's gradebook runs `alembic` from PATH: the venv's bin must come first
        patch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
        yield _api(tmp_path_factory.mktemp("classroom"))


def _api(root: Path):
    from traitlets.config.loader import PyFileConfigLoader
    from nbgrader.apps import NbGraderAPI

    course = root / "course"
    nbgrader_course.write_course(course, echo=lambda *_: None)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    config.Exchange.root = str(root / "exchange")
    (root / "exchange").mkdir()
    api = NbGraderAPI(config=config)
    api.root = root
    return api


def _ok(result: dict, what: str) -> None:
    assert result["success"], f"nbgrader {what} failed:\n{result.get('error')}\n{result.get('log')}"


def _learner(api, student: str):
    from traitlets.config import Config
    from nbgrader.coursedir import CourseDirectory

    home = api.root / "homes" / student
    home.mkdir(parents=True, exist_ok=True)
    config = Config(api.config)
    config.Exchange.assignment_dir = str(home)
    config.CourseDirectory.student_id = student
    return home, config, CourseDirectory(config=config)


def _mistake_for(exercise: conversion.ConvertedExercise, namespace: dict):
    """A declared mistake with a hint of this exercise's (single-answer) check, or None."""
    check = exercise.checks[0]
    if len(exercise.checks) != 1 or not check.argument.isidentifier():
        return None
    checker = eval(check.checker, namespace)  # e.g. lesson02's gradient_exercise
    hinted = [m for m in getattr(checker, "mistakes", ()) if m.hint]
    return (checker, hinted[0]) if hinted else None


def test_every_lesson_is_released_as_its_own_exercises(nbgrader_api):
    """generate_assignment leaves each answer cell as the lesson's exercise cell (the markers become
    one blank line), and no solution text anywhere."""
    for path in lesson_paths():
        _ok(nbgrader_api.generate_assignment(path.stem), f"generate_assignment {path.stem}")
        release = nbformat.read(nbgrader_api.root / "course" / "release" / path.stem / path.name, as_version=4)
        lesson = nbformat.read(path, as_version=4)
        exercises = [c.source for c in lesson.cells if "exercise" in tags(c)]
        answers = [c.source for c in release.cells if grading(c).get("solution")]
        assert [without_blank_lines(a) for a in answers] == [without_blank_lines(e) for e in exercises], path.stem
        solutions = [c.source for c in lesson.cells if "solution" in tags(c)]
        released = "\n".join(c.source for c in release.cells)
        assert "BEGIN SOLUTION" not in released
        for solution in solutions:  # each solution's distinctive lines are gone
            for line in solution.split("\n"):
                if line.strip() and not any(line in e for e in exercises) and line not in released:
                    break
            else:
                pytest.fail(f"{path.stem}: a solution's lines all survive in the release:\n{solution}")


def test_round_trip_three_learners(nbgrader_api):
    from nbgrader.api import Gradebook

    api = nbgrader_api
    lesson = find_lesson(ROUND_TRIP_LESSON)
    name = lesson.stem
    _ok(api.generate_assignment(name), "generate_assignment")
    _ok(api.release_assignment(name), "release_assignment")
    source = nbformat.read(api.root / "course" / "source" / name / lesson.name, as_version=4)
    solved = {grading(c)["grade_id"]: "\n".join(line for line in c.source.split("\n") if "SOLUTION" not in line)
              for c in source.cells if grading(c).get("solution")}
    _, exercises = conversion.to_source(nbformat.read(lesson, as_version=4), name)
    import importlib
    checks = vars(importlib.import_module(f"helpers.checks.lesson{ROUND_TRIP_LESSON}"))
    wrong, (checker, mistake) = next((e, m) for e in exercises for m in [_mistake_for(e, checks)] if m)

    for student in LEARNERS:
        home, config, coursedir = _learner(api, student)
        coursedir.assignment_id = name
        api.exchange.FetchAssignment(coursedir=coursedir, authenticator=api.authenticator, config=config).start()
        path = home / name / lesson.name
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = grading(cell).get("grade_id")
            if student != "untouched" and grade_id in solved:
                cell.source = solved[grade_id]
            if student == "mistaken" and grade_id == wrong.answer_id:  # the declared mistake, as the answer
                variable = wrong.checks[0].argument
                cell.source += (f"\n{variable} = next(m.answer for m in {wrong.checks[0].checker}.mistakes "
                                f"if m.name == {mistake.name!r})")
        nbformat.write(nb, path)
        api.exchange.Submit(coursedir=coursedir, authenticator=api.authenticator, config=config).start()
    _ok(api.collect(name), "collect")
    for student in LEARNERS:
        _ok(api.autograde(name, student), f"autograde {student}")
        _ok(api.generate_feedback(name, student), f"generate_feedback {student}")

    total = sum(len(e.test_ids) for e in exercises)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        scores = {s: gradebook.find_submission(name, s).score for s in LEARNERS}
        lost = {g.name for g in gradebook.find_submission_notebook(lesson.stem, name, "mistaken").grades
                if g.max_score and g.score < g.max_score}
    assert scores == {"solver": total, "untouched": 0, "mistaken": total - len(wrong.test_ids)}
    assert lost == set(wrong.test_ids)

    feedback = api.root / "course" / "feedback" / "mistaken" / name / f"{name}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text(encoding="utf-8")))
    expected = checker.evaluate(mistake.answer).message
    assert expected.startswith("✗") and mistake.hint.rstrip(".") in expected
    assert f"AssertionError: {expected}" in text, "the feedback must show the check's ✗ message with its hint"


@pytest.mark.slow
@pytest.mark.parametrize("path", lesson_paths(), ids=[p.stem for p in lesson_paths()])
def test_every_lessons_teacher_version_passes_its_own_tests(nbgrader_api, path):
    """The source notebook (solutions in place) runs top to bottom and every autograder test says ✓:
    the conversion found the right names for every exercise of every lesson."""
    source = nbformat.read(nbgrader_api.root / "course" / "source" / path.stem / path.name, as_version=4)
    execute(source, cwd=path.parent)  # an error in any cell not tagged raises-exception fails here
    tests = [c for c in source.cells if grading(c).get("grade")]
    shown = ["".join(o.get("text", "") for o in c.outputs) for c in tests]
    assert tests and all(s.startswith("✓") for s in shown), shown
