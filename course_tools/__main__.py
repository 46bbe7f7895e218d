"""`python -m course_tools COMMAND …`: what `course.py` runs inside .venv after set-up.

    regenerate [NOTEBOOK ...] [--force]   re-execute lessons in fresh kernels, store their outputs
    reset 02 [--yes]                      restore a lesson from git (your copy is saved first)
    assignments [--out DIR]               lesson copies without solution cells
    lab [--ip IP] [--port N] [--allow-remote] [--no-browser]   the learner's JupyterLab
    gpu-check [02 05 …]                   run lessons on CUDA, compare with the stored outputs
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate")
    regen.add_argument("notebooks", nargs="*")
    regen.add_argument("--force", action="store_true")
    res = sub.add_parser("reset")
    res.add_argument("lesson")
    res.add_argument("--yes", action="store_true")
    asg = sub.add_parser("assignments")
    asg.add_argument("--out", default="assignments")
    lab = sub.add_parser("lab")
    lab.add_argument("--ip", default="127.0.0.1")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--allow-remote", action="store_true")
    lab.add_argument("--no-browser", action="store_true")
    gpu = sub.add_parser("gpu-check")
    gpu.add_argument("lessons", nargs="*")
    args = parser.parse_args(argv)

    if args.command == "lab":
        from course_tools import lab as lab_tools

        return lab_tools.learner_lab(args.ip, args.port, allow_remote=args.allow_remote,
                                     open_browser=not args.no_browser)
    if args.command == "gpu-check":
        from course_tools import gpu_check

        return gpu_check.main(args.lessons)
    from course_tools import lessons, notebooks

    try:
        if args.command == "regenerate":
            paths = [lessons.resolve_lesson(n) for n in args.notebooks] or lessons.lesson_paths()
            return notebooks.regenerate(paths, force=args.force)
        if args.command == "reset":
            return notebooks.reset(args.lesson, yes=args.yes)
        out = Path(args.out)
        return notebooks.assignments(out if out.is_absolute() else lessons.ROOT / out)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
