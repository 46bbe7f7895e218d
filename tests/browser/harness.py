"""The browser tests' harness: JupyterLab launched exactly as `course.py lab` launches it
(course_tools.lab) and Chromium driving lesson pages (course_tools.browser, whose page script is
course_tools/jupyterlab.js). This module only gathers those names for the tests, plus where the
screenshots go and how CI is recognised; the benchmarks import course_tools directly.
"""
from __future__ import annotations

import os

from course_tools.browser import (INSTALL_HINT, WIDGET_MIME, Lesson, LessonReport,  # noqa: F401
                                  chromium_browser, find_chromium, new_context, open_lesson)
from course_tools.lab import LabServer, copy_notebooks, lab_server  # noqa: F401
from course_tools.lessons import NOTEBOOKS, ROOT, find_lesson, lesson_paths  # noqa: F401

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
