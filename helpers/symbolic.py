"""One derivative three ways: sympy (exact), central differences in float64 (numeric), torch.autograd.

    three_way("sin(x**2)", 0.7)                     # one row
    three_way({"L": "(w*x + b - y)**2"}, {"w": 0.4, "b": -0.3, "x": 1.5, "y": 1.0}, wrt=["w", "b"])

The formula is read by sympy; sympy differentiates it exactly, `math` evaluates it for the
central difference, and the sympy-to-torch bridge (`torch_functions`) evaluates it on float64
tensors for autograd. The agreement is the worst relative error of `helpers.gradients` between
the three values, printed as its verdict band so the table is the same on every machine.

sympy is imported on the first call, not with the module: lessons that never call `three_way`
start without it.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import torch

from helpers.i18n import N_, message, translate
from helpers.gradients import band_limit, central_difference, html_table, rel_error, text_table, verdict
from helpers.validation import require_point, require_scalar_output, require_step

NUMERIC_H = 1e-6  # central differences in float64: the bottom of the U is near 1e-5…1e-6
_TORCH_NAMES = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "asin", "acos", "atan",
                "sign", "erf")


# --------------------------------------------------------------------------- the sympy-to-torch bridge
def _on_tensors(fn: Callable) -> Callable:
    """fn with every plain-number argument made a float64 tensor: sympy writes constants as Python
    numbers (sqrt(2) reaches torch as torch.sqrt(2)), which torch functions refuse."""

    @functools.wraps(fn)
    def call(*args):
        return fn(*(a if isinstance(a, torch.Tensor) else torch.tensor(float(a), dtype=torch.float64) for a in args))

    return call


@functools.cache
def torch_functions() -> dict[str, object]:
    """sympy's name of each function → the torch function that computes it (and pi, E)."""
    table: dict[str, object] = {name: _on_tensors(getattr(torch, name)) for name in _TORCH_NAMES}
    table.update({"Abs": _on_tensors(torch.abs), "pi": math.pi, "E": math.e})
    return table


def _known_functions() -> str:
    return ", ".join(sorted(torch_functions()))


# --------------------------------------------------------------------------- reading a formula
def _parse(expr: object):
    """A sympy Expr or Lambda from a formula string or sympy object, or a clear error."""
    import sympy as sp

    if isinstance(expr, str):
        try:
            expr = sp.sympify(expr)
        except (sp.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(message("expr could not be read as a formula: {expr!r} ({reason}); "
                                     "write it in Python syntax, e.g. 'sin(x**2)'", expr=expr, reason=exc)) from None
    if isinstance(expr, (sp.MatrixBase, sp.NDimArray)) or (
            isinstance(expr, sp.Lambda) and not isinstance(expr.expr, sp.Expr)):
        raise ValueError(message("the function must return a scalar, got a matrix or array; "
                                 "differentiate one entry at a time"))
    if not isinstance(expr, (sp.Expr, sp.Lambda)):
        raise TypeError(message("expr must be a formula string or a sympy expression, got {kind}",
                                kind=type(expr).__name__))
    return expr


def _formula(expr: object, at) -> tuple[object, dict[str, float]]:
    """(body, values): the formula with plain symbols named as in `at`, and each variable's value."""
    import sympy as sp

    parsed = _parse(expr)
    if isinstance(parsed, sp.Lambda):
        symbols, body = list(parsed.variables), parsed.expr
    else:
        symbols, body = sorted(parsed.free_symbols, key=lambda s: s.name), parsed
    values = _values(symbols, at)
    return body.subs({s: _real_symbol(s.name) for s in symbols}), values


def _real_symbol(name: str):
    """The variable `name` as a real sympy symbol. sympy's symbols are complex unless told
    otherwise, and for a complex x the derivative of |x| is not sign(x): abs(x) would fail at
    every point. The course differentiates real functions of real variables."""
    import sympy as sp

    return sp.Symbol(name, real=True)


def _values(symbols: list, at) -> dict[str, float]:
    names = [s.name for s in symbols]
    if isinstance(at, Mapping):
        missing = [n for n in names if n not in at]
        if missing:
            raise ValueError(message("give a value for every variable of the formula: missing {missing} in at",
                                     missing=missing))
        # at's own order; a name the formula does not use is allowed (its derivative is 0)
        return {str(n): require_point(f"at[{n!r}]", v) for n, v in at.items()}
    if len(names) != 1:
        raise ValueError(message("the formula has the variables {names}: give at as a dict name → "
                                 "value, e.g. at={{'x': 1.0, 'w': 0.5}}", names=names))
    return {names[0]: require_point("at", at)}


def _wrt(wrt, names: list[str]) -> list[str]:
    if wrt is None:
        return names
    names_given = [wrt] if isinstance(wrt, str) else wrt
    if not isinstance(wrt, (str, list, tuple)) or not all(isinstance(n, str) for n in names_given):
        raise TypeError(message("wrt must be a variable's name or a list of names, got {kind}",
                                kind=type(wrt).__name__))
    chosen = [wrt] if isinstance(wrt, str) else list(wrt)
    unknown = [n for n in chosen if n not in names]
    if unknown or not chosen:
        raise ValueError(message("wrt must name variables of the formula ({names}), got {wrt!r}",
                                 names=names, wrt=wrt))
    return chosen


def _call(fn: Callable, values: Mapping[str, object], body) -> object:
    """fn(**values), with the course's friendly message for a point where it cannot be evaluated."""
    try:
        return fn(**values)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ValueError(message("the function cannot be evaluated at {point} ({error}): pick "
                                 "another point", point=_point_text(values), error=exc)) from None
    except (NameError, TypeError) as exc:
        raise ValueError(message("{body} cannot be evaluated numerically ({error}); it may use a "
                                 "function with no numeric counterpart: use {known_functions}",
                                 body=body, error=exc, known_functions=_known_functions())) from None


def _point_text(values: Mapping[str, object]) -> str:
    return ", ".join(f"{n}={float(v):g}" for n, v in values.items())


# --------------------------------------------------------------------------- the three derivatives
def _exact(body, name: str, values: Mapping[str, float]) -> tuple[object, float]:
    """(d, value): sympy's derivative of body by `name` and its value at the point (30 digits),
    or the friendly error where the derivative is infinite or not real there (sqrt(x) at 0)."""
    import sympy as sp

    d = sp.diff(body, _real_symbol(name))
    value = d.subs({_real_symbol(n): sp.Float(v, 30) for n, v in values.items()}).evalf(30)
    if not (value.is_real and value.is_finite):
        raise ValueError(message("the derivative d/d{name} = {derivative} is not a finite real number at "
                                 "{point} (sympy gives {value}): pick another point",
                                 name=name, derivative=_pretty(d), point=_point_text(values), value=value))
    return d, float(value)


def _numeric(f_math: Callable, values: Mapping[str, float], name: str, h: float, body) -> float:
    """Central difference in float64 along `name`, the other variables held fixed. Where the
    function cannot be evaluated at a nudged point, the message names the learner's point and
    the step h, not the nudged point, which the learner never typed."""
    def along(t: float):
        try:
            return f_math(**{**values, name: t})
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ValueError(
                message("the numeric derivative evaluates the function at {name} ± h, with "
                        "{name}={x:g} and h={h:g}, and it cannot be evaluated at {name} {side} h "
                        "({reason}): pick a point farther than h from where the function stops being "
                        "defined, or a smaller h",
                        name=name, x=values[name], h=h, side="−" if t < values[name] else "+", reason=exc)) from None

    return central_difference(along, values[name], h)


def _autograd(f_torch: Callable, values: Mapping[str, float], wrt: list[str], body) -> dict[str, float]:
    """∂f/∂name for every name in wrt, from one backward pass over float64 leaves."""
    leaves = {n: torch.tensor(v, dtype=torch.float64, requires_grad=n in wrt) for n, v in values.items()}
    out = torch.as_tensor(_call(f_torch, leaves, body), dtype=torch.float64)
    if not out.requires_grad:  # the formula does not depend on the wrt variables
        return {n: 0.0 for n in wrt}
    grads = torch.autograd.grad(out, [leaves[n] for n in wrt], allow_unused=True)
    return {n: 0.0 if g is None else float(g) for n, g in zip(wrt, grads)}


def _pretty(e) -> str:
    return str(e).replace("**", "^").replace("*", "·")


# --------------------------------------------------------------------------- the table
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


HEADER = ("f", "d/d", N_("derivative (sympy)"), N_("at"), "sympy", N_("numeric"), "autograd", N_("agreement"))


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
        return [[_short(r.function), r.wrt, _short(r.derivative), r.point,
                 *(f"{v:.7g}" for v in (r.sympy, r.numeric, r.autograd)),
                 message("{verdict} (< {limit:.0e})", verdict=translate(r.verdict), limit=band_limit(r.error))]
                for r in self.rows]

    def __str__(self) -> str:
        return text_table([translate(h) for h in HEADER], self.cells())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_table([translate(h) for h in HEADER], self.cells())


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
            raise ValueError(message("expr is an empty dict: give at least one label → formula"))
        return ThreeWayTable(tuple(row for lab, e in expr.items()
                                   for row in three_way(e, at, wrt=wrt, label=str(lab), h=h).rows))
    h = require_step("h", h)
    body, values = _formula(expr, at)
    f_math, f_torch = _numeric_functions(body, list(values))
    base = require_scalar_output(translate("the function"), _call(f_math, values, body))
    if not math.isfinite(base):
        raise ValueError(message("the function is not finite at {point}: pick another point",
                                 point=_point_text(values)))
    names = _wrt(wrt, list(values))
    exact = {name: _exact(body, name, values) for name in names}
    grads = _autograd(f_torch, values, names, body)
    point = _point_text(values)
    return ThreeWayTable(tuple(
        ThreeWayRow(label or _pretty(body), name, _pretty(exact[name][0]), point, exact[name][1],
                    _numeric(f_math, values, name, h, body), grads[name])
        for name in names))


def _numeric_functions(body, names: list[str]) -> tuple[Callable, Callable]:
    """body as a function of floats (math) and as a function of float64 tensors (torch)."""
    import sympy as sp

    syms = [_real_symbol(n) for n in names]
    return sp.lambdify(syms, body, modules="math"), sp.lambdify(syms, body, modules=[torch_functions()])
