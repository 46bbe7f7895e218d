"""`python -m course_tools COMMAND …`: what `course.py` runs inside .venv after set-up.

The command line is course_tools/cli.py's, the same one course.py parsed: see there for the
commands. `setup` is course.py's own (it runs before this package's dependencies exist).
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from course_tools import cli

SETUP_IS_COURSE_PY = "Set-up is done by course.py, outside .venv: run `python3 course.py setup`."
NO_CLASSROOM = ("The classroom tools (course_tools/classroom) are not in this copy of the course; "
                "update it to a version that has them.")
CLASSROOM_NEEDS_EXTRA = ("The classroom tools need the teacher packages ({missing} is missing): "
                         "run `python3 course.py setup --teacher`, then try again.")


def run_tests(pytest_args: list[str]) -> int:
    """The README's test command: pytest over everything, in parallel, from the course folder."""
    from course_tools.lessons import ROOT

    workers = min(4, os.cpu_count() or 1)
    cmd = [sys.executable, "-m", "pytest", "-n", str(workers), "--dist", "loadscope", *pytest_args]
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def run_classroom(argv: list[str]) -> int:
    """course_tools.classroom.main(argv), imported only when asked for (teachers' packages)."""
    try:
        classroom = importlib.import_module("course_tools.classroom")
    except ModuleNotFoundError as exc:
        if exc.name == "course_tools.classroom":
            print(NO_CLASSROOM, file=sys.stderr)
            return 2
        if not exc.name or exc.name.startswith("course_tools"):
            raise  # a bug in the course's own code, not a missing package
        print(CLASSROOM_NEEDS_EXTRA.format(missing=exc.name), file=sys.stderr)
        return 2
    return classroom.main(list(argv))


def main(argv: list[str] | None = None) -> int:
    args = cli.parse(sys.argv[1:] if argv is None else argv, prog="python -m course_tools", description=__doc__)
    if args.command == "setup":
        print(SETUP_IS_COURSE_PY, file=sys.stderr)
        return 2
    if args.command == "test":
        return run_tests(args.pytest_args)
    if args.command == "classroom":
        return run_classroom(args.classroom_args)
    if args.command == "lab":
        from course_tools import lab

        return lab.learner_lab(**cli.lab_options(args))
    if args.command == "translate":
        from course_tools import translate

        return translate.run(check_only=args.check)
    if args.command == "gpu-check":
        from course_tools import gpu_check

        return gpu_check.main(args.lessons)
    from course_tools import lessons, notebooks

    try:
        if args.command == "regenerate":
            paths = [lessons.resolve_lesson(n) for n in args.notebooks] or (
                lessons.lesson_paths() + lessons.lesson_paths(lessons.NOTEBOOKS / "zh-CN"))
            return notebooks.regenerate(paths, force=args.force)
        if args.command == "reset":
            return notebooks.reset(args.lesson, yes=args.yes, lang=getattr(args, "lang", "en"))
        out = Path(args.out)
        return notebooks.assignments(out if out.is_absolute() else lessons.ROOT / out)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
