"""The Simplified Chinese edition in a Chinese JupyterLab, as a Chinese learner gets it.

JupyterLab starts with its interface in Chinese (the pinned zh-CN language pack, preset as
`course.py lab --lang zh-CN` presets it), two Chinese lessons are run with JupyterLab's own
'run all' and checked like the English ones (no error, every widget drawn, nothing in the log),
screenshotted to artifacts/screenshots/zh-CN-*.png, and their sliders are moved: the text the
widgets show is Chinese, and it follows the slider.
"""
from __future__ import annotations

import re

import pytest

from helpers.widgets import CSS

from . import harness as H
from .test_lessons import _img_src_js, _text_js, _wait_changed

pytestmark = pytest.mark.browser

CHINESE = re.compile(r"[\u4e00-\u9fff]")
EDITION = H.NOTEBOOKS / "zh-CN"


def _chinese_lesson(prefix: str) -> str:
    path = H.find_lesson(prefix, H.lesson_paths(EDITION))
    if path is None:
        pytest.skip(f"the Chinese lesson {prefix} (notebooks/zh-CN/{prefix}_*.ipynb) does not exist yet")
    return f"zh-CN/{path.name}"


@pytest.fixture(scope="module")
def lab(chromium_executable, tmp_path_factory):
    """JupyterLab in Chinese serving a temporary copy of notebooks/ (the Chinese lessons in zh-CN/)."""
    root = H.copy_notebooks(tmp_path_factory.mktemp("lab-root-zh"))
    with H.lab_server(root, lang="zh-CN") as server:
        yield server


@pytest.fixture(scope="module")
def opened(browser_context, lab):
    """Each Chinese lesson opened and run once for the module's tests."""
    pages: dict[str, H.Lesson] = {}

    def get(prefix: str) -> H.Lesson:
        name = _chinese_lesson(prefix)
        if name not in pages:
            for other in list(pages):
                pages.pop(other).close()
            lesson = pages[name] = H.open_lesson(browser_context, lab, name)
            lesson.run_all()
            lesson.screenshots = lesson.screenshot(H.SCREENSHOTS / f"zh-CN-{name.split('/')[-1][:-6]}.png")
        return pages[name]

    try:
        yield get
    finally:
        for lesson in pages.values():
            lesson.close()


def _runs_cleanly(lesson: H.Lesson) -> None:
    report = lesson.report
    problems = report.problems() + lesson.log_problems()
    assert not problems, report.describe() + "\n  " + "\n  ".join(lesson.log_problems())
    for shot in lesson.screenshots:
        assert shot.stat().st_size > 10_000, f"screenshot {shot} looks empty"


def test_lesson00_in_chinese_jupyterlab_speaks_chinese_and_its_slider_works(opened):
    lesson = opened("00")
    _runs_cleanly(lesson)
    page = lesson.page
    menus = page.evaluate("() => [...document.querySelectorAll('.lm-MenuBar-itemLabel')].map(e => e.innerText)")
    assert "文件" in menus, f"JupyterLab's menus are not in Chinese: {menus}"
    label_js = _text_js(".jp-Notebook", CSS["setup_label"])
    before = page.evaluate(f"() => {label_js}")
    assert before and CHINESE.search(before), f"the live-widgets label is not Chinese: {before!r}"
    lesson.slider_handle(CSS["setup_slider"]).focus()
    page.keyboard.press("ArrowRight")
    after = _wait_changed(page, label_js, before)
    n = int(re.match(r"(\d+)²", before).group(1)) + 1
    assert after.startswith(f"{n}² = {n * n}") and CHINESE.search(after), after
    printed = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).join('\\n')")
    assert CHINESE.search(printed), "lesson 00's printed output has no Chinese"
    assert not lesson.log_problems()


def test_lesson02_explorer_in_chinese_follows_its_slider(opened):
    lesson = opened("02")
    _runs_cleanly(lesson)
    page, scope = lesson.page, f".{CSS['explorer']}"
    img_js, status_js = _img_src_js(scope, CSS["explorer_plot"]), _text_js(scope, CSS["explorer_status"])
    src0, status0 = page.evaluate(f"() => {img_js}"), page.evaluate(f"() => {status_js}")
    assert src0 and src0.startswith("blob:"), "the explorer's plot is not an image in the page"
    assert status0 and CHINESE.search(status0), f"the explorer's status line is not Chinese: {status0!r}"
    handle = page.locator(f"{scope} .{CSS['explorer_lr']} .noUi-handle").first
    handle.focus()
    page.keyboard.press("End")  # the largest learning rate: the run diverges
    status1 = _wait_changed(page, status_js, status0)
    assert CHINESE.search(status1), f"after moving the slider the status is not Chinese: {status1!r}"
    _wait_changed(page, img_js, src0)  # the plot is redrawn too
    page.keyboard.press("Home")
    status2 = _wait_changed(page, status_js, status1)
    assert CHINESE.search(status2)
    assert not lesson.log_problems()
