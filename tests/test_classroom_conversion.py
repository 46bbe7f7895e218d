"""Lessons → nbgrader source notebooks (course_tools.classroom.conversion): every lesson, from its
tags alone; and the teacher's command line. No nbgrader needed (see test_classroom_nbgrader.py)."""
from __future__ import annotations

import ast
import shutil

import nbformat
import pytest

from course_tools.classroom import conversion, gitpuller, main
from course_tools.lessons import lesson_paths

from .classroom_support import grading, tags, without_blank_lines

LESSONS = lesson_paths()


def _source(path):
    return conversion.to_source(nbformat.read(path, as_version=4), path.stem)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_exercise_becomes_an_answer_cell_with_test_cells(path):
    lesson = nbformat.read(path, as_version=4)
    source, exercises = _source(path)
    exercise_cells = [c for c in lesson.cells if "exercise" in tags(c)]
    answers = [c for c in source.cells if grading(c).get("solution")]
    tests = [c for c in source.cells if grading(c).get("grade")]
    assert len(answers) == len(exercise_cells) == len(exercises) >= 1
    calls = sum(len(conversion.split_exercise(c.source)[2]) for c in exercise_cells)
    assert len(tests) == calls
    assert all(g["points"] == 1 and g["locked"] for g in map(grading, tests))
    for exercise, answer in zip(exercise_cells, answers):
        head, _, tail = answer.source.partition(conversion.BEGIN)
        _, _, tail = tail.partition(conversion.END)
        # what generate_assignment leaves: the lesson's exercise (the markers become a blank line)
        assert without_blank_lines(head + "\n" + tail) == without_blank_lines(exercise.source)
        ast.parse(answer.source)  # the teacher's version runs as one cell
    ids = [grading(c)["grade_id"] for c in source.cells]
    assert len(ids) == len(set(ids)) == len(source.cells)
    assert len({c.id for c in source.cells}) == len(source.cells)
    nbformat.validate(source)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_teaching_cells_are_read_only_and_solutions_leave_no_trace(path):
    source, _ = _source(path)
    others = [c for c in source.cells if not grading(c).get("solution") and not grading(c).get("grade")]
    assert others and all(grading(c)["locked"] for c in others)
    assert not any("solution" in tags(c) for c in source.cells)
    assert not any(c.source.strip().startswith(conversion.SOLUTION_LINE) for c in source.cells)
    assert all(not c.outputs for c in source.cells if c.cell_type == "code")


def test_test_cells_ask_the_same_check_and_fail_on_a_cross():
    source, exercises = _source(LESSONS[2])
    first = exercises[0]
    assert first.checks[0].evaluate == "gradient_exercise.evaluate(my_gradient)"
    cell = next(c for c in source.cells if grading(c).get("grade_id") == first.test_ids[0])
    namespace = {"gradient_exercise": type("Check", (), {"evaluate": staticmethod(
        lambda answer: type("Feedback", (), {"ok": False, "message": "✗ the hint"})())}), "my_gradient": None}
    with pytest.raises(AssertionError, match="✗ the hint"):
        exec(cell.source, namespace)


@pytest.mark.parametrize("exercise, solution, expected", [
    ("c.check(answer)", "c.check(answer_solution)", [("answer", "answer_solution")]),
    ("c.check((a, b))", "c.check((a_s, b_s))", [("(a, b)", "(a_s, b_s)")]),
    ("c.check(through(Square))", "c.check(through(SquareSolution))", [("Square", "SquareSolution")]),
    ("c.check(mul)", "c.check(Value.__mul__)", [("mul", "Value.__mul__")]),
    ("c.check(x)", "c.check(x)", []),
    ("c.check(f(x))", "c.check(g(x, y))", None),
    ("c.check(f(1))", "c.check(f(2))", None),
])
def test_name_bindings(exercise, solution, expected):
    a, b = (ast.parse(s).body[0].value.args[0] for s in (exercise, solution))
    assert conversion.name_bindings(a, b) == expected


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, source, cell_tags in cells:
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(source, metadata={"tags": cell_tags}))
    return nb


@pytest.mark.parametrize("cells, message", [
    ([("code", "answer = None  # your code here", ["exercise"]), ("code", "c.check(1)", ["solution"])],
     "does not end with a check call"),
    ([("code", "answer = None\nc.check(answer)", ["exercise"])], "has no code cell tagged 'solution'"),
    ([("code", "answer = None\nc.check(answer)", ["exercise"]), ("code", "d.check(2)", ["solution"])],
     "does not call the same check"),
    ([("code", "answer = None\nc.check(f(answer))", ["exercise"]), ("code", "c.check(g(2))", ["solution"])],
     "cannot tell which of the solution's names"),
    ([("code", "answer = (\nc.check(answer)", ["exercise"]), ("code", "c.check(2)", ["solution"])],
     "is not valid Python"),
])
def test_a_lesson_off_the_convention_gets_a_clear_error(cells, message):
    with pytest.raises(conversion.ConversionError, match=message):
        conversion.to_source(_notebook(*cells), "99_broken")


def test_solution_block_binds_names_and_drops_the_solutions_own_check():
    nb = _notebook(("markdown", "### Your turn 4\nDo it.", []),
                   ("code", "answer = None  # your code here\n\nc.check(answer)", ["exercise"]),
                   ("markdown", "▸ Solution (click to expand)", []),
                   ("code", "answer_solution = 42\nc.check(answer_solution)\nprint('more')", ["solution"]))
    source, exercises = conversion.to_source(nb, "99_tiny", points_per_check=3)
    assert [c.source for c in source.cells][:2] == [
        "### Your turn 4\nDo it.",
        "answer = None  # your code here\n### BEGIN SOLUTION\nanswer_solution = 42\nprint('more')\n"
        "answer = answer_solution\n### END SOLUTION\nc.check(answer)"]
    assert exercises[0].turn == "4" and grading(source.cells[2])["points"] == 3
    assert len(source.cells) == 3


def test_command_writes_a_course_and_refuses_to_overwrite_it(tmp_path, capsys):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(LESSONS[0], lessons / LESSONS[0].name)
    course = tmp_path / "course"
    assert main(["nbgrader", str(course), "--lessons", str(lessons), "--points", "2"]) == 0
    written = course / "source" / LESSONS[0].stem / LESSONS[0].name
    assert written.exists() and (course / "nbgrader_config.py").exists()
    assert "2 point(s)" in capsys.readouterr().out
    config = (course / "nbgrader_config.py").read_text()
    assert f"c.ClearSolutions.code_stub = {{\"python\": {conversion.CODE_STUB!r}}}" in config
    compile(config, "nbgrader_config.py", "exec")
    assert main(["nbgrader", str(course), "--lessons", str(lessons)]) == 2
    assert "add --force" in capsys.readouterr().err
    assert main(["nbgrader", str(course), "--lessons", str(lessons), "--force"]) == 0


@pytest.mark.parametrize("args, message", [
    (["--points", "0"], "--points must be ≥ 1"),
    (["--lessons", "no-such-folder"], "no lessons"),
])
def test_command_names_bad_input(tmp_path, capsys, args, message):
    assert main(["nbgrader", str(tmp_path / "course"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "course").exists()


def test_gitpuller_link_opens_lesson_00_in_the_cloned_course(capsys):
    assert main(["gitpuller-link", "--hub", "https://hub.example.edu/", "--repo",
                 "https://github.com/org/backprop-step-by-step.git"]) == 0
    link = capsys.readouterr().out.strip()
    assert link == ("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg"
                    "%2Fbackprop-step-by-step.git&branch=main&targetpath=backprop-step-by-step&urlpath=lab%2Ftree"
                    "%2Fbackprop-step-by-step%2Fnotebooks%2F" + LESSONS[0].name)


@pytest.mark.parametrize("hub, repo, message", [
    ("hub.example.edu", "https://github.com/org/course", "--hub must be an http(s) URL"),
    ("https://hub.example.edu", "git@github.com:org/course.git", "--repo must be an http(s) URL"),
])
def test_gitpuller_link_names_a_bad_url(capsys, hub, repo, message):
    assert main(["gitpuller-link", "--hub", hub, "--repo", repo]) == 2
    assert message in capsys.readouterr().err


def test_gitpuller_link_names_an_unknown_lesson():
    with pytest.raises(ValueError, match="names no lesson"):
        gitpuller.link("https://hub.example.edu", "https://github.com/org/course", lesson="42")
