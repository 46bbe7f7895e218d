"""A real JupyterHub on the loopback interface: the Node configurable-http-proxy, DummyAuthenticator,
SimpleLocalProcessSpawner. Three learners log in, start their servers, run a lesson through the hub
and a kernel each, get their own outputs, cannot reach each other's servers; everything stops and
no process is left behind.

Skipped locally without the teacher's packages or the proxy; failed under CI (`.ci/run` installs both).
"""
from __future__ import annotations

import asyncio
import re
import secrets
import shutil

import nbformat
import pytest

from course_tools.classroom import teacher_env
from course_tools.classroom.hub import loopback_hub, wait_gone
from course_tools.classroom.hub_client import Learner
from course_tools.lessons import find_lesson

from .classroom_support import need_teacher_env, tags

pytestmark = pytest.mark.hub

LESSON = "02"
LEARNERS = ("ada", "bo", "cy")
COURSE_FOLDER = "backprop-step-by-step/notebooks"  # where nbgitpuller puts the lessons in a home
WHOAMI = 'print(open("whoami.txt", encoding="utf-8").read())'
UNCOMPARED = ("nbval-ignore-output", "nbval-skip")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _stored_streams(lesson_nb) -> list[str | None]:
    """Each code cell's stored stream text, None where nbval does not compare it either."""
    out = []
    for cell in (c for c in lesson_nb.cells if c.cell_type == "code"):
        if any(t in tags(cell) for t in UNCOMPARED):
            out.append(None)
        else:
            out.append("".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"))
    return out


def _is_kernel(proc) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(proc.cmdline())
    except Exception:
        return False


def test_three_learners_on_a_loopback_hub(tmp_path):
    need_teacher_env(proxy=True)
    lesson = find_lesson(LESSON)
    stored = _stored_streams(nbformat.read(lesson, as_version=4))
    secret = {name: f"{name} {secrets.token_hex(8)}" for name in LEARNERS}
    hub_root = tmp_path / "hub"
    leftovers, kernels = ["(the hub did not start)"], []
    with loopback_hub(hub_root, list(LEARNERS), teacher_env.proxy_executable()) as hub:
        try:
            learners = [Learner(hub.url, name, hub.password) for name in LEARNERS]
            for learner in learners:  # what nbgitpuller does at the first visit, plus a note of who this is
                folder = hub.home(learner.name) / COURSE_FOLDER
                folder.mkdir(parents=True)
                nb = nbformat.read(lesson, as_version=4)
                nb.cells.append(nbformat.v4.new_code_cell(WHOAMI))
                nbformat.write(nb, folder / lesson.name)
                (folder / "whoami.txt").write_text(secret[learner.name], encoding="utf-8")
                learner.log_in()
            asked = [learner.request_server() for learner in learners]
            for learner, when in zip(learners, asked):
                learner.start_server(asked=when)

            # nobody reaches another learner's server: not with a token, not with the login session
            for learner in learners:
                assert learner.server_get(learner.name, "/api/status").status_code == 200
                for other in learners:
                    if other is not learner:
                        assert learner.server_get(other.name, "/api/status").status_code == 403
                        page = learner.session.get(f"{hub.url}/user/{other.name}/api/status", timeout=60)
                        assert page.status_code == 403, (learner.name, other.name, page.url)

            async def run_all():
                return await asyncio.gather(*(l.run_notebook(f"{COURSE_FOLDER}/{lesson.name}") for l in learners))

            results = asyncio.run(run_all())
            kernels = [p for p in hub.processes() if _is_kernel(p)]
            assert len(kernels) == len(LEARNERS)
            for learner, result in zip(learners, results):
                assert not result.errors, (learner.name, result.errors)
                assert len(result.outputs) == len(stored) + 1
                for index, want in enumerate(stored):
                    if want is not None:
                        assert ADDRESS.sub("", result.text(index)) == ADDRESS.sub("", want), (learner.name, index)
                assert result.text(len(stored)).strip() == secret[learner.name]  # its own kernel, its own home
            for learner in learners:
                learner.stop_server()
            assert not wait_gone(kernels), "a learner's kernel outlived its server"
        finally:
            hub.stop()
            leftovers = [f"{p.pid} {' '.join(p.cmdline())[:100]}" for p in hub.leftovers()]
            hub.kill_leftovers()
    assert hub.process.returncode is not None
    assert not leftovers, f"processes left behind: {leftovers}"
    shutil.rmtree(hub_root, ignore_errors=True)
