"""Real-browser harness: JupyterLab as a subprocess, Debian's Chromium driven by Playwright.

A plain module (no pytest) so that `benchmarks/browser_latency.py` uses it too:

    with lab_server(notebook_copy) as server, chromium_browser() as browser:
        lesson = open_lesson(browser, server, "02_manual_gradients.ipynb")
        report = lesson.run_all()          # JupyterLab's own 'notebook:run-all-cells'
        assert not report.problems(), report.describe()
        lesson.close()

Isolation: JupyterLab serves a COPY of notebooks/ from a temporary directory (it autosaves),
with its own config, runtime, data, settings and workspaces directories, a random token and a
free port on 127.0.0.1. The kernelspec python3 still resolves to this interpreter (ipykernel's
native kernel) and the ipywidgets lab extension is still found under sys.prefix.
Everything started here is stopped in `finally` blocks, kernels included.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
INSTALL_HINT = (
    "Chromium was not found. Install it (Debian/Ubuntu: `apt-get install chromium`) or set "
    "COURSE_CHROMIUM=/path/to/chromium for another location."
)
# Lab settings: no news / update pop-up, every cell in the page (no notebook windowing).
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# The text repr a widget falls back to when it is not rendered as a widget, e.g. FloatSlider(value=…).
WIDGET_REPR = re.compile(
    r"\b(?:[A-Z][A-Za-z]*(?:Box|Slider|Button|Buttons|Output|HTML|Label|Dropdown|Checkbox|Text"
    r"|Play|Tab|Accordion|Image|Progress))\((?:children|value|layout|description|outputs|options"
    r"|style|min|max|index|button_style|msg_id)=")
EXPECTED_ERROR_TAG = "raises-exception"


# ----------------------------------------------------------------------------- discovery

def lesson_names(notebooks: Path = NOTEBOOKS) -> list[str]:
    """File names of the lessons (notebooks/NN_*.ipynb), sorted."""
    return sorted(p.name for p in notebooks.glob(LESSON_GLOB))


def find_lesson(prefix: str, notebooks: Path = NOTEBOOKS) -> str | None:
    """'02' → '02_manual_gradients.ipynb', or None while that lesson does not exist yet."""
    matches = [n for n in lesson_names(notebooks) if n.startswith(prefix + "_")]
    return matches[0] if matches else None


def find_chromium() -> str | None:
    """COURSE_CHROMIUM, else /usr/bin/chromium, else chromium / chromium-browser on PATH."""
    configured = os.environ.get("COURSE_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# ----------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab; `root` is the directory it serves (a copy of notebooks/)."""
    process: subprocess.Popen
    port: int
    token: str
    root: Path
    home: Path  # temporary dir with config/runtime/data/settings/workspaces
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 10) -> object:
        req = urllib.request.Request(self.base + "api/" + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def shutdown_kernels(self) -> None:
        with contextlib.suppress(Exception):
            for kernel in self.api("kernels"):
                with contextlib.suppress(Exception):
                    self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=20)


def _write_settings(settings_dir: Path) -> None:
    for rel, content in USER_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def _own_pids(marker: str) -> list[int]:
    """Processes whose command line names our temporary directory (kernels use its runtime dir)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
    return pids


@contextlib.contextmanager
def lab_server(root: Path, startup_timeout: float = 90) -> Iterator[LabServer]:
    """Start JupyterLab serving `root`; stop it (and every kernel it started) on exit."""
    home = Path(tempfile.mkdtemp(prefix="course-lab-"))
    for sub in ("config", "runtime", "data", "settings", "workspaces", "ipython"):
        (home / sub).mkdir()
    _write_settings(home / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"), IPYTHONDIR=str(home / "ipython"),
               PYTHONHASHSEED="0", JUPYTER_PLATFORM_DIRS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # plots inline in the kernel
    env.pop("DISPLAY", None)  # JUPYTER_PATH is left alone: sys.prefix's lab extensions stay found
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(process, port, token, root, home, log_path)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("status", timeout=2)
                break
            except (urllib.error.URLError, OSError, ValueError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer /api/status within "
                                       f"{startup_timeout:.0f} s:\n{server.log_tail()}")
                time.sleep(0.25)
        yield server
    finally:
        if process.poll() is None:
            server.shutdown_kernels()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for pid in _own_pids(str(home)):  # kernels run in sessions of their own
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def copy_notebooks(dest: Path, source: Path = NOTEBOOKS) -> Path:
    """Copy the lessons (and anything they read next to them) into dest; returns dest."""
    shutil.copytree(source, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".backups", "__pycache__"))
    return dest


# ----------------------------------------------------------------------------- browser

@contextlib.contextmanager
def chromium_browser(executable: str | None = None, headless: bool = True):
    """Launch Chromium through Playwright; yields the Browser, closes it and the driver on exit."""
    from playwright.sync_api import sync_playwright

    executable = executable or find_chromium()
    if executable is None:
        raise FileNotFoundError(INSTALL_HINT)
    pw = sync_playwright().start()
    browser = None
    try:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                     headless=headless, timeout=60_000)
        yield browser
    finally:
        try:
            if browser is not None:
                with contextlib.suppress(Exception):
                    browser.close()
        finally:
            pw.stop()


# In every page: find a notebook panel by path, run all cells, report on cells and outputs,
# and record every dialog that opens (a "Select Kernel" dialog must never appear).
INIT_SCRIPT = r"""
(() => {
  window.__courseDialogs = [];
  const seen = new WeakSet();
  const record = () => {
    for (const d of document.querySelectorAll('.jp-Dialog')) {
      if (seen.has(d)) continue;
      seen.add(d);
      setTimeout(() => window.__courseDialogs.push((d.innerText || '').slice(0, 300)), 50);
    }
  };
  const start = () => new MutationObserver(record).observe(document.documentElement,
                                                           {childList: true, subtree: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);

  const panel = (path) => {
    const app = window.jupyterapp;
    if (!app) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.content.model) return w;
    }
    return null;
  };
  const kernelStatus = (p) => {
    const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
    return k ? k.status : 'none';
  };
  window.__course = {
    panel, kernelStatus,
    ready(path) {
      if (document.querySelector('.jp-Dialog')) return 'dialog';
      const p = panel(path);
      if (!p || !p.context.isReady || !p.sessionContext.isReady) return false;
      return kernelStatus(p) === 'idle' ? 'ready' : false;
    },
    runAll(path) {
      const app = window.jupyterapp, p = panel(path);
      app.shell.activateById(p.id);
      window.__courseRun = {done: false};
      window.__courseSettledSince = null;
      app.commands.execute('notebook:run-all-cells').then(
        (r) => { window.__courseRun = {done: true, result: String(r)}; },
        (e) => { window.__courseRun = {done: true, error: String(e)}; });
    },
    runDone(path) {
      // Done when the command has returned, the kernel is idle and every code cell has an
      // execution count (or an untagged cell failed, so the kernel aborted the rest), and that
      // has held for a second: 'run all' may resolve while executions are still queued.
      if (document.querySelector('.jp-Dialog')) return 'dialog';
      const p = panel(path);
      let settled = !!(window.__courseRun && window.__courseRun.done) && kernelStatus(p) === 'idle';
      const cells = p ? p.content.model.cells : {length: 0};
      let pending = false, failed = false;
      for (let i = 0; settled && i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type !== 'code') continue;
        if (c.executionState === 'running') settled = false;
        if (c.executionCount === null && c.sharedModel.getSource().trim()) pending = true;
        const tags = c.getMetadata('tags') || [];
        for (let j = 0; j < c.outputs.length; j++) {
          if (c.outputs.get(j).type === 'error' && !tags.includes('raises-exception')) failed = true;
        }
      }
      settled = settled && (!pending || failed);
      const now = performance.now();
      if (!settled) { window.__courseSettledSince = null; return false; }
      if (!window.__courseSettledSince) window.__courseSettledSince = now;
      return now - window.__courseSettledSince >= 1000 ? 'done' : false;
    },
    widgetsSettled(path) {
      const p = panel(path);
      if (!p) return true;
      for (const n of p.content.node.querySelectorAll('.jp-OutputArea-output')) {
        if ((n.textContent || '').trim() === 'Loading widget...') return false;
      }
      return true;
    },
    report(path) {
      const p = panel(path);
      if (!p) {
        const open = Array.from(window.jupyterapp.shell.widgets('main')).map((w) => w.title.label);
        throw new Error(`notebook ${path} is not open in the page; open: ${open}; url: ${location.href}`);
      }
      const cells = [];
      p.content.widgets.forEach((cell, i) => {
        const m = cell.model;
        const tags = m.getMetadata('tags') || [];
        const entry = {index: i, type: m.type, tags, source: m.sharedModel.getSource().slice(0, 200),
                       executionCount: m.type === 'code' ? m.executionCount : null,
                       outputs: [], dom: [], tracebacks: []};
        if (m.type === 'code') {
          for (let j = 0; j < m.outputs.length; j++) {
            const o = m.outputs.get(j).toJSON();
            entry.outputs.push({output_type: o.output_type, ename: o.ename || null,
                                evalue: o.evalue || null, name: o.name || null,
                                mimes: o.data ? Object.keys(o.data) : [],
                                text: o.output_type === 'stream' ? String(o.text).slice(0, 500) : null});
          }
          for (const child of cell.outputArea.widgets) {
            const out = child.node.querySelector('.jp-OutputArea-output');
            if (!out) continue;
            const mime = out.getAttribute('data-mime-type');
            const isWidget = mime !== 'text/plain' && (out.classList.contains('jupyter-widgets')
                             || out.querySelector('.jupyter-widgets') !== null);
            entry.dom.push({mime: isWidget ? 'widget' : mime, className: out.className,
                            text: (out.innerText || '').slice(0, 500),
                            widgets: out.querySelectorAll('.jupyter-widgets').length,
                            width: out.getBoundingClientRect().width,
                            height: out.getBoundingClientRect().height});
          }
          // error tracebacks shown inside widgets (an Output widget captures a callback's error)
          for (const w of cell.node.querySelectorAll('.jupyter-widgets .jp-OutputArea-output')) {
            const t = w.innerText || '';
            if (w.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
                && /Traceback|Error\b|Exception\b/.test(t)) entry.tracebacks.push(t.slice(0, 800));
          }
        }
        cells.push(entry);
      });
      const dialogs = window.__courseDialogs.slice();
      for (const d of document.querySelectorAll('.jp-Dialog')) dialogs.push((d.innerText || '').slice(0, 300));
      return {cells, dialogs, kernel: kernelStatus(p), run: window.__courseRun || null};
    },
    scroller(path) {
      const p = panel(path);
      return p.content.node.querySelector('.jp-WindowedPanel-outer') || p.content.node;
    },
  };
})();
"""


@dataclass
class LessonReport:
    """What a lesson looked like after 'run all': cells, outputs as the model and the page hold them."""
    name: str
    cells: list[dict]
    dialogs: list[str]
    run: dict | None
    seconds: float = 0.0
    extra: list[str] = field(default_factory=list)

    def code_cells(self) -> list[dict]:
        return [c for c in self.cells if c["type"] == "code"]

    def widget_outputs(self) -> int:
        return sum(WIDGET_MIME in o["mimes"] for c in self.cells for o in c["outputs"])

    def problems(self) -> list[str]:
        """Everything a learner would see as broken; empty when the lesson is fine."""
        out = list(self.extra)
        for d in self.dialogs:
            if "Select Kernel" in d or "kernel" in d.lower():
                out.append(f"dialog appeared: {d!r}")
        if self.run and self.run.get("error"):
            out.append(f"run-all-cells failed: {self.run['error']}")
        for c in self.code_cells():
            where = f"cell {c['index']} ({c['source'].splitlines()[0][:60] if c['source'] else ''!r})"
            expected = EXPECTED_ERROR_TAG in c["tags"]
            if c["executionCount"] is None and c["source"].strip():
                out.append(f"{where}: not executed (no execution count)")
            for o in c["outputs"]:
                if o["output_type"] == "error" and not expected:
                    out.append(f"{where}: error output {o['ename']}: {o['evalue']}")
            for t in c["tracebacks"]:
                if not expected:
                    out.append(f"{where}: error shown inside a widget: {t[:300]!r}")
            widget_dom = [d for d in c["dom"] if d["mime"] == "widget"]
            n_widget_outputs = sum(WIDGET_MIME in o["mimes"] for o in c["outputs"])
            if len(widget_dom) < n_widget_outputs:
                out.append(f"{where}: {n_widget_outputs} widget output(s) but only {len(widget_dom)} "
                           f"rendered as widgets; page shows {[d['text'][:120] for d in c['dom']]}")
            for d in c["dom"]:
                if "Error displaying widget" in d["text"] or d["text"].strip() == "Loading widget...":
                    out.append(f"{where}: widget not displayed: {d['text'][:120]!r}")
                elif d["mime"] == "text/plain" and WIDGET_REPR.search(d["text"]):
                    out.append(f"{where}: text repr instead of a widget: {d['text'][:120]!r}")
                elif d["mime"] == "widget" and d["height"] < 1:
                    out.append(f"{where}: widget output is empty in the page")
        return out

    def describe(self) -> str:
        problems = self.problems()
        head = f"{self.name}: {len(problems)} problem(s) after run-all ({self.seconds:.1f} s)"
        return "\n  ".join([head, *problems])


class Lesson:
    """One notebook opened in its own page (and its own workspace) of a JupyterLab server."""

    def __init__(self, page, server: LabServer, name: str):
        self.page, self.server, self.name = page, server, name
        self.report: LessonReport | None = None

    def js(self, fn: str, *args):
        return self.page.evaluate(f"(a) => window.__course.{fn}(...a)", [self.name, *args])

    def wait(self, fn: str, timeout_s: float, polling: int = 200) -> str:
        handle = self.page.wait_for_function(f"(p) => window.__course.{fn}(p)", arg=self.name,
                                             timeout=timeout_s * 1000, polling=polling)
        return handle.json_value()

    def run_all(self, timeout_s: float = 240) -> LessonReport:
        """Run every cell with JupyterLab's own 'notebook:run-all-cells'; wait for idle; report."""
        t0 = time.perf_counter()
        self.js("runAll")
        state = self.wait("runDone", timeout_s, polling=250)
        extra = []
        if state == "done":
            try:
                self.wait("widgetsSettled", 30)
            except Exception:  # noqa: BLE001 - reported as a problem below
                extra.append("widgets still 'Loading widget...' after 30 s")
            self.page.wait_for_timeout(300)  # last redraws of Output widgets
        return self.inspect(time.perf_counter() - t0, extra)

    def inspect(self, seconds: float = 0.0, extra: list[str] | None = None) -> LessonReport:
        """Read cells and outputs as they are now (e.g. after using a widget); runs nothing."""
        rep = self.js("report")
        self.report = LessonReport(self.name, rep["cells"], rep["dialogs"], rep["run"],
                                   seconds, list(extra or []))
        return self.report

    def screenshot(self, path: Path, max_height: int = 15000) -> list[Path]:
        """The whole notebook after running: grow the viewport to the notebook's height (in
        parts of at most max_height pixels for a very long lesson); returns the files written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        page = self.page
        size = page.viewport_size
        dims = page.evaluate("""(p) => { const s = window.__course.scroller(p);
            return {scroll: s.scrollHeight, client: s.clientHeight}; }""", self.name)
        chrome = size["height"] - dims["client"]  # menus, toolbar, status bar
        total = dims["scroll"] + chrome + 20
        files = []
        try:
            if total <= max_height:
                page.set_viewport_size({"width": size["width"], "height": total})
                page.wait_for_timeout(300)
                page.evaluate("(p) => { window.__course.scroller(p).scrollTop = 0; }", self.name)
                page.wait_for_timeout(300)
                page.screenshot(path=str(path))
                files.append(path)
            else:
                page.set_viewport_size({"width": size["width"], "height": max_height})
                page.wait_for_timeout(400)
                step = max_height - chrome - 40
                for part, top in enumerate(range(0, dims["scroll"], step), start=1):
                    page.evaluate("([p, t]) => { window.__course.scroller(p).scrollTop = t; }",
                                  [self.name, top])
                    page.wait_for_timeout(300)
                    target = path.with_name(f"{path.stem}-part{part}{path.suffix}")
                    page.screenshot(path=str(target))
                    files.append(target)
        finally:
            page.set_viewport_size(size)
            page.evaluate("(p) => { window.__course.scroller(p).scrollTop = 0; }", self.name)
        return files

    # -- keyboard helpers (as a learner would use the widgets)

    def slider_handle(self, css_class: str):
        """The keyboard-focusable handle of the ipywidgets slider carrying css_class."""
        return self.page.locator(f".{css_class} .noUi-handle").first

    def text_of(self, css_class: str) -> str:
        return self.page.locator(f".{css_class}").first.inner_text()

    def img_src(self, css_class: str) -> str | None:
        img = self.page.locator(f".{css_class} img")
        return img.first.get_attribute("src") if img.count() else None

    def log_problems(self) -> list[str]:
        """Errors and stderr that reached no cell (e.g. a widget callback raising outside an
        Output widget): JupyterLab puts them in the notebook's log console. Opens the log
        console, reads it and closes it again."""
        texts = self.page.evaluate(r"""async (p) => {
            const app = window.jupyterapp, panel = window.__course.panel(p);
            app.shell.activateById(panel.id);
            if (!app.commands.isToggled('logconsole:open'))
              await app.commands.execute('logconsole:open', {insertMode: 'split-bottom'});
            for (let i = 0; i < 50; i++) {  // until the console shows its entries or says none
              await new Promise((r) => setTimeout(r, 100));
              const c = document.querySelector('.jp-LogConsolePanel');
              if (c && (c.querySelector('.jp-OutputArea-output') || /No log messages/i.test(c.innerText))) break;
            }
            window.__courseLogText = (document.querySelector('.jp-LogConsolePanel') || {}).innerText;
            const out = [];
            for (const n of document.querySelectorAll('.jp-LogConsolePanel .jp-OutputArea-output')) {
              if (n.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
                out.push((n.innerText || '').slice(-800));
            }
            // the command toggles: running it again closes the console
            if (app.commands.isToggled('logconsole:open')) await app.commands.execute('logconsole:open');
            app.shell.activateById(panel.id);
            return out; }""", self.name)
        return [f"log console (output of no cell, e.g. a widget callback): {t.strip()[-400:]!r}"
                for t in texts]

    def close(self) -> None:
        """Shut this notebook's kernel down and close the page."""
        with contextlib.suppress(Exception):
            self.page.evaluate("""async (p) => { const w = window.__course.panel(p);
                if (w) await w.sessionContext.shutdown(); }""", self.name)
        with contextlib.suppress(Exception):
            self.page.close()


def new_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    context.add_init_script(INIT_SCRIPT)
    return context


def open_lesson(context, server: LabServer, name: str, timeout_s: float = 90) -> Lesson:
    """Open notebook `name` (relative to the server root) in a new page with a fresh workspace
    (so no earlier notebook is restored) and wait until its kernel is idle."""
    page = context.new_page()
    lesson = Lesson(page, server, name)
    try:
        workspace = "w" + secrets.token_hex(4)
        page.goto(server.url(f"lab/workspaces/{workspace}/tree/{name}"),
                  wait_until="domcontentloaded", timeout=timeout_s * 1000)
        page.wait_for_function("() => !!window.jupyterapp",
                               timeout=timeout_s * 1000)
        state = lesson.wait("ready", timeout_s, polling=200)
        page.evaluate("() => { const s = window.jupyterapp.shell; if (!s.leftCollapsed) s.collapseLeft(); }")
        if state == "dialog":
            rep = lesson.js("report")
            raise AssertionError(f"{name}: a dialog opened instead of the kernel: {rep['dialogs']}")
    except BaseException:
        lesson.close()
        raise
    return lesson


def notebook_tags(path: Path) -> list[list[str]]:
    """Tags of every cell of a stored notebook (used by checks that read the file)."""
    nb = nbformat.read(path, as_version=4)
    return [list(c.get("metadata", {}).get("tags", [])) for c in nb.cells]
