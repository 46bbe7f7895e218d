"""The course's command line, defined once: `course.py` parses it before set-up (so a bad argument
is refused before anything is installed) and `python -m course_tools` parses the same words again
inside .venv. Standard library only: course.py imports it before .venv exists.

Commands and who runs them:

    setup [--teacher]        course.py only: create .venv, install the pins (and the teacher extra)
    lab [--ip IP] [--port N] [--allow-remote] [--no-browser] [--lang en|zh-CN]
    test [PYTEST ARGS …]     everything after `test` goes to pytest untouched
    regenerate [NOTEBOOK …] [--force]
    reset NN [--yes] [--lang zh-CN]
    assignments [--out DIR]
    gpu-check [NN …]
    classroom [ARGS …]       set up with the teacher extra, then course_tools.classroom.main(ARGS)
    translate [--check]      update the Chinese catalogs, rebuild and run the Chinese lessons

A new `lab` option is one `add_argument` below and one key in `lab_options()`, which hands the
options to `course_tools.lab.learner_lab` by keyword.
"""
from __future__ import annotations

import argparse
import ipaddress
import re

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
DEFAULT_ASSIGNMENTS = "assignments"
LANGUAGES = ("en", "zh-CN")
# Commands whose arguments belong to another program (pytest, the classroom tools): not parsed here.
PASSTHROUGH = {"test": "pytest_args", "classroom": "classroom_args"}
HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")

BAD_PORT = "expected a whole number from 1 to 65535 (or 0 for any free port), got {value!r}"
BAD_HOST = "expected an IP address such as 127.0.0.1 or ::1, or a host name, got {value!r}"


def port_number(text: str) -> int:
    """argparse type of --port: 0..65535 (0 = any free port), else a clear error, never a traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(BAD_PORT.format(value=text)) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(BAD_PORT.format(value=text))
    return port


def host_address(text: str) -> str:
    """argparse type of --ip: an IP address (IPv6 brackets dropped) or a host name."""
    host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        if HOST_NAME.match(host) and not host.rsplit(".", 1)[-1].isdigit():  # 300.1.1.1 is no name
            return host
    raise argparse.ArgumentTypeError(BAD_HOST.format(value=text))


def build_parser(prog: str = "course.py", description: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    setup = sub.add_parser("setup", help="create .venv and install the pins (skipped when up to date)")
    setup.add_argument("--teacher", action="store_true",
                       help="also install requirements-teacher.txt (nbgrader, JupyterHub) when it exists")

    lab = sub.add_parser("lab", help="set up if needed and open JupyterLab on lesson 00")
    lab.add_argument("--ip", type=host_address, default=DEFAULT_HOST,
                     help="address to listen on (default %(default)s; ::1 for IPv6)")
    lab.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                     help="preferred port (default %(default)s); another is taken if busy")
    lab.add_argument("--allow-remote", action="store_true",
                     help="allow a non-loopback --ip (plain HTTP: the token travels unencrypted)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    lab.add_argument("--lang", choices=LANGUAGES, default=None,
                     help="the lessons' and JupyterLab's language (default: zh-CN when your locale is Chinese, else en)")

    test = sub.add_parser("test", help="set up if needed and run every test; other arguments go to pytest")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest")

    regen = sub.add_parser("regenerate", help="re-execute notebooks in fresh kernels and store their outputs")
    regen.add_argument("notebooks", nargs="*", help="notebooks to regenerate (default: all lessons)")
    regen.add_argument("--force", action="store_true",
                       help="overwrite notebooks with uncommitted changes (a copy goes to notebooks/.backups/)")

    reset = sub.add_parser("reset", help="restore one lesson to its original, saving your copy first")
    reset.add_argument("lesson", help="lesson number or file name, e.g. 02")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.add_argument("--lang", choices=("en", "zh-CN"), default="en",
                       help="which edition's lesson: en (default) or zh-CN (notebooks/zh-CN/)")

    assign = sub.add_parser("assignments", help="write lesson copies without solution cells")
    assign.add_argument("--out", default=DEFAULT_ASSIGNMENTS,
                        help="output folder (default: %(default)s/); never the lessons' folder")

    gpu = sub.add_parser("gpu-check", help="run lessons on a CUDA machine and compare with the stored outputs")
    gpu.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")

    translate = sub.add_parser("translate", help="update the Chinese edition from the English lessons and catalogs")
    translate.add_argument("--check", action="store_true", help="only report missing or stale translations")

    classroom = sub.add_parser("classroom", help="teacher tools for a class (sets up the teacher extra)")
    classroom.add_argument("classroom_args", nargs=argparse.REMAINDER, help="passed to the classroom tools")
    return parser


def parse(argv: list[str], prog: str = "course.py", description: str | None = None) -> argparse.Namespace:
    """The parsed command line; argparse exits with status 2 and a usage line on a bad argument."""
    argv = list(argv)
    if argv and argv[0] in PASSTHROUGH:  # `test -x`, `classroom nbgrader DIR`: not ours to parse
        return argparse.Namespace(command=argv[0], **{PASSTHROUGH[argv[0]]: argv[1:]})
    return build_parser(prog, description).parse_args(argv)


def wants_teacher_extra(args: argparse.Namespace) -> bool:
    """Whether set-up must also install requirements-teacher.txt."""
    return args.command == "classroom" or (args.command == "setup" and args.teacher)


def lab_options(args: argparse.Namespace) -> dict[str, object]:
    """The keyword arguments of course_tools.lab.learner_lab for a parsed `lab` command."""
    return {"host": args.ip, "port": args.port, "allow_remote": args.allow_remote,
            "open_browser": not args.no_browser, "lang": args.lang}
