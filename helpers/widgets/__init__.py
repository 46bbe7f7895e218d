"""Shared pieces of the course's interactive widgets (ipywidgets 8, inline matplotlib).

Pattern (DESIGN.md): build the figure once under `plt.ioff()`, update its artists in the
callback, and redisplay it in an `Output` with `clear_output(wait=True)`. Callbacks are plain
methods of the widget's state, so tests drive them without a browser.

Every widget gets stable CSS classes from `CSS` so browser tests find it without brittle
selectors.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

# Stable CSS class names: the browser tests (tests/browser) select widgets by these.
CSS = {
    # lesson 00: the live-widgets check
    "setup_slider": "setup-slider",
    "setup_label": "setup-label",
    # lesson 01: finite-difference slope explorer
    "slope_x": "slope-x",
    "slope_h": "slope-h",
    "slope_readout": "slope-readout",
    "slope_plot": "slope-plot",
    # lessons 02/03: learning-rate explorer
    "explorer": "explorer",
    "explorer_lr": "explorer-lr",
    "explorer_w0": "explorer-w0",
    "explorer_epochs": "explorer-epochs",
    "explorer_backend": "explorer-backend",
    "explorer_status": "explorer-status",
    "explorer_plot": "explorer-plot",
    # lesson 04: backward-pass stepper
    "stepper": "stepper",
    "stepper_prev": "stepper-prev",
    "stepper_next": "stepper-next",
    "stepper_step": "stepper-step",
    "stepper_readout": "stepper-readout",
    "stepper_plot": "stepper-plot",
}


class FigureView:
    """A matplotlib figure shown in an `Output` widget and redrawn in place on every update."""

    def __init__(self, fig, css_class: str | None = None):
        self.fig = fig
        self.output = W.Output()
        if css_class:
            self.output.add_class(css_class)
        plt.close(fig)  # keep it out of the inline backend's automatic display

    def redraw(self) -> None:
        with self.output:
            self.output.clear_output(wait=True)
            display(self.fig)


@contextmanager
def quiet_numerics():
    """Turn NumPy overflow/invalid warnings off inside a widget update: a diverging run is a
    status for the learner, not a warning."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def status_html(kind: str, text: str) -> str:
    """A coloured status line; kind is one of ok, info, warn, error."""
    colours = {"ok": "#009E73", "info": "#0072B2", "warn": "#E69F00", "error": "#D55E00"}
    if kind not in colours:
        raise ValueError(f"kind must be one of {sorted(colours)}, got {kind!r}")
    return f'<span style="color:{colours[kind]};font-weight:600">{text}</span>'
