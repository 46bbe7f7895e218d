"""The set-up check reports ✓/✗ with fixes, and never crashes when a package is missing."""
import subprocess
import sys

import pytest

from helpers import env_check

BLOCK = "import sys\nfor name in {names!r}: sys.modules[name] = None\nimport runpy\nrunpy.run_module('helpers.env_check', run_name='__main__')\n"


def run_cli(*missing):
    code = BLOCK.format(names=list(missing))
    env = {"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"}  # no DISPLAY: must work headless
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_report_passes_here():
    report = env_check.run_checks()
    assert report.ok, str(report)
    text = str(report)
    for name in ("Python", "PyTorch", "device", "matplotlib", "ipywidgets", "SymPy", "autograd"):
        assert f"✓ {name}" in text
    assert "d/dx x² at x = 3 is 6" in text


def test_the_chinese_report_names_every_check_it_translates(monkeypatch):
    from helpers import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    text = str(env_check.run_checks())
    assert "✓ 自动求导：x = 3 处 d/dx x² 为 6" in text and "✓ 设备：" in text
    assert "autograd" not in text
    failed = env_check.Report((env_check.Check("Python", False, "x"), env_check.check_autograd(),
                               env_check.Check(i18n.translate("device"), False, "y")))
    assert "有 2 项必需的检查未通过：Python、设备。" in str(failed), str(failed)


def test_cli_exits_zero_when_ready():
    result = run_cli()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All required checks passed" in result.stdout


@pytest.mark.parametrize("missing, label", [
    (["torch"], "PyTorch"),
    (["matplotlib"], "matplotlib"),
    (["ipywidgets"], "ipywidgets"),
    (["sympy"], "SymPy"),
])
def test_missing_package_gives_a_fix_not_a_traceback(missing, label):
    result = run_cli(*missing)
    assert result.returncode == 1
    assert f"✗ {label}: not installed" in result.stdout
    assert "fix: run `python3 course.py setup`" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_everything_missing_at_once():
    result = run_cli("torch", "matplotlib", "ipywidgets", "numpy", "sympy")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "required check(s) failed" in result.stdout


def test_a_crashing_check_is_reported(monkeypatch):
    def broken():
        raise RuntimeError("driver exploded")

    monkeypatch.setattr(env_check, "CHECKS", (broken,))
    report = env_check.run_checks()
    assert not report.ok and "driver exploded" in str(report)


def test_lesson_00_logic_works_without_torch_in_process(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    check = env_check.check_torch()
    assert not check.ok and check.fix


def test_python_check_reports_a_missing_package_record_instead_of_crashing(monkeypatch):
    """env_check must import and report on a broken install, where the package's metadata (the
    minimum Python's source) is missing."""
    import importlib.metadata

    from helpers import env_check

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "metadata", missing)
    assert env_check._min_python() is None
    monkeypatch.setattr(env_check, "MIN_PYTHON", None)
    check = env_check.check_python()
    assert not check.ok and "not installed" in check.detail and "course.py setup" in check.fix


def test_python_below_the_minimum_fails_with_the_version_to_install(monkeypatch):
    monkeypatch.setattr(env_check, "MIN_PYTHON", (sys.version_info[0], sys.version_info[1] + 1))
    check = env_check.check_python()
    wanted = f"{sys.version_info[0]}.{sys.version_info[1] + 1}"
    assert not check.ok and check.fix == env_check.PYTHON_FIX.format(minimum=wanted)
    monkeypatch.setattr(env_check, "MIN_PYTHON", tuple(sys.version_info[:2]))
    assert env_check.check_python().ok, "the minimum itself is enough"


def test_the_minimum_is_read_from_the_installed_package():
    """pyproject.toml's requires-python, as the installed package's metadata carries it."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    major, minor = re.search(r'^requires-python = ">=(\d+)\.(\d+)"', text, re.M).groups()
    assert env_check._min_python() == (int(major), int(minor))
