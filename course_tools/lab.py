"""The JupyterLab launch, one definition for everyone who starts it: `course.py lab` (learners),
the browser tests and the benchmarks. They all go through `start_lab()` with `lab_command()`,
`lab_env()` and `LAB_SETTINGS`; tests and benchmarks only add a temporary root and home
(`lab_server()`) and `--LabApp.expose_app_in_browser=True` so the page script finds the app.

Safe by default: 127.0.0.1 (or ::1) only, a random token passed in the environment
(JUPYTER_TOKEN, never on the command line where `ps` shows it), another port when the wanted
one is busy. JupyterLab runs in a session of its own, so Ctrl+C reaches only this launcher,
which stops JupyterLab with SIGTERM (on Windows: its shutdown API): JupyterLab then shuts its
kernels down and removes its runtime files itself (with the terminal's Ctrl+C it would be killed,
or ask a question first). If it does not stop in time, it is killed with its kernels (the process
group on POSIX, the process tree on Windows). The Windows paths are unit-tested on Linux with the
platform faked (ON_WINDOWS, a stand-in kernel32).
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from course_tools.lessons import NOTEBOOKS, ROOT, kernel_env

FIRST_LESSON = "notebooks/00_setup_check.ipynb"
LANGUAGES = ("en", "zh-CN")
# JupyterLab's own name for each language (the zh_CN language pack is pinned in requirements.txt)
LAB_LOCALES = {"en": "en", "zh-CN": "zh_CN"}
# The learner's JupyterLab settings live in the course folder (not ~/.jupyter): the launcher sets the
# interface language there, and a learner's own JupyterLab elsewhere is left as it was.
USER_SETTINGS = ROOT / ".jupyter" / "user-settings"
LANGUAGE_SETTING = Path("@jupyterlab", "translation-extension", "plugin.jupyterlab-settings")
NO_EDITION = ("The Chinese edition (notebooks/zh-CN/) is not in this copy of the course; "
              "opening the English lessons instead.")
# JupyterLab settings the course needs (written to overrides.json under sys.prefix): no news
# pop-up over the lesson, and every cell rendered (windowing off) so long lessons scroll
# smoothly and browser tests see every cell.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
STOP_TIMEOUT_S = 30
ON_WINDOWS = os.name == "nt"  # the stop and signal paths read it at call time: tests fake it
STOP_TIMED_OUT = "JupyterLab did not stop within {seconds:.0f} s; killing it and its kernels."


# ----------------------------------------------------------------------------- address and port

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:  # a host name such as localhost
        return socket.AF_INET


def check_host(host: str, allow_remote: bool) -> str | None:
    """Why JupyterLab must not listen on host, or None when it may."""
    if not is_loopback(host) and not allow_remote:
        return (f"Refusing to listen on {host}: only 127.0.0.1 (or ::1) is safe by default. "
                "Add --allow-remote if you really want other machines to reach this server.")
    if address_family(host) == socket.AF_INET6 and not port_is_free(host, 0):
        return f"Cannot listen on {host}: IPv6 is not available on this machine. Use --ip 127.0.0.1."
    return None


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch_warnings(host: str, as_root: bool) -> list[str]:
    """What the learner must be told before the launch."""
    warnings = []
    if not is_loopback(host):
        warnings.append(f"WARNING: listening on {host} over plain HTTP: the token travels unencrypted, so "
                        "anyone on the network path can read it, and anyone who can reach this server "
                        "with the token can run code as you.")
    if as_root:
        warnings.append("NOTE: running as root, so JupyterLab is started with --allow-root (it refuses "
                        "root otherwise); the notebooks' code runs as root too.")
    return warnings


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(address_family(host), socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(host: str, wanted: int) -> int:
    """wanted when free, else a free port (0 = any free port, silently)."""
    if wanted and port_is_free(host, wanted):
        return wanted
    with socket.socket(address_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    if wanted:
        print(f"Port {wanted} is busy; using port {port} instead.", flush=True)
    return port


def url_host(host: str) -> str:
    """The host part of a URL that reaches a server listening on host (IPv6 in brackets)."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if address_family(host) == socket.AF_INET6 else host


# ----------------------------------------------------------------------------- the language
def first_lesson(lang: str = "en") -> str:
    """The lesson JupyterLab opens on: lesson 00 of the learner's edition."""
    return FIRST_LESSON if lang == "en" else f"notebooks/{lang}/00_setup_check.ipynb"


def default_language(env: dict[str, str] | None = None, system_locale: str | None = None) -> str:
    """'zh-CN' when the learner's locale is Chinese (LC_ALL, LC_MESSAGES, LANG or, on Windows and
    macOS, the system's), else 'en'. `--lang` overrides it."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "zh-CN" if value.lower().startswith("zh") else "en"
    if system_locale is None:
        import locale

        system_locale = (locale.getlocale()[0] or "") if os.name == "nt" or sys.platform == "darwin" else ""
    text = system_locale.lower()
    return "zh-CN" if text.startswith("zh") or text.startswith("chinese") else "en"


def write_language(settings_dir: Path, lang: str) -> Path:
    """Set JupyterLab's interface language in a user-settings folder (atomically)."""
    if lang not in LAB_LOCALES:
        raise ValueError(f"lang must be one of {', '.join(LAB_LOCALES)}, got {lang!r}")
    target = settings_dir / LANGUAGE_SETTING
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"locale": LAB_LOCALES[lang]}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target


# ----------------------------------------------------------------------------- the launch

def write_settings(prefix: Path | None = None) -> Path:
    """LAB_SETTINGS as JupyterLab's overrides.json under prefix (default sys.prefix), atomically."""
    settings = Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    target = settings / "overrides.json"
    text = json.dumps(LAB_SETTINGS, indent=2) + "\n"
    if not target.exists() or target.read_text() != text:
        tmp = settings / f".overrides.{os.getpid()}.tmp"
        tmp.write_text(text)
        os.replace(tmp, target)
    return target


def lab_command(root: Path, host: str, port: int, open_browser: bool, notebook: str | None = None,
                extra: tuple[str, ...] = ()) -> list[str]:
    """The JupyterLab command line. No token here: it goes in the environment (lab_env)."""
    return [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={host}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", f"--ServerApp.open_browser={open_browser}",
        *(["--allow-root"] if running_as_root() else []),
        *extra,
        *([notebook] if notebook else []),
    ]


def lab_env(token: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The kernels' environment (course_tools.lessons.kernel_env) plus the token."""
    return dict(kernel_env(base), JUPYTER_TOKEN=token)


@dataclass
class LabServer:
    """A running JupyterLab; `root` is the directory it serves."""
    process: subprocess.Popen
    host: str
    port: int
    token: str
    root: Path
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}/"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 10, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.base + "api/" + path, method=method, data=data,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            answer = resp.read()
        return json.loads(answer) if answer else None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:] if self.log_path else ""
        except OSError:
            return ""


def start_lab(root: Path, host: str, port: int, token: str, *, open_browser: bool = False,
              notebook: str | None = None, base_env: dict[str, str] | None = None,
              extra: tuple[str, ...] = (), log_path: Path | None = None, lang: str = "en",
              user_settings: Path = USER_SETTINGS) -> LabServer:
    """Start JupyterLab in a session (process group) of its own, its interface in `lang` (settings
    in `user_settings`); stop it with stop_lab()."""
    write_settings()
    write_language(user_settings, lang)
    extra = (f"--LabApp.user_settings_dir={user_settings}", *extra)
    isolation = ({"start_new_session": True} if os.name == "posix"
                 else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP})
    log = open(log_path, "wb") if log_path else None
    try:
        process = subprocess.Popen(lab_command(root, host, port, open_browser, notebook, extra), cwd=root,
                                   env=lab_env(token, base_env), stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT if log else None, **isolation)
    finally:
        if log:
            log.close()  # the child holds its own copy
    return LabServer(process, host, port, token, root, log_path)


def wait_ready(server: LabServer, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            server.api("status", timeout=2)
            return
        except (urllib.error.URLError, OSError, ValueError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n"
                                   f"{server.log_tail()}") from None
            time.sleep(0.25)


def ask_to_stop(server: LabServer, timeout: float = 5) -> bool:
    """Ask JupyterLab for its own clean stop (kernels shut down, runtime files removed): SIGTERM on
    POSIX, the shutdown API on Windows (no SIGTERM there). False when it could not be asked."""
    try:
        if ON_WINDOWS:
            server.api("shutdown", method="POST", timeout=timeout)
        else:
            server.process.send_signal(signal.SIGTERM)
        return True
    except (OSError, ValueError):  # urllib's URLError is an OSError
        return False


def kill_tree(process: subprocess.Popen) -> None:
    """Kill JupyterLab and every process it started (its kernels): the session on POSIX,
    `taskkill /T` (the process tree) on Windows, where Popen.kill() would leave the kernels running."""
    if ON_WINDOWS:
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        with contextlib.suppress(OSError):
            process.kill()  # in case taskkill was missing or failed
    else:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)


def stop_lab(server: LabServer, timeout: float = STOP_TIMEOUT_S) -> int:
    """Ask JupyterLab to stop, wait at most timeout seconds, then kill it and its kernels.
    Returns its exit code."""
    process = server.process
    if process.poll() is None:
        asked = ask_to_stop(server, timeout=min(5, timeout))
        try:
            process.wait(timeout=timeout if asked else 0)
        except subprocess.TimeoutExpired:
            print(STOP_TIMED_OUT.format(seconds=timeout), file=sys.stderr)
            kill_tree(process)
            process.wait(timeout=10)
    return process.returncode


# Windows console events (wincon.h) that end the process once its handlers return, about 5 s later.
CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT = 2, 5, 6
CLOSE_STOP_TIMEOUT_S = 1.5  # asking, then waiting: twice this, within Windows' 5 s
_console_handlers: list = []  # ctypes callbacks must outlive their registration


def stop_signals() -> tuple[int, ...]:
    """Signals that mean "stop" besides Ctrl+C (SIGINT): a closed terminal (SIGHUP) or `kill`
    (SIGTERM) on POSIX; Ctrl+Break (SIGBREAK) on Windows."""
    names = ("SIGBREAK",) if ON_WINDOWS else ("SIGTERM", "SIGHUP")
    return tuple(getattr(signal, name) for name in names if hasattr(signal, name))


def _treat_as_ctrl_c(signum, frame):
    raise KeyboardInterrupt


def on_console_close(stop, kernel32=None) -> bool:
    """Windows: call stop() when the console window is closed (or the user logs off, or Windows
    shuts down). Windows ends the process when the handler returns, so stop() must be quick.
    Ctrl+C and Ctrl+Break pass on to Python's own handlers. Returns whether it was installed."""
    if kernel32 is None:
        if not ON_WINDOWS:
            return False
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    import ctypes

    prototype = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)(ctypes.c_int, ctypes.c_uint)  # BOOL (DWORD)

    def handler(event: int) -> int:
        if event in (CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT):
            stop()
            return 1
        return 0

    callback = prototype(handler)
    if not kernel32.SetConsoleCtrlHandler(callback, 1):
        return False
    _console_handlers.append(callback)
    return True


def learner_lab(host: str, port: int, allow_remote: bool = False, open_browser: bool = True,
                lang: str | None = None) -> int:
    """`course.py lab`: JupyterLab on lesson 00 until Ctrl+C, then a clean stop; in Chinese with
    `lang="zh-CN"` (by default when the learner's locale is Chinese)."""
    lang = lang or default_language()
    if lang != "en" and not (ROOT / first_lesson(lang)).exists():
        print(NO_EDITION, file=sys.stderr)
        lang = "en"
    lesson = first_lesson(lang)
    problem = check_host(host, allow_remote)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    for warning in launch_warnings(host, running_as_root()):
        print(warning, file=sys.stderr)
    port = pick_port(host, port)
    token = secrets.token_hex(24)
    # JupyterLab runs in a session (process group) of its own, so a closed terminal or console, a
    # plain `kill` or Ctrl+Break reach only this process: stop as cleanly as on Ctrl+C, never
    # leave JupyterLab or its kernels orphaned.
    for signum in stop_signals():
        signal.signal(signum, _treat_as_ctrl_c)
    server = start_lab(ROOT, host, port, token, open_browser=open_browser, notebook=lesson, lang=lang)
    try:
        on_console_close(lambda: stop_lab(server, timeout=CLOSE_STOP_TIMEOUT_S))
        print(f"\nJupyterLab: {server.url('lab/tree/' + lesson)}\nStop it with Ctrl+C.\n", flush=True)
        return server.process.wait()
    except KeyboardInterrupt:
        for signum in (signal.SIGINT, *stop_signals()):  # a second Ctrl+C must not cut the clean stop short
            signal.signal(signum, signal.SIG_IGN)
        print("\nStopping JupyterLab and its kernels …", flush=True)
        stop_lab(server)
        print("Stopped.", flush=True)
        return 0


# ----------------------------------------------------------------------------- tests and benchmarks

@contextlib.contextmanager
def lab_server(root: Path, startup_timeout: float = 90, lang: str = "en") -> Iterator[LabServer]:
    """JupyterLab as the learner gets it, serving root, with a home of its own (config, runtime,
    data, IPython dirs in a temporary folder) on a free port of 127.0.0.1, its interface in `lang`;
    stopped on exit."""
    home = Path(tempfile.mkdtemp(prefix="course-lab-"))
    for sub in ("config", "runtime", "data", "ipython"):
        (home / sub).mkdir()
    # JUPYTER_PATH is left alone: sys.prefix's lab extensions (ipywidgets) stay found.
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"), IPYTHONDIR=str(home / "ipython"), JUPYTER_PLATFORM_DIRS="1")
    server = start_lab(root, "127.0.0.1", pick_port("127.0.0.1", 0), secrets.token_hex(16), base_env=env,
                       extra=("--LabApp.expose_app_in_browser=True",), log_path=home / "server.log",
                       lang=lang, user_settings=home / "user-settings")
    try:
        wait_ready(server, startup_timeout)
        yield server
    finally:
        stop_lab(server)
        shutil.rmtree(home, ignore_errors=True)


def copy_notebooks(dest: Path, source: Path = NOTEBOOKS) -> Path:
    """Copy the lessons (and anything they read next to them) into dest; returns dest."""
    shutil.copytree(source, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".backups", "__pycache__"))
    return dest
