"""Gradient checks: finite differences, relative error and its verdict, three-way comparisons.

Definitions follow the cs231n notes on gradient checking:

* centred difference  f'(x) ≈ (f(x+h) − f(x−h)) / 2h   (error O(h²); forward difference is O(h))
* relative error      max|a − b| / max(1e-8, |a| + |b|)   (elementwise denominators, worst element)
* bands               > 1e-2 wrong · 1e-2…1e-4 suspicious · 1e-4…1e-7 acceptable · < 1e-7 good

Use float64 and h ≈ 1e-5…1e-6: smaller h drowns the difference in round-off error,
larger h in truncation error (lesson 01 plots this U-shaped curve).
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Callable, Mapping

import torch

DEFAULT_H = 1e-5


# --------------------------------------------------------------------------- validation
def _check_step(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        raise TypeError(f"h must be a positive real number, got {type(h).__name__}")
    if not math.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a positive finite step such as 1e-5, got {h!r}")
    return float(h)


def _check_callable(f: object) -> None:
    if not callable(f):
        raise TypeError(f"f must be a function of one argument, got {type(f).__name__}")


def _scalar(value: object, where: str) -> float:
    """The float of a scalar result; a clear error for anything that is not one number."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{where} must return a scalar, got a tensor of shape {tuple(value.shape)}")
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must return a scalar (a float or a one-element tensor), "
                         f"got {type(value).__name__}")
    return float(value)


def _float_tensor(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor (float64 for gradient checks), "
                         f"got dtype {x.dtype}; use {name}.double()")
    return x


# --------------------------------------------------------------------------- differences
def forward_difference(f: Callable, x, h: float = DEFAULT_H):
    """Slope estimate (f(x+h) − f(x)) / h; a Python float or a tensor shaped like x.

    For a tensor x, f must return a scalar and the result holds ∂f/∂x for every element.
    """
    return _difference(f, x, h, central=False)


def central_difference(f: Callable, x, h: float = DEFAULT_H):
    """Slope estimate (f(x+h) − f(x−h)) / 2h, second-order accurate; float or tensor like x."""
    return _difference(f, x, h, central=True)


def _difference(f: Callable, x, h: float, central: bool):
    _check_callable(f)
    h = _check_step(h)
    if isinstance(x, torch.Tensor):
        return _tensor_difference(f, x, h, central)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"x must be a float or a floating-point tensor, got {type(x).__name__}")
    x = float(x)
    if central:
        return (_scalar(f(x + h), "f") - _scalar(f(x - h), "f")) / (2 * h)
    return (_scalar(f(x + h), "f") - _scalar(f(x), "f")) / h


def _tensor_difference(f: Callable, x: torch.Tensor, h: float, central: bool) -> torch.Tensor:
    _float_tensor(x, "x")
    base = x.detach().clone()
    return _nudge_elements(lambda: f(base), base, h, central)


def _nudge_elements(evaluate: Callable[[], object], target: torch.Tensor, h: float,
                    central: bool) -> torch.Tensor:
    """Nudge each element of `target` in place by ±h, call evaluate(), restore the element."""
    grad = torch.zeros_like(target)
    with torch.no_grad():
        flat, out = target.view(-1), grad.view(-1)
        f0 = None if central else _scalar(evaluate(), "f")
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + h
            f_plus = _scalar(evaluate(), "f")
            if central:
                flat[i] = old - h
                out[i] = (f_plus - _scalar(evaluate(), "f")) / (2 * h)
            else:
                out[i] = (f_plus - f0) / h
            flat[i] = old
    return grad


def numeric_grad(f: Callable[[], object], params: Mapping[str, torch.Tensor],
                 h: float = DEFAULT_H) -> dict[str, torch.Tensor]:
    """Central-difference ∂f/∂p for every element of every named parameter.

    `f` takes no arguments and reads the parameters (a closure over them, as a loss
    function over a model's weights does); each element is nudged in place and restored.
    """
    _check_callable(f)
    h = _check_step(h)
    _check_named(params, "params")
    for name, p in params.items():
        _float_tensor(p, f"params[{name!r}]")
    return {name: _nudge_elements(f, p.data, h, central=True) for name, p in params.items()}


# --------------------------------------------------------------------------- errors and verdicts
def rel_error(a, b) -> float:
    """max |a − b| / max(1e-8, |a| + |b|), taken elementwise and reduced by the worst element."""
    ta, tb = _as_tensor(a, "a"), _as_tensor(b, "b")
    if ta.shape != tb.shape:
        raise ValueError(f"a and b must have the same shape, got {tuple(ta.shape)} and {tuple(tb.shape)}")
    if ta.numel() == 0:
        raise ValueError("a and b are empty: there is nothing to compare")
    for name, t in (("a", ta), ("b", tb)):
        if not torch.isfinite(t).all():
            raise ValueError(f"{name} contains NaN or inf; a gradient check needs finite values")
    ta, tb = ta.double(), tb.double()
    err = (ta - tb).abs() / ((ta.abs() + tb.abs()).clamp(min=1e-8))
    return float(err.max().item())


def _as_tensor(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu()
    if isinstance(x, bool) or x is None:
        raise TypeError(f"{name} must be a number or a tensor, got {type(x).__name__}")
    if isinstance(x, numbers.Real):
        return torch.tensor([float(x)], dtype=torch.float64)
    if isinstance(x, (list, tuple)):
        try:
            return torch.tensor(x, dtype=torch.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a number, a list of numbers or a tensor ({exc})") from None
    raise TypeError(f"{name} must be a number, a list of numbers or a tensor, got {type(x).__name__}")


BANDS = ((1e-7, "good"), (1e-4, "acceptable"), (1e-2, "suspicious"))


def verdict(error: float) -> str:
    """'good' < 1e-7 ≤ 'acceptable' < 1e-4 ≤ 'suspicious' < 1e-2 ≤ 'wrong' (float64 bands)."""
    if isinstance(error, bool) or not isinstance(error, numbers.Real):
        raise TypeError(f"error must be a real number, got {type(error).__name__}")
    if math.isnan(error) or error < 0:
        raise ValueError(f"error must be a non-negative number, got {error!r}")
    for limit, name in BANDS:
        if error < limit:
            return name
    return "wrong"


def error_bound(error: float) -> str:
    """'0' or the smallest power of ten at or above the error, e.g. 3.2e-11 → '≤ 1e-10'."""
    if error == 0:
        return "0"
    return f"≤ 1e{math.ceil(math.log10(error) - 1e-12)}"


# --------------------------------------------------------------------------- comparisons
def _check_named(tensors: object, what: str) -> None:
    if not isinstance(tensors, Mapping):
        raise TypeError(f"{what} must be a dict of name → tensor, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{what} is empty: give at least one named tensor")
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{what}[{name!r}] must be a torch.Tensor, got {type(t).__name__}")


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

    def __str__(self) -> str:
        """The table, each error shown as a power-of-ten bound (≤ 1e-10): the exact digits of
        round-off differ between machines, and stored lesson outputs must not."""
        pairs = list(self.rows[0][2]) if self.rows else []
        header = ["parameter", "shape", *[f"rel. error {p}" for p in pairs], "verdict"]
        table = [header] + [
            [name, "×".join(map(str, shape)) or "scalar", *[error_bound(errs[p]) for p in pairs], v]
            for name, shape, errs, v in self.rows
        ]
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        pairs = list(self.rows[0][2]) if self.rows else []
        head = "".join(f"<th>{h}</th>" for h in ["parameter", "shape", *[f"rel. error {p}" for p in pairs], "verdict"])
        body = "".join(
            "<tr>" + f"<td>{name}</td><td>{'×'.join(map(str, shape)) or 'scalar'}</td>"
            + "".join(f"<td>{error_bound(errs[p])}</td>" for p in pairs) + f"<td>{v}</td></tr>"
            for name, shape, errs, v in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        return str(self)


def compare_gradients(**methods: Mapping[str, torch.Tensor]) -> GradientComparison:
    """Compare named gradients from several methods, e.g. manual=…, autograd=…, numeric=….

    Every method must give the same names, shapes and dtypes. float32 input warns: its
    round-off (~1e-7 relative) is larger than the 'good' band, so use float64 for checks.
    """
    if len(methods) < 2:
        raise ValueError("give at least two methods to compare, e.g. manual=…, autograd=…")
    for label, grads in methods.items():
        _check_named(grads, label)
    labels = list(methods)
    first = methods[labels[0]]
    for label in labels[1:]:
        if set(methods[label]) != set(first):
            raise ValueError(f"{labels[0]} and {label} name different parameters: "
                             f"{sorted(first)} vs {sorted(methods[label])}")
    rows = []
    for name in first:
        tensors = {label: methods[label][name] for label in labels}
        shapes = {tuple(t.shape) for t in tensors.values()}
        if len(shapes) != 1:
            raise ValueError(f"gradients for {name!r} have different shapes: "
                             + ", ".join(f"{k} {tuple(t.shape)}" for k, t in tensors.items()))
        dtypes = {t.dtype for t in tensors.values()}
        if len(dtypes) != 1:
            raise ValueError(f"gradients for {name!r} have different dtypes: "
                             + ", ".join(f"{k} {t.dtype}" for k, t in tensors.items())
                             + "; convert them all to float64")
        dtype = dtypes.pop()
        if not dtype.is_floating_point:
            raise ValueError(f"gradients for {name!r} must be floating point, got {dtype}")
        if dtype != torch.float64:
            warnings.warn(f"gradients for {name!r} are {dtype}: expect errors near 1e-4…1e-6 "
                          "from round-off; use float64 for a gradient check", stacklevel=2)
        for label, t in tensors.items():
            if not torch.isfinite(t).all():
                raise ValueError(f"{label} gradient for {name!r} contains NaN or inf")
        errs = {f"{a}–{b}": rel_error(tensors[a], tensors[b])
                for i, a in enumerate(labels) for b in labels[i + 1:]}
        rows.append((name, tuple(next(iter(shapes))), errs, verdict(max(errs.values()))))
    return GradientComparison(tuple(labels), tuple(rows))
