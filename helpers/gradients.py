"""Gradient checks: finite differences, relative error and its verdict, three-way comparisons.

Definitions follow the cs231n notes on gradient checking:

* centred difference  f'(x) ≈ (f(x+h) − f(x−h)) / 2h   (error O(h²); forward difference is O(h))
* relative error      |a − b| / max(|a|, |b|)   the notes' own definition, taken elementwise and
                      reduced to the worst element; 0 where a and b are both 0. (The cs231n
                      assignments divide by max(1e-8, |a| + |b|) instead, up to 2× smaller:
                      the bands below belong to the notes' definition, the course's only one.)
* bands               > 1e-2 wrong · 1e-2…1e-4 suspicious · 1e-4…1e-7 acceptable with kinks · < 1e-7 good

The notes' caveat travels with the bands: an error up to 1e-4 is "usually okay for objectives
with kinks" (ReLU, max, absolute value), where a nudge can cross a kink; for a smooth objective
(sigmoid, tanh, softmax: every network of this course) 1e-4 is too high, and a right backward
gives < 1e-7. So the band's name says "with kinks".

Use float64 and h ≈ 1e-5…1e-6: smaller h drowns the difference in round-off error,
larger h in truncation error (lesson 01 plots this U-shaped curve). Every gradient check here
(finite differences, `numeric_grad`, `compare_gradients`) warns with `LowPrecisionWarning`
when given anything below float64: one rule, `warn_if_low_precision`.
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from html import escape
from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from helpers.columns import pad, text_width
from helpers.i18n import N_, message, translate
from helpers.validation import (require_bool, require_callable, require_int, require_real, require_scalar_output,
                               require_step,
                               require_tensor)

DEFAULT_H = 1e-5

LOW_PRECISION = N_("{what} in {dtype}: its round-off (ε = {eps:.1e}) keeps a gradient check out of the 'good' "
                 "band, and a finite difference with step h is off by about ε/h; convert to float64 first "
                 "({fix})")


class LowPrecisionWarning(UserWarning):
    """A gradient check was given numbers below float64 precision."""


def warn_if_low_precision(what: str, dtype: torch.dtype, fix: str = "x.double()", stacklevel: int = 2) -> bool:
    """Warn (LowPrecisionWarning) if `dtype` is a floating dtype less precise than float64; returns
    whether it warned. float32's ε ≈ 1.2e-7 is above the 'good' band (< 1e-7) by itself, and a
    central difference with h = 1e-5 divides round-off by h: 2.0027 instead of 2 for the slope of x²."""
    if dtype is torch.float64:  # the usual case, first: this runs on every gradient check
        return False
    if not isinstance(dtype, torch.dtype):
        raise TypeError(message("dtype must be a torch dtype such as torch.float32, got {kind}",
                                kind=type(dtype).__name__))
    stacklevel = require_int("stacklevel", stacklevel, min=1, max=100)
    if not dtype.is_floating_point or torch.finfo(dtype).eps <= torch.finfo(torch.float64).eps:
        return False
    warnings.warn(message(LOW_PRECISION, what=what, dtype=str(dtype).replace("torch.", ""),
                          eps=torch.finfo(dtype).eps, fix=fix),
                  LowPrecisionWarning, stacklevel=stacklevel + 1)
    return True


# --------------------------------------------------------------------------- validation
def _check_callable(f: object) -> None:
    require_callable("f", f, N_("a function of one argument"))


def _float_tensor(x: object, name: str) -> torch.Tensor:
    return require_tensor(name, x, floating=True,
                          hint=message("use float64 for gradient checks: {name}.double()", name=name))


# --------------------------------------------------------------------------- differences
def forward_difference(f: Callable, x, h: float = DEFAULT_H, *, warn: bool = True):
    """Slope estimate (f(x+h) − f(x)) / h; a Python float or a tensor shaped like x.

    For a tensor x, f must return a scalar and the result holds ∂f/∂x for every element.
    A tensor below float64 gives a LowPrecisionWarning unless warn=False (for showing its
    round-off on purpose, as lesson 01 does).
    """
    return _difference(f, x, h, central=False, warn=warn)


def central_difference(f: Callable, x, h: float = DEFAULT_H, *, warn: bool = True):
    """Slope estimate (f(x+h) − f(x−h)) / 2h, second-order accurate; float or tensor like x
    (warn as in `forward_difference`)."""
    return _difference(f, x, h, central=True, warn=warn)


def _difference(f: Callable, x, h: float, central: bool, warn: bool):
    _check_callable(f)
    h = require_step("h", h)
    if isinstance(x, torch.Tensor):
        if require_bool("warn", warn):
            warn_if_low_precision("x", x.dtype, fix="x.double()", stacklevel=3)
        return _tensor_difference(f, x, h, central)
    x = require_real("x", x, finite=False, what=N_("a float or a floating-point tensor"))
    if central:
        return (require_scalar_output("f", f(x + h)) - require_scalar_output("f", f(x - h))) / (2 * h)
    return (require_scalar_output("f", f(x + h)) - require_scalar_output("f", f(x))) / h


def _tensor_difference(f: Callable, x: torch.Tensor, h: float, central: bool) -> torch.Tensor:
    _float_tensor(x, "x")
    base = x.detach().clone()
    return _nudge_elements(lambda: f(base), base, h, central)


def _nudge_elements(evaluate: Callable[[], object], target: torch.Tensor, h: float,
                    central: bool) -> torch.Tensor:
    """Nudge each element of `target` in place by ±h, call evaluate(), restore the element.

    The element is restored even when evaluate() raises or returns a non-scalar, so a learner's
    tensor is never left nudged. Elements are indexed one by one (no .view), so transposed and
    other non-contiguous tensors work too.
    """
    grad = torch.zeros_like(target)
    with torch.no_grad():
        f0 = None if central else require_scalar_output("f", evaluate())
        for index in np.ndindex(*target.shape):
            old = target[index].item()
            try:
                target[index] = old + h
                f_plus = require_scalar_output("f", evaluate())
                if central:
                    target[index] = old - h
                    grad[index] = (f_plus - require_scalar_output("f", evaluate())) / (2 * h)
                else:
                    grad[index] = (f_plus - f0) / h
            finally:
                target[index] = old
    return grad


def numeric_grad(f: Callable[[], object], params: Mapping[str, torch.Tensor],
                 h: float = DEFAULT_H) -> dict[str, torch.Tensor]:
    """Central-difference ∂f/∂p for every element of every named parameter.

    `f` takes no arguments and reads the parameters (a closure over them, as a loss
    function over a model's weights does); each element is nudged in place and restored.
    """
    _check_callable(f)
    h = require_step("h", h)
    _check_named(params, "params")
    for name, p in params.items():
        _float_tensor(p, f"params[{name!r}]")
        warn_if_low_precision(f"params[{name!r}]", p.dtype, fix=f"params[{name!r}].double()")
    return {name: _nudge_elements(f, p.data, h, central=True) for name, p in params.items()}


# --------------------------------------------------------------------------- errors and verdicts
def rel_error(a, b) -> float:
    """The relative error of the cs231n notes, |a − b| / max(|a|, |b|), taken elementwise and
    reduced to the worst element; an element where a and b are both 0 counts as 0.

    It lies in [0, 2] (2 when a and b have opposite signs); `verdict` names its bands.
    """
    ta, tb = _as_tensor(a, "a"), _as_tensor(b, "b")
    if ta.shape != tb.shape:
        raise ValueError(message("a and b must have the same shape, got {a_shape} and {b_shape}",
                                 a_shape=tuple(ta.shape), b_shape=tuple(tb.shape)))
    if ta.numel() == 0:
        raise ValueError(message("a and b are empty: there is nothing to compare"))
    for name, t in (("a", ta), ("b", tb)):
        if not torch.isfinite(t).all():
            raise ValueError(message("{name} contains NaN or inf; a gradient check needs finite values", name=name))
    ta, tb = ta.double(), tb.double()
    scale = torch.maximum(ta.abs(), tb.abs())
    err = torch.where(scale > 0, (ta - tb).abs() / scale.clamp(min=torch.finfo(torch.float64).tiny), 0.0)
    return float(err.max().item())


def _as_tensor(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu()
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return torch.tensor([float(x)], dtype=torch.float64)
    if isinstance(x, (list, tuple)):
        try:
            return torch.tensor(x, dtype=torch.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(message("{name} must be a number, a list of numbers or a tensor ({error})",
                                    name=name, error=exc)) from None
    raise TypeError(message("{name} must be a number, a list of numbers or a tensor, got {kind}",
                            name=name, kind=type(x).__name__))


# The bands of the cs231n notes for rel_error (upper limit, name); at or above 1e-2: "wrong".
# 1e-7…1e-4 is acceptable only for an objective with kinks (see the module docstring).
BANDS = ((1e-7, N_("good")), (1e-4, N_("acceptable with kinks")), (1e-2, N_("suspicious")))


def verdict(error: float) -> str:
    """'good' < 1e-7 ≤ 'acceptable with kinks' < 1e-4 ≤ 'suspicious' < 1e-2 ≤ 'wrong' (float64
    bands; for a smooth objective anything above 'good' deserves a look)."""
    limit = band_limit(error)
    return next((name for top, name in BANDS if top == limit), N_("wrong"))


def band_limit(error: float) -> float:
    """The upper limit of the band `error` falls in (1e-7 for 'good', …, inf for 'wrong'):
    a summary of a relative error that is the same on every machine."""
    error = require_real("error", error, min=0, finite=False)
    return next((top for top, _ in BANDS if error < top), math.inf)


# The classes a relative error is shown in. Round-off digits differ between CPUs and BLAS
# builds, and nbval compares a table's text and HTML, so a table shows the class, never the
# digits (not even their power of ten): below 1e-12 is round-off (the same arithmetic in another
# order), the other limits are the bands of `verdict`.
ERROR_CLASSES = ((1e-12, "< 1e-12"), (1e-7, "< 1e-7"), (1e-4, "< 1e-4"), (1e-2, "< 1e-2"))


def error_class(error: float) -> str:
    """'< 1e-12', '< 1e-7', '< 1e-4', '< 1e-2' or '≥ 1e-2': the class of a relative error."""
    error = require_real(translate("the relative error"), error, min=0, finite=False)
    return next((label for limit, label in ERROR_CLASSES if error < limit), "≥ 1e-2")


# The methods' names as tables and ✓ lines show them (compare_gradients takes them as keywords).
METHOD_NAMES = (N_("manual"), N_("autograd"), N_("numeric"), N_("custom"))


def confirm_gradient(name: str, mine, reference, against: str = "autograd", below: float = 1e-12) -> None:
    """Print one ✓ line when a gradient computed by hand agrees with a reference: `rel_error`
    below `below` (default 1e-12, float64 round-off: the same arithmetic in another order);
    raise `helpers.claims.ClaimError` naming the gradient otherwise. Both must have one shape.

    `name` and `against` are names (``"∂J/∂W2"``, ``"autograd"``, ``"a − y"``), not sentences.
    The printed line says the bound, never the digits of round-off (they differ between CPUs).
    """
    from helpers.claims import confirm

    for label, value in (("name", name), ("against", against)):
        if not isinstance(value, str) or not value:
            raise TypeError(message("{label} must be a non-empty str naming the gradient, got {value!r}",
                                    label=label, value=value))
    below = require_real("below", below, above=0)
    ta, tb = _as_tensor(mine, "mine"), _as_tensor(reference, "reference")
    if ta.numel() == tb.numel() == 1:  # a number against a one-element tensor
        ta, tb = ta.reshape(()), tb.reshape(())
    elif ta.shape != tb.shape:
        raise ValueError(message("mine and reference must have the same shape, got {a_shape} and {b_shape}",
                                 a_shape=tuple(ta.shape), b_shape=tuple(tb.shape)))
    shape = "×".join(map(str, mine.shape)) if isinstance(mine, torch.Tensor) and mine.ndim else translate("scalar")
    confirm(rel_error(ta, tb) < below, "{name} (shape {shape}) matches {against}: relative error below {below:.0e}",
            name=name, shape=shape, against=translate(against), below=below)


# --------------------------------------------------------------------------- comparisons
def _check_named(tensors: object, what: str) -> None:
    if not isinstance(tensors, Mapping):
        raise TypeError(message("{what} must be a dict of name → tensor, got {kind}",
                                what=what, kind=type(tensors).__name__))
    if not tensors:
        raise ValueError(message("{what} is empty: give at least one named tensor", what=what))
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise TypeError(message("{what}[{name!r}] must be a torch.Tensor, got {kind}",
                                    what=what, name=name, kind=type(t).__name__))


@dataclass(frozen=True)
class GradientComparison:
    """One row per parameter: relative errors between every pair of methods, and a verdict."""

    methods: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...], dict[str, float], str], ...]

    @property
    def worst(self) -> float:
        return max(max(errs.values()) for _, _, errs, _ in self.rows)

    @property
    def all_good(self) -> bool:
        return all(v == "good" for *_, v in self.rows)

    def wrong(self) -> list[str]:
        """Names of parameters whose gradients disagree (suspicious or wrong)."""
        return [name for name, _, _, v in self.rows if v in ("suspicious", "wrong")]

    def header(self) -> list[str]:
        pairs = list(self.rows[0][2]) if self.rows else []
        return [translate("parameter"), translate("shape"), *[message("rel. error {pair}", pair="–".join(translate(m) for m in p.split("–")))
                                                            for p in pairs],
                translate("verdict")]

    def cells(self) -> list[list[str]]:
        """Each error as its class (`error_class`: < 1e-12, < 1e-7, …): the digits of round-off,
        even their power of ten, differ between machines, and stored lesson outputs must not."""
        return [[name, "×".join(map(str, shape)) or translate("scalar"), *[error_class(e) for e in errs.values()],
                 translate(v)] for name, shape, errs, v in self.rows]

    def __str__(self) -> str:
        return text_table(self.header(), self.cells())

    def _repr_html_(self) -> str:
        return html_table(self.header(), self.cells())

    def __repr__(self) -> str:
        return str(self)


# --------------------------------------------------------------------------- tables
def _check_table(header: object, rows: object) -> tuple[list[str], list[list[str]]]:
    """header as a list of str, rows as lists of str with one cell per header column."""
    if not isinstance(header, (list, tuple)) or not header or not all(isinstance(h, str) for h in header):
        raise TypeError(message("header must be a non-empty list of column names (strings), got {kind}",
                                kind=type(header).__name__))
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in rows):
        raise TypeError(message("rows must be a list of rows, each a list of cells, got {kind}",
                                kind=type(rows).__name__))
    for i, row in enumerate(rows):
        if len(row) != len(header) or not all(isinstance(c, str) for c in row):
            raise ValueError(message("rows[{i}] must hold {n} strings, one per column of header, got {row!r}",
                                     i=i, n=len(header), row=row))
    return list(header), [list(r) for r in rows]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a dashed rule under the header. Widths count columns
    of a monospace font (`helpers.columns.text_width`), so Chinese cells line up too."""
    header, rows = _check_table(header, rows)
    table = [header, *rows]
    widths = [max(text_width(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(pad(c, w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The same table as HTML; every cell is escaped, so a name such as "<b>" shows as text."""
    header, rows = _check_table(header, rows)
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def compare_gradients(**methods: Mapping[str, torch.Tensor]) -> GradientComparison:
    """Compare named gradients from several methods, e.g. manual=…, autograd=…, numeric=….

    Every method must give the same names, shapes and dtypes. float32 input warns: its
    round-off (~1e-7 relative) is larger than the 'good' band, so use float64 for checks.
    """
    _check_methods(methods)
    labels = list(methods)
    rows = []
    for name in methods[labels[0]]:
        tensors = {label: methods[label][name] for label in labels}
        _check_alike(name, tensors)
        errs = {f"{a}–{b}": rel_error(tensors[a], tensors[b])
                for i, a in enumerate(labels) for b in labels[i + 1:]}
        shape = tuple(tensors[labels[0]].shape)
        rows.append((name, shape, errs, verdict(max(errs.values()))))
    return GradientComparison(tuple(labels), tuple(rows))


def _check_methods(methods: Mapping[str, Mapping[str, torch.Tensor]]) -> None:
    """At least two methods, each a dict of name → tensor, all naming the same parameters."""
    if len(methods) < 2:
        raise ValueError(message("give at least two methods to compare, e.g. manual=…, autograd=…"))
    for label, grads in methods.items():
        _check_named(grads, label)
    labels = list(methods)
    first = methods[labels[0]]
    for label in labels[1:]:
        if set(methods[label]) != set(first):
            raise ValueError(message("{first_label} and {label} name different parameters: {first_names} vs {names}",
                                     first_label=labels[0], label=label, first_names=sorted(first),
                                     names=sorted(methods[label])))


def _check_alike(name: str, tensors: Mapping[str, torch.Tensor]) -> None:
    """One parameter's gradients: same shape, same floating dtype (warn below float64), finite."""
    if len({tuple(t.shape) for t in tensors.values()}) != 1:
        raise ValueError(message("gradients for {name!r} have different shapes: {shapes}", name=name,
                                 shapes=", ".join(f"{k} {tuple(t.shape)}" for k, t in tensors.items())))
    dtypes = {t.dtype for t in tensors.values()}
    if len(dtypes) != 1:
        raise ValueError(message("gradients for {name!r} have different dtypes: {dtypes}; convert them all to float64",
                                 name=name, dtypes=", ".join(f"{k} {t.dtype}" for k, t in tensors.items())))
    dtype = dtypes.pop()
    if not dtype.is_floating_point:
        raise ValueError(message("gradients for {name!r} must be floating point, got {dtype}",
                                 name=name, dtype=dtype))
    warn_if_low_precision(message("the gradients of {name!r}", name=name), dtype, fix=translate("each tensor's .double()"),
                          stacklevel=3)
    for label, t in tensors.items():
        if not torch.isfinite(t).all():
            raise ValueError(message("{label} gradient for {name!r} contains NaN or inf", label=label, name=name))
