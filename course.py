#!/usr/bin/env python3
"""One entry point for learners and teachers; standard library only, so it runs before set-up.

    python3 course.py lab          set up if needed, open JupyterLab on lesson 00
    python3 course.py test         set up if needed, run every test (unit, nbval, hygiene, browser)
    python3 course.py setup        create .venv and install the pins (skipped when up to date)
    python3 course.py regenerate   re-execute notebooks in fresh kernels, store their outputs
    python3 course.py reset 02     restore one lesson to its original (your copy is saved first)
    python3 course.py assignments  write copies of the lessons without solution cells
    python3 course.py gpu-check    run the lessons on a CUDA machine, compare with stored outputs
    python3 course.py classroom …  teacher tools for a class (sets up the teacher extra first)

Works on Linux, macOS and Windows. Set-up repairs itself: a .venv whose Python no longer runs, or
that an interrupted set-up left without pip, is rebuilt, and an interrupted install is finished by
the next run. It is skipped while requirements.txt, pyproject.toml (for teachers also
requirements-teacher.txt) and the Python inside .venv are unchanged, whichever Python runs this
file. When set-up cannot go on (no network, a proxy, a read-only folder, a full disk) it says what
happened and what to do. The command line is defined once, in course_tools/cli.py; after set-up
the same words go to `python -m course_tools …` in .venv.

COURSE_TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu takes torch (and only torch) from
that index, e.g. its CPU build on Linux; every other package still comes from pip's own index.
"""
import os
import re
import sys

# Nothing above the version check may need more than Python 3.6: an older Python must get as far
# as saying which version is needed, not stop on a syntax error or a failed import.
HERE = os.path.dirname(os.path.abspath(__file__))
TOO_OLD = ("Backprop Step by Step needs Python {needed} or newer (its pinned packages, numpy, matplotlib "
           "and ipykernel among them, require it); this is Python {this} ({executable}).\n"
           "Install Python {needed} or newer (python.org, or your system's package manager), then run "
           "this command with it: python{needed} course.py {command}   (on Windows: py -{needed} course.py {command})")


def min_python(root=HERE):
    """The minimum (major, minor): pyproject.toml's requires-python, its one home."""
    with open(os.path.join(str(root), "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text, re.M)
    return int(match.group(1)), int(match.group(2))


def refuse_old_python(argv):
    needed = min_python()
    if sys.version_info[:2] < needed:
        version = "{}.{}".format(*needed)
        sys.exit(TOO_OLD.format(needed=version, this=sys.version.split()[0], executable=sys.executable,
                                command=(list(argv)[:1] or ["lab"])[0]))


refuse_old_python(sys.argv[1:])

import contextlib  # noqa: E402  (below the version check on purpose)
import errno  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.parse  # noqa: E402
import venv  # noqa: E402
from pathlib import Path  # noqa: E402

from course_tools import cli, originals  # noqa: E402  (standard library only, like this file)

ROOT = Path(HERE)
VENV_NAME = ".venv"
STAMP_NAME = ".course-setup-stamp"
REQUIREMENTS = "requirements.txt"
TEACHER_REQUIREMENTS = "requirements-teacher.txt"
FINGERPRINTED = (REQUIREMENTS, "pyproject.toml")
TORCH_INDEX_ENV = "COURSE_TORCH_INDEX_URL"
LOW_DISK_BYTES = 2 * 2**30  # a full set-up takes about 1.4 GB
PROBE = "import json, sys; print(json.dumps([list(sys.version_info[:3]), sys.version, sys.executable]))"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")

# What set-up tells the learner: one template per sentence, named placeholders (translatable later).
CREATING = "Creating {venv}/ with Python {version} ({executable}) …"
NO_PYTHON = "An interrupted set-up left {venv}/ without its Python."
PYTHON_GONE = "The Python of {venv}/ no longer runs (was the Python that created it removed or upgraded?)."
NO_PIP = "An interrupted set-up left {venv}/ without pip."
VENV_TOO_OLD = "The Python of {venv}/ is {version}, older than the {needed} the course needs."
REBUILDING = "Removing {venv}/ and setting up again."
INSTALLING = "Installing the pinned packages into {venv}/ (Python {version}) …"
DONE = "Set-up complete."
INTERRUPTED = ("Set-up was interrupted. Run the same command again to finish it: an incomplete "
               ".venv/ is repaired by the next run.")
NETWORK = ("Set-up stopped: pip could not reach the package index (is this computer offline, or is a "
           "firewall in the way?). Connect to the internet, then run the same command again. "
           "Nothing needs deleting: the next run carries on from where this one stopped.")
PROXY = ("Set-up stopped: pip could not get through the proxy {proxy}. Check its address (the "
         "HTTPS_PROXY and HTTP_PROXY environment variables, or pip's proxy setting) and, if it asks for a "
         "password, that the password is right; then run the same command again. "
         "Nothing needs deleting: the next run carries on from where this one stopped.")
PROXY_FROM_CONFIG = ("Set-up stopped: pip could not get through the proxy set in its configuration. Check the "
                     "proxy's address and, if it asks for a password, that the password is right; then run the "
                     "same command again. Nothing needs deleting: the next run carries on from where this one stopped.")
CERTIFICATE = ("Set-up stopped: pip did not trust the certificate of the package index (a company proxy "
               "or antivirus that inspects HTTPS?). Ask your IT team for its certificate file and point "
               "pip at it (PIP_CERT=/path/to/certificate.pem), then run the same command again. "
               "Nothing needs deleting: the next run carries on from where this one stopped.")
DISK_FULL = ("Set-up stopped: the disk is full ({free} free where {folder} is). The course needs about "
             "1.4 GB: free some space, then run the same command again. "
             "Nothing needs deleting: the next run carries on from where this one stopped.")
READ_ONLY = ("Set-up stopped: cannot write in {folder} (a read-only file system). The course folder must be "
             "writable: copy it to a folder of your own (your home folder, say) and run the command there.")
NO_PERMISSION = ("Set-up stopped: cannot write in {folder} (permission denied). The course folder must be "
                 "writable: copy it to a folder of your own (your home folder, say) and run the command there.")
PIP_CANNOT_WRITE = ("Set-up stopped: pip cannot write in {folder} (permission denied, or a read-only file system). "
                    "The course folder must be writable: copy it to a folder of your own (your home folder, say) "
                    "and run the command there.")
CANNOT_REMOVE = ("Set-up stopped: cannot remove {venv}/ ({reason}). Is JupyterLab or another program still "
                 "running from it? Close it and run the same command again, or delete {venv}/ yourself.")
FILE_ERROR = "Set-up stopped: {reason} while writing in {folder}."
ENSUREPIP_FAILED = "Set-up stopped: putting pip into the new {venv}/ failed ({error}). Run the same command again."
NO_WHEEL = ("Set-up stopped: pip found no {requirement} for this computer (Python {python} on {platform}). "
            "The course is tested on Python {tested}: install that version and run this command with it.")
PIP_FAILED = ("Set-up stopped: pip failed (exit status {code}); its messages are above and its full log is in "
              "{log}. Fix the cause, then run the same command again. "
              "Nothing needs deleting: the next run carries on from where this one stopped.")
PIP_FAILED_NO_LOG = ("Set-up stopped: pip failed (exit status {code}); its messages are above. Fix the cause, "
                     "then run the same command again. "
                     "Nothing needs deleting: the next run carries on from where this one stopped.")
NO_ENSUREPIP = ("Set-up stopped: this Python ({executable}) cannot create virtual environments (its ensurepip "
                "module is missing). On Debian or Ubuntu install it with: sudo apt install python3-venv; "
                "then run the same command again.")
NEW_VENV_BROKEN = "Set-up stopped: the new {venv}/ does not run ({python}); its Python may be damaged."

PIP_SIGNS = (  # (what happened, words in pip's log that show it), first match wins
    ("disk", ("No space left on device", "[Errno 28]", "Disk quota exceeded", "[Errno 122]")),
    ("read-only", ("Read-only file system", "[Errno 30]", "Permission denied", "[Errno 13]")),
    ("proxy", ("ProxyError", "Cannot connect to proxy", "Unable to connect to proxy", "Tunnel connection failed",
               "407 Proxy Authentication Required")),
    ("certificate", ("CERTIFICATE_VERIFY_FAILED", "SSLError", "[SSL:")),
    ("network", ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
                 "Name or service not known", "nodename nor servname", "getaddrinfo failed", "Network is unreachable",
                 "ConnectTimeoutError", "Read timed out", "Connection reset by peer", "RemoteDisconnected")),
)


class SetupError(Exception):
    """Set-up cannot go on; the message says what happened and what to do (shown without a traceback)."""


def say(text: str) -> None:
    print(text, flush=True)


# ----------------------------------------------------------------------------- the venv

def venv_python(env_dir: Path, windows: bool = os.name == "nt") -> Path:
    return env_dir / ("Scripts" if windows else "bin") / ("python.exe" if windows else "python")


def probe(python: Path) -> dict | None:
    """What a Python says about itself ({version_info, version, executable}); None when it does not run."""
    try:
        result = subprocess.run([str(python), "-I", "-c", PROBE], capture_output=True, text=True, timeout=120)
        info, version, executable = json.loads(result.stdout) if result.returncode == 0 else (None, None, None)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return {"version_info": tuple(info), "version": version, "executable": executable} if info else None


def has_pip(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-I", "-m", "pip", "--version"], capture_output=True,
                              timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def unusable(env_dir: Path, python: Path, facts: dict | None, root: Path) -> str | None:
    """Why an existing .venv must be rebuilt (a sentence), or None when its Python runs and is new enough."""
    if facts is None:
        return (PYTHON_GONE if python.exists() or python.is_symlink() else NO_PYTHON).format(venv=env_dir.name)
    needed = min_python(root)
    if tuple(facts["version_info"][:2]) < needed:
        return VENV_TOO_OLD.format(venv=env_dir.name, version=facts["version"].split()[0],
                                   needed="{}.{}".format(*needed))
    return None


@contextlib.contextmanager
def explained_file_errors(folder: Path):
    """An OSError while writing folder becomes a SetupError that says what to do."""
    try:
        yield
    except OSError as exc:
        raise SetupError(explain_os_error(exc, folder)) from None


def explain_os_error(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DISK_FULL.format(free=free_space(folder), folder=folder)
    if exc.errno == errno.EROFS:
        return READ_ONLY.format(folder=folder)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return NO_PERMISSION.format(folder=folder)
    return FILE_ERROR.format(reason=exc.strerror or exc, folder=folder)


def free_space(folder: Path) -> str:
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            return f"{shutil.disk_usage(candidate).free / 2**20:.0f} MiB"
    return "unknown"


def low_on_disk(folder: Path) -> bool:
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            return shutil.disk_usage(candidate).free < LOW_DISK_BYTES
    return False


def create_venv(env_dir: Path) -> None:
    if importlib.util.find_spec("ensurepip") is None:
        raise SetupError(NO_ENSUREPIP.format(executable=sys.executable))
    say(CREATING.format(venv=env_dir.name, version=sys.version.split()[0], executable=sys.executable))
    with explained_file_errors(env_dir.parent):
        try:
            venv.EnvBuilder(with_pip=True).create(env_dir)
        except subprocess.CalledProcessError as exc:  # ensurepip failed
            if low_on_disk(env_dir.parent):
                raise SetupError(DISK_FULL.format(free=free_space(env_dir.parent), folder=env_dir.parent)) from None
            raise SetupError(ENSUREPIP_FAILED.format(venv=env_dir.name, error=exc)) from None


def _writable_and_retry(function, path, _excinfo):
    os.chmod(path, stat.S_IWRITE)  # Windows will not delete a read-only file
    function(path)


def remove_venv(env_dir: Path) -> None:
    try:
        if env_dir.is_symlink() or env_dir.is_file():
            env_dir.unlink()
        elif sys.version_info >= (3, 12):
            shutil.rmtree(env_dir, onexc=_writable_and_retry)
        else:
            shutil.rmtree(env_dir, onerror=_writable_and_retry)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EROFS):
            raise SetupError(explain_os_error(exc, env_dir.parent)) from None
        raise SetupError(CANNOT_REMOVE.format(venv=env_dir.name, reason=exc.strerror or exc)) from None


# ----------------------------------------------------------------------------- what is installed

def fingerprint(root: Path, python_version: str, names: tuple[str, ...]) -> str:
    """The files that decide what is installed, and the venv's own Python version."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    digest.update(python_version.encode())
    return digest.hexdigest()


def wanted_stamp(root: Path, python_version: str, teacher: bool) -> dict[str, str]:
    wanted = {"learner": fingerprint(root, python_version, FINGERPRINTED)}
    if teacher and (root / TEACHER_REQUIREMENTS).exists():
        wanted["teacher"] = fingerprint(root, python_version, (*FINGERPRINTED, TEACHER_REQUIREMENTS))
    return wanted


def read_stamp(env_dir: Path) -> dict:
    try:
        stamp = json.loads((env_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def write_stamp(env_dir: Path, stamp: dict[str, str]) -> None:
    """Written last, atomically: a set-up interrupted before this point is finished by the next run."""
    tmp = env_dir / f"{STAMP_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(stamp, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, env_dir / STAMP_NAME)


def torch_pin(root: Path) -> str:
    return next(line.strip() for line in (root / REQUIREMENTS).read_text(encoding="utf-8").splitlines()
                if line.strip().startswith("torch=="))


def install(python: Path, root: Path, teacher_file: Path | None) -> None:
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    torch_index = os.environ.get(TORCH_INDEX_ENV)
    if torch_index:  # torch alone from that index (no second index for any other name)
        run_pip([*pip, "--no-deps", "--index-url", torch_index, torch_pin(root)], root)
    files = ["-r", str(root / REQUIREMENTS), *(["-r", str(teacher_file)] if teacher_file else [])]
    run_pip([*pip, *files], root)
    run_pip([*pip, "--no-deps", "-e", str(root)], root)


def run_pip(cmd: list[str], root: Path) -> None:
    """Run pip with its own output on the console and a full log aside; a failure becomes a
    SetupError that says, from that log, what happened."""
    say("$ " + " ".join(cmd))
    log = None
    with contextlib.suppress(OSError):
        handle, name = tempfile.mkstemp(prefix="course-pip-", suffix=".log")
        os.close(handle)
        log = Path(name)
    code = subprocess.call([*cmd, *(["--log", str(log)] if log else [])])
    text = ""
    if log:
        with contextlib.suppress(OSError):
            text = log.read_text(encoding="utf-8", errors="replace")
        if code == 0:
            with contextlib.suppress(OSError):
                log.unlink()
    if code != 0:
        raise SetupError(explain_pip_failure(text, code, log, root))


def explain_pip_failure(log_text: str, code: int, log: Path | None, root: Path) -> str:
    """What pip's log says went wrong, as one message with what to do."""
    kind = next((kind for kind, signs in PIP_SIGNS if any(sign in log_text for sign in signs)), None)
    folder = root / VENV_NAME
    if kind == "disk" or (kind is None and low_on_disk(root)):
        return DISK_FULL.format(free=free_space(root), folder=folder)
    if kind == "read-only":
        return PIP_CANNOT_WRITE.format(folder=folder)
    if kind == "proxy":
        proxy = proxy_in_use()
        return PROXY.format(proxy=proxy) if proxy else PROXY_FROM_CONFIG
    if kind == "certificate":
        return CERTIFICATE
    if kind == "network":
        return NETWORK
    missing = re.search(r"No matching distribution found for (\S+)", log_text)
    if missing:
        import platform

        return NO_WHEEL.format(requirement=missing.group(1), python=sys.version.split()[0],
                               platform=f"{platform.system()} {platform.machine()}",
                               tested="{}.{}".format(*min_python(root)))
    return PIP_FAILED.format(code=code, log=log) if log else PIP_FAILED_NO_LOG.format(code=code)


def proxy_in_use() -> str | None:
    """The proxy from the environment, without its password; None when pip takes it from its configuration."""
    for name in PROXY_VARIABLES:
        value = os.environ.get(name)
        if value:
            parts = urllib.parse.urlsplit(value if "://" in value else "http://" + value)
            host = parts.hostname or value
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{host}{port} ({name})"
    return None


def keep_originals(root: Path) -> None:
    """Store the lessons as they came, once (course_tools.originals), for `reset` without git."""
    with contextlib.suppress(OSError):  # best effort: reset says so if there is no copy
        originals.store_originals(root)


def setup(root: Path = ROOT, teacher: bool = False) -> Path:
    """Make root/.venv hold the pinned packages (teacher: also requirements-teacher.txt), repairing
    or rebuilding it when needed, and say what was done; returns its Python. A no-op when done."""
    env_dir = root / VENV_NAME
    python = venv_python(env_dir)
    keep_originals(root)
    facts = probe(python) if env_dir.exists() else None
    problem = unusable(env_dir, python, facts, root) if env_dir.exists() or env_dir.is_symlink() else None
    if facts and not problem:
        if all(read_stamp(env_dir).get(k) == v for k, v in wanted_stamp(root, facts["version"], teacher).items()):
            return python
        if not has_pip(python):
            problem = NO_PIP.format(venv=env_dir.name)
    if problem:
        say(problem)
        say(REBUILDING.format(venv=env_dir.name))
        remove_venv(env_dir)
    if problem or not env_dir.exists():
        create_venv(env_dir)
        facts = probe(python)
        if facts is None:
            raise SetupError(NEW_VENV_BROKEN.format(venv=env_dir.name, python=python))
    with explained_file_errors(env_dir):
        with contextlib.suppress(FileNotFoundError):
            (env_dir / STAMP_NAME).unlink()  # from here until the end, the set-up is unfinished
    teacher_file = root / TEACHER_REQUIREMENTS if teacher and (root / TEACHER_REQUIREMENTS).exists() else None
    say(INSTALLING.format(venv=env_dir.name, version=facts["version"].split()[0]))
    install(python, root, teacher_file)
    with explained_file_errors(env_dir):
        write_stamp(env_dir, wanted_stamp(root, facts["version"], teacher))
    say(DONE)
    return python


# ----------------------------------------------------------------------------- hand over

def hand_over(python: Path, argv: list[str], posix: bool = os.name == "posix") -> int:
    """Become `python -m course_tools ARGV` (the same process on POSIX, so Ctrl+C and a closed
    terminal reach it directly); on Windows, a child that handles the console's events itself."""
    cmd = [str(python), "-m", "course_tools", *argv]
    if posix:
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(ROOT)
        os.execv(cmd[0], cmd)
    process = subprocess.Popen(cmd, cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # the console's Ctrl+C reached course_tools too: it stops cleanly
            continue


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = cli.parse(argv, description=__doc__)
    try:
        python = setup(ROOT, teacher=cli.wants_teacher_extra(args))
    except SetupError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    if args.command == "setup":
        return 0
    return hand_over(python, argv)


if __name__ == "__main__":
    sys.exit(main())
