"""Write an nbgrader course directory from the lessons: `source/<lesson>/<lesson>.ipynb` for every
lesson (see `conversion`) and an `nbgrader_config.py` that a teacher who knows nbgrader can read.

From there nbgrader itself does the rest (run in the course directory)::

    nbgrader generate_assignment 02_manual_gradients   # release/ without solutions
    nbgrader release_assignment 02_manual_gradients    # to the exchange (or hand out release/)
    nbgrader collect 02_manual_gradients
    nbgrader autograde 02_manual_gradients
    nbgrader generate_feedback 02_manual_gradients
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from course_tools import lessons as course_lessons
from course_tools.classroom import conversion

COURSE_ID = "backprop-step-by-step"
CONFIG_TEMPLATE = '''"""nbgrader configuration of the course {course_id!r}, written by
`python3 course.py classroom nbgrader` from the lessons (see docs/teaching.md)."""
c = get_config()  # noqa: F821  (nbgrader provides it)

c.CourseDirectory.course_id = {course_id!r}
# Each "Your turn" answer cell holds the lesson's exercise, then the solution between
# ### BEGIN SOLUTION / ### END SOLUTION, then the check. generate_assignment replaces the solution
# with this stub: an empty line, so that learners get the lesson's own exercise cell back,
# placeholder (`answer = None  # your code here`) and check included.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# Lessons train small models and draw figures: give a cell more than nbgrader's default 30 s.
c.Execute.timeout = {timeout}
# Where release_assignment / fetch_assignment / submit / collect exchange files: a folder every user
# can write to, the same for teacher and learners (nbgrader's default, which deploy/ uses):
# c.Exchange.root = "/usr/local/share/nbgrader/exchange"
'''
EXISTS = "{path} exists already: add --force to overwrite it (a teacher's edits there would be lost)"
WROTE = "wrote {path}: {exercises} exercise(s), {tests} autograder test cell(s), {points} point(s)"
NO_LESSONS = "no lessons (NN_*.ipynb) in {folder}"


def write_course(out: Path, lessons_dir: Path | None = None, points_per_check: int = 1,
                 force: bool = False, cell_timeout: int = 300, echo=print) -> list[str]:
    """Write the course directory `out`; return the assignment ids (one per lesson, its stem)."""
    paths = course_lessons.lesson_paths(lessons_dir)
    if not paths:
        raise ValueError(NO_LESSONS.format(folder=lessons_dir or course_lessons.NOTEBOOKS))
    targets = {p: out / "source" / p.stem / p.name for p in paths}
    config = out / "nbgrader_config.py"
    if not force:
        for target in [config, *targets.values()]:
            if target.exists():
                raise FileExistsError(EXISTS.format(path=target))
    converted = {}
    for path, target in targets.items():  # convert all first: a broken lesson writes nothing
        converted[path] = conversion.to_source(nbformat.read(path, as_version=4), path.stem, points_per_check)
    out.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG_TEMPLATE.format(course_id=COURSE_ID, stub=conversion.CODE_STUB,
                                             timeout=cell_timeout), encoding="utf-8")
    for path, (nb, exercises) in converted.items():
        nbformat.validate(nb)
        targets[path].parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, targets[path])
        tests = sum(len(e.test_ids) for e in exercises)
        echo(WROTE.format(path=targets[path], exercises=len(exercises), tests=tests,
                          points=tests * points_per_check))
    return [p.stem for p in paths]
