"""Chromium driven by Playwright, and a lesson page in JupyterLab: used by the browser tests
(tests/browser) and the browser benchmark. The page-side half is jupyterlab.js (window.__course).

    with lab_server(copy_notebooks(tmp)) as server, chromium_browser() as browser:
        lesson = open_lesson(new_context(browser), server, "02_manual_gradients.ipynb")
        report = lesson.run_all()          # JupyterLab's own 'notebook:run-all-cells'
        assert not report.problems(), report.describe()
        lesson.close()

Debian's Chromium (/usr/bin/chromium) with `executable_path`: Playwright cannot download browsers here.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.lab import LabServer

PAGE_SCRIPT = Path(__file__).with_name("jupyterlab.js")
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
INSTALL_HINT = (
    "Chromium was not found. Install it (Debian/Ubuntu: `apt-get install chromium`) or set "
    "COURSE_CHROMIUM=/path/to/chromium for another location."
)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# The text repr a widget falls back to when it is not rendered as a widget, e.g. FloatSlider(value=…).
WIDGET_REPR = re.compile(
    r"\b(?:[A-Z][A-Za-z]*(?:Box|Slider|Button|Buttons|Output|HTML|Label|Dropdown|Checkbox|Text"
    r"|Play|Tab|Accordion|Image|Progress))\((?:children|value|layout|description|outputs|options"
    r"|style|min|max|index|button_style|msg_id)=")
EXPECTED_ERROR_TAG = "raises-exception"


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


def new_context(browser):
    """A browser context whose every page carries window.__course (jupyterlab.js)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    context.add_init_script(PAGE_SCRIPT.read_text(encoding="utf-8"))
    return context


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
            out.extend(self._cell_problems(c))
        return out

    @staticmethod
    def _cell_problems(c: dict) -> list[str]:
        out = []
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
        self.screenshots: list[Path] = []

    def js(self, fn: str, *args):
        """window.__course[fn](this notebook's path, *args) in the page; awaits a promise."""
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
        dims = self.js("scrollSize")
        chrome = size["height"] - dims["client"]  # menus, toolbar, status bar
        total = dims["scroll"] + chrome + 20
        files = []
        try:
            if total <= max_height:
                page.set_viewport_size({"width": size["width"], "height": total})
                page.wait_for_timeout(300)
                self.js("scrollTo", 0)
                page.wait_for_timeout(300)
                page.screenshot(path=str(path))
                files.append(path)
            else:
                page.set_viewport_size({"width": size["width"], "height": max_height})
                page.wait_for_timeout(400)
                step = max_height - chrome - 40
                for part, top in enumerate(range(0, dims["scroll"], step), start=1):
                    self.js("scrollTo", top)
                    page.wait_for_timeout(300)
                    target = path.with_name(f"{path.stem}-part{part}{path.suffix}")
                    page.screenshot(path=str(target))
                    files.append(target)
        finally:
            page.set_viewport_size(size)
            self.js("scrollTo", 0)
        return files

    def slider_handle(self, css_class: str):
        """The keyboard-focusable handle of the ipywidgets slider carrying css_class."""
        return self.page.locator(f".{css_class} .noUi-handle").first

    def log_problems(self, expect: str | None = None, timeout_s: float = 15) -> list[str]:
        """Errors and stderr that reached no cell (e.g. a widget callback raising outside an
        Output widget): JupyterLab puts them in the notebook's log console. Read once the
        console has been quiet for a second, or (expect) once an entry contains that text."""
        return [f"log console (output of no cell, e.g. a widget callback): {t.strip()[-400:]!r}"
                for t in self.js("logErrors", expect, timeout_s * 1000)]

    def close(self) -> None:
        """Shut this notebook's kernel down and close the page."""
        with contextlib.suppress(Exception):
            self.js("shutdown")
        with contextlib.suppress(Exception):
            self.page.close()


def open_lesson(context, server: LabServer, name: str, timeout_s: float = 90) -> Lesson:
    """Open notebook `name` (relative to the server root) in a new page with a fresh workspace
    (so no earlier notebook is restored) and wait until its kernel is idle."""
    page = context.new_page()
    lesson = Lesson(page, server, name)
    try:
        workspace = "w" + secrets.token_hex(4)
        page.goto(server.url(f"lab/workspaces/{workspace}/tree/{name}"),
                  wait_until="domcontentloaded", timeout=timeout_s * 1000)
        page.wait_for_function("() => window.__course.appReady()", timeout=timeout_s * 1000)
        state = lesson.wait("ready", timeout_s, polling=200)
        page.evaluate("() => window.__course.collapseLeft()")
        if state == "dialog":
            rep = lesson.js("report")
            raise AssertionError(f"{name}: a dialog opened instead of the kernel: {rep['dialogs']}")
    except BaseException:
        lesson.close()
        raise
    return lesson
