"""Set-up is all-or-nothing and repairs itself: a .venv left without pip or without a working
Python is rebuilt (and the learner is told so), an interrupted install is finished by the next run,
and the fingerprint is the .venv's own Python, not the one that runs course.py."""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.launcher import ROOT, closed_port, interpreters, launcher_copy, load_course, offline_env

course = load_course()
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def root(tmp_path):
    return launcher_copy(tmp_path / "course")


@pytest.fixture
def installs(monkeypatch):
    """pip never runs: each install is recorded instead."""
    done = []
    monkeypatch.setattr(course, "install", lambda python, root, teacher_file: done.append((python, teacher_file)))
    return done


def quick_venv(env_dir: Path) -> None:
    """A venv without pip (fast): what an interrupt during ensurepip leaves behind."""
    venv.EnvBuilder(with_pip=False).create(env_dir)


def test_a_venv_left_without_pip_is_rebuilt_by_the_next_run(root, installs, capsys):
    env_dir = root / ".venv"
    quick_venv(env_dir)
    assert not course.has_pip(course.venv_python(env_dir))
    python = course.setup(root)
    out = capsys.readouterr().out
    assert course.NO_PIP.format(venv=".venv") in out and "Removing .venv/ and setting up again." in out, out
    assert course.has_pip(python), "the rebuilt .venv has pip (created for real, with ensurepip)"
    assert [p for p, _ in installs] == [python] and "Set-up complete." in out
    assert course.setup(root) == python and len(installs) == 1, "the repaired set-up is done: a no-op now"


@pytest.mark.parametrize("how", [
    pytest.param("dangling link", marks=pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges")),
    "damaged file",
])
def test_a_venv_whose_python_no_longer_runs_is_rebuilt(root, installs, monkeypatch, capsys, how):
    """The Python that created .venv was removed or upgraded (an OS or Homebrew upgrade)."""
    env_dir = root / ".venv"
    python = course.venv_python(env_dir)
    python.parent.mkdir(parents=True)
    (env_dir / "pyvenv.cfg").write_text("home = /a/python/that/is/gone\n")
    if how == "dangling link":
        python.symlink_to(root / "gone" / "python3")
    else:
        python.write_bytes(b"\0not a program\0")
        python.chmod(0o755)
    monkeypatch.setattr(course, "create_venv", quick_venv)
    assert course.setup(root) == python
    assert course.PYTHON_GONE.format(venv=".venv") in capsys.readouterr().out
    assert course.probe(python) is not None and len(installs) == 1


def test_an_empty_venv_folder_is_rebuilt(root, installs, monkeypatch, capsys):
    """Interrupted before venv had copied Python in."""
    (root / ".venv").mkdir()
    monkeypatch.setattr(course, "create_venv", quick_venv)
    course.setup(root)
    assert course.NO_PYTHON.format(venv=".venv") in capsys.readouterr().out and len(installs) == 1


def test_a_venv_of_a_too_old_python_is_rebuilt(root, installs, monkeypatch, capsys):
    answers = iter([{"version_info": (3, 9, 18), "version": "3.9.18 (old)", "executable": "old"},
                    {"version_info": (3, 11, 7), "version": "3.11.7 (new)", "executable": "new"}])
    monkeypatch.setattr(course, "probe", lambda python: next(answers))
    removed = []
    monkeypatch.setattr(course, "remove_venv", removed.append)
    monkeypatch.setattr(course, "create_venv", lambda env_dir: None)
    (root / ".venv").mkdir()
    course.setup(root)
    assert "The Python of .venv/ is 3.9.18, older than the 3.11 the course needs." in capsys.readouterr().out
    assert removed == [root / ".venv"] and len(installs) == 1


def test_an_interrupted_install_is_finished_by_the_next_run(root, monkeypatch):
    """The stamp is written last: a failed or interrupted install leaves none, so the next run
    installs again instead of trusting a half-installed .venv."""
    env_dir = root / ".venv"
    quick_venv(env_dir)
    monkeypatch.setattr(course, "has_pip", lambda python: True)
    calls = []

    def interrupted(python, root, teacher_file):
        calls.append(python)
        raise KeyboardInterrupt

    monkeypatch.setattr(course, "install", interrupted)
    with pytest.raises(KeyboardInterrupt):
        course.setup(root)
    assert not (env_dir / course.STAMP_NAME).exists()
    monkeypatch.setattr(course, "install", lambda python, root, teacher_file: calls.append(python))
    course.setup(root)
    assert len(calls) == 2 and (env_dir / course.STAMP_NAME).exists()
    course.setup(root)
    assert len(calls) == 2


def test_a_stale_stamp_is_removed_before_installing(root, monkeypatch):
    """A changed requirements.txt: the old stamp goes first, so an interrupt cannot leave it behind."""
    env_dir = root / ".venv"
    quick_venv(env_dir)
    monkeypatch.setattr(course, "has_pip", lambda python: True)
    version = course.probe(course.venv_python(env_dir))["version"]
    course.write_stamp(env_dir, course.wanted_stamp(root, version, False))
    (root / "requirements.txt").write_text("course-offline-probe==2.0\n")

    def interrupted(python, root, teacher_file):
        assert not (env_dir / course.STAMP_NAME).exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(course, "install", interrupted)
    with pytest.raises(KeyboardInterrupt):
        course.setup(root)


def test_the_fingerprint_is_the_venvs_python_not_the_launchers(root, installs, monkeypatch):
    """Running course.py with python3 one day and python3.12 the next must not reinstall."""
    env_dir = root / ".venv"
    env_dir.mkdir()
    facts = {"version_info": (3, 11, 7), "version": "3.11.7 (the venv's)", "executable": "venv"}
    monkeypatch.setattr(course, "probe", lambda python: dict(facts))
    course.write_stamp(env_dir, course.wanted_stamp(root, facts["version"], False))
    monkeypatch.setattr(course.sys, "version", "3.12.1 (another launcher)")
    course.setup(root)
    assert installs == []
    facts["version"] = "3.11.9 (the venv's Python was updated)"
    monkeypatch.setattr(course, "has_pip", lambda python: True)
    course.setup(root)
    assert len(installs) == 1, "a change of the venv's own Python does reinstall"


def test_another_launcher_python_finds_the_setup_done(root):
    """For real: a .venv made and stamped here; course.py run by every other Python ≥ the minimum
    on this machine installs nothing (pip could not reach any index anyway)."""
    others = {v: p for v, p in interpreters().items() if v >= course.min_python() and v != sys.version_info[:2]}
    if not others:
        pytest.skip("no other Python ≥ the minimum on this machine")
    env_dir = root / ".venv"
    quick_venv(env_dir)
    version = course.probe(course.venv_python(env_dir))["version"]
    course.write_stamp(env_dir, course.wanted_stamp(root, version, False))
    with closed_port() as port:
        env = dict(offline_env(port.getsockname()[1]), PYTHONPATH=str(ROOT))
        for minor, python in sorted(others.items()):
            result = subprocess.run([python, str(root / "course.py"), "setup"], capture_output=True, text=True,
                                    env=env, timeout=120)
            assert result.returncode == 0 and result.stdout == "", (minor, result.stdout, result.stderr)


def test_teacher_extra_is_installed_and_fingerprinted(root, installs, monkeypatch):
    env_dir = root / ".venv"
    quick_venv(env_dir)
    monkeypatch.setattr(course, "has_pip", lambda python: True)
    course.setup(root, teacher=True)  # no requirements-teacher.txt yet: the learner's set-up
    assert [t for _, t in installs] == [None]
    teacher = root / course.TEACHER_REQUIREMENTS
    teacher.write_text("course-offline-teacher-probe==1.0\n")
    course.setup(root)
    assert len(installs) == 1, "a learner's run does not need the teacher extra"
    course.setup(root, teacher=True)
    assert [t for _, t in installs] == [None, teacher]
    course.setup(root, teacher=True)
    course.setup(root)
    assert len(installs) == 2, "after the teacher set-up, both kinds of run are no-ops"
    teacher.write_text("course-offline-teacher-probe==2.0\n")
    course.setup(root, teacher=True)
    assert len(installs) == 3, "a changed requirements-teacher.txt reinstalls"


def test_torch_index_serves_torch_only(tmp_path, monkeypatch):
    """COURSE_TORCH_INDEX_URL replaces the index for torch alone; no command adds a second index."""
    commands = []
    monkeypatch.setattr(course, "run_pip", lambda cmd, root: commands.append([str(c) for c in cmd]))
    monkeypatch.setenv("COURSE_TORCH_INDEX_URL", "https://download.pytorch.org/whl/cpu")
    course.install(Path(sys.executable), ROOT, None)
    torch_cmd, *others = commands
    assert torch_cmd[-4:] == ["--no-deps", "--index-url", "https://download.pytorch.org/whl/cpu", "torch==2.13.0"]
    assert all("index-url" not in " ".join(c) for c in others), others


def test_setup_is_a_no_op_when_nothing_changed():
    """The test run itself went through setup; a second setup must not reinstall anything."""
    env_dir = ROOT / course.VENV_NAME
    if not (env_dir / course.STAMP_NAME).exists() or Path(sys.prefix).resolve() != env_dir.resolve():
        pytest.skip("not running from the course's .venv")  # decided before anything is built
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "setup"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "pip install" not in result.stdout
