"""Lesson 08's depth explorer: depth, activation and initialisation → each layer's gradient norm.

One plot, built once: the gradient at every layer, ‖G_{Z_l}‖ = ‖∂J/∂Z_l‖, divided by the last
layer's, on a log axis, with the healthy band (within 10×) shaded. A status line says
vanishing, healthy or exploding, with the first-to-last ratio (`helpers.depth`).

Every slider position is valid: the numbers are computed in float64 without warnings, and an
overflow or underflow is a status, never a NaN in the plot (values are clipped to 1e±200).
"""
from __future__ import annotations

import math

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.ticker import FixedLocator

from helpers.depth import ACTIVATIONS, BAND, RATIO_LABEL, SCHEMES, GradientProfile, gradient_profile, ratio_text
from helpers.i18n import N_, label, message, translate
from helpers.plotting import PALETTE, new_figure, plain_log_ticks
from helpers.validation import require_choice, require_int
from helpers.widgets import CSS, BlitFigureView, quiet_numerics, status_html

DEPTH_RANGE = (1, 50)
GAIN_EXPONENTS = (-1.0, 1.0)  # the gain slider runs over 10^-1 … 10^1
GAIN_STEP = 0.05              # log10 units: one arrow-key press multiplies the gain by 10^0.05 ≈ 1.12
CUSTOM = "custom"
INIT_LABELS = [(N_("too small (gain 0.5)"), "too small"), (N_("Xavier / Glorot (gain 1)"), "Xavier"),
               (N_("Kaiming / He (gain √2)"), "Kaiming"), (N_("too large (gain 2)"), "too large"),
               (N_("custom: the gain slider"), CUSTOM)]
ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
ZOOMS = (1e3, 1e10, 1e30, 1e100, 1e200)  # y axis spans [1/z, z]: it changes only at these steps
TICK_STEP = {1e3: 1, 1e10: 5, 1e30: 10, 1e100: 50, 1e200: 100}  # decades between y tick labels
STATUS_KIND = {"healthy": "ok", "vanishing": "warn", "exploding": "error"}


def _zoom(values: np.ndarray) -> float:
    """The smallest zoom z with every value inside [1/z, z] (with a little room)."""
    spread = max(float(np.max(values)), 1.0 / float(np.min(values)))
    return next((z for z in ZOOMS if spread * 3 <= z), ZOOMS[-1])


def _matching_scheme(gain: float) -> str:
    """The named scheme whose gain the slider shows (to the slider's readout precision), else custom."""
    return next((name for name, g in SCHEMES.items() if abs(math.log10(gain) - math.log10(g)) < GAIN_STEP / 4),
                CUSTOM)


class DepthExplorer:
    """Sliders for depth, gain (log scale); buttons for activation; a scheme menu; a residual box.

    `update()` reads the controls, so tests set e.g. `explorer.depth.value = 30` and inspect
    `explorer.profile`, `explorer.status.value` and `explorer.line`.
    """

    def __init__(self, depth: int = 20, activation: str = "tanh", init: str = "Xavier", residual: bool = False):
        depth = require_int("depth", depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1])
        require_choice("activation", activation, ACTIVATIONS)
        require_choice("init", init, tuple(SCHEMES))
        if not isinstance(residual, bool):
            raise TypeError(message("{name} must be True or False, got {kind}", name="residual",
                                    kind=type(residual).__name__))
        self.profile: GradientProfile | None = None
        self._syncing = False
        self.depth = W.IntSlider(value=depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1], step=1,
                                 description=translate("depth D"), continuous_update=True)
        self.activation = W.ToggleButtons(options=[(ACTIVATION_LABELS[a], a) for a in ACTIVATIONS],
                                          value=activation, description=translate("activation"))
        self.activation.style.button_width = "80px"
        self.init = W.Dropdown(options=[(translate(text), value) for text, value in INIT_LABELS], value=init,
                               description=translate("init"))
        self.gain = W.FloatLogSlider(value=SCHEMES[init], base=10, min=GAIN_EXPONENTS[0], max=GAIN_EXPONENTS[1],
                                     step=GAIN_STEP, description=translate("gain"), readout_format=".3g",
                                     continuous_update=True)
        self.residual = W.Checkbox(value=residual, description=translate("residual connections (α = 1/√D)"),
                                   indent=False)
        self.status = W.HTML()
        self._build_figure()
        self.view = BlitFigureView(self.fig, CSS["depth_plot"], dynamic_artists=[self.line, self.last_dot,
                                                                                self.ax.title])
        self._zoom_now = None
        for widget, css in ((self.depth, "depth_depth"), (self.activation, "depth_activation"),
                            (self.init, "depth_init"), (self.gain, "depth_gain"),
                            (self.residual, "depth_residual"), (self.status, "depth_status")):
            widget.add_class(CSS[css])
        self.depth.observe(self._on_change, names="value")
        self.activation.observe(self._on_change, names="value")
        self.residual.observe(self._on_change, names="value")
        self.init.observe(self._on_init, names="value")
        self.gain.observe(self._on_gain, names="value")
        self.widget = W.VBox([W.HBox([self.depth, self.gain]), W.HBox([self.activation, self.init]), self.residual,
                              self.status, self.view.output])
        self.widget.add_class(CSS["depth_explorer"])
        self.update()

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self) -> None:
        with plt.ioff():
            self.fig, ax = new_figure(width=8.0, height=4.2)
        self.ax = ax
        ax.axhspan(1 / BAND, BAND, color=PALETTE["green"], alpha=0.12, lw=0,
                   label=label("healthy band: within {band}× of layer D", band=f"{BAND:g}"))
        ax.axhline(1.0, color=PALETTE["black"], lw=0.8, ls=":")
        (self.line,) = ax.plot([], [], "o-", color=PALETTE["blue"], lw=1.8, ms=3.5, label=label("layer l"))
        (self.last_dot,) = ax.plot([], [], "s", color=PALETTE["orange"], ms=7,
                                   label=label("layer D (the reference)"))
        ax.set(yscale="log", xlim=(0.5, DEPTH_RANGE[1] + 0.5), ylim=(1 / ZOOMS[-1], ZOOMS[-1]),
               xlabel=label("layer l (1 = nearest the input)"),
               ylabel=RATIO_LABEL)
        plain_log_ticks(ax.yaxis)
        self._set_zoom(ZOOMS[-1])
        ax.legend(loc="lower right", fontsize=9, frameon=True, framealpha=0.85)
        ax.set_title(label("layer 1 gets {ratio} × the gradient of layer {depth}: {verdict}", ratio="1.0e-300",
                             depth=DEPTH_RANGE[1], verdict=label("vanishing")), fontsize=11)  # the longest title
        self.fig.canvas.draw()
        self.fig.set_layout_engine("none")

    # ------------------------------------------------------------------ callbacks
    def _on_change(self, change=None) -> None:
        self.update()

    def _on_init(self, change) -> None:
        if self._syncing:
            return
        if change["new"] != CUSTOM:
            self._syncing = True
            try:
                self.gain.value = SCHEMES[change["new"]]
            finally:
                self._syncing = False
        self.update()

    def _on_gain(self, change) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.init.value = _matching_scheme(float(change["new"]))
        finally:
            self._syncing = False
        self.update()

    def compute(self) -> GradientProfile:
        """The gradient profile for the controls' values (no drawing)."""
        return gradient_profile(int(self.depth.value), self.activation.value, float(self.gain.value),
                                residual=bool(self.residual.value))

    def update(self) -> None:
        """Recompute, move the line, set title and status, redraw (full only when the zoom changes)."""
        with quiet_numerics():
            p = self.profile = self.compute()
            y = p.plotted(floor=1 / ZOOMS[-1], ceil=ZOOMS[-1])  # beyond: drawn at the edge
            layers = np.arange(1, p.depth + 1)
            self.line.set_data(layers, y)
            self.last_dot.set_data([p.depth], [y[-1]])
            zoom = _zoom(y)
            if zoom != self._zoom_now:
                self._set_zoom(zoom)
            self.ax.set_title(self._title(p), fontsize=11)
            self.status.value = status_html(STATUS_KIND[p.status], p.summary())
            self.view.redraw(full=zoom != self._zoom_now)
            self._zoom_now = zoom

    def _set_zoom(self, zoom: float) -> None:
        """y axis [1/zoom, zoom] with a tick every TICK_STEP[zoom] decades."""
        top, step = round(math.log10(zoom)), TICK_STEP[zoom]
        self.ax.set_ylim(1 / zoom, zoom)
        self.ax.yaxis.set_major_locator(FixedLocator([10.0 ** k for k in range(-top, top + 1, step)]))

    @staticmethod
    def _title(p: GradientProfile) -> str:
        name = ACTIVATION_LABELS[p.activation]
        if p.residual:
            name = label("{activation} + residual", activation=name)
        if p.depth == 1:
            return label("{name}, 1 layer: add layers to see the gradient shrink or grow", name=name)
        return label("{name}, gain {gain:.3g}: {verdict} (layer 1 / layer {depth} = {ratio})", name=name,
                       gain=p.gain, verdict=label(p.status), depth=p.depth, ratio=_short(p.ratio))

    def _ipython_display_(self) -> None:
        display(self.widget)


def _short(r: float) -> str:
    if math.isnan(r):
        return "0/0"
    if math.isinf(r):
        return label("overflow")
    if r == 0:
        return "0"
    return f"{r:.2g}" if 1e-3 <= r < 1e4 else f"{r:.1e}"
