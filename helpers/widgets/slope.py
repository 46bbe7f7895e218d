"""Lesson 01's slope explorer: pick x and h, see the finite-difference slope against the truth.

Left: the curve, the tangent at x (the true slope) and the secant whose slope is the estimate.
Right: the error against h at this x (the U of `helpers.derivatives.error_vs_h`), a dot at
the chosen h. Every slider position is valid: when h is so small that x ± h rounds back to x
in float32 the estimate is exactly 0, and the readout says so.
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch

from helpers.derivatives import ERROR_FLOOR, METHOD_NAMES, error_vs_h, estimate_slope, exact_slope, line_through
from helpers import i18n
from helpers.i18n import N_, message, translate
from helpers.plotting import PALETTE, finite_clipped, new_figure, plain_log_ticks
from helpers.validation import require_real, require_text
from helpers.widgets import CSS, BlitFigureView, quiet_numerics, status_html

DTYPES = {"float64": torch.float64, "float32": torch.float32}
H_EXPONENTS = (-12, 0)  # the h slider runs over 10^-12 … 10^0
HS = np.logspace(-12, 0, 49)


def _number(value: float, fmt: str) -> str:
    return format(value, fmt) if math.isfinite(value) else message("— (overflow)")


class SlopeExplorer:
    """Sliders for x and h (log scale), toggles for dtype and method, a readout and a plot.

    f acts on tensors elementwise (default torch.sin); df is its exact derivative.
    """

    def __init__(self, f: Callable = torch.sin, df: Callable = torch.cos, *, x: float = 1.0, h: float = 1e-1,
                 x_range: tuple[float, float] = (-3.0, 3.0), label: str = "sin(x)"):
        if not callable(f) or not callable(df):
            raise TypeError(message("f and df must be functions of a tensor, e.g. torch.sin and torch.cos"))
        if not isinstance(x_range, (tuple, list)) or len(x_range) != 2:
            raise TypeError(message("x_range must be a pair (low, high) of numbers such as (-3.0, 3.0), got {kind}",
                                    kind=type(x_range).__name__))
        lo, hi = (require_real("x_range", v) for v in x_range)
        x, h = require_real("x", x), require_real("h", h)
        label = require_text("label", label, optional=False)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(message("x_range must be two finite numbers, low < high, got {x_range!r}", x_range=x_range))
        if not lo <= x <= hi:
            raise ValueError(message("x must lie in x_range {x_range}, got {x!r}", x_range=x_range, x=x))
        if not 10.0 ** H_EXPONENTS[0] <= h <= 10.0 ** H_EXPONENTS[1]:
            raise ValueError(message("h must lie between 1e-12 and 1, got {h!r}", h=h))
        self.f, self.df, self.label = f, df, label
        self.x_slider = W.FloatSlider(value=x, min=lo, max=hi, step=0.01, description="x",
                                      continuous_update=False, readout_format=".2f")
        self.h_slider = W.FloatLogSlider(value=h, base=10, min=H_EXPONENTS[0], max=H_EXPONENTS[1], step=0.25,
                                         description="h", continuous_update=False, readout_format=".1e")
        self.dtype = W.ToggleButtons(options=list(DTYPES), value="float64", description="dtype")
        self.method = W.ToggleButtons(options=[(translate(METHOD_NAMES[m]), m) for m in ("central", "forward")],
                                      value="central", description=translate("method"))
        self.readout = W.HTML()
        self.x_slider.add_class(CSS["slope_x"])
        self.h_slider.add_class(CSS["slope_h"])
        self.readout.add_class(CSS["slope_readout"])
        self._build_figure(lo, hi)
        for control in (self.x_slider, self.h_slider, self.dtype, self.method):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.x_slider, self.h_slider]), W.HBox([self.dtype, self.method]),
                              self.readout, self.view.output])
        self._curve_key = None
        self.update()

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self, lo: float, hi: float) -> None:
        with plt.ioff():
            fig, (ax, ax_err) = new_figure(ncols=2, width=11.0, height=4.2)
        xs = torch.linspace(lo - 0.5, hi + 0.5, 400, dtype=torch.float64)
        ys = finite_clipped(self.f(xs).numpy())
        ax.plot(xs.numpy(), ys, color=PALETTE["black"], lw=2, label=f"f(x) = {self.label}")
        (self.tangent,) = ax.plot([], [], color=PALETTE["blue"], lw=2.5, label=i18n.label("tangent (true slope)"))
        (self.secant,) = ax.plot([], [], "--", color=PALETTE["red"], lw=2, label=i18n.label("secant (estimate)"))
        (self.point,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=7)
        (self.points,) = ax.plot([], [], "o", color=PALETTE["red"], ms=6)
        margin = 0.15 * (ys.max() - ys.min() + 1e-12)
        ax.set_xlim(lo - 0.5, hi + 0.5)
        ax.set_ylim(ys.min() - margin, ys.max() + margin)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.set_title(i18n.label("Secant of step h against the tangent"))
        ax.legend(loc="lower right", fontsize=9)
        (self.error_curve,) = ax_err.loglog(HS, np.ones_like(HS), color=PALETTE["blue"], lw=2)
        (self.error_dot,) = ax_err.plot([1.0], [1.0], "o", color=PALETTE["red"], ms=9)
        ax_err.set_xlim(HS[0] / 2, HS[-1] * 2)
        ax_err.set_ylim(1e-16, 10)
        plain_log_ticks(ax_err.xaxis, ax_err.yaxis)
        ax_err.set_xlabel(i18n.label("step h"))
        ax_err.set_ylabel(i18n.label("absolute error of the estimate"))
        self.ax, self.ax_err = ax, ax_err
        # The axes never change: only the moving lines, dots and one title are redrawn.
        dynamic = (self.tangent, self.secant, self.point, self.points, self.error_curve, self.error_dot, ax_err.title)
        self.view = BlitFigureView(fig, css_class=CSS["slope_plot"], dynamic_artists=dynamic)

    # ------------------------------------------------------------------ the callback
    def state(self) -> dict:
        """Estimate, true slope and error for the current controls, plus a status line."""
        x, h = float(self.x_slider.value), float(self.h_slider.value)
        dtype, method = DTYPES[self.dtype.value], self.method.value
        with quiet_numerics():
            estimate = estimate_slope(self.f, x, h, dtype, method)
            try:
                true = exact_slope(self.df, x)
            except ValueError:  # f′(x) overflows even in float64
                true = math.nan
        error = abs(estimate - true) if math.isfinite(estimate) and math.isfinite(true) else math.inf
        return {"x": x, "h": h, "dtype": self.dtype.value, "method": method, "estimate": estimate,
                "true": true, "error": error, "status": self._status(x, h, dtype, method, estimate, true)}

    def _status(self, x: float, h: float, dtype: torch.dtype, method: str, estimate: float, true: float):
        """(kind, sentence): what limits the estimate at these controls, each sentence one template."""
        name = str(dtype).replace("torch.", "")
        xt = torch.tensor(x, dtype=dtype)
        if not (math.isfinite(estimate) and math.isfinite(true)):
            return "error", message("f overflows in {dtype} near x (beyond ±{limit:.0e}): no slope can be estimated "
                                    "here. Try another x or float64.", dtype=name,
                                    limit=float(torch.finfo(dtype).max))
        if estimate == 0.0 and true != 0.0:
            if bool((xt + h == xt).item()):
                spacing = float(torch.finfo(dtype).eps) * max(abs(x), float(torch.finfo(dtype).tiny))
                return "warn", message("In {dtype}, x + h rounds back to x (h is below half the spacing of {dtype} "
                                       "numbers near x, ≈ {spacing:.0e}): the difference is exactly 0. Make h larger.",
                                       dtype=name, spacing=spacing)
            template = (N_("In {dtype}, f(x + h) and f(x − h) round to the same number: the difference is exactly 0. "
                           "Make h larger.") if method == "central" else
                        N_("In {dtype}, f(x + h) and f(x) round to the same number: the difference is exactly 0. "
                           "Make h larger."))
            return "warn", message(template, dtype=name)
        eps = float(torch.finfo(dtype).eps)
        sweet = eps ** (1 / 3) if method == "central" else eps ** 0.5
        named = translate(METHOD_NAMES[method])
        if h > 10 * sweet:
            return "info", message("h is well above the sweet spot h ≈ {sweet:.0e} ({dtype}, {method}): truncation "
                                   "error dominates. Make h smaller.", sweet=sweet, dtype=name, method=named)
        if h < sweet / 10:
            return "info", message("h is well below the sweet spot h ≈ {sweet:.0e} ({dtype}, {method}): round-off "
                                   "error dominates. Make h larger.", sweet=sweet, dtype=name, method=named)
        return "ok", message("h is near the sweet spot h ≈ {sweet:.0e} ({dtype}, {method}): the error is about as "
                             "small as it gets.", sweet=sweet, dtype=name, method=named)

    def update(self) -> None:
        """Recompute from the controls; move the secant, tangent and error dot; redraw."""
        s = self.state()
        x, h = s["x"], s["h"]
        with quiet_numerics():
            fx = float(self.f(torch.tensor(x, dtype=torch.float64)))
            start = x if s["method"] == "forward" else x - h
            f_start = float(self.f(torch.tensor(start, dtype=torch.float64)))
            f_end = float(self.f(torch.tensor(x + h, dtype=torch.float64)))
            self.tangent.set_data(*line_through(x, fx, s["true"], 1.2))
            self.point.set_data([x], finite_clipped([fx]))
            self.secant.set_data(*line_through(start, f_start, finite_clipped([s["estimate"]])[0], 1.2 + h))
            self.points.set_data([start, x + h], finite_clipped([f_start, f_end]))
            key = (x, s["dtype"], s["method"])
            if key != self._curve_key:
                result = error_vs_h(self.f, self.df, x, HS, DTYPES[s["dtype"]])
                self._errors = np.clip(finite_clipped(result._errors(s["method"])), ERROR_FLOOR, None)
                self.error_curve.set_data(HS, self._errors)
                self.error_curve.set_color(PALETTE["blue"] if s["dtype"] == "float64" else PALETTE["orange"])
                self._curve_key = key
            self.error_dot.set_data([h], [np.clip(finite_clipped([s["error"]])[0], ERROR_FLOOR, None)])
        self.ax_err.set_title(i18n.label("Error against h ({dtype}, {method}); the dot is your h",
                                      dtype=s["dtype"], method=i18n.label(METHOD_NAMES[s["method"]])))
        kind, text = s["status"]
        numbers = message("<b>estimate</b> {estimate} &nbsp; <b>true slope</b> f′({x:.2f}) = {true} &nbsp; "
                          "<b>error</b> {error}", estimate=_number(s["estimate"], ".10g"), x=x,
                          true=_number(s["true"], ".10g"), error=_number(s["error"], ".2e"))
        self.readout.value = f"{numbers}<br>{status_html(kind, text)}"
        self.view.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
