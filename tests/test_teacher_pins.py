"""requirements-teacher.txt: exact pins, none of which touches a learner's pin, installed as pinned
where the teacher's set-up ran (with requirements.txt's pins unchanged: tests/test_pins.py checks
those in the same environment), and no broken requirement between the two sets."""
from __future__ import annotations

import subprocess
import sys

from course_tools.classroom import teacher_env

from .classroom_support import need_teacher_env
from .test_pins import parse_pins, requirements_pins


def test_every_teacher_requirement_is_pinned_exactly():
    pins, loose = parse_pins(teacher_env.TEACHER_REQUIREMENTS.read_text().splitlines())
    assert pins and not loose, f"requirements-teacher.txt has entries without an exact == pin: {loose}"
    assert {k.lower().replace("_", "-") for k in pins} == set(teacher_env.teacher_pins())


def test_teacher_pins_never_repin_a_learner_package():
    learner, _ = requirements_pins()
    assert not set(teacher_env.teacher_pins()) & set(learner), "a teacher pin would change the learners' set-up"


def test_learner_set_up_stays_as_it_is():
    """Nothing a learner installs names the teacher file."""
    from course_tools.lessons import ROOT

    for name in ("requirements.txt", "environment.yml", "pyproject.toml"):
        assert "requirements-teacher" not in (ROOT / name).read_text()


def test_teacher_pins_are_installed_and_resolve_with_the_learners():
    need_teacher_env()
    assert teacher_env.missing_packages() == []
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_missing_teacher_tools_skip_locally_and_fail_under_ci(monkeypatch):
    import pytest

    monkeypatch.setattr(teacher_env, "problems", lambda proxy=False: ["the proxy was not found"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the proxy was not found"):
        need_teacher_env(proxy=True)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set: the classroom tests must run"):
        need_teacher_env(proxy=True)


def test_proxy_is_found_through_the_environment_variable(monkeypatch, tmp_path):
    fake = tmp_path / "configurable-http-proxy"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(teacher_env.PROXY_ENV, str(fake))
    assert teacher_env.proxy_executable() == str(fake)
