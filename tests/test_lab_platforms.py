"""How `course.py lab` stops JupyterLab on each platform. The Windows paths (shutdown API, killing
the process tree with taskkill, Ctrl+Break, a closed console window) run here with the platform
faked; the POSIX kill of the whole session runs for real."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import types

import pytest

from course_tools import lab

pytestmark = pytest.mark.timeout(120)


class FakeProcess:
    """A JupyterLab that ignores the request to stop until it is killed."""
    pid = 4242

    def __init__(self):
        self.returncode = None
        self.killed = False
        self.waits = []

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        self.waits.append(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("jupyter-lab", timeout)
        return self.returncode

    def kill(self):
        self.killed = True
        self.returncode = 1

    def send_signal(self, signum):
        raise AssertionError("Windows has no SIGTERM for JupyterLab: use its shutdown API")


def fake_server(process, api=None):
    server = lab.LabServer(process, "127.0.0.1", 8888, "token", lab.ROOT)
    server.api = api or (lambda path, method="GET", timeout=10, body=None: None)
    return server


def test_windows_stop_asks_jupyterlab_then_kills_the_whole_tree(monkeypatch, capsys):
    """Popen.kill() would stop JupyterLab alone and leave its kernels running: taskkill /T."""
    monkeypatch.setattr(lab, "ON_WINDOWS", True)
    asked, ran = [], []
    process = FakeProcess()

    def taskkill(cmd, **kwargs):
        ran.append(cmd)
        process.returncode = 1
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(lab.subprocess, "run", taskkill)
    server = fake_server(process, api=lambda path, method="GET", timeout=10, body=None: asked.append((path, method, timeout)))
    assert lab.stop_lab(server, timeout=1) == 1
    assert asked == [("shutdown", "POST", 1)]
    assert ran == [["taskkill", "/F", "/T", "/PID", "4242"]]
    assert process.waits[0] == 1 and "killing it and its kernels" in capsys.readouterr().err


def test_windows_stop_without_taskkill_still_kills_jupyterlab(monkeypatch):
    monkeypatch.setattr(lab, "ON_WINDOWS", True)

    def no_taskkill(cmd, **kwargs):
        raise FileNotFoundError("taskkill")

    monkeypatch.setattr(lab.subprocess, "run", no_taskkill)
    process = FakeProcess()
    assert lab.stop_lab(fake_server(process), timeout=1) == 1 and process.killed


def test_a_server_that_cannot_be_asked_is_killed_at_once(monkeypatch):
    monkeypatch.setattr(lab, "ON_WINDOWS", True)

    def unreachable(path, method="GET", timeout=10, body=None):
        raise OSError("connection refused")

    killed = []
    monkeypatch.setattr(lab, "kill_tree", lambda process: killed.append(process) or setattr(process, "returncode", 1))
    process = FakeProcess()
    lab.stop_lab(fake_server(process, api=unreachable), timeout=30)
    assert killed == [process] and process.waits[0] == 0, "no 30 s wait for a server that was never asked"


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX sessions")
def test_posix_stop_kills_the_whole_session_when_sigterm_is_ignored():
    """For real: a 'JupyterLab' that ignores SIGTERM, with a child (its 'kernel'): both go."""
    script = ("import signal, subprocess, sys, time\n"
              "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
              "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)'])\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(120)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        kernel = int(process.stdout.readline())
        time.sleep(0.3)  # the SIGTERM handler is in place once the child's pid is printed
        lab.stop_lab(fake_server(process), timeout=1)
        assert process.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(kernel):
            time.sleep(0.1)
        assert not _alive(kernel), "the kernel outlived JupyterLab"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.stdout.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except OSError:  # no /proc (macOS): ask ps
        state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout
        return bool(state.strip()) and not state.strip().startswith("Z")


def test_stop_signals_per_platform(monkeypatch):
    fake_signal = types.SimpleNamespace(SIGINT=2, SIGTERM=15, SIGBREAK=21)  # Windows has no SIGHUP
    monkeypatch.setattr(lab, "signal", fake_signal)
    monkeypatch.setattr(lab, "ON_WINDOWS", True)
    assert lab.stop_signals() == (21,)
    monkeypatch.setattr(lab, "signal", types.SimpleNamespace(SIGINT=2, SIGTERM=15, SIGHUP=1))
    monkeypatch.setattr(lab, "ON_WINDOWS", False)
    assert lab.stop_signals() == (15, 1)


class FakeKernel32:
    """kernel32.SetConsoleCtrlHandler, keeping the handler as Windows would."""

    def __init__(self, accept=True):
        self.handlers, self.accept = [], accept

    def SetConsoleCtrlHandler(self, handler, add):
        assert add == 1
        self.handlers.append(handler)
        return 1 if self.accept else 0


def test_a_closed_console_window_stops_jupyterlab():
    kernel32, stops = FakeKernel32(), []
    assert lab.on_console_close(lambda: stops.append("stop"), kernel32=kernel32)
    (handler,) = kernel32.handlers
    assert handler(0) == 0 and handler(1) == 0 and stops == [], "Ctrl+C and Ctrl+Break go on to Python"
    assert handler(lab.CTRL_CLOSE_EVENT) == 1 and stops == ["stop"]
    assert handler(lab.CTRL_LOGOFF_EVENT) == 1 and handler(lab.CTRL_SHUTDOWN_EVENT) == 1 and len(stops) == 3
    assert handler in lab._console_handlers, "the callback must stay referenced while Windows may call it"


def test_console_handler_is_windows_only_and_reports_failure(monkeypatch):
    monkeypatch.setattr(lab, "ON_WINDOWS", False)
    assert lab.on_console_close(lambda: None) is False
    assert lab.on_console_close(lambda: None, kernel32=FakeKernel32(accept=False)) is False


def test_the_close_handler_stops_within_the_time_windows_allows():
    """Windows ends the process about 5 s after a close event: the stop it triggers must fit."""
    assert 2 * lab.CLOSE_STOP_TIMEOUT_S + 1 <= 5  # the shutdown request, the wait, then taskkill


def test_learner_lab_wires_the_stop_paths(monkeypatch, capsys):
    """learner_lab: the stop signals raise KeyboardInterrupt, a closed console stops the server
    quickly, and Ctrl+C stops it with the full timeout."""
    process = FakeProcess()
    installed, stops, closers = {}, [], []

    def wait(timeout=None):
        closers[0]()  # the console window is closed while JupyterLab runs …
        raise KeyboardInterrupt  # … and, in another run, Ctrl+C is pressed

    process.wait = wait
    monkeypatch.setattr(lab, "start_lab", lambda *a, **k: fake_server(process))
    monkeypatch.setattr(lab, "on_console_close", lambda stop: closers.append(stop) or True)
    monkeypatch.setattr(lab, "stop_lab", lambda server, timeout=lab.STOP_TIMEOUT_S: stops.append(timeout) or 0)
    monkeypatch.setattr(lab.signal, "signal", lambda signum, handler: installed.setdefault(signum, handler))
    assert lab.learner_lab("127.0.0.1", 0, open_browser=False) == 0
    assert stops == [lab.CLOSE_STOP_TIMEOUT_S, lab.STOP_TIMEOUT_S]
    for signum in lab.stop_signals():
        with pytest.raises(KeyboardInterrupt):
            installed[signum](signum, None)
    assert "Stopped." in capsys.readouterr().out
