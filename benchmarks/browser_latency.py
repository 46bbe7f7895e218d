"""Where the browser latency of the learning-rate explorer goes, per key press, against a floor
widget on the same page; and the learner's wait for "Run All" per lesson next to its nbval time.

    .venv/bin/python benchmarks/browser_latency.py [--presses 30] [--lesson 02] [--variants image,output]
    .venv/bin/python benchmarks/browser_latency.py --run-all      # every lesson: Run All vs nbval

JupyterLab and Chromium are launched as the browser tests launch them (course_tools.lab,
course_tools.browser), on a temporary copy of the lessons. To that copy of the lesson a last
cell is added that (1) wraps `explorer.update` to log, in the kernel, each update's wall and CPU
time and the PNG's size, and (2) shows the floor: a slider whose callback only sets a label.
Run All runs the lesson as a learner would, so the page is as long as the lesson.

Each key press (ArrowRight/ArrowLeft on the focused slider handle, presses spaced out so that
none overlaps) is timed inside the page from the keydown event:
  src set    the explorer's <img> has a new src (the floor: its label shows the new value);
  painted    that image is decoded (img.decode()) and a frame has been painted after it;
and split into: the kernel's update (compute + render + PNG, logged by the kernel), the message
round trip with the front end's handling (src set − kernel update), and decode + paint (painted
− src set). The kernel's websocket frames during each press are counted by message type.

A burst of rapid key repeats checks coalescing: the image must end on the last value, after at
most one update in flight (ipywidgets' front end keeps one message pending per widget and
merges later changes into it).

Variants, measured in the same run: `image` (the widgets as they are: an ipywidgets.Image fed
with PNG bytes), `output` (a benchmark-only patch showing the same PNG through an Output widget
with clear_output(wait=True) + display, as the widgets did before the blitting rewrite) and `before` (the
explorer and FigureView of commit BEFORE, i.e. before that rewrite, imported from `git show`).

Targets: painted p95 <= 250 ms and p95 ratio to the floor <= 2.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from common import ROOT, machine, percentile, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools import browser as B  # noqa: E402
from course_tools import lab as L  # noqa: E402
from course_tools import lessons  # noqa: E402
from helpers.widgets import CSS  # noqa: E402

TARGET_P95_MS = 250.0
TARGET_FLOOR_RATIO = 2.0
LOG_NAME = "bench_log.jsonl"
BEFORE = "f0c1d39"  # the commit before the widgets' blitting rewrite
FLOOR_SLIDER, FLOOR_LABEL = "bench-floor-slider", "bench-floor-label"

PROBE_CELL = f'''# benchmark probe, added by benchmarks/browser_latency.py to a temporary copy of this lesson
import json as _json, time as _time
import ipywidgets as _W

def _bench_log(**record):
    with open({LOG_NAME!r}, "a") as f:
        f.write(_json.dumps(record) + "\\n")

def _bench_show(png, _show=explorer.view.show):
    explorer.view.last_png = png
    _show(png)

def _bench_update(_update=explorer.update):
    wall, cpu = _time.perf_counter(), _time.process_time()
    _update()
    png = explorer.view.last_png
    _bench_log(widget="explorer", wall_ms=(_time.perf_counter() - wall) * 1e3,
               cpu_ms=(_time.process_time() - cpu) * 1e3, png_bytes=len(png), lr=explorer.lr.value)

explorer.view.show = _bench_show  # redraw() calls self.show(png)
explorer.update = _bench_update  # the sliders' observer calls self.update()
_floor_slider = _W.IntSlider(value=50, min=0, max=100, description="floor")
_floor_label = _W.Label("50")
_floor_slider.add_class({FLOOR_SLIDER!r})
_floor_label.add_class({FLOOR_LABEL!r})

def _floor_update(change):
    _floor_label.value = str(change["new"])

_floor_slider.observe(_floor_update, names="value")
_W.VBox([_floor_slider, _floor_label])
'''

OUTPUT_VARIANT_CELL = '''# benchmark variant: pictures shown through an Output widget (clear_output(wait=True) + display)
import ipywidgets as _W
from IPython.display import Image as _Image, display as _display
import helpers.widgets as _hw

def _init(self, fig, css_class=None, _base=_hw.FigureView.__init__):
    _base(self, fig, css_class)
    self.output = _W.Output()
    if css_class:
        self.output.add_class(css_class)

def _show(self, png):
    with self.output:
        self.output.clear_output(wait=True)
        _display(_Image(data=png, format="png"))

_hw.FigureView.__init__, _hw.FigureView.show = _init, _show
'''

# Page side: the last keydown's time, and a promise per press that resolves when the target changed
# (src set / text set), then when the image is decoded and a frame painted after it.
PAGE_PROBE = r"""
() => {
  window.__lat = {t0: null};
  document.addEventListener('keydown', () => { window.__lat.t0 = performance.now(); }, true);
  window.__latWatch = (sel, kind, timeoutMs) => {
    const box = document.querySelector(sel);
    const img = () => box.querySelector('img');
    const read = () => kind === 'img' ? (img() ? img().getAttribute('src') : null) : box.textContent;
    const old = read();
    window.__latLast = null;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { obs.disconnect(); resolve({timeout: true}); }, timeoutMs);
      const obs = new MutationObserver(async () => {
        const now = read();
        if (now === old || now === null) return;
        obs.disconnect();
        const t1 = performance.now();
        if (kind === 'img') { try { await img().decode(); } catch (e) {} }
        const tdec = performance.now();
        requestAnimationFrame(() => setTimeout(() => {
          clearTimeout(timer);
          resolve({t0: window.__lat.t0, t1, tdec, t2: performance.now(),
                   shown: kind === 'img' ? img().clientWidth : null,
                   natural: kind === 'img' ? img().naturalWidth : null});
        }, 0));
      });
      obs.observe(box, {childList: true, subtree: true, attributes: true, characterData: true});
    });
  };
  // the last time the explorer's image changed (for bursts)
  window.__latTrack = (sel) => {
    const box = document.querySelector(sel);
    window.__latChanges = [];
    new MutationObserver(() => window.__latChanges.push(performance.now()))
      .observe(box, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
  };
}
"""
MSG_TYPE = re.compile(rb'"msg_type"\s*:\s*"(\w+)"')


class Frames:
    """The kernel websocket's frames as Playwright reports them: (time, direction, bytes, msg_type)."""

    def __init__(self):
        self.items: list[tuple[float, str, int, str]] = []

    def watch(self, page):
        page.on("websocket", self._attach)

    def _attach(self, ws):
        if "/api/kernels/" not in ws.url:
            return
        ws.on("framereceived", lambda payload: self._add("in", payload))
        ws.on("framesent", lambda payload: self._add("out", payload))

    def _add(self, direction, payload):
        data = payload if isinstance(payload, bytes) else payload.encode()
        m = MSG_TYPE.search(data[:4096])
        self.items.append((time.perf_counter(), direction, len(data), m.group(1).decode() if m else "?"))

    def since(self, start: float) -> list[tuple[float, str, int, str]]:
        return [f for f in self.items if f[0] >= start]


def log_lines(root: Path) -> list[dict]:
    path = root / LOG_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_before(root: Path) -> None:
    """The explorer and FigureView as committed in BEFORE, as the package bench_before in root
    (the kernel's working folder, so the lesson can import it)."""
    package = root / "bench_before"
    package.mkdir()
    for name in ("__init__.py", "explorer.py"):
        text = subprocess.run(["git", "show", f"{BEFORE}:helpers/widgets/{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (package / name).write_text(text.replace("from helpers.widgets import", "from bench_before import"))


def prepared_copy(tmp: Path, lesson: Path, variant: str) -> Path:
    """A copy of the lessons whose `lesson` ends with the probe cell (and, for the output variant,
    starts with the patch; for the before variant, imports the explorer of BEFORE); returns the
    copy's root."""
    root = L.copy_notebooks(tmp / variant)
    path = root / lesson.name
    nb = nbformat.read(path, as_version=4)
    if variant == "before":
        write_before(root)
        for cell in nb.cells:
            cell.source = cell.source.replace("from helpers.widgets.explorer import", "from bench_before.explorer import")
    if not any(re.search(r"^explorer = LearningRateExplorer\(", c.source, re.M) for c in nb.cells if c.cell_type == "code"):
        raise SystemExit(f"{lesson.name} has no `explorer = LearningRateExplorer(...)` cell to measure")
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL))
    if variant == "output":
        nb.cells.insert(0, nbformat.v4.new_code_cell(OUTPUT_VARIANT_CELL))
    nbformat.write(nb, path)
    return root


def press_once(lesson, frames, root, sel, kind, key) -> dict:
    page = lesson.page
    before = len(log_lines(root))
    page.evaluate("([s, k]) => { window.__latP = window.__latWatch(s, k, 30000); }", [sel, kind])
    start = time.perf_counter()
    page.keyboard.press(key)
    r = page.evaluate("async () => await window.__latP")
    page.wait_for_timeout(250)  # the rest of this change's messages (status line, idle) arrive
    if r.get("timeout"):
        raise SystemExit(f"no change of {sel} within 30 s of a key press")
    got = frames.since(start)
    records = log_lines(root)[before:]
    return {**r, "frames_in": sum(d == "in" for _, d, _, _ in got), "frames_out": sum(d == "out" for _, d, _, _ in got),
            "bytes_in": sum(n for _, d, n, _ in got if d == "in"),
            "types_in": [t for _, d, _, t in got if d == "in"], "kernel": records}


def burst(lesson, root, plot_sel, key, n=8, gap_ms=15) -> dict:
    """n key repeats gap_ms apart; then wait until the image has been still for a second."""
    page = lesson.page
    before = len(log_lines(root))
    page.evaluate("(s) => window.__latTrack(s)", plot_sel)
    for _ in range(n):
        page.keyboard.press(key)
        page.wait_for_timeout(gap_ms)
    t_last = page.evaluate("() => window.__lat.t0")
    while True:
        page.wait_for_timeout(500)
        changes = page.evaluate("() => window.__latChanges")
        if changes and performance_now(page) - changes[-1] > 1000:
            break
    records = log_lines(root)[before:]
    readout = page.locator(f".{CSS['explorer_lr']} .widget-readout").first.text_content().strip()
    return {"settle_ms": changes[-1] - t_last, "updates": len(records),
            "final_lr_matches": bool(records) and f"{records[-1]['lr']:.3g}" == readout}


def performance_now(page) -> float:
    return page.evaluate("() => performance.now()")


def measure_variant(browser, server, root, name, presses, warmup=4) -> dict:
    context = B.new_context(browser)
    frames = Frames()
    context.on("page", frames.watch)  # before the page opens its kernel's websocket
    lesson = B.open_lesson(context, server, name)
    try:
        page = lesson.page
        report = lesson.run_all(timeout_s=600)
        if report.problems():
            raise SystemExit(report.describe())
        page.evaluate(PAGE_PROBE)
        plot_sel = f".{CSS['explorer']} .{CSS['explorer_plot']}"
        targets = {"floor": (f".{FLOOR_SLIDER}", f".{FLOOR_LABEL}", "text"),
                   "explorer": (f".{CSS['explorer']} .{CSS['explorer_lr']}", plot_sel, "img")}
        results = {"floor": [], "explorer": []}
        block = 5
        n = 0
        while min(len(v) for v in results.values()) < presses + warmup:
            for which in ("floor", "explorer"):
                handle_sel, sel, kind = targets[which]
                page.locator(f"{handle_sel} .noUi-handle").first.focus()
                page.wait_for_timeout(300)
                for i in range(block):
                    key = "ArrowRight" if (n + i) % 2 == 0 else "ArrowLeft"  # stays near the start
                    results[which].append(press_once(lesson, frames, root, sel, kind, key))
            n += block
        for which in results:
            results[which] = results[which][warmup:warmup + presses]
        page.locator(f"{targets['explorer'][0]} .noUi-handle").first.focus()
        page.wait_for_timeout(300)
        bursts = [burst(lesson, root, plot_sel, "ArrowRight" if k % 2 == 0 else "ArrowLeft") for k in range(4)]
        return {"presses": results, "bursts": bursts}
    finally:
        lesson.close()
        context.close()


def ms_row(label, values):
    return [label, f"{statistics.median(values):.1f}", f"{percentile(values, 95):.1f}"]


def report_variant(variant: str, data: dict) -> dict:
    floor, expl = data["presses"]["floor"], data["presses"]["explorer"]
    f_set = [r["t1"] - r["t0"] for r in floor]
    f_paint = [r["t2"] - r["t0"] for r in floor]
    e_set = [r["t1"] - r["t0"] for r in expl]
    e_paint = [r["t2"] - r["t0"] for r in expl]
    kernel_wall = [sum(k["wall_ms"] for k in r["kernel"]) for r in expl]
    kernel_cpu = [sum(k["cpu_ms"] for k in r["kernel"]) for r in expl]
    trip = [s - k for s, k in zip(e_set, kernel_wall)]
    decode_paint = [r["t2"] - r["t1"] for r in expl]
    png = [k["png_bytes"] for r in expl for k in r["kernel"]]
    print(f"\n### variant `{variant}`: {len(expl)} presses per widget (in-page times, ms)")
    print_table(["measured", "p50", "p95"], [
        ms_row("floor: key → label text set", f_set),
        ms_row("floor: key → painted", f_paint),
        ms_row("explorer: key → image src set", e_set),
        ms_row("explorer: key → image decoded + painted", e_paint),
        ms_row("  kernel update, wall (compute + render + PNG)", kernel_wall),
        ms_row("  kernel update, CPU", kernel_cpu),
        ms_row("  message round trip + front end (src set − kernel)", trip),
        ms_row("  decode + paint (painted − src set)", decode_paint),
    ])
    ratio50 = statistics.median(e_paint) / statistics.median(f_paint)
    ratio95 = percentile(e_paint, 95) / percentile(f_paint, 95)
    types: dict[str, float] = {}
    for r in expl:
        for t in r["types_in"]:
            types[t] = types.get(t, 0) + 1 / len(expl)
    shown = expl[-1].get("shown"), expl[-1].get("natural")
    print(f"ratio to the floor (painted): p50 {ratio50:.2f}, p95 {ratio95:.2f}")
    print(f"PNG per update: {statistics.median(png) / 1024:.0f} KiB; image {shown[1]} px wide, shown {shown[0]} px wide")
    print(f"kernel → page per press: {statistics.mean(r['frames_in'] for r in expl):.1f} messages "
          f"({statistics.mean(r['bytes_in'] for r in expl) / 1024:.0f} KiB): "
          + ", ".join(f"{t} {c:.1f}" for t, c in sorted(types.items(), key=lambda kv: -kv[1]))
          + f"; page → kernel {statistics.mean(r['frames_out'] for r in expl):.1f}")
    print(f"floor: kernel → page {statistics.mean(r['frames_in'] for r in floor):.1f} messages per press; "
          f"explorer updates per press: {statistics.mean(len(r['kernel']) for r in expl):.2f}, CPU per update "
          f"p50 {statistics.median(k['cpu_ms'] for r in expl for k in r['kernel']):.1f} ms")
    for b in data["bursts"]:
        print(f"burst of 8 presses 15 ms apart: {b['updates']} kernel updates, last image "
              f"{b['settle_ms']:.0f} ms after the last key, shows the last value: {b['final_lr_matches']}")
    p95 = percentile(e_paint, 95)
    return {"p50": statistics.median(e_paint), "p95": p95, "ratio95": ratio95, "ratio50": ratio50,
            "met": p95 <= TARGET_P95_MS and ratio95 <= TARGET_FLOOR_RATIO}


def latency(args) -> None:
    path = lessons.find_lesson(args.lesson)
    if path is None:
        raise SystemExit(f"lesson {args.lesson} (notebooks/{args.lesson}_*.ipynb) does not exist")
    executable = B.find_chromium()
    if executable is None:
        raise SystemExit(B.INSTALL_HINT)
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"key press → explorer plot in {path.name} (JupyterLab + Chromium), floor widget on the same page")
    summary = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp, B.chromium_browser(executable) as browser:
        for variant in args.variants:
            root = prepared_copy(Path(tmp), path, variant)
            with L.lab_server(root) as server:
                data = measure_variant(browser, server, root, path.name, args.presses)
            summary[variant] = report_variant(variant, data)
    print()
    for variant, s in summary.items():
        print(f"{variant}: painted p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms; ratio to floor p50 {s['ratio50']:.2f}, "
              f"p95 {s['ratio95']:.2f}; targets (p95 <= {TARGET_P95_MS:.0f} ms, ratio <= {TARGET_FLOOR_RATIO:g}): "
              f"{'met' if s['met'] else 'MISSED'}")


def run_all_vs_nbval(args) -> None:
    """Each lesson: the learner's wait for Run All in JupyterLab, then nbval on it (same run)."""
    executable = B.find_chromium()
    if executable is None:
        raise SystemExit(B.INSTALL_HINT)
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    paths = lessons.lesson_paths()
    waits = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp, B.chromium_browser(executable) as browser:
        root = L.copy_notebooks(Path(tmp))
        with L.lab_server(root) as server:
            for path in paths:
                context = B.new_context(browser)
                lesson = B.open_lesson(context, server, path.name)
                try:
                    lesson.page.evaluate("() => { window.__runT0 = performance.now(); }")
                    report = lesson.run_all(timeout_s=600)
                    # all cells executed and the kernel idle (the settle second is not waited for)
                    settled = lesson.page.evaluate("() => window.__courseSettledSince - window.__runT0")
                    waits[path.stem] = (settled / 1000, report.problems())
                finally:
                    lesson.close()
                    context.close()
    rows = []
    for path in paths:
        start = time.perf_counter()
        rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", str(path)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        nbval = time.perf_counter() - start
        wait, problems = waits[path.stem]
        rows.append([path.stem, f"{wait:.1f}", f"{nbval:.1f}", f"{wait / nbval:.2f}",
                     "ok" if not problems else f"{len(problems)} problem(s)", f"exit {rc}"])
    print("Run All in JupyterLab (until every cell has run and the kernel is idle) vs nbval of the same lesson "
          "(pytest in a fresh kernel, start-up included)")
    print_table(["lesson", "Run All s", "nbval s", "ratio", "page", "nbval"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30, help="timed key presses per widget (at least 20)")
    parser.add_argument("--lesson", default="02", help="lesson number with the lr explorer")
    parser.add_argument("--variants", default="image,output,before", help="comma-separated: image, output, before")
    parser.add_argument("--run-all", action="store_true", help="time Run All and nbval for every lesson instead")
    args = parser.parse_args(argv)
    if args.run_all:
        run_all_vs_nbval(args)
        return 0
    if args.presses < 20:
        parser.error("--presses must be at least 20")
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if not set(args.variants) <= {"image", "output", "before"}:
        parser.error("--variants: image, output and/or before")
    latency(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
