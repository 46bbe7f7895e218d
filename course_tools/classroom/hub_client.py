"""A learner at a JupyterHub, driven through its REST API as a browser would: log in, start a
server, open a lesson and run all its cells in a kernel over the kernel's websocket.

`Learner.run_notebook` runs the code cells in order like JupyterLab's Run All: it goes on past a
cell tagged `raises-exception` that raises (as JupyterLab does) and stops at any other error. It
records when the first output arrived and when the last cell finished.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

import requests
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

CELL_TIMEOUT_S = 300
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


@dataclass
class RunResult:
    """What one Run All gave: outputs per code cell, errors, and its timings (seconds since `started`)."""

    outputs: list[list[dict]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    kernel_id: str = ""
    first_output_s: float | None = None
    done_s: float | None = None

    def text(self, index: int) -> str:
        """The streamed text of code cell `index` (0-based among code cells)."""
        return "".join(o.get("text", "") for o in self.outputs[index] if o.get("output_type") == "stream")


class Learner:
    """One learner: a browser session (cookies) for the hub pages, a token for the REST APIs."""

    def __init__(self, hub_url: str, name: str, password: str):
        self.hub_url, self.name, self.password = hub_url.rstrip("/"), name, password
        self.session = requests.Session()
        self.token = ""

    # ---------------------------------------------------------------- the hub
    def log_in(self) -> None:
        """The login form (with its XSRF token), then an API token made from the logged-in session."""
        page = self.session.get(f"{self.hub_url}/hub/login", timeout=30)
        page.raise_for_status()
        xsrf = self.session.cookies.get("_xsrf", path="/hub/")
        reply = self.session.post(f"{self.hub_url}/hub/login?next=", allow_redirects=False, timeout=30,
                                  data={"username": self.name, "password": self.password, "_xsrf": xsrf})
        if reply.status_code != 302:
            raise PermissionError(f"{self.name} could not log in: HTTP {reply.status_code}")
        xsrf = self.session.cookies.get("_xsrf", path="/hub/")  # a new one, bound to the logged-in user
        made = self.session.post(f"{self.hub_url}/hub/api/users/{self.name}/tokens", timeout=30,
                                 headers={"X-XSRFToken": xsrf}, json={"note": "course benchmark", "expires_in": 3600})
        made.raise_for_status()
        self.token = made.json()["token"]

    def _api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.hub_url}{path}", timeout=60,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def request_server(self) -> float:
        """Ask the hub to start this learner's server (it answers at once); returns the time asked."""
        asked = time.perf_counter()
        reply = self._api("POST", f"/hub/api/users/{self.name}/server")
        if reply.status_code not in (201, 202):
            raise RuntimeError(f"{self.name}: starting the server gave HTTP {reply.status_code}: {reply.text[:200]}")
        return asked

    def start_server(self, timeout: float = 120, asked: float | None = None) -> float:
        """Ask for the server (unless `asked` says when that was done), wait until it is ready;
        return the seconds from asking to ready."""
        started = self.request_server() if asked is None else asked
        while time.perf_counter() - started < timeout:
            server = self._api("GET", f"/hub/api/users/{self.name}").json().get("servers", {}).get("", {})
            if server.get("ready"):
                return time.perf_counter() - started
            time.sleep(0.25)
        raise TimeoutError(f"{self.name}: the server was not ready within {timeout} s")

    def stop_server(self, timeout: float = 60) -> None:
        reply = self._api("DELETE", f"/hub/api/users/{self.name}/server")
        if reply.status_code not in (202, 204):
            raise RuntimeError(f"{self.name}: stopping the server gave HTTP {reply.status_code}")
        deadline = time.monotonic() + timeout
        while self._api("GET", f"/hub/api/users/{self.name}").json().get("servers", {}):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: the server did not stop within {timeout} s")
            time.sleep(0.25)

    def server_get(self, user: str, path: str) -> requests.Response:
        """GET on `user`'s single-user server with this learner's token (for isolation checks)."""
        return self._api("GET", f"/user/{user}{path}", allow_redirects=False)

    # ---------------------------------------------------------------- the learner's server
    async def _fetch(self, method: str, path: str, body: dict | None = None) -> dict:
        request = HTTPRequest(f"{self.hub_url}/user/{self.name}{path}", method=method,
                              headers={"Authorization": f"token {self.token}"},
                              body=None if body is None else json.dumps(body), request_timeout=120)
        reply = await AsyncHTTPClient().fetch(request)
        return json.loads(reply.body) if reply.body else {}

    async def open_notebook(self, path: str) -> dict:
        return (await self._fetch("GET", f"/api/contents/{quote(path)}?content=1"))["content"]

    async def run_notebook(self, path: str, keep_kernel: bool = True) -> RunResult:
        """Open the notebook at `path` (relative to the learner's home), start a kernel beside it and
        run every code cell in order. Timings count from the moment the notebook is opened."""
        started = time.perf_counter()
        notebook = await self.open_notebook(path)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        kernel = await self._fetch("POST", "/api/kernels", {"name": "python3", "path": folder})
        result = RunResult(kernel_id=kernel["id"])
        url = f"{self.hub_url.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel['id']}/channels"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))
        session = uuid.uuid4().hex
        try:
            for index, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
                outputs = await self._execute(socket, session, source, result, started)
                result.outputs.append(outputs)
                errors = [o for o in outputs if o.get("output_type") == "error"]
                if errors and not expected_error:
                    result.errors.append((index, f"{errors[0].get('ename')}: {errors[0].get('evalue')}"))
                    break
            result.done_s = time.perf_counter() - started
        finally:
            socket.close()
            if not keep_kernel:
                await self.shutdown_kernel(result.kernel_id)
        return result

    async def shutdown_kernel(self, kernel_id: str) -> None:
        await self._fetch("DELETE", f"/api/kernels/{kernel_id}")

    async def _execute(self, socket, session: str, code: str, result: RunResult, started: float) -> list[dict]:
        msg_id = uuid.uuid4().hex
        await socket.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name, "session": session,
                       "date": dt.datetime.now(dt.timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": False}}))
        outputs, idle, replied = [], False, False
        while not (idle and replied):
            raw = await asyncio.wait_for(socket.read_message(), CELL_TIMEOUT_S)
            if raw is None:
                raise ConnectionError(f"{self.name}: the kernel's websocket closed")
            if isinstance(raw, bytes):  # a binary message (widget buffers): not an output
                continue
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind in OUTPUT_TYPES:
                outputs.append(dict(message["content"], output_type=kind))
                if result.first_output_s is None:
                    result.first_output_s = time.perf_counter() - started
            elif kind == "status" and message["content"].get("execution_state") == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        return outputs
