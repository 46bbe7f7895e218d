"""The learner's entry point: course.py (standard library only) and the JupyterLab launch it
hands over to (course_tools.lab): safe by default (loopback, token never on the command line),
another port when busy, a clean stop on Ctrl+C, fast re-runs."""
import importlib.util
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

from course_tools import lab

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_course_py_uses_only_the_standard_library():
    import ast

    tree = ast.parse((ROOT / "course.py").read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    assert imported <= stdlib, f"non-standard imports: {imported - stdlib}"


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


def test_setup_is_a_no_op_when_nothing_changed():
    """The test run itself went through setup; a second setup must not reinstall anything."""
    if not course.STAMP.exists() or Path(sys.prefix).resolve() != course.VENV.resolve():
        pytest.skip("not running from the course's .venv")  # decided before anything is built
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "setup"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "pip install" not in result.stdout


def test_torch_index_serves_torch_only(tmp_path, monkeypatch):
    """COURSE_TORCH_INDEX_URL replaces the index for torch alone; no command adds a second index."""
    commands = []
    monkeypatch.setattr(course, "venv_python", lambda: Path(sys.executable))
    monkeypatch.setattr(course, "STAMP", tmp_path / "stamp")
    monkeypatch.setattr(course, "run", lambda cmd, **kw: commands.append([str(c) for c in cmd]))
    monkeypatch.setenv("COURSE_TORCH_INDEX_URL", "https://download.pytorch.org/whl/cpu")
    course.setup()
    torch_cmd, *others = commands
    assert torch_cmd[-4:] == ["--no-deps", "--index-url", "https://download.pytorch.org/whl/cpu", "torch==2.13.0"]
    assert all("index-url" not in " ".join(c) for c in others), others


def test_minimum_python_has_one_home():
    from helpers import env_check

    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=3\.11"', text, re.M)
    assert course.min_python() == (3, 11) and tuple(env_check.MIN_PYTHON) == (3, 11)


def test_test_command_passes_pytest_options_through(monkeypatch):
    seen = {}
    monkeypatch.setattr(course, "setup", lambda: Path("python"))
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, cwd: seen.setdefault("cmd", cmd) and 0)
    course.main(["test", "-m", "not browser", "-x"])
    assert seen["cmd"][-3:] == ["-m", "not browser", "-x"]


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
