"""The stdlib entry point: safe by default (loopback, token), another port when busy, fast re-runs."""
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


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
    assert course.is_loopback(host) is loopback


def test_lab_refuses_a_non_loopback_address_without_allow_remote(capsys):
    assert course.main(["lab", "--ip", "0.0.0.0"]) == 2
    assert "Refusing to listen on 0.0.0.0" in capsys.readouterr().err


def test_busy_port_is_replaced_by_a_free_one(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = course.pick_port("127.0.0.1", taken)
    assert port != taken and "busy" in capsys.readouterr().out


def test_lab_command_keeps_token_auth_and_loopback():
    cmd = course.lab_command(Path("python"), "127.0.0.1", 9999, "abc", False)
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--IdentityProvider.token=abc" in cmd
    assert "--ServerApp.port_retries=0" in cmd and cmd[-1] == "notebooks/00_setup_check.ipynb"


def test_setup_is_a_no_op_when_nothing_changed():
    """The test run itself went through setup; a second setup must not reinstall anything."""
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "setup"], capture_output=True,
                            text=True, timeout=60)
    if not course.STAMP.exists():
        pytest.skip("not running from the course's .venv")
    assert result.returncode == 0 and "pip install" not in result.stdout


def test_lab_overrides_turn_off_news_and_windowing():
    overrides = course.LAB_OVERRIDES
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"


def test_test_command_passes_pytest_options_through(monkeypatch):
    seen = {}
    monkeypatch.setattr(course, "setup", lambda: Path("python"))
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, cwd: seen.setdefault("cmd", cmd) and 0)
    course.main(["test", "-m", "not browser", "-x"])
    assert seen["cmd"][-3:] == ["-m", "not browser", "-x"]
