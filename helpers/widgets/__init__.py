"""Shared pieces of the course's interactive widgets (ipywidgets 8, inline matplotlib).

Pattern (README, "Performance"): build the figure once under `plt.ioff()`, update its artists in the
callback, render one PNG and put its bytes into an `ipywidgets.Image` (one comm message with a
binary buffer per change). Callbacks are plain methods of the widget's state, so tests drive
them without a browser.

Why not an `Output` widget filled with `display()`: under nbclient (`course.py regenerate`, the
rerun test) every output captured by an Output widget makes nbclient's front-end mimic send a
comm message back on the shell socket through a blocking shadow socket, which can swallow the
wake-up for the execute_reply already queued there: the cell then waits for its whole timeout
(the ten-minute stall of a widget cell run twice; `tests/test_widget_explorer.py::test_widget_cell_never_waits_for_the_timeout`).
In the browser the Output widget also costs four messages per change and sends the base64 PNG
back to the kernel, which echoes it again.

Every widget gets stable CSS classes from `CSS` so browser tests find it without brittle
selectors.
"""
from __future__ import annotations

import io
import warnings
from contextlib import contextmanager

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers.i18n import message
from helpers.validation import require_choice, require_text

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
    # lesson 06: backward-pass stepper
    "stepper": "stepper",
    "stepper_prev": "stepper-prev",
    "stepper_next": "stepper-next",
    "stepper_step": "stepper-step",
    "stepper_readout": "stepper-readout",
    "stepper_plot": "stepper-plot",
    # lessons 03 and 06: the "predict before you look" box of the steppers
    "predict": "predict",
    "predict_input": "predict-input",
    "predict_check": "predict-check",
    "predict_feedback": "predict-feedback",
    # lesson 03: the engine's backward-pass stepper
    "engine_stepper": "engine-stepper",
    "engine_prev": "engine-prev",
    "engine_next": "engine-next",
    "engine_step": "engine-step",
    "engine_readout": "engine-readout",
    "engine_plot": "engine-plot",
    # lesson 08: depth explorer
    "depth_explorer": "depth-explorer",
    "depth_depth": "depth-depth",
    "depth_activation": "depth-activation",
    "depth_init": "depth-init",
    "depth_gain": "depth-gain",
    "depth_residual": "depth-residual",
    "depth_status": "depth-status",
    "depth_plot": "depth-plot",
}


class FigureView:
    """A matplotlib figure shown as an `ipywidgets.Image` and redrawn in place on every update.

    `output` is the widget to put in a layout: a Box carrying the CSS class, holding `image`
    (so `.css-class img` finds the picture). The PNG is rendered once per update by the Agg
    canvas with a fixed layout and fast compression, instead of the inline backend's
    `bbox_inches="tight"` (two full draws).
    """

    def __init__(self, fig, css_class: str | None = None):
        if not isinstance(fig, Figure):
            raise TypeError(message("fig must be a matplotlib Figure, e.g. from new_figure(), got {kind}",
                                    kind=type(fig).__name__))
        require_text("css_class", css_class)
        self.fig = fig
        dpi = fig.dpi
        plt.close(fig)  # keep it out of the inline backend's automatic display
        fig.set_dpi(dpi)  # closing a pyplot figure resets its dpi to the one it was created with
        self.canvas = FigureCanvasAgg(fig)
        self.image = W.Image(format="png")
        self.output = W.Box([self.image])
        if css_class:
            self.output.add_class(css_class)

    def render(self) -> bytes:
        """The whole figure as PNG bytes."""
        self.draw()
        return self.png()

    def draw(self) -> None:
        """Draw the whole figure; the first draw fixes the layout, so later ones skip the
        constrained-layout pass (half of a draw's time)."""
        self.canvas.draw()
        if self.fig.get_layout_engine() is not None:
            self.fig.set_layout_engine("none")

    def png(self) -> bytes:
        """Encode what the canvas holds now (opaque RGB, low compression: fast, still small)."""
        width, height = (int(v) for v in self.canvas.get_width_height(physical=True))
        rgba = PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        rgba.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def redraw(self, **render_options) -> None:
        self.show(self.render(**render_options))

    def show(self, png: bytes) -> None:
        """Show rendered PNG bytes (e.g. ones cached for a state seen before): one state update
        of the Image widget, no output capture, nothing printed."""
        self.image.value = png


class BlitFigureView(FigureView):
    """A FigureView that redraws only what changes and renders one PNG per update.

    The static parts (frames, ticks, the parabola, the lr curve, legends) sit in a background
    image drawn once; an update restores it, draws the `dynamic` artists (lines, titles) and
    encodes the pixels as PNG. When axis limits change, `redraw(full=True)` redraws the
    background first. This skips the inline backend's `bbox_inches="tight"` pass (which draws
    the whole figure twice) and nearly all text rendering, the slow part of a matplotlib draw.
    """

    def __init__(self, fig, css_class: str | None = None, dynamic_artists=()):
        if not isinstance(dynamic_artists, (list, tuple, type({}.values()))) or not all(
                isinstance(a, Artist) for a in dynamic_artists):
            raise TypeError(message("dynamic_artists must be a list of matplotlib artists (lines, texts), got {kind}",
                                    kind=type(dynamic_artists).__name__))
        super().__init__(fig, css_class)
        self.dynamic_artists = tuple(dynamic_artists)
        for artist in self.dynamic_artists:
            artist.set_animated(True)  # left out of canvas.draw(), i.e. out of the background
        self.background = None
        self.full_redraws = 0

    def render(self, full: bool = False) -> bytes:
        """The figure as PNG bytes; full=True redraws the background (after a change of limits)."""
        if full or self.background is None:
            self.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.full_redraws += 1
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.dynamic_artists:
            artist.draw(renderer)
        return self.png()


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
    kind = require_choice("kind", kind, sorted(colours))
    require_text("text", text, optional=False)
    return f'<span style="color:{colours[kind]};font-weight:600">{text}</span>'
