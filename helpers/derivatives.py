"""Derivatives checked three ways, and how the step h of a finite difference trades errors.

* `three_way`: one derivative from sympy (exact), central differences in float64 (numeric)
  and torch.autograd, side by side in a small table, with the cs231n relative-error verdict.
* `error_vs_h` / `plot_error_vs_h`: |estimate − f′(x₀)| against h on log-log axes. Truncation
  error falls with h (forward ∝ h·|f″|/2, central ∝ h²·|f‴|/6), round-off error rises
  (∝ ε·|f|/h): a U shape whose bottom is near h ≈ √ε (forward) or ∛ε (central).
* `plot_tangent`: the curve, its tangent and the forward and central secants of step h.

The finite differences themselves live in `helpers.gradients`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from html import escape
from typing import Callable, Mapping, Sequence

import numpy as np
import sympy as sp
import torch

from helpers.gradients import _check_step, _scalar, central_difference, forward_difference, rel_error, verdict
from helpers.plotting import PALETTE, finite_clipped, new_figure

NUMERIC_H = 1e-6  # central differences in float64: the bottom of the U is near 1e-5…1e-6
ERROR_FLOOR = 1e-20  # an error of exactly 0 is drawn here on log axes
DEFAULT_HS = np.logspace(-15, 0, 61)  # four steps per decade

# sympy function name → torch function, for the autograd column
_TORCH = {name: getattr(torch, name) for name in (
    "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "asin", "acos", "atan", "sign", "erf")}
_TORCH.update({"Abs": torch.abs, "pi": math.pi, "E": math.e})


# --------------------------------------------------------------------------- validation
def _point(value: object, name: str) -> float:
    """A finite real number (a Python number or a one-element floating-point tensor)."""
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            raise ValueError(f"{name} must be a float or a floating-point tensor, got a tensor of dtype "
                             f"{value.dtype}; write it as a float, e.g. 2.0 rather than 2")
        if value.numel() != 1:
            raise ValueError(f"{name} must be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _float_dtype(dtype: object) -> torch.dtype:
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch dtype such as torch.float64, got {type(dtype).__name__}")
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating-point dtype (torch.float32 or torch.float64), got {dtype}")
    return dtype


def _steps(hs: object) -> np.ndarray:
    arr = np.asarray(hs, dtype=float) if not isinstance(hs, torch.Tensor) else hs.detach().double().numpy()
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"hs must be a non-empty 1-D sequence of steps, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError("every step in hs must be positive and finite (h > 0), e.g. np.logspace(-15, 0, 61)")
    return arr


def _parse(expr: object) -> sp.Expr | sp.Lambda:
    if isinstance(expr, str):
        try:
            expr = sp.sympify(expr)
        except (sp.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(f"could not read {expr!r} as a formula ({exc}); write it in Python syntax, "
                             "e.g. 'sin(x**2)'") from None
    if isinstance(expr, (sp.MatrixBase, sp.NDimArray)) or (
            isinstance(expr, sp.Lambda) and not isinstance(expr.expr, sp.Expr)):
        raise ValueError("the function must return a scalar, got a matrix or array; "
                         "differentiate one entry at a time")
    if not isinstance(expr, (sp.Expr, sp.Lambda)):
        raise TypeError(f"expr must be a formula string or a sympy expression, got {type(expr).__name__}")
    return expr


# --------------------------------------------------------------------------- three-way table
@dataclass(frozen=True)
class ThreeWayRow:
    """One derivative, three ways: exact (sympy), numeric (central differences) and autograd."""

    function: str
    wrt: str
    derivative: str
    point: str
    sympy: float
    numeric: float
    autograd: float

    @property
    def error(self) -> float:
        """The worst relative error between any two of the three values."""
        vals = (self.sympy, self.numeric, self.autograd)
        return max(rel_error(a, b) for i, a in enumerate(vals) for b in vals[i + 1:])

    @property
    def verdict(self) -> str:
        return verdict(self.error)


HEADER = ("f", "d/d", "derivative (sympy)", "at", "sympy", "numeric", "autograd", "agreement")


@dataclass(frozen=True)
class ThreeWayTable:
    """Rows of `ThreeWayRow`. Values print to 7 significant digits and the agreement as its
    verdict band, so the printed table is the same on every machine."""

    rows: tuple[ThreeWayRow, ...]

    @property
    def worst(self) -> float:
        return max(r.error for r in self.rows)

    @property
    def all_good(self) -> bool:
        return all(r.verdict == "good" for r in self.rows)

    def cells(self) -> list[list[str]]:
        return [[_short(r.function), r.wrt, _short(r.derivative), r.point, *(f"{v:.7g}" for v in (r.sympy, r.numeric, r.autograd)),
                 f"{r.verdict} (< {_band(r.error):.0e})"] for r in self.rows]

    def __str__(self) -> str:
        table = [list(HEADER), *self.cells()]
        widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in self.cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _band(error: float) -> float:
    """The verdict band's upper limit (1e-7 for 'good', …), a machine-independent summary."""
    from helpers.gradients import BANDS

    for limit, _ in BANDS:
        if error < limit:
            return limit
    return math.inf


def three_way(expr, at, *, wrt: str | Sequence[str] | None = None, label: str | None = None,
              h: float = NUMERIC_H) -> ThreeWayTable:
    """A derivative computed by sympy, by central differences (float64) and by torch.autograd.

    expr: a formula string ('sin(x**2)'), a sympy expression or Lambda, or a dict label → one
    of those for several rows. at: the point — a number when the formula has one variable,
    else a dict name → value for every variable. wrt: the variable(s) to differentiate by
    (default: all names in `at` that are free in the formula, in order).
    """
    if isinstance(expr, Mapping):
        if not expr:
            raise ValueError("expr is an empty dict: give at least one label → formula")
        rows = [row for lab, e in expr.items() for row in three_way(e, at, wrt=wrt, label=str(lab), h=h).rows]
        return ThreeWayTable(tuple(rows))
    h = _check_step(h)
    parsed = _parse(expr)
    if isinstance(parsed, sp.Lambda):
        symbols, body = list(parsed.variables), parsed.expr
    else:
        symbols, body = sorted(parsed.free_symbols, key=lambda s: s.name), parsed
    values = _values(symbols, at)
    names = list(values)
    wrt_names = _wrt(wrt, names)
    syms = [sp.Symbol(n) for n in names]
    body = body.subs({s: sp.Symbol(s.name) for s in symbols})
    f_math = sp.lambdify(syms, body, modules="math")
    try:
        f_torch = sp.lambdify(syms, body, modules=[_TORCH])
    except (KeyError, NameError) as exc:  # pragma: no cover - lambdify defers name errors to the call
        raise ValueError(f"{exc} has no torch counterpart here; use {sorted(_TORCH)}") from None
    base = _scalar(_call(f_math, values, body), "the function")
    if not math.isfinite(base):
        raise ValueError(f"the function is not finite at {values}: pick another point")
    grads = _autograd(f_torch, values, wrt_names, body)
    point = ", ".join(f"{n}={v:g}" for n, v in values.items())
    rows = []
    for name in wrt_names:
        d = sp.diff(body, sp.Symbol(name))
        exact = float(d.subs({sp.Symbol(n): sp.Float(v, 30) for n, v in values.items()}).evalf(30))

        def partial(t, name=name):
            return f_math(**{**values, name: t})

        numeric = central_difference(partial, values[name], h)
        rows.append(ThreeWayRow(label or _pretty(body), name, _pretty(d), point, exact, numeric, grads[name]))
    return ThreeWayTable(tuple(rows))


def _values(symbols: list[sp.Symbol], at) -> dict[str, float]:
    names = [s.name for s in symbols]
    if isinstance(at, Mapping):
        missing = [n for n in names if n not in at]
        if missing:
            raise ValueError(f"give a value for every variable of the formula: missing {missing} in at")
        # at's own order; a name the formula does not use is allowed (its derivative is 0)
        return {str(n): _point(v, f"at[{n!r}]") for n, v in at.items()}
    if len(names) != 1:
        raise ValueError(f"the formula has the variables {names}: give at as a dict name → value, "
                         "e.g. at={'x': 1.0, 'w': 0.5}")
    return {names[0]: _point(at, "at")}


def _wrt(wrt, names: list[str]) -> list[str]:
    if wrt is None:
        return names
    chosen = [wrt] if isinstance(wrt, str) else list(wrt)
    unknown = [n for n in chosen if n not in names]
    if unknown or not chosen:
        raise ValueError(f"wrt must name variables of the formula ({names}), got {wrt!r}")
    return chosen


def _call(fn: Callable, values: Mapping[str, object], body) -> object:
    try:
        return fn(**values)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ValueError(f"the function cannot be evaluated at {dict(values)} ({exc}): pick another point") from None
    except (NameError, TypeError) as exc:
        raise ValueError(f"{body} cannot be evaluated numerically ({exc}); it may use a function "
                         f"with no numeric counterpart: use {sorted(_TORCH)}") from None


def _autograd(f_torch: Callable, values: Mapping[str, float], wrt: list[str], body) -> dict[str, float]:
    leaves = {n: torch.tensor(v, dtype=torch.float64, requires_grad=n in wrt) for n, v in values.items()}
    out = torch.as_tensor(_call(f_torch, leaves, body), dtype=torch.float64)
    if not out.requires_grad:  # the formula does not depend on the wrt variables
        return {n: 0.0 for n in wrt}
    grads = torch.autograd.grad(out, [leaves[n] for n in wrt], allow_unused=True)
    return {n: 0.0 if g is None else float(g) for n, g in zip(wrt, grads)}


def _pretty(e: sp.Expr) -> str:
    return str(e).replace("**", "^").replace("*", "·")


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
        if method not in ("forward", "central"):
            raise ValueError(f"method must be 'forward' or 'central', got {method!r}")
        return self.forward if method == "forward" else self.central


def estimate_slope(f: Callable, x0: float, h: float, dtype: torch.dtype = torch.float64,
                   method: str = "central") -> float:
    """The finite-difference slope of f at x0, with x0 ± h rounded to `dtype` and f evaluated
    in that dtype, as a computer working in that precision would do it."""
    _float_dtype(dtype)
    if method not in ("forward", "central"):
        raise ValueError(f"method must be 'forward' or 'central', got {method!r}")
    x = torch.tensor(_point(x0, "x0"), dtype=dtype)
    diff = central_difference if method == "central" else forward_difference
    return float(diff(f, x, h).item())


def error_vs_h(f: Callable, df, x0: float, hs: Sequence[float] | None = None,
               dtype: torch.dtype = torch.float64) -> ErrorVsH:
    """Errors of forward and central differences of f at x0 for every h in hs.

    f takes a tensor and returns a one-element tensor (torch.sin, lambda x: x**3, …);
    df is the exact derivative: a number, or a function of a float or a tensor.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of a tensor, got {type(f).__name__}")
    x0, dtype = _point(x0, "x0"), _float_dtype(dtype)
    hs = _steps(DEFAULT_HS if hs is None else hs)
    slope = exact_slope(df, x0)
    _scalar(f(torch.tensor(x0, dtype=dtype)), "f")  # a clear error before the loop
    errors = {m: np.array([abs(estimate_slope(f, x0, h, dtype, m) - slope) for h in hs])
              for m in ("forward", "central")}
    return ErrorVsH(hs, errors["forward"], errors["central"], str(dtype).replace("torch.", ""), x0, slope)


def exact_slope(df, x0: float) -> float:
    """f′(x0) from df: a number, or a function of a float64 tensor (or float)."""
    if callable(df):
        value = df(torch.tensor(float(x0), dtype=torch.float64))
        slope = _scalar(value, "df")
    else:
        slope = _point(df, "df")
    if not math.isfinite(slope):
        raise ValueError(f"df(x0) must be finite, got {slope!r}")
    return slope


STYLES = {"float64": PALETTE["blue"], "float32": PALETTE["orange"]}


def plot_error_vs_h(results: ErrorVsH | Sequence[ErrorVsH], ax=None, title: str | None = None):
    """Log-log error against h: one colour per dtype, solid central, dashed forward,
    a dot at each curve's minimum. Returns the Axes."""
    results = [results] if isinstance(results, ErrorVsH) else list(results)
    if not results or not all(isinstance(r, ErrorVsH) for r in results):
        raise TypeError("results must be an ErrorVsH or a list of them (from error_vs_h)")
    if ax is None:
        _, ax = new_figure(width=7.2, height=4.6)
    for r in results:
        colour = STYLES.get(r.dtype, PALETTE["green"])
        for method, style in (("central", "-"), ("forward", "--")):
            errors = np.clip(finite_clipped(r._errors(method)), ERROR_FLOOR, None)
            ax.loglog(r.hs, errors, style, color=colour, lw=2 if method == "central" else 1.5,
                      label=f"{r.dtype}, {method}")
            i = int(np.argmin(errors))
            ax.plot(r.hs[i], errors[i], "o", color=colour, ms=6)
    ax.text(0.03, 0.3, "← round-off grows\n    as h shrinks (∝ ε/h)", transform=ax.transAxes, fontsize=9,
            color="0.3")
    ax.text(0.98, 0.08, "truncation grows with h →\n(forward ∝ h, central ∝ h²)", transform=ax.transAxes,
            fontsize=9, color="0.3", ha="right")
    ax.set_xlabel("step h")
    ax.set_ylabel("absolute error |estimate − f′(x₀)|")
    ax.set_title(title or "Too large an h: truncation; too small: round-off")
    ax.legend(loc="lower left", fontsize=9, ncol=2)
    return ax


# --------------------------------------------------------------------------- tangent and secants
def line_through(x0: float, y0: float, slope: float, half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """The segment of the line y = y0 + slope·(x − x0) over [x0 − half_width, x0 + half_width]."""
    xs = np.array([x0 - half_width, x0 + half_width])
    return xs, finite_clipped(y0 + slope * (xs - x0))


def plot_tangent(f: Callable, x0: float, df=None, *, h: float | None = None,
                 xlim: tuple[float, float] = (-3.0, 3.0), ax=None, title: str | None = None):
    """The curve of f, its tangent at x0 and, if h is given, the forward and central secants.

    f takes a float64 tensor (elementwise); df is the exact derivative (default: autograd).
    Returns the Axes.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of a tensor, got {type(f).__name__}")
    x0 = _point(x0, "x0")
    lo, hi = (_point(v, "xlim") for v in xlim)
    if not lo < x0 < hi:
        raise ValueError(f"x0 must lie inside xlim = ({lo}, {hi}), got {x0}")
    if df is None:
        t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(f(t), t)
        slope = float(grad)
    else:
        slope = exact_slope(df, x0)
    if ax is None:
        _, ax = new_figure()
    xs = torch.linspace(lo, hi, 400, dtype=torch.float64)
    ax.plot(xs.numpy(), finite_clipped(f(xs).numpy()), color=PALETTE["black"], lw=2, label="f(x)")
    y0 = _scalar(f(torch.tensor(x0, dtype=torch.float64)), "f")
    width = (hi - lo) / 4
    ax.plot(*line_through(x0, y0, slope, width), color=PALETTE["blue"], lw=2.5, label=f"tangent, slope {slope:.3f}")
    if h is not None:
        h = _check_step(h)
        for method, colour, start, marker in (("forward", PALETTE["red"], x0, "s"),
                                              ("central", PALETTE["green"], x0 - h, "o")):
            est = estimate_slope(f, x0, h, method=method)
            ys = _scalar(f(torch.tensor(start, dtype=torch.float64)), "f")
            ax.plot(*line_through(start, ys, est, width + h), "--", color=colour, lw=1.8,
                    label=f"{method} secant, slope {est:.3f}")
            ax.plot([start, x0 + h], [ys, _scalar(f(torch.tensor(x0 + h, dtype=torch.float64)), "f")], marker,
                    color=colour, ms=9 if marker == "s" else 6, ls="none")
    ax.plot([x0], [y0], "o", color=PALETTE["blue"], ms=7)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(title or f"The tangent at x₀ = {x0:g} has slope f′(x₀) = {slope:.3f}")
    ax.legend(loc="best", fontsize=9)
    return ax
