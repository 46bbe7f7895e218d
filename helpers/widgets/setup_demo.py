"""Lesson 00's liveness check: a slider whose label follows it, computed by a plain function."""
from __future__ import annotations

import ipywidgets as W

from helpers.i18n import message
from helpers.validation import require_int
from helpers.widgets import CSS


def square_text(n: int) -> str:
    """The label for slider value n (one translatable template)."""
    require_int("n", n)
    return message("{n}² = {square}: widgets are live ✓", n=n, square=n * n)


class SquareSlider:
    """An IntSlider and a Label; moving the slider updates the label through `update`."""

    def __init__(self, value: int = 3):
        value = require_int("value", value, min=0, max=10)
        self.slider = W.IntSlider(value=value, min=0, max=10, description="n", continuous_update=True)
        self.slider.add_class(CSS["setup_slider"])
        self.label = W.Label(square_text(value))
        self.label.add_class(CSS["setup_label"])
        self.slider.observe(lambda _change: self.update(), names="value")
        self.widget = W.HBox([self.slider, self.label])

    def update(self) -> None:
        self.label.value = square_text(self.slider.value)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
