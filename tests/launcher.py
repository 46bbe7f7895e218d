"""Test helpers for course.py: load it as a module, find other Python interpreters on this machine,
and a copy of the launcher in a temporary folder that cannot reach any package index."""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_course():
    """course.py as a module (each call a fresh one, so monkeypatching stays local to a test file)."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=None)
def interpreters() -> dict[tuple[int, int], str]:
    """Python 3 interpreters found here ((major, minor) → path): python3.N on the PATH and pyenv's."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(6, 21)]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    if pyenv.is_dir():
        candidates += [str(p) for p in sorted(pyenv.glob("3.*/bin/python3"))]
    found = {}
    for path in filter(None, candidates):
        try:
            out = subprocess.run([path, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                                 text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.split():
            found.setdefault(tuple(int(x) for x in out.stdout.split()), path)  # a pyenv shim fails here
    return found


def closed_port() -> socket.socket:
    """A bound, never listening socket on 127.0.0.1: connecting to its port is refused at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def offline_env(port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment in which pip reads no configuration and its only index refuses connections."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.upper().startswith("PIP_") and not k.lower().endswith("_proxy")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"http://127.0.0.1:{port}/simple", PIP_RETRIES="0",
               PIP_TIMEOUT="5", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def launcher_copy(folder: Path) -> Path:
    """A course folder with course.py, pyproject.toml and a requirements.txt naming one package that
    no index has (nothing can ever be installed from it); course_tools comes from PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("course.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "requirements.txt").write_text("course-offline-probe==1.0\n")
    return folder
