"""Every lesson opened and used in JupyterLab with Chromium, as a learner would.

Each lesson: JupyterLab's own 'notebook:run-all-cells', then every code cell has an execution
count, no error output (except cells tagged raises-exception), every widget is drawn as a
widget (never a text repr such as `FloatSlider(...)`), no "Select Kernel" dialog, nothing in
the log console; a full-page screenshot goes to artifacts/screenshots/. Then the widgets are
used through the keyboard or the mouse, and what they drive is checked (lessons 00, 01, 02, 03,
04, 06, 08); lesson 05's errors on purpose are checked to show one line each and not to stop the run. A throwaway notebook with broken widgets proves that the checks catch what they claim to catch.
"""
from __future__ import annotations

import re
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.widgets import CSS

from . import harness as H

pytestmark = pytest.mark.browser

LESSONS = [p.name for p in H.lesson_paths()]  # parametrized over the files present at collection time


def _lesson_or_skip(prefix: str) -> str:
    path = H.find_lesson(prefix)
    if path is None:
        pytest.skip(f"lesson {prefix} (notebooks/{prefix}_*.ipynb) does not exist yet")
    return path.name


def _stored_widget_outputs(name: str) -> int:
    nb = nbformat.read(H.NOTEBOOKS / name, as_version=4)
    return sum(H.WIDGET_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


def _wait_changed(page, js_value: str, old, timeout_ms: float = 15_000):
    """Wait until the page expression js_value no longer equals old; returns the new value."""
    page.wait_for_function(f"(old) => {{ const v = {js_value}; return v !== null && v !== old; }}",
                           arg=old, timeout=timeout_ms, polling=50)
    return page.evaluate(f"() => {js_value}")


def _press_until_disabled(page, button, readout_js: str, start: str, limit: int = 60) -> list[str]:
    """Press Enter on a stepper button until it is disabled; the readouts seen, `start` first."""
    seen = [start]
    for _ in range(limit):
        if button.is_disabled():
            break
        button.focus()
        page.keyboard.press("Enter")
        seen.append(_wait_changed(page, readout_js, seen[-1]))
    return seen


def _img_src_js(scope: str, css: str) -> str:
    return (f"(() => {{ const i = document.querySelector('{scope} .{css} img');"
            f" return i ? i.getAttribute('src') : null; }})()")


def _text_js(scope: str, css: str) -> str:
    return (f"(() => {{ const e = document.querySelector('{scope} .{css}');"
            f" return e ? e.innerText : null; }})()")


@pytest.mark.parametrize("name", LESSONS or [pytest.param("none", marks=pytest.mark.skip(
    reason="no lesson notebooks/NN_*.ipynb yet"))])
def test_lesson_runs_in_jupyterlab(name, lessons):
    lesson = lessons.get(name)
    report = lesson.report
    problems = report.problems() + lesson.log_problems()
    assert not problems, report.describe() + "\n  " + "\n  ".join(lesson.log_problems())
    assert report.code_cells(), f"{name} has no code cells"
    expected_widgets = _stored_widget_outputs(name)
    assert report.widget_outputs() >= expected_widgets, (
        f"{name}: the stored notebook shows {expected_widgets} widget(s), the run only "
        f"{report.widget_outputs()}")
    for shot in lesson.screenshots:
        assert shot.stat().st_size > 10_000, f"screenshot {shot} looks empty"


@pytest.mark.lesson("01")
def test_lesson01_h_slider_updates_the_estimate(lessons):
    lesson = lessons.get(_lesson_or_skip("01"))
    page, scope = lesson.page, ".jp-Notebook"
    readout_js, img_js = _text_js(scope, CSS["slope_readout"]), _img_src_js(scope, CSS["slope_plot"])
    before, src0 = page.evaluate(f"() => {readout_js}"), page.evaluate(f"() => {img_js}")
    assert before and "estimate" in before, f"no slope readout (.{CSS['slope_readout']}) in lesson 01"
    assert src0 and src0.startswith("blob:"), "the slope plot is not an image in the page"
    handle = lesson.slider_handle(CSS["slope_h"])
    handle.focus()
    page.keyboard.press("ArrowRight")
    after = _wait_changed(page, readout_js, before)
    assert after != before
    _wait_changed(page, img_js, src0)  # the plot is redrawn for the new h, not only the readout
    page.keyboard.press("End")
    last = _wait_changed(page, readout_js, after)
    assert "estimate" in last
    assert not lesson.log_problems()


@pytest.mark.lesson("02")
def test_lesson02_lr_slider_redraws_and_diverges(lessons):
    lesson = lessons.get(_lesson_or_skip("02"))
    page, scope = lesson.page, f".{CSS['explorer']}"
    img_js, status_js = _img_src_js(scope, CSS["explorer_plot"]), _text_js(scope, CSS["explorer_status"])
    src0, status0 = page.evaluate(f"() => {img_js}"), page.evaluate(f"() => {status_js}")
    assert src0 and src0.startswith("blob:"), "the explorer's plot is not an image in the page"
    assert status0, f"no status line (.{CSS['explorer_status']})"
    handle = page.locator(f"{scope} .{CSS['explorer_lr']} .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    src1 = _wait_changed(page, img_js, src0)
    assert src1 != src0
    status1 = status0  # a converged run may read the same after one small step: keep going
    for _ in range(40):
        if status1 != status0:
            break
        page.keyboard.press("ArrowRight")
        src1 = _wait_changed(page, img_js, src1)
        status1 = page.evaluate(f"() => {status_js}")
    assert status1 != status0, f"the status line never changed while lr grew: {status0!r}"
    page.keyboard.press("End")  # past 1/9 and past the divergence edge
    page.wait_for_function(f"() => ({status_js} || '').includes('diverged')", timeout=15_000, polling=50)
    lr_text = page.locator(f"{scope} .{CSS['explorer_lr']} .widget-readout").first.inner_text()
    assert float(lr_text) > 1 / 9, f"lr readout {lr_text} is not past 1/9"
    _wait_changed(page, img_js, src1)  # the plot is redrawn for the diverging lr (after the status)
    page.keyboard.press("Home")
    page.wait_for_function(f"() => !({status_js} || '').includes('diverged')", timeout=15_000, polling=50)
    assert not lesson.log_problems()


@pytest.mark.lesson("03")
def test_lesson03_engine_stepper_from_the_keyboard_with_predictions(lessons):
    """Type a right and a wrong prediction (✓ then ✗), run every _backward with Enter on the
    button, undo them all, then jump to the end with the slider's End key."""
    lesson = lessons.get(_lesson_or_skip("03"))
    page, scope = lesson.page, f".{CSS['engine_stepper']}"
    readout_js, feedback_js = _text_js(scope, CSS["engine_readout"]), _text_js(scope, CSS["predict_feedback"])
    nxt = page.locator(f"{scope} button.{CSS['engine_next']}").first
    prv = page.locator(f"{scope} button.{CSS['engine_prev']}").first
    field = page.locator(f"{scope} .{CSS['predict_input']} input").first
    first = page.evaluate(f"() => {readout_js}")
    assert first and "Start." in first, f"no engine stepper readout (.{CSS['engine_readout']})"
    assert prv.is_disabled(), "Back should be disabled before the first call"

    def predict(text: str, mark: str) -> None:
        field.focus()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({feedback_js} || '').includes({mark!r})", timeout=15_000, polling=50)

    predict("-8", "✓")  # what L._backward() adds to d.grad: ∂L/∂d × L.grad = 2d · 1 (L.grad = 1 is shown)
    nxt.focus()
    page.keyboard.press("Enter")
    second = _wait_changed(page, readout_js, first)
    assert "Call 1 of" in second
    predict("5", "✗")  # what d._backward() adds to c.grad is -8
    seen = _press_until_disabled(page, nxt, readout_js, second)
    assert nxt.is_disabled() and "Done" in seen[-1], f"the last call was never reached: {seen[-1][:80]}"
    assert "1 ✓, 1 ✗" in seen[-1], seen[-1]
    back = _press_until_disabled(page, prv, readout_js, seen[-1])
    assert prv.is_disabled() and back[-1] == first, "Back did not return to the start"
    lesson.slider_handle(CSS["engine_step"]).focus()
    page.keyboard.press("End")
    assert "Done" in _wait_changed(page, readout_js, first)
    assert not lesson.log_problems()


@pytest.mark.lesson("06")
def test_lesson06_stepper_reaches_the_last_node_and_back(lessons):
    """Type a right and a wrong prediction of the next gradient (✓, then ✗ with the usual mistake's
    hint), walk to the last node with Enter on Next, and back."""
    lesson = lessons.get(_lesson_or_skip("06"))
    page, scope = lesson.page, f".{CSS['stepper']}"
    readout_js, img_js = _text_js(scope, CSS["stepper_readout"]), _img_src_js(scope, CSS["stepper_plot"])
    feedback_js = _text_js(scope, CSS["predict_feedback"])
    src0 = page.evaluate(f"() => {img_js}")
    assert src0 and src0.startswith("blob:"), "the stepper's picture is not an image in the page"
    nxt = page.locator(f"{scope} button.{CSS['stepper_next']}").first
    prv = page.locator(f"{scope} button.{CSS['stepper_prev']}").first
    field = page.locator(f"{scope} .{CSS['predict_input']} input").first
    first = page.evaluate(f"() => {readout_js}")
    assert first, f"no stepper readout (.{CSS['stepper_readout']})"
    assert prv.is_disabled(), "Prev should be disabled on the first step"
    for typed, expected in (("1", "✓"), ("0.5", "weight 1")):  # ∂J/∂L = 1; 0.5 is the ½ inside L
        field.fill("")
        field.focus()
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({feedback_js} || '').includes({expected!r})", timeout=15_000, polling=50)
    seen = _press_until_disabled(page, nxt, readout_js, first)
    assert nxt.is_disabled(), "Next never reached the last node"
    m = re.search(r"Step (\d+) of (\d+)", seen[-1])
    assert m, f"the readout no longer says 'Step i of n': {seen[-1][:80]!r}"
    assert m.group(1) == m.group(2), f"last readout is not the last step: {seen[-1][:80]}"
    _wait_changed(page, img_js, src0)  # the picture follows the steps, not only the readout
    back = _press_until_disabled(page, prv, readout_js, seen[-1])
    assert prv.is_disabled(), "Prev never got back to the first node"
    assert back[-1] == first, "back at the start the readout differs from the first step"
    assert back == seen[::-1], "the way back did not pass the same steps"
    assert not lesson.log_problems()


@pytest.mark.lesson("00")
def test_lesson00_slider_updates_its_label(lessons):
    lesson = lessons.get(_lesson_or_skip("00"))
    page = lesson.page
    label_js = _text_js(".jp-Notebook", CSS["setup_label"])
    before = page.evaluate(f"() => {label_js}")
    assert before and "widgets are live" in before, f"no live-widgets label (.{CSS['setup_label']})"
    lesson.slider_handle(CSS["setup_slider"]).focus()
    page.keyboard.press("ArrowRight")
    after = _wait_changed(page, label_js, before)
    n = int(re.match(r"(\d+)²", before).group(1)) + 1
    assert after.startswith(f"{n}² = {n * n}"), f"after one step right the label reads {after!r}"
    # Every link into lesson 00's sections (the notation table, lesson 01, …) names an anchor
    # JupyterLab really gives a heading: an id, or data-jupyter-id where ids are not allowed.
    anchors = sorted({a for path in H.NOTEBOOKS.glob("*.ipynb") for c in nbformat.read(path, as_version=4).cells
                      if c.cell_type == "markdown" for a in re.findall(r"00_setup_check\.ipynb#([^)\s]+)", c.source)})
    assert anchors, "no notebook links a section of lesson 00"
    for anchor in anchors:
        found = page.evaluate("(a) => [...document.querySelectorAll('.jp-Notebook h1, .jp-Notebook h2, "
                              ".jp-Notebook h3')].some(h => h.id === a || h.dataset.jupyterId === a)", anchor)
        assert found, f"lesson 00 has no heading with the anchor #{anchor}"
    assert not lesson.log_problems()


@pytest.mark.lesson("04")
def test_lesson04_backend_toggle_switches_the_kernel_side_back_end(lessons):
    """Clicking the explorer's 'gradient by' toggle changes the back-end the kernel's explorer
    trains with (asked of the kernel itself: both back-ends draw the same plot), and the status
    line keeps its verdict."""
    lesson = lessons.get(_lesson_or_skip("04"))
    page = lesson.page
    toggle = f".{CSS['explorer_backend']}"
    assert page.locator(toggle).count() >= 1, f"no back-end toggle (.{CSS['explorer_backend']}) in lesson 04"
    box = f"document.querySelector('{toggle}').closest('.{CSS['explorer']}')"
    status_js = f"(() => {{ const e = {box}.querySelector('.{CSS['explorer_status']}'); return e ? e.innerText : null; }})()"
    active_js = f"(() => {{ const b = document.querySelector('{toggle} button.mod-active'); return b ? b.innerText.trim() : null; }})()"
    status0, active0 = page.evaluate(f"() => {status_js}"), page.evaluate(f"() => {active_js}")
    assert status0 and active0 in ("autograd", "closed form"), f"status {status0!r}, back-end {active0!r}"
    in_kernel = ("print(sorted(e.backend.value for e in list(globals().values())"
                 " if type(e).__name__ == 'LearningRateExplorer'))")
    for choice in ("closed form" if active0 == "autograd" else "autograd", active0):
        before = lesson.js("kernelPrint", in_kernel)
        page.locator(f"{toggle} button", has_text=choice).first.click()
        page.wait_for_function(f"() => {active_js} === {choice!r}", timeout=15_000, polling=50)
        value = choice.replace(" ", "_")
        deadline = time.monotonic() + 15
        while (after := lesson.js("kernelPrint", in_kernel)).count(repr(value)) <= before.count(repr(value)):
            assert time.monotonic() < deadline, f"the kernel's explorers still say {after.strip()} after the click"
            page.wait_for_timeout(200)
        status = page.evaluate(f"() => {status_js}")
        assert status.split(":")[0] == status0.split(":")[0], f"{choice}: {status!r} vs {status0!r}"
    assert not lesson.log_problems()


@pytest.mark.lesson("05")
def test_lesson05_errors_on_purpose_show_one_line_and_the_run_goes_on(lessons):
    """The clinic's wrong cells raise on purpose (tagged raises-exception): Run All goes on past
    each one, each error is shown as its last line only (%xmode Minimal, no traceback through
    PyTorch's files), and the right cell after it ran and shows a ✓ line."""
    lesson = lessons.get(_lesson_or_skip("05"))
    cells = lesson.report.code_cells()
    raising = [i for i, c in enumerate(cells) if "raises-exception" in c["tags"]]
    assert len(raising) >= 8, f"only {len(raising)} cells raise on purpose in lesson 05"
    for i in raising:
        cell = cells[i]
        assert any(o["output_type"] == "error" for o in cell["outputs"]), f"cell {cell['index']} shows no error"
        shown = "\n".join(d["text"] for d in cell["dom"] if d["mime"] == "application/vnd.jupyter.stderr")
        assert shown.strip(), f"cell {cell['index']}: the error is not drawn in the page"
        assert "site-packages" not in shown and "Traceback" not in shown, (
            f"cell {cell['index']} shows a full traceback instead of one line: {shown[:300]!r}")
        after = cells[i + 1]
        assert after["executionCount"] is not None, f"the run stopped at cell {cell['index']}"
        printed = "".join(o["text"] or "" for o in after["outputs"] if o["output_type"] == "stream")
        assert "✓" in printed, f"the right cell {after['index']} after {cell['index']} shows no ✓: {printed[:200]!r}"


@pytest.mark.lesson("08")
def test_lesson08_depth_explorer_from_the_keyboard(lessons):
    """Keys on the depth and gain sliders redraw the plot and change the status line, which always
    names a verdict: End on depth reaches 50 layers, End and Home on the gain reach its ends (10,
    exploding, and 0.1, vanishing)."""
    lesson = lessons.get(_lesson_or_skip("08"))
    page, scope = lesson.page, f".{CSS['depth_explorer']}"
    img_js, status_js = _img_src_js(scope, CSS["depth_plot"]), _text_js(scope, CSS["depth_status"])
    src0, status0 = page.evaluate(f"() => {img_js}"), page.evaluate(f"() => {status_js}")
    assert src0 and src0.startswith("blob:"), "the depth explorer's plot is not an image in the page"
    assert status0 and "layer 20" in status0, f"no status line for 20 layers (.{CSS['depth_status']}): {status0!r}"
    lesson.slider_handle(CSS["depth_depth"]).focus()
    page.keyboard.press("End")
    status1 = _wait_changed(page, status_js, status0)
    assert "layer 50" in status1, status1
    src1 = _wait_changed(page, img_js, src0)
    lesson.slider_handle(CSS["depth_gain"]).focus()
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({status_js} || '').includes('exploding:')", timeout=15_000, polling=50)
    src2 = _wait_changed(page, img_js, src1)
    page.keyboard.press("Home")
    page.wait_for_function(f"() => ({status_js} || '').includes('vanishing:')", timeout=15_000, polling=50)
    _wait_changed(page, img_js, src2)
    assert not lesson.log_problems()


BROKEN_CELLS = [
    ("import ipywidgets as W\nfrom IPython.display import display", []),
    # 1: the callback raises inside its Output widget: the traceback is drawn in the widget
    ("out = W.Output()\nin_output = W.IntSlider(value=0, min=0, max=10)\nin_output.add_class('broken-in-output')\n"
     "def cb(change):\n    with out:\n        raise RuntimeError('callback broke inside Output')\n"
     "in_output.observe(cb, 'value')\ndisplay(W.VBox([in_output, out]))", []),
    # 2: the callback raises outside any Output: JupyterLab logs it to the log console
    ("plain = W.IntSlider(value=0, min=0, max=10)\nplain.add_class('broken-plain')\n"
     "def cb2(change):\n    raise RuntimeError('callback broke, no Output')\n"
     "plain.observe(cb2, 'value')\ndisplay(plain)", []),
    # 3: a widget shown as its text repr only
    ("display(W.FloatSlider(value=0.5), include=['text/plain'])", []),
    # 4: an expected error: tagged, so it is not a problem (and the run goes on)
    ("raise ValueError('expected: this cell is tagged raises-exception')", ["raises-exception"]),
    # 5: a widget whose first update raises while the cell runs: an error output; run-all stops
    ("first = W.IntSlider(value=0)\nfirst.observe(lambda change: 1 / 0, 'value')\nfirst.value = 1\ndisplay(first)", []),
    # 6: never runs
    ("print('not reached')", []),
]


def test_harness_catches_broken_widgets(lessons, lab):
    """Proof that the checks bite: a throwaway notebook (written into the served temp copy,
    never into notebooks/) with broken widgets yields exactly the expected problems."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                               "language": "python"}})
    for source, tags in BROKEN_CELLS:
        nb.cells.append(new_code_cell(source, metadata={"tags": tags} if tags else {}))
    name = "zz_broken_widget.ipynb"
    nbformat.write(nb, lab.root / name)
    lesson = lessons.get(name)
    problems = lesson.report.problems()
    text = "\n".join(problems)
    assert any(p.startswith("cell 3") and "text repr instead of a widget" in p for p in problems), text
    assert any(p.startswith("cell 5") and "ZeroDivisionError" in p for p in problems), text
    assert sum(p.startswith("cell 5") for p in problems) == 1, text
    assert any(p.startswith("cell 6") and "not executed" in p for p in problems), text
    assert not any(p.startswith("cell 4") for p in problems), text
    assert not any(p.startswith(("cell 1", "cell 2")) for p in problems), text
    assert not lesson.log_problems()
    # a learner presses a key on each broken slider
    for css in ("broken-in-output", "broken-plain"):
        lesson.slider_handle(css).focus()
        lesson.page.keyboard.press("ArrowRight")
    lesson.page.wait_for_function(
        "() => /callback broke inside Output/.test(document.querySelector('.broken-in-output')"
        ".closest('.jp-OutputArea-output').innerText)", timeout=15_000, polling=100)
    after = lesson.inspect().problems()
    assert any(p.startswith("cell 1") and "error shown inside a widget" in p for p in after), "\n".join(after)
    logged = lesson.log_problems(expect="callback broke, no Output")  # stderr arrives late: wait for it
    assert any("callback broke, no Output" in p for p in logged), logged
