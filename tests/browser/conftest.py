"""Fixtures of the real-browser tests: one JupyterLab server and one Chromium for the module,
a new page per lesson; everything is stopped in `finally`, also when a test fails.

Without Chromium the tests are skipped with a hint how to install it, except under CI
(environment variable CI set to a true value), where a missing browser fails the run.
"""
from __future__ import annotations

import re

import pytest

from . import harness as H


def pytest_configure(config):
    config.addinivalue_line("markers", "lesson(prefix): browser test that uses lesson NN (ordering)")


def _order_key(item) -> tuple[str, int]:
    """Run a lesson's interaction tests right after that lesson's run-all test, so they reuse
    its page and kernel instead of running the lesson again."""
    marker = item.get_closest_marker("lesson")
    if marker is not None:
        return marker.args[0], 1
    params = getattr(item, "callspec", None)
    name = params.params.get("name") if params else None
    if isinstance(name, str) and re.match(r"\d\d_", name):
        return name[:2], 0
    return "~", 2  # anything else last


def pytest_collection_modifyitems(config, items):
    slots = [i for i, item in enumerate(items) if item.get_closest_marker("browser")]
    ordered = sorted((items[i] for i in slots), key=_order_key)  # stable
    for slot, item in zip(slots, ordered):
        items[slot] = item


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    exe = H.find_chromium()
    problem = None if exe else H.INSTALL_HINT
    if problem is None:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Python Playwright is not installed (it is pinned in requirements.txt)."
    if problem:
        if H.truthy_env("CI"):
            pytest.fail(f"{problem} CI is set: browser tests must run, not be skipped.", pytrace=False)
        pytest.skip(problem)
    return exe


@pytest.fixture(scope="module")
def lab(chromium_executable, tmp_path_factory):
    """JupyterLab serving a temporary copy of notebooks/ (it autosaves; the repo stays untouched)."""
    root = H.copy_notebooks(tmp_path_factory.mktemp("lab-root"))
    with H.lab_server(root) as server:
        yield server


@pytest.fixture(scope="module")
def browser_context(chromium_executable, lab):
    with H.chromium_browser(chromium_executable) as browser:
        context = H.new_context(browser)
        try:
            yield context
        finally:
            context.close()


class OpenLessons:
    """Keeps the most recently used lesson open (page + kernel), run and screenshotted once."""

    def __init__(self, context, server: H.LabServer):
        self.context, self.server = context, server
        self.current: H.Lesson | None = None
        self.failure: str | None = None

    def get(self, name: str) -> H.Lesson:
        if self.current is not None and self.current.name == name:
            if self.failure:
                pytest.fail(f"{name} could not be opened and run: {self.failure}", pytrace=False)
            return self.current
        self.close()
        self.failure = None
        try:
            self.current = H.open_lesson(self.context, self.server, name)
            self.current.run_all()
            if re.match(r"\d\d_", name):
                stem = name.rsplit(".", 1)[0]
                self.current.screenshots = self.current.screenshot(H.SCREENSHOTS / f"{stem}.png")
        except Exception as exc:
            self.failure = f"{type(exc).__name__}: {exc}"
            if self.current is None:
                self.current = H.Lesson(None, self.server, name)
            raise
        return self.current

    def close(self) -> None:
        if self.current is not None and self.current.page is not None:
            self.current.close()
        self.current = None


@pytest.fixture(scope="module")
def lessons(browser_context, lab):
    opened = OpenLessons(browser_context, lab)
    try:
        yield opened
    finally:
        opened.close()  # its kernel; stopping the server (course_tools.lab.stop_lab) shuts down the rest
