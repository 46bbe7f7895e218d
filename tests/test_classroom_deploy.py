"""deploy/ agrees with the pins and the measured capacity: the one-machine JupyterHub config, the
Zero to JupyterHub values, the learners' image, the proxy lock, and the capacity table of the docs."""
from __future__ import annotations

import json
import re

import yaml
from traitlets.config import Config

from course_tools.classroom import capacity, gitpuller
from course_tools.lessons import ROOT

from .classroom_support import need_teacher_env

DEPLOY = ROOT / "deploy"
ONE_MACHINE = DEPLOY / "one-machine" / "jupyterhub_config.py"
VALUES = DEPLOY / "kubernetes" / "config.yaml"
DOCKERFILE = DEPLOY / "kubernetes" / "Dockerfile"
EXAMPLE_REPO = "https://github.com/EXAMPLE-ORG/backprop-step-by-step"
LIMITS = capacity.limits()


def one_machine() -> Config:
    config = Config()
    exec(compile(ONE_MACHINE.read_text(), str(ONE_MACHINE), "exec"), {"get_config": lambda: config})
    return config


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_both_configs_carry_the_measured_per_learner_limits():
    c = one_machine()
    assert c.SystemdSpawner.mem_limit == f"{LIMITS.mem_limit_mib}M"
    assert c.SystemdSpawner.unit_extra_properties["MemoryLow"] == f"{LIMITS.mem_guarantee_mib}M"
    assert c.SystemdSpawner.cpu_limit == LIMITS.cpu_limit
    single = values()["singleuser"]
    assert single["memory"] == {"guarantee": f"{LIMITS.mem_guarantee_mib}M", "limit": f"{LIMITS.mem_limit_mib}M"}
    assert single["cpu"] == {"guarantee": LIMITS.cpu_guarantee, "limit": LIMITS.cpu_limit}


def test_both_configs_open_lesson_00_through_nbgitpuller():
    expected = gitpuller.url_path(EXAMPLE_REPO, "main", "00")
    assert one_machine().Spawner.default_url == expected
    assert values()["singleuser"]["defaultUrl"] == expected


def test_both_configs_cull_idle_servers_after_an_hour():
    service = one_machine().JupyterHub.services[0]
    assert service["command"][1:3] == ["-m", "jupyterhub_idle_culler"] and "--timeout=3600" in service["command"]
    role = one_machine().JupyterHub.load_roles[0]
    assert role["services"] == [service["name"]] and "delete:servers" in role["scopes"]
    assert values()["cull"] == {"enabled": True, "timeout": 3600, "every": 300}


def test_one_machine_runs_learners_in_the_courses_pinned_environment():
    c = one_machine()
    course = "/opt/backprop-step-by-step"
    assert c.Spawner.cmd == [f"{course}/.venv/bin/jupyterhub-singleuser"]
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner" and c.SystemdSpawner.dynamic_users
    assert c.SystemdSpawner.readwrite_paths == ["/usr/local/share/nbgrader/exchange"]
    assert c.ConfigurableHTTPProxy.command == ["/opt/jupyterhub-proxy/node_modules/.bin/configurable-http-proxy"]
    text = ONE_MACHINE.read_text()
    assert "cp deploy/proxy/package*.json /opt/jupyterhub-proxy/" in text and "npm ci --prefix /opt/jupyterhub-proxy" in text
    assert "course.py setup --teacher" in text


def test_the_exchange_learners_may_write_is_nbgraders_default():
    need_teacher_env()
    from nbgrader.exchange.default.exchange import Exchange

    assert one_machine().SystemdSpawner.readwrite_paths == [Exchange.root.default_value]


def test_the_image_is_built_from_the_pin_files_only():
    text = DOCKERFILE.read_text()
    python = re.search(r"^FROM python:(\d+\.\d+)-slim$", text, re.M)
    environment = re.search(r"^\s*-\s*python=(\d+\.\d+)\s*$", (ROOT / "environment.yml").read_text(), re.M)
    assert python and environment and python.group(1) == environment.group(1)
    assert "-r /opt/course/requirements.txt -r /opt/course/requirements-teacher.txt" in text
    assert "COPY requirements.txt requirements-teacher.txt pyproject.toml /opt/course/" in text
    assert "grep '^torch==' /opt/course/requirements.txt" in text
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"[A-Za-z0-9_.\-]+==\d", code), "the image must not pin a package itself"
    assert values()["singleuser"]["image"]["name"]


def test_the_proxy_is_pinned_by_its_lock():
    package = json.loads((DEPLOY / "proxy" / "package.json").read_text())
    lock = json.loads((DEPLOY / "proxy" / "package-lock.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version, not a range"
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "deploy/proxy/package" in ci and "npm ci" in ci


def test_capacity_model():
    measured = capacity.Measured("d", "m", "08", 20, per_learner_peak_mib=700.0, hub_peak_mib=200.0,
                                 cpu_s_per_lesson=12.0)
    got = capacity.limits(measured)
    assert (got.mem_guarantee_mib, got.mem_limit_mib, got.cpu_guarantee, got.cpu_limit) == (768, 1536, 0.2, 1.0)
    assert capacity.learners_per_machine(8, measured) == (8 * 1024 - 1024 - 200) // 768
    assert capacity.learners_per_machine(0.5, measured) == 0
    assert [row[1] for row in capacity.capacity_rows(measured)] == ["9", "19", "41", "83"]


def test_docs_quote_the_measured_capacity_with_date_and_machine():
    docs = (ROOT / "docs" / "teaching.md").read_text()
    m = capacity.MEASURED
    assert m.date in docs and m.machine in docs and m.date[:2] == "20", "measured: run benchmarks/classroom.py"
    assert capacity.capacity_table() in docs
    for number in (f"{LIMITS.mem_guarantee_mib} MiB", f"{LIMITS.mem_limit_mib} MiB"):
        assert number in docs
