"""Slopes by nudging: how the step h of a finite difference trades errors, and how it looks.

* `error_vs_h` / `plot_error_vs_h`: |estimate − f′(x₀)| against h on log-log axes. Truncation
  error falls with h (forward ∝ h·|f″|/2, central ∝ h²·|f‴|/6), round-off error rises
  (∝ ε/h): a U shape whose bottom is near h ≈ √ε (forward) or ∛ε (central) when f, its
  derivatives and x₀ are of size about 1.
* `central_error_model`: the worst-case error of a central difference, truncation plus both
  kinds of rounding (of f's values and of the points x₀ ± h), and the step h* that minimises it.
* `plot_tangent`: the curve, its tangent and the forward and central secants of step h.
* `three_way`: one derivative from sympy, central differences and autograd. It lives in
  `helpers.symbolic` (with the sympy-to-torch bridge) and is offered here too, where lesson 01
  imports it.

The finite differences themselves live in `helpers.gradients`. The plots of this idea stay
beside it (the rule is in `helpers.plotting`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch

from helpers.i18n import N_, label, message, translate
from helpers.gradients import central_difference, forward_difference
from helpers.plotting import PALETTE, axes_for, finite_clipped, plain_log_ticks
from helpers.symbolic import three_way  # noqa: F401 (lesson 01 imports it from here)
from helpers.validation import (require_callable, require_choice, require_float_dtype, require_numbers,
                               require_point, require_real, require_scalar_output, require_step, require_text)

ERROR_FLOOR = 1e-20  # an error of exactly 0 is drawn here on log axes
DEFAULT_HS = np.logspace(-15, 0, 61)  # four steps per decade
METHODS = ("forward", "central")
# Their names where a learner picks or reads one (the slope explorer's toggle and status line).
METHOD_NAMES = {"central": N_("central"), "forward": N_("forward")}


# --------------------------------------------------------------------------- validation
def _steps(hs: object) -> np.ndarray:
    arr = require_numbers("hs", hs)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(message("every step in hs must be positive and finite (h > 0), e.g. "
                                 "np.logspace(-15, 0, 61)"))
    return arr


# --------------------------------------------------------------------------- error against h
@dataclass(frozen=True)
class ErrorVsH:
    """|estimate − f′(x₀)| for each step h, forward and central, computed in `dtype`."""

    hs: np.ndarray
    forward: np.ndarray
    central: np.ndarray
    dtype: str
    x0: float
    slope: float

    def best_h(self, method: str = "central") -> float:
        """The step with the smallest error (the bottom of the U)."""
        errors = self._errors(method)
        return float(self.hs[int(np.argmin(errors))])

    def min_error(self, method: str = "central") -> float:
        return float(np.min(self._errors(method)))

    def _errors(self, method: str) -> np.ndarray:
        return self.forward if require_choice("method", method, METHODS) == "forward" else self.central


def estimate_slope(f: Callable, x0: float, h: float, dtype: torch.dtype = torch.float64,
                   method: str = "central") -> float:
    """The finite-difference slope of f at x0, with x0 ± h rounded to `dtype` and f evaluated
    in that dtype, as a computer working in that precision would do it. (Showing float32's
    round-off is the point here, so the gradient checks' LowPrecisionWarning is not raised.)"""
    require_float_dtype("dtype", dtype)
    require_choice("method", method, METHODS)
    x = torch.tensor(require_point("x0", x0), dtype=dtype)
    diff = central_difference if method == "central" else forward_difference
    return float(diff(f, x, h, warn=False).item())


def error_vs_h(f: Callable, df, x0: float, hs: Sequence[float] | None = None,
               dtype: torch.dtype = torch.float64) -> ErrorVsH:
    """Errors of forward and central differences of f at x0 for every h in hs.

    f takes a tensor and returns a one-element tensor (torch.sin, lambda x: x**3, …);
    df is the exact derivative: a number, or a function of a float or a tensor.
    """
    require_callable("f", f, N_("a function of a tensor"))
    x0, dtype = require_point("x0", x0), require_float_dtype("dtype", dtype)
    hs = _steps(DEFAULT_HS if hs is None else hs)
    slope = exact_slope(df, x0)
    require_scalar_output("f", f(torch.tensor(x0, dtype=dtype)))  # a clear error before the loop
    errors = {m: np.array([abs(estimate_slope(f, x0, h, dtype, m) - slope) for h in hs])
              for m in METHODS}
    return ErrorVsH(hs, errors["forward"], errors["central"], str(dtype).replace("torch.", ""), x0, slope)


def exact_slope(df, x0: float) -> float:
    """f′(x0) from df: a number, or a function of a float64 tensor (or float)."""
    x0 = require_point("x0", x0)
    if callable(df):
        value = df(torch.tensor(x0, dtype=torch.float64))
        slope = require_scalar_output("df", value)
    else:
        slope = require_point("df", df)
    if not math.isfinite(slope):
        raise ValueError(message("df(x0) must be finite, got {slope!r}", slope=slope))
    return slope


# --------------------------------------------------------------------------- a model of the U
@dataclass(frozen=True)
class CentralErrorModel:
    """The worst-case error of the central difference (f(x₀+h) − f(x₀−h)) / 2h in a dtype with
    machine epsilon ε, as two terms:

    * truncation  h²·|f‴(x₀)| / 6                (Taylor's formula; the h⁴ terms are left out)
    * round-off   ε·(|f(x₀)| + |x₀·f′(x₀)|) / 2h

    Round-off has two sources, each at most half a unit in the last place (ε/2 relative): every
    value of f is rounded (ε|f|/2), and so is every point x₀ ± h before f sees it, which moves
    f's value by up to ε|x₀|/2 · |f′|. Two evaluations, divided by 2h. Counting only the first
    source underestimates round-off wherever |x₀·f′| is not small next to |f| (x₀ = 1000 for sin).
    The model is an upper bound and an order-of-magnitude estimate: the rounding errors are
    random, so the measured error wanders below it, and the bottom of a measured U lands anywhere
    on its flat floor.
    """

    x0: float
    f0: float
    df0: float
    d3f0: float
    eps: float

    def truncation(self, hs) -> np.ndarray:
        """h²·|f‴(x₀)| / 6 for every step h."""
        hs = _steps(hs)
        return hs**2 * abs(self.d3f0) / 6

    def roundoff(self, hs, *, include_points: bool = True) -> np.ndarray:
        """ε·(|f| + |x₀·f′|) / 2h for every step h; with include_points=False only the rounding
        of f's values, ε·|f| / 2h (the model that forgets that x₀ ± h is rounded too)."""
        hs = _steps(hs)
        size = abs(self.f0) + (abs(self.x0 * self.df0) if include_points else 0.0)
        return self.eps * size / (2 * hs)

    def total(self, hs, *, include_points: bool = True) -> np.ndarray:
        """Truncation plus round-off: the U, as a bound."""
        return self.truncation(hs) + self.roundoff(hs, include_points=include_points)

    @property
    def best_h(self) -> float:
        """h* = (3ε(|f| + |x₀f′|) / (2|f‴|))^(1/3), where the derivative of `total` is 0
        (inf when f‴(x₀) = 0: then truncation is of higher order and a larger h is better)."""
        if self.d3f0 == 0:
            return math.inf
        return (3 * self.eps * (abs(self.f0) + abs(self.x0 * self.df0)) / (2 * abs(self.d3f0))) ** (1 / 3)

    @property
    def best_error(self) -> float:
        """The model's error at h*: the order of the best error a central difference can reach."""
        h = self.best_h
        return math.inf if not math.isfinite(h) else float(self.total([h])[0])


def central_error_model(f: Callable, x0: float, dtype: torch.dtype = torch.float64) -> CentralErrorModel:
    """`CentralErrorModel` for f at x0 in `dtype`: f(x₀), f′(x₀) and f‴(x₀) by autograd in float64,
    ε of `dtype`. f takes a tensor and returns a one-element tensor (torch.sin, lambda x: x**3)."""
    require_callable("f", f, N_("a function of a tensor"))
    x0, dtype = require_point("x0", x0), require_float_dtype("dtype", dtype)
    x0 = float(torch.tensor(x0, dtype=dtype))  # the point as the dtype stores it
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    out = f(x)
    f0 = require_scalar_output("f", out)
    derivatives = []
    for _ in range(3):
        grad = None
        if out.requires_grad:
            (grad,) = torch.autograd.grad(out.reshape(()), x, create_graph=True, allow_unused=True)
        # None: what is left no longer depends on x, so this and every higher derivative are 0
        out = torch.zeros((), dtype=torch.float64) if grad is None else grad
        derivatives.append(float(out.detach()))
    df0, _, d3f0 = derivatives
    for name, value in (("f(x0)", f0), (N_("the first derivative at x0"), df0),
                        (N_("the third derivative at x0"), d3f0)):
        if not math.isfinite(value):
            raise ValueError(message("{name} must be finite for the error model, got {value!r}",
                                     name=translate(name), value=value))
    return CentralErrorModel(x0, f0, df0, d3f0, float(torch.finfo(dtype).eps))


STYLES = {"float64": PALETTE["blue"], "float32": PALETTE["orange"]}
# A curve's legend entry, one whole template per method: the method is a word of the sentence.
LEGENDS = {"central": N_("{dtype}, central"), "forward": N_("{dtype}, forward")}


def plot_error_vs_h(results: ErrorVsH | Sequence[ErrorVsH], ax=None, title: str | None = None):
    """Log-log error against h: one colour per dtype, solid central, dashed forward,
    a dot at each curve's minimum. Returns the Axes."""
    results = [results] if isinstance(results, ErrorVsH) else results
    if not isinstance(results, (list, tuple)) or not results or not all(isinstance(r, ErrorVsH) for r in results):
        raise TypeError(message("results must be an ErrorVsH or a list of them (from error_vs_h)"))
    title = require_text("title", title)
    with axes_for(ax, width=7.2, height=4.6) as ax:
        for r in results:
            colour = STYLES.get(r.dtype, PALETTE["green"])
            for method, style in (("central", "-"), ("forward", "--")):
                errors = np.clip(finite_clipped(r._errors(method)), ERROR_FLOOR, None)
                ax.loglog(r.hs, errors, style, color=colour, lw=2 if method == "central" else 1.5,
                          label=label(LEGENDS[method], dtype=r.dtype))
                i = int(np.argmin(errors))
                ax.plot(r.hs[i], errors[i], "o", color=colour, ms=6)
        ax.text(0.03, 0.3, label("← round-off grows\n    as h shrinks (∝ ε/h)"), transform=ax.transAxes, fontsize=9,
                color="0.3")
        ax.text(0.98, 0.08, label("truncation grows with h →\n(forward ∝ h, central ∝ h²)"), transform=ax.transAxes,
                fontsize=9, color="0.3", ha="right")
        plain_log_ticks(ax.xaxis, ax.yaxis)
        ax.set_xlabel(label("step h"))
        ax.set_ylabel(label("absolute error |estimate − f′(x₀)|"))
        ax.set_title(title or label("Too large an h: truncation; too small: round-off"))
        ax.legend(loc="lower left", fontsize=9, ncol=2)
    return ax


# --------------------------------------------------------------------------- tangent and secants
def line_through(x0: float, y0: float, slope: float, half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """The segment of the line y = y0 + slope·(x − x0) over [x0 − half_width, x0 + half_width]
    (slope may be ±inf: the drawn values are clipped)."""
    x0, y0 = require_real("x0", x0), require_real("y0", y0)
    slope = require_real("slope", slope, finite=False)
    half_width = require_real("half_width", half_width, above=0)
    xs = np.array([x0 - half_width, x0 + half_width])
    return xs, finite_clipped(y0 + slope * (xs - x0))


def plot_tangent(f: Callable, x0: float, df=None, *, h: float | None = None,
                 xlim: tuple[float, float] = (-3.0, 3.0), ax=None, title: str | None = None):
    """The curve of f, its tangent at x0 and, if h is given, the forward and central secants.

    f takes a float64 tensor (elementwise); df is the exact derivative (default: autograd).
    Returns the Axes.
    """
    require_callable("f", f, N_("a function of a tensor"))
    x0 = require_point("x0", x0)
    title = require_text("title", title)
    if not isinstance(xlim, (tuple, list)) or len(xlim) != 2:
        raise TypeError(message("xlim must be a pair (low, high) of numbers such as (-3.0, 3.0), got {kind}",
                                kind=type(xlim).__name__))
    lo, hi = (require_point("xlim", v) for v in xlim)
    if not lo < x0 < hi:
        raise ValueError(message("x0 must lie inside xlim = ({lo}, {hi}), got {x0}", lo=lo, hi=hi, x0=x0))
    h = None if h is None else require_step("h", h)
    slope = _autograd_slope(f, x0) if df is None else exact_slope(df, x0)
    width = (hi - lo) / 4
    with axes_for(ax) as ax:
        xs = torch.linspace(lo, hi, 400, dtype=torch.float64)
        ys = require_numbers("f(x)", f(xs), ndim=None)
        if ys.shape != (xs.numel(),):
            raise ValueError(message("f must work elementwise: for a tensor of {n} points it must "
                                     "return {n} values, got shape {shape}", n=xs.numel(), shape=ys.shape))
        ax.plot(xs.numpy(), finite_clipped(ys), color=PALETTE["black"], lw=2, label="f(x)")
        y0 = _value_at(f, x0)
        ax.plot(*line_through(x0, y0, slope, width), color=PALETTE["blue"], lw=2.5,
                label=label("tangent, slope {slope:.3f}", slope=slope))
        if h is not None:
            _draw_secants(ax, f, x0, h, width)
        ax.plot([x0], [y0], "o", color=PALETTE["blue"], ms=7)
        ax.set_xlim(lo, hi)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.set_title(title or label("The tangent at x₀ = {x0:g} has slope f′(x₀) = {slope:.3f}", x0=x0, slope=slope))
        ax.legend(loc="best", fontsize=9)
    return ax


def _autograd_slope(f: Callable, x0: float) -> float:
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(f(t), t)
    return float(grad)


def _value_at(f: Callable, x: float) -> float:
    return require_scalar_output("f", f(torch.tensor(x, dtype=torch.float64)))


def _draw_secants(ax, f: Callable, x0: float, h: float, width: float) -> None:
    """The forward secant through x0 and x0 + h, the central one through x0 − h and x0 + h."""
    for method, colour, start, marker, legend in (
            ("forward", PALETTE["red"], x0, "s", N_("forward secant, slope {slope:.3f}")),
            ("central", PALETTE["green"], x0 - h, "o", N_("central secant, slope {slope:.3f}"))):
        est = estimate_slope(f, x0, h, method=method)
        ys = _value_at(f, start)
        ax.plot(*line_through(start, ys, est, width + h), "--", color=colour, lw=1.8,
                label=label(legend, slope=est))
        ax.plot([start, x0 + h], [ys, _value_at(f, x0 + h)], marker,
                color=colour, ms=9 if marker == "s" else 6, ls="none")
