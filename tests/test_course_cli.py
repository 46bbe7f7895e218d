"""The learner's entry point: course.py (standard library only, one command-line definition in
course_tools/cli.py) and the JupyterLab launch it hands over to (course_tools.lab): safe by default
(loopback, token never on the command line), another port when busy, a clean stop on Ctrl+C; an old
Python told which version is needed; bad arguments refused with a message, not a traceback."""
import ast
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course_tools import cli, lab
from course_tools import __main__ as tools_main
from tests.launcher import ROOT, closed_port, interpreters, launcher_copy, load_course, offline_env

course = load_course()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _imports(path: Path) -> set[str]:
    """Modules imported when path is imported (not those imported inside its functions)."""
    nodes, todo = [], list(ast.parse(path.read_text(encoding="utf-8")).body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        nodes.append(node)
        todo.extend(ast.iter_child_nodes(node))
    names = {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in nodes if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    names |= {f"{n.module}.{a.name}" for n in nodes if isinstance(n, ast.ImportFrom)
              and n.module == "course_tools" for a in n.names}
    return names


def test_course_py_uses_only_the_standard_library():
    """course.py runs before .venv exists: it and the course_tools modules it imports (and theirs)
    import nothing outside the standard library at module level."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    seen, todo = set(), ["course.py"]
    while todo:
        rel = todo.pop()
        seen.add(rel)
        for name in _imports(ROOT / rel):
            if name.startswith("course_tools."):
                dep = name.replace(".", "/") + ".py"
                if dep not in seen:
                    todo.append(dep)
            elif name != "course_tools":
                assert name.split(".")[0] in stdlib, f"{rel} imports {name}"
    assert {"course_tools/cli.py", "course_tools/originals.py", "course_tools/lessons.py"} <= seen


def test_an_old_python_is_told_which_version_is_needed(tmp_path):
    """For real, with every Python older than the minimum found on this machine (pyenv, python3.N):
    course.py says which version is needed and how to run it, and touches nothing."""
    needed = course.min_python()
    old = {v: p for v, p in interpreters().items() if v < needed}
    if not old:
        pytest.skip("no Python older than the minimum on this machine")
    root = launcher_copy(tmp_path / "course")
    with closed_port() as port:
        env = dict(offline_env(port.getsockname()[1]), PYTHONPATH=str(ROOT))
        for version, python in sorted(old.items()):
            result = subprocess.run([python, str(root / "course.py"), "lab"], capture_output=True, text=True,
                                    env=env, timeout=120)
            wanted = "{}.{}".format(*needed)
            assert result.returncode == 1, (version, result.stdout, result.stderr)
            assert result.stderr.startswith(f"Backprop Step by Step needs Python {wanted} or newer"), result.stderr
            assert f"python{wanted} course.py lab" in result.stderr and "Traceback" not in result.stderr
            assert not (root / ".venv").exists(), f"Python {version} started a set-up"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host, loopback):
    assert lab.is_loopback(host) is loopback


def test_lab_refuses_a_non_loopback_address_without_allow_remote():
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "lab", "--ip", "0.0.0.0", "--no-browser"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Refusing to listen on 0.0.0.0" in result.stderr


def test_allow_remote_warns_that_the_token_travels_unencrypted():
    (warning,) = lab.launch_warnings("0.0.0.0", as_root=False)
    assert "plain HTTP" in warning and "token travels unencrypted" in warning
    assert lab.launch_warnings("127.0.0.1", as_root=False) == []


def test_running_as_root_adds_allow_root_and_says_so(monkeypatch):
    monkeypatch.setattr(lab, "running_as_root", lambda: True)
    assert "--allow-root" in lab.lab_command(ROOT, "127.0.0.1", 9999, False)
    assert any("--allow-root" in w for w in lab.launch_warnings("127.0.0.1", as_root=True))
    monkeypatch.setattr(lab, "running_as_root", lambda: False)
    assert "--allow-root" not in lab.lab_command(ROOT, "127.0.0.1", 9999, False)


@pytest.mark.parametrize("host", ["127.0.0.1", pytest.param("::1", marks=pytest.mark.skipif(
    not ipv6_loopback(), reason="no IPv6 loopback here"))])
def test_busy_port_is_replaced_by_a_free_one(host, capsys):
    with socket.socket(lab.address_family(host)) as busy:
        busy.bind((host, 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = lab.pick_port(host, taken)
    assert port != taken and "busy" in capsys.readouterr().out


@pytest.mark.parametrize("host, url", [("127.0.0.1", "127.0.0.1"), ("::1", "[::1]"), ("0.0.0.0", "127.0.0.1"),
                                       ("::", "[::1]"), ("localhost", "localhost")])
def test_url_host_brackets_ipv6(host, url):
    assert lab.url_host(host) == url


def test_ipv6_without_ipv6_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(lab, "port_is_free", lambda host, port: False)
    assert "IPv6 is not available" in lab.check_host("::1", allow_remote=False)
    assert lab.check_host("127.0.0.1", allow_remote=False) is None


def test_token_goes_in_the_environment_not_the_command_line():
    cmd = lab.lab_command(ROOT, "127.0.0.1", 9999, False, lab.FIRST_LESSON)
    assert not any("token" in part.lower() for part in cmd)
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--ServerApp.port_retries=0" in cmd
    assert cmd[-1] == "notebooks/00_setup_check.ipynb"
    env = lab.lab_env("abc", base={"PATH": "/bin", "DISPLAY": ":0"})
    assert env["JUPYTER_TOKEN"] == "abc" and env["PYTHONHASHSEED"] == "0" and "DISPLAY" not in env


def test_lab_settings_turn_off_news_and_windowing(tmp_path):
    written = lab.write_settings(tmp_path)
    assert written == tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = __import__("json").loads(written.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert settings["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"


def test_minimum_python_has_one_home():
    from helpers import env_check

    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=3\.11"', text, re.M)
    assert course.min_python() == (3, 11) and tuple(env_check.MIN_PYTHON) == (3, 11)


@pytest.mark.parametrize("args, words", [
    (["lab", "--port", "70000"], "argument --port: expected a whole number from 1 to 65535"),
    (["lab", "--port", "-1"], "argument --port: expected a whole number"),
    (["lab", "--port", "eighty"], "argument --port: expected a whole number"),
    (["lab", "--ip", "not an address"], "argument --ip: expected an IP address"),
    (["lab", "--ip", "300.1.1.1"], "argument --ip: expected an IP address"),
    (["lab", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    (["reset"], "the following arguments are required: lesson"),
    (["fly"], "argument COMMAND: invalid choice: 'fly'"),
])
def test_bad_arguments_are_refused_before_setup(args, words, capsys, monkeypatch):
    monkeypatch.setattr(course, "setup", lambda *a, **k: pytest.fail("set-up ran for a bad command line"))
    with pytest.raises(SystemExit) as exit_:
        course.main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and "Traceback" not in err, err


def test_port_70000_for_real():
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "lab", "--port", "70000"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "OverflowError" not in result.stderr
    assert "argument --port: expected a whole number from 1 to 65535" in result.stderr


@pytest.mark.parametrize("text, host", [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("[::1]", "::1"),
                                        ("localhost", "localhost"), ("lab.example.org", "lab.example.org")])
def test_good_hosts_are_kept(text, host):
    assert cli.parse(["lab", "--ip", text]).ip == host


def test_ports_at_the_ends_of_the_range():
    assert cli.parse(["lab", "--port", "65535"]).port == 65535
    assert cli.parse(["lab", "--port", "0"]).port == 0
    assert cli.parse(["lab"]).port == cli.DEFAULT_PORT


def test_the_command_line_has_one_definition():
    """course.py and python -m course_tools parse with course_tools.cli; no other file defines
    a command or an option of it."""
    definers = sorted(p.relative_to(ROOT).as_posix() for p in [ROOT / "course.py", *(ROOT / "course_tools").glob("*.py")]
                      if re.search(r"add_parser\(|add_argument\(", p.read_text(encoding="utf-8")))
    assert definers == ["course_tools/cli.py"], definers
    assert "cli.parse(" in (ROOT / "course.py").read_text() and "cli.parse(" in (ROOT / "course_tools/__main__.py").read_text()


def test_lab_options_reach_learner_lab_by_keyword(monkeypatch):
    seen = {}
    monkeypatch.setattr(lab, "learner_lab", lambda **options: seen.update(options) or 0)
    assert tools_main.main(["lab", "--ip", "::1", "--port", "9000", "--no-browser", "--lang", "zh-CN"]) == 0
    assert seen == {"host": "::1", "port": 9000, "allow_remote": False, "open_browser": False, "lang": "zh-CN"}



def test_launcher_hands_the_same_words_over(monkeypatch):
    """After set-up, course.py hands its arguments, untouched, to python -m course_tools."""
    calls = []
    monkeypatch.setattr(course, "setup", lambda root, teacher=False: calls.append(("setup", teacher)) or Path("py"))
    monkeypatch.setattr(course, "hand_over", lambda python, argv: calls.append(("hand_over", argv)) or 0)
    course.main(["test", "-m", "not browser", "-x"])
    course.main(["lab", "--port", "9000"])
    course.main(["classroom", "nbgrader", "course-dir", "--help"])
    course.main(["setup", "--teacher"])
    course.main(["setup"])
    assert calls == [("setup", False), ("hand_over", ["test", "-m", "not browser", "-x"]),
                     ("setup", False), ("hand_over", ["lab", "--port", "9000"]),
                     ("setup", True), ("hand_over", ["classroom", "nbgrader", "course-dir", "--help"]),
                     ("setup", True), ("setup", False)]


def test_test_command_passes_pytest_options_through(monkeypatch):
    seen = {}
    monkeypatch.setattr(tools_main.subprocess, "call", lambda cmd, cwd: seen.setdefault("cmd", cmd) and 0)
    tools_main.main(["test", "-m", "not browser", "-x"])
    assert seen["cmd"][1:3] == ["-m", "pytest"] and seen["cmd"][-3:] == ["-m", "not browser", "-x"]


def test_classroom_goes_to_the_classroom_module(monkeypatch):
    seen = []
    fake = type(sys)("course_tools.classroom")
    fake.main = lambda argv: seen.append(argv) or 7
    monkeypatch.setitem(sys.modules, "course_tools.classroom", fake)
    assert tools_main.main(["classroom", "nbgrader", "DIR", "--points", "3"]) == 7
    assert seen == [["nbgrader", "DIR", "--points", "3"]]


def test_classroom_missing_is_said_clearly(monkeypatch, capsys):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(tools_main.importlib, "import_module", missing)
    assert tools_main.main(["classroom", "nbgrader", "DIR"]) == 2
    assert capsys.readouterr().err.strip() == tools_main.NO_CLASSROOM


def test_classroom_without_the_teacher_packages_says_how_to_get_them(monkeypatch, capsys):
    def needs_nbgrader(name):
        raise ModuleNotFoundError("No module named 'nbgrader'", name="nbgrader")

    monkeypatch.setattr(tools_main.importlib, "import_module", needs_nbgrader)
    assert tools_main.main(["classroom"]) == 2
    assert "python3 course.py setup --teacher" in capsys.readouterr().err


def test_setup_is_not_a_course_tools_command(capsys):
    assert tools_main.main(["setup"]) == 2 and "python3 course.py setup" in capsys.readouterr().err


def test_hand_over_becomes_course_tools_on_posix(monkeypatch):
    seen = {}

    def execv(exe, cmd):  # the real one never returns
        seen["exec"] = cmd
        raise SystemExit(0)

    monkeypatch.setattr(course.os, "chdir", lambda path: seen.setdefault("cwd", path))
    monkeypatch.setattr(course.os, "execv", execv)
    monkeypatch.setattr(course.subprocess, "Popen", lambda *a, **k: pytest.fail("POSIX execs, never spawns"))
    with pytest.raises(SystemExit):
        course.hand_over(Path("/venv/bin/python"), ["lab", "--no-browser"], posix=True)
    assert seen == {"cwd": course.ROOT, "exec": [str(Path("/venv/bin/python")), "-m", "course_tools", "lab", "--no-browser"]}


def test_hand_over_on_windows_waits_through_ctrl_c(monkeypatch):
    """Windows has no exec: the launcher waits for its child, and the console's Ctrl+C (which
    reaches both) must not stop the wait, or the child's clean stop would be cut short."""
    class Child:
        waits = 0

        def __init__(self, cmd, cwd):
            self.cmd, self.cwd = cmd, cwd

        def wait(self):
            Child.waits += 1
            if Child.waits == 1:
                raise KeyboardInterrupt
            return 0

    monkeypatch.setattr(course.subprocess, "Popen", Child)
    monkeypatch.setattr(course.os, "execv", lambda *a: pytest.fail("no exec on Windows"))
    assert course.hand_over(Path("python.exe"), ["lab"], posix=False) == 0 and Child.waits == 2


def test_venv_python_on_windows_and_posix():
    assert course.venv_python(Path("v"), windows=True) == Path("v/Scripts/python.exe")
    assert course.venv_python(Path("v"), windows=False) == Path("v/bin/python")


def test_every_test_has_a_timeout(pytestconfig):
    """pytest-timeout's limit from pyproject.toml: a hang fails that test, not the CI job."""
    assert float(pytestconfig.getini("timeout") or 0) > 0


# ----------------------------------------------------------------------------- a real launch

def _processes_with(text: str) -> list[int]:
    """Live (not zombie) processes whose command line contains text."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes() and \
                    "\nState:\tZ" not in (entry / "status").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("host, stop", [
    ("127.0.0.1", signal.SIGINT),
    pytest.param("::1", signal.SIGINT, marks=pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")),
    pytest.param("127.0.0.1", getattr(signal, "SIGHUP", None), id="terminal-closed",
                 marks=pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")),
])
def test_ctrl_c_stops_jupyterlab_and_its_kernels(host, stop, tmp_path):
    """`course.py lab` as a learner starts it; a kernel; Ctrl+C (SIGINT), or the terminal closed
    (SIGHUP): nothing is left over."""
    runtime = tmp_path / "runtime"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), IPYTHONDIR=str(tmp_path / "ipython"))
    port = lab.pick_port(host, 0)
    log = tmp_path / "out.txt"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", "--ip", host,
                                 "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    kernel_pids = []
    try:
        match = _wait_for(lambda: re.search(r"(http://\S+/lab/tree/\S+)\?token=(\w+)", log.read_text()), 120,
                          "the URL on stdout")
        url, token = match.groups()
        assert url.startswith(f"http://{lab.url_host(host)}:{port}/"), url
        server = lab.LabServer(proc, host, port, token, ROOT)
        _wait_for(lambda: _ready(server), 120, "JupyterLab to answer")
        assert _processes_with(f"--ServerApp.port={port}"), "JupyterLab is not running"
        assert not _processes_with(token), "the token is visible in a command line (ps)"
        kernel = server.api("kernels", method="POST", body={"name": "python3"}, timeout=60)
        kernel_pids = _wait_for(lambda: _processes_with(f"kernel-{kernel['id']}.json"), 60, "the kernel process")
        assert list(runtime.glob("jpserver-*.json")) and list(runtime.glob("kernel-*.json"))

        proc.send_signal(stop)  # what Ctrl+C (SIGINT) or closing the terminal (SIGHUP) sends
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
        _wait_for(lambda: not _processes_with(f"kernel-{kernel['id']}.json"), 15, "the kernel to exit")
        assert not _processes_with(f"--ServerApp.port={port}"), "JupyterLab still runs after Ctrl+C"
        leftovers = sorted(p.name for p in runtime.iterdir() if p.name.startswith(("jpserver-", "kernel-")))
        assert not leftovers, f"stale runtime files: {leftovers}"
        assert "Stopped." in log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for pid in kernel_pids + _processes_with(f"--ServerApp.port={port}"):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _ready(server) -> bool:
    try:
        server.api("status", timeout=2)
        return True
    except (OSError, ValueError):
        return False


@pytest.mark.parametrize("env, system, expected", [
    ({"LANG": "zh_CN.UTF-8"}, "", "zh-CN"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "", "zh-CN"),
    ({"LANG": "en_GB.UTF-8"}, "", "en"),
    ({"LANG": "C.UTF-8"}, "", "en"),
    ({}, "Chinese (Simplified)_China", "zh-CN"),    # Windows' own name for the locale
    ({}, "zh_CN", "zh-CN"),
    ({}, "", "en"),
])
def test_the_lessons_language_follows_the_learners_locale(env, system, expected):
    assert lab.default_language(env, system) == expected


def test_the_interface_language_is_set_in_the_courses_own_settings(tmp_path):
    target = lab.write_language(tmp_path, "zh-CN")
    assert json.loads(target.read_text()) == {"locale": "zh_CN"}
    assert target.relative_to(tmp_path).as_posix() == "@jupyterlab/translation-extension/plugin.jupyterlab-settings"
    assert lab.first_lesson("zh-CN") == "notebooks/zh-CN/00_setup_check.ipynb"
    with pytest.raises(ValueError, match="lang"):
        lab.write_language(tmp_path, "fr")
    args = cli.parse(["lab", "--lang", "zh-CN"])
    assert cli.lab_options(args)["lang"] == "zh-CN" and cli.lab_options(cli.parse(["lab"]))["lang"] is None
