"""A JupyterHub on the loopback interface, for the tests and the capacity benchmark.

It is a real hub (the Node configurable-http-proxy in front, DummyAuthenticator, and
SimpleLocalProcessSpawner: every learner's server runs as this user, with a home folder under a
temporary root) listening on 127.0.0.1 only. `LoopbackHub.processes()` records every process the
hub started (proxy, single-user servers, their kernels); after `stop()`, `leftovers()` must be
empty. Not a deployment: see deploy/ for that.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import psutil
import requests

from course_tools.lessons import kernel_env

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 60
CONFIG = '''# Written by course_tools.classroom.hub: a loopback hub for tests and benchmarks only.
c = get_config()  # noqa: F821
c.JupyterHub.ip = {ip!r}
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = {ip!r}
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://{ip}:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.db_url = "sqlite:///" + {db!r}
c.JupyterHub.cookie_secret_file = {cookie_secret!r}
c.JupyterHub.pid_file = {hub_pid!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.ip = {ip!r}
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.args = {args!r}
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = {start_timeout}
c.Spawner.http_timeout = {start_timeout}
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # answer "202 pending" at once: learners start together
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
'''


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@dataclass
class LoopbackHub:
    """A running hub: its public URL, root folder, the learners' password, and its processes."""

    url: str
    root: Path
    password: str
    process: subprocess.Popen
    seen: dict[int, psutil.Process] = field(default_factory=dict)

    def home(self, user: str) -> Path:
        return self.root / "homes" / user

    def processes(self) -> list[psutil.Process]:
        """The hub and everything it started that is alive now (also recorded for `leftovers`)."""
        try:
            hub = psutil.Process(self.process.pid)
            found = [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            found = []
        for proc in self._in_root():
            found += [proc, *_children(proc)]
        for proc in found:
            self.seen.setdefault(proc.pid, proc)
        return [p for p in {p.pid: p for p in found}.values() if _alive(p)]

    def _in_root(self) -> list[psutil.Process]:
        """Processes whose working folder is under the hub's root (servers and kernels start there)."""
        root = str(self.root)
        found = []
        for proc in psutil.process_iter(["cwd"]):
            cwd = proc.info.get("cwd") or ""
            if proc.pid != os.getpid() and (cwd == root or cwd.startswith(root + os.sep)):
                found.append(proc)
        return found

    def leftovers(self) -> list[psutil.Process]:
        """Every process seen (or now found under the root) that is still alive."""
        if self.process.poll() is None:
            self.processes()  # record what the hub started since the last look
        alive = [p for p in self.seen.values() if _alive(p)] + [p for p in self._in_root() if _alive(p)]
        return list({p.pid: p for p in alive}.values())

    def stop(self) -> None:
        """Stop the hub as an operator would (SIGTERM: it stops the servers and the proxy), then wait
        for every process it started to go; kill what is still there after STOP_TIMEOUT_S."""
        self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)

    def kill_leftovers(self) -> list[str]:
        """Last resort (after stop): kill what is left, and say what it was."""
        named = []
        for proc in self.leftovers():
            with contextlib.suppress(psutil.Error):
                named.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
                proc.kill()
        return named


def wait_gone(processes: list[psutil.Process], timeout: float = 30) -> list[psutil.Process]:
    """Wait until none of `processes` is alive (zombies count as gone); return those still alive."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in processes if _alive(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def write_config(root: Path, users: list[str], proxy: str, password: str) -> tuple[Path, str]:
    """The hub's config file under root; returns it and the hub's public URL."""
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    bin_dir = Path(sys.executable).parent
    environment = {k: v for k, v in kernel_env({}).items()}  # fixed hash seed, inline plots
    environment["PATH"] = str(bin_dir) + os.pathsep + os.environ.get("PATH", "")
    (root / "homes").mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(ip=LOOPBACK, port=port, hub_port=hub_port, proxy_api_port=proxy_api_port, proxy=proxy,
                         proxy_pid=str(root / "proxy.pid"), db=str(root / "jupyterhub.sqlite"),
                         cookie_secret=str(root / "cookie_secret"), hub_pid=str(root / "hub.pid"),
                         password=password, users=sorted(users), homes=str(root / "homes"),
                         singleuser=str(bin_dir / "jupyterhub-singleuser"), environment=environment,
                         start_timeout=START_TIMEOUT_S,
                         args=["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
    path = root / "jupyterhub_config.py"
    path.write_text(text, encoding="utf-8")
    return path, f"http://{LOOPBACK}:{port}"


@contextlib.contextmanager
def loopback_hub(root: Path, users: list[str], proxy: str) -> Iterator[LoopbackHub]:
    """Start a hub under root for `users`, wait until it answers; stop it (and check) on exit."""
    root.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    config, url = write_config(root, users, proxy, password)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    log = open(root / "jupyterhub.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=root, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    hub = LoopbackHub(url, root, password, process)
    try:
        _wait_until_up(hub)
        yield hub
    finally:
        try:
            hub.stop()
        finally:
            log.close()


def _wait_until_up(hub: LoopbackHub) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {hub.process.returncode}; see {hub.root / 'jupyterhub.log'}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{hub.url}/hub/api/", timeout=5).status_code == 200:
                hub.processes()
                return
        time.sleep(0.3)
    raise TimeoutError(f"JupyterHub did not answer within {START_TIMEOUT_S} s; see {hub.root / 'jupyterhub.log'}")
