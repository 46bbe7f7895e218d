"""The classroom: the course as nbgrader assignments, on a JupyterHub, with measured capacity.

    python -m course_tools.classroom nbgrader DIR [--lessons FOLDER] [--points N] [--force]
    python -m course_tools.classroom gitpuller-link --hub URL --repo URL [--branch B] [--lesson NN]

(`python3 course.py classroom …` runs the same after setting up the teacher's packages.)
`main(argv)` is the one entry point; see docs/teaching.md for a teacher's walk-through.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course.py classroom", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    grader = sub.add_parser("nbgrader", help="write an nbgrader course directory from the lessons")
    grader.add_argument("directory", type=Path, help="the course directory to write (created if missing)")
    grader.add_argument("--lessons", type=Path, default=None,
                        help="folder of the lessons (default: notebooks/; e.g. a translated edition's folder)")
    grader.add_argument("--points", type=int, default=1, help="points per autograder test cell (default 1)")
    grader.add_argument("--force", action="store_true", help="overwrite an existing course's source notebooks")
    link = sub.add_parser("gitpuller-link", help="the nbgitpuller link that puts the lessons into each learner's home")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    link.add_argument("--repo", required=True, help="the course repository's git URL")
    link.add_argument("--branch", default="main", help="branch to pull (default main)")
    link.add_argument("--lesson", default="00", help="lesson JupyterLab opens on (default 00)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one classroom command; returns the exit status (0 on success, 2 on bad input)."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "nbgrader":
            from helpers.validation import require_int
            from course_tools.classroom import nbgrader_course

            points = require_int("--points", args.points, min=1)
            nbgrader_course.write_course(args.directory.resolve(), args.lessons, points, force=args.force)
            return 0
        from course_tools.classroom import gitpuller

        print(gitpuller.link(args.hub, args.repo, branch=args.branch, lesson=args.lesson))
        return 0
    except (ValueError, TypeError, FileExistsError) as exc:
        print(exc, file=sys.stderr)
        return 2
