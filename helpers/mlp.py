"""The two-layer MLP of lesson 06, with its backward pass written by hand.

The network of the source material (d2l's backprop chapter), batched over the rows of X
and with optional biases:

    Z = X W1ᵀ + b1      H = φ(Z)      O = H W2ᵀ + b2
    L = 1/(2n) Σᵢ ‖oᵢ − yᵢ‖²          s = λ/2 (‖W1‖²_F + ‖W2‖²_F)          J = L + s

Shapes: X (n×d), W1 (m×d), b1 (m), Z, H (n×m), W2 (q×m), b2 (q), O, Y (n×q); m hidden units.

`forward` keeps every intermediate value by name, `backward` turns them into gradients
with tensor operations only (no autograd), `BUGS` holds three realistic wrong backward
passes, `difference_errors` and `difference_error_curve` estimate and measure the two error
terms of a central difference, `show` displays a comparison table whose text is the same on
every machine, and `backward_steps` lists the steps of the backward pass of one example (one
row), with values, for the stepper widget.

The finite-difference step is h, as everywhere in the course; the hidden activation is H.

The contract of the course's two-layer networks, the same here as in `helpers.classification`:

    params = init_params(n_in, n_hidden, n_out, *, seed=0, dtype=torch.float64)   # a dict of tensors
    fwd = forward(params, X, targets, …)      # a frozen `Forward`: every intermediate value, fwd.J the loss
    grads = backward(params, fwd)             # ∂J/∂(each parameter), a dict in params' order
    grads = autograd_grads(params, X, targets, …)   # the same dict from PyTorch's autograd

X holds one sample per row; every tensor has one dtype and one device. A wrong kind of
argument is a TypeError, a wrong value (shape, dtype, device, range) a ValueError.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from helpers import i18n
from helpers.i18n import N_, message, translate
from helpers.gradients import DEFAULT_H, GradientComparison, compare_gradients, numeric_grad
from helpers.validation import (require_bool, require_callable, require_float_dtype, require_int, require_real,
                               require_same_dtype_and_device, require_seed, require_step, require_tensor)

Params = dict[str, torch.Tensor]


# --------------------------------------------------------------------------- activations
def sigmoid(z: torch.Tensor) -> torch.Tensor:
    """σ(z) = 1 / (1 + e^(−z))."""
    return torch.sigmoid(require_tensor("z", z))


def dsigmoid(z: torch.Tensor) -> torch.Tensor:
    """σ′(z) = σ(z) (1 − σ(z))."""
    s = torch.sigmoid(require_tensor("z", z))
    return s * (1 - s)


def tanh(z: torch.Tensor) -> torch.Tensor:
    """tanh(z)."""
    return torch.tanh(require_tensor("z", z))


def dtanh(z: torch.Tensor) -> torch.Tensor:
    """tanh′(z) = 1 − tanh²(z)."""
    return 1 - torch.tanh(require_tensor("z", z)) ** 2


# name → (φ, φ′)
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {"sigmoid": (sigmoid, dsigmoid), "tanh": (tanh, dtanh)}


# --------------------------------------------------------------------------- validation
def _check_dtype(dtype: object) -> torch.dtype:
    return require_float_dtype("dtype", dtype, allowed=(torch.float32, torch.float64))


def _check_lam(lam: object) -> float:
    return require_real(translate("lam (λ)"), lam, min=0, example="0.01")


def _check_activation(activation: object) -> tuple[Callable, Callable]:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(message("activation must be one of {names}, got {activation!r}",
                                 names=sorted(ACTIVATIONS), activation=activation))
    return ACTIVATIONS[activation]  # type: ignore[index]


def _check_params(params: object) -> Params:
    if not isinstance(params, Mapping):
        raise TypeError(message("params must be a dict with keys W1, W2 (and optionally b1, b2), got {kind}",
                                kind=type(params).__name__))
    allowed = {"W1", "W2", "b1", "b2"}
    missing = {"W1", "W2"} - set(params)
    extra = set(params) - allowed
    if missing or extra:
        raise ValueError(message("params must have keys W1, W2 and optionally b1, b2; missing "
                                 "{missing}, unexpected {extra}", missing=sorted(missing), extra=sorted(extra)))
    for name, t in params.items():
        require_tensor(f"params[{name!r}]", t, floating=True)
    W1, W2 = params["W1"], params["W2"]
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0]:
        raise ValueError(message("W1 must be (hidden × inputs) and W2 (outputs × hidden); got W1 "
                                 "{w1_shape} and W2 {w2_shape}", w1_shape=tuple(W1.shape), w2_shape=tuple(W2.shape)))
    if ("b1" in params) != ("b2" in params):
        raise ValueError(message("give both biases b1 and b2, or neither"))
    if "b1" in params and (tuple(params["b1"].shape) != (W1.shape[0],)
                           or tuple(params["b2"].shape) != (W2.shape[0],)):
        raise ValueError(message("b1 must have shape ({hidden},) and b2 shape ({outputs},); got "
                                 "{b1_shape} and {b2_shape}",
                                 hidden=W1.shape[0], outputs=W2.shape[0], b1_shape=tuple(params['b1'].shape),
                                 b2_shape=tuple(params['b2'].shape)))
    require_same_dtype_and_device({f"params[{name!r}]": t for name, t in params.items()})
    return dict(params)


def _check_data(params: Params, X: object, Y: object) -> None:
    for name, t in (("X", X), ("Y", Y)):
        require_tensor(name, t, floating=True, ndim=2)
    d, q = params["W1"].shape[1], params["W2"].shape[0]
    if X.shape[1] != d or Y.shape[1] != q or X.shape[0] != Y.shape[0] or X.shape[0] == 0:  # type: ignore[union-attr]
        raise ValueError(message("X must be (n × {d}) and Y (n × {q}) with the same n ≥ 1; got X "
                                 "{x_shape} and Y {y_shape}",
                                 d=d, q=q, x_shape=tuple(X.shape), y_shape=tuple(Y.shape)))  # type: ignore[union-attr]
    require_same_dtype_and_device({"params['W1']": params["W1"], "X": X, "Y": Y})


# --------------------------------------------------------------------------- data
def init_params(n_in: int = 3, n_hidden: int = 4, n_out: int = 2, *, bias: bool = True,
                dtype: torch.dtype = torch.float64, seed: int = 0) -> Params:
    """Seeded weights W1 (n_hidden × n_in), W2 (n_out × n_hidden), and biases b1, b2 if `bias`.

    Entries are N(0, 1)/√fan_in, so the pre-activations stay near 1 and σ′ is not tiny.
    """
    for name, v in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
        require_int(name, v, min=1, max=4096, what=N_("a positive integer"))
    require_bool("bias", bias)
    dtype = _check_dtype(dtype)
    gen = torch.Generator().manual_seed(require_seed("seed", seed))
    params = {"W1": torch.randn(n_hidden, n_in, generator=gen, dtype=torch.float64) / n_in ** 0.5,
              "W2": torch.randn(n_out, n_hidden, generator=gen, dtype=torch.float64) / n_hidden ** 0.5}
    if bias:
        params["b1"] = 0.1 * torch.randn(n_hidden, generator=gen, dtype=torch.float64)
        params["b2"] = 0.1 * torch.randn(n_out, generator=gen, dtype=torch.float64)
    return {k: v.to(dtype) for k, v in params.items()}


def make_data(n: int = 5, n_in: int = 3, n_out: int = 2, *, dtype: torch.dtype = torch.float64,
              seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded mini-batch: X (n × n_in) and targets Y (n × n_out), standard normal entries."""
    for name, v, most in (("n", n, 100_000), ("n_in", n_in, 4096), ("n_out", n_out, 4096)):
        require_int(name, v, min=1, max=most, what=N_("a positive integer"))
    dtype = _check_dtype(dtype)
    gen = torch.Generator().manual_seed(require_seed("seed", seed))
    X = torch.randn(n, n_in, generator=gen, dtype=torch.float64)
    Y = torch.randn(n, n_out, generator=gen, dtype=torch.float64)
    return X.to(dtype), Y.to(dtype)


def cast(params: Mapping[str, torch.Tensor], dtype: torch.dtype) -> Params:
    """A copy of the parameters in another dtype (float32 ↔ float64)."""
    dtype = _check_dtype(dtype)
    return {k: v.detach().to(dtype).clone() for k, v in _check_params(params).items()}


# --------------------------------------------------------------------------- forward and backward
@dataclass(frozen=True)
class Forward:
    """Every intermediate value of one forward pass, kept for the backward pass."""

    X: torch.Tensor
    Y: torch.Tensor
    Z: torch.Tensor
    H: torch.Tensor
    O: torch.Tensor
    L: torch.Tensor
    s: torch.Tensor
    J: torch.Tensor
    lam: float
    activation: str


def forward(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
            activation: str = "sigmoid") -> Forward:
    """Z = X W1ᵀ + b1, H = φ(Z), O = H W2ᵀ + b2, J = L + s; differentiable if params require grad."""
    params = _check_params(params)
    _check_data(params, X, Y)
    lam = _check_lam(lam)
    phi, _ = _check_activation(activation)
    W1, W2 = params["W1"], params["W2"]
    Z = X @ W1.T + params["b1"] if "b1" in params else X @ W1.T
    H = phi(Z)
    O = H @ W2.T + params["b2"] if "b2" in params else H @ W2.T
    L = ((O - Y) ** 2).sum() / (2 * X.shape[0])
    s = lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return Forward(X, Y, Z, H, O, L, s, L + s, lam, activation)


def _check_forward(params: Params, fwd: object) -> Forward:
    """fwd itself, if it is this module's Forward and was computed with parameters of these shapes."""
    if not isinstance(fwd, Forward):
        raise TypeError(message("fwd must be the Forward returned by helpers.mlp.forward(...), got {kind}",
                                kind=type(fwd).__name__))
    W1, W2 = params["W1"], params["W2"]
    if fwd.X.shape[1] != W1.shape[1] or fwd.Z.shape[1] != W1.shape[0] or fwd.O.shape[1] != W2.shape[0]:
        raise ValueError(message("fwd was computed with other parameters: its X, Z and O have {d}, "
                                 "{h} and {q} columns, but params take {d_params} inputs to "
                                 "{h_params} hidden units and {q_params} outputs",
                                 d=fwd.X.shape[1], h=fwd.Z.shape[1], q=fwd.O.shape[1], d_params=W1.shape[1],
                                 h_params=W1.shape[0], q_params=W2.shape[0]))
    require_same_dtype_and_device({"params['W1']": W1, "fwd.Z": fwd.Z})
    return fwd


def backward(params: Mapping[str, torch.Tensor], fwd: Forward, dphi: Callable | None = None) -> Params:
    """∂J/∂(each parameter) from the cached forward values, with tensor operations only.

    `dphi` overrides φ′ (default: the derivative of the activation used in the forward pass).
    """
    params = _check_params(params)
    fwd = _check_forward(params, fwd)
    if dphi is not None:
        require_callable("dphi", dphi, N_("a function z → φ′(z)"))
    W1, W2 = params["W1"], params["W2"]
    slope = (dphi or ACTIVATIONS[fwd.activation][1])(fwd.Z)
    if not isinstance(slope, torch.Tensor) or slope.shape != fwd.Z.shape:
        raise ValueError(message("dphi must return a tensor shaped like z, {z_shape}, got {got}",
                                 z_shape=tuple(fwd.Z.shape),
                                 got=tuple(slope.shape) if isinstance(slope, torch.Tensor)
            else type(slope).__name__))
    N = fwd.X.shape[0]
    G_O = (fwd.O - fwd.Y) / N                      # ∂J/∂O   N×q
    G_W2 = G_O.T @ fwd.H + fwd.lam * W2            # ∂J/∂W2  q×m
    G_H = G_O @ W2                                 # ∂J/∂H   N×m
    G_Z = G_H * slope                              # ∂J/∂Z   N×m
    G_W1 = G_Z.T @ fwd.X + fwd.lam * W1            # ∂J/∂W1  m×d
    grads = {"W1": G_W1, "W2": G_W2}
    if "b1" in params:
        grads["b1"] = G_Z.sum(dim=0)               # ∂J/∂b1  m
        grads["b2"] = G_O.sum(dim=0)               # ∂J/∂b2  q
    return {k: grads[k] for k in params}           # same order as params


def autograd_grads(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
                   activation: str = "sigmoid") -> Params:
    """The same gradients from PyTorch's autograd (on copies of the parameters)."""
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in _check_params(params).items()}
    forward(leaves, X, Y, lam, activation).J.backward()
    return {k: v.grad for k, v in leaves.items()}


def numeric_grads(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
                  activation: str = "sigmoid", h: float = DEFAULT_H) -> Params:
    """The same gradients by central differences with step h, element by element (on copies)."""
    copies = {k: v.detach().clone() for k, v in _check_params(params).items()}
    forward(copies, X, Y, lam, activation)  # validates the data before the loop
    return numeric_grad(lambda: forward(copies, X, Y, lam, activation).J, copies, h=h)


def check_backward(backward_fn: Callable[[Params, Forward], Params], params: Mapping[str, torch.Tensor],
                   X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0, activation: str = "sigmoid",
                   h: float = DEFAULT_H) -> GradientComparison:
    """Table of relative errors manual (backward_fn) vs autograd vs numeric, one row per parameter."""
    require_callable("backward_fn", backward_fn, N_("a function (params, fwd) → grads"))
    params = _check_params(params)
    manual = backward_fn(params, forward(params, X, Y, lam, activation))
    if not isinstance(manual, Mapping):
        raise TypeError(message("backward_fn must return a dict name → gradient tensor, got {kind}",
                                kind=type(manual).__name__))
    return compare_gradients(manual=manual, autograd=autograd_grads(params, X, Y, lam, activation),
                             numeric=numeric_grads(params, X, Y, lam, activation, h=h))


# --------------------------------------------------------------------------- what bugs look like
def backward_missing_transpose(params: Mapping[str, torch.Tensor], fwd: Forward) -> Params:
    """Bug: G_W2 as Hᵀ G_O, the transpose of the right matrix, "fixed" with a reshape."""
    grads = backward(params, fwd)
    G_O = (fwd.O - fwd.Y) / fwd.X.shape[0]
    grads["W2"] = (fwd.H.T @ G_O).reshape(params["W2"].shape) + fwd.lam * params["W2"]
    return grads


def backward_forgot_lambda(params: Mapping[str, torch.Tensor], fwd: Forward) -> Params:
    """Bug: the regulariser's λW terms are left out of G_W1 and G_W2."""
    grads = backward(params, fwd)
    grads["W1"] = grads["W1"] - fwd.lam * params["W1"]
    grads["W2"] = grads["W2"] - fwd.lam * params["W2"]
    return grads


def backward_wrong_dphi(params: Mapping[str, torch.Tensor], fwd: Forward) -> Params:
    """Bug: σ′(Z) written as Z(1 − Z), with the pre-activation where H = σ(Z) belongs."""
    grads = backward(params, fwd)
    G_H = ((fwd.O - fwd.Y) / fwd.X.shape[0]) @ params["W2"]
    G_Z = G_H * fwd.Z * (1 - fwd.Z)
    grads["W1"] = G_Z.T @ fwd.X + fwd.lam * params["W1"]
    if "b1" in grads:
        grads["b1"] = G_Z.sum(dim=0)
    return grads


def show(table: GradientComparison) -> None:
    """Display a comparison as an HTML table whose every cell is the same on every machine.

    Each relative error is shown as its class (`helpers.gradients.error_class`: < 1e-12,
    < 1e-7, …), not as digits; notebooks assert the finer claims. Its plain-text form is
    IPython's fixed placeholder for an HTML object.
    """
    from IPython.display import HTML, display

    if not isinstance(table, GradientComparison):
        raise TypeError(message("table must be a GradientComparison, got {kind}", kind=type(table).__name__))
    display(HTML(table._repr_html_()))


# --------------------------------------------------------------------------- the error of a central difference
@dataclass(frozen=True)
class DifferenceErrors:
    """The two error terms of a central difference with step h, and the error measured.

    truncation[name]: h²/6 · max |∂³J/∂θ³| over the parameter's elements (Taylor's remainder:
    J(θ ± h) = J ± hJ′ + h²/2 J″ ± h³/6 J‴ + …, so the difference quotient is J′ + h²/6 J‴ + …);
    roundoff: ε |J| / (2h), with ε the machine epsilon of the dtype: J(θ + h) and J(θ − h) each
    carry a rounding error of up to about ε|J|/2, their difference up to ε|J|, divided by 2h;
    measured[name]: max |numeric − autograd| over the parameter's elements.
    """

    h: float
    eps: float
    J: float
    truncation: dict[str, float]
    roundoff: float
    measured: dict[str, float]


def third_derivatives(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
                      activation: str = "sigmoid") -> Params:
    """∂³J/∂θᵢ³ for every element θᵢ of every parameter, by autograd (three nested derivatives
    of t ↦ J(θ + t eᵢ) at t = 0)."""
    params = _check_params(params)
    _check_data(params, X, Y)
    out = {}
    for name, p in params.items():
        third = torch.zeros_like(p)
        for i in range(p.numel()):
            t = torch.zeros((), dtype=p.dtype, requires_grad=True)
            e = torch.zeros(p.numel(), dtype=p.dtype)
            e[i] = 1
            moved = {**params, name: p + t * e.view_as(p)}
            d = forward(moved, X, Y, lam, activation).J
            for order in range(3):
                (d,) = torch.autograd.grad(d, t, create_graph=order < 2, allow_unused=True)
                if d is None:  # J does not depend on t at this order: the derivative is 0
                    d = torch.zeros((), dtype=p.dtype)
                    break
            third.view(-1)[i] = d.detach()
        out[name] = third
    return out


def difference_errors(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
                      activation: str = "sigmoid", h: float = DEFAULT_H) -> DifferenceErrors:
    """Estimate truncation and round-off of the central difference with step h, and measure its error."""
    params = _check_params(params)
    h = require_step("h", h)
    J = forward(params, X, Y, lam, activation).J
    eps = torch.finfo(J.dtype).eps
    third = third_derivatives(params, X, Y, lam, activation)
    numeric = numeric_grads(params, X, Y, lam, activation, h=h)
    auto = autograd_grads(params, X, Y, lam, activation)
    return DifferenceErrors(
        h=h, eps=eps, J=J.item(),
        truncation={k: float(h ** 2 / 6 * third[k].abs().max()) for k in params},
        roundoff=eps * abs(J.item()) / (2 * h),
        measured={k: float((numeric[k] - auto[k]).abs().max()) for k in params},
    )


@dataclass(frozen=True)
class ErrorCurve:
    """The error of the central difference against its step h: measured and modelled.

    measured[i]: max |numeric − autograd| over every element of every parameter at step hs[i];
    model[i]: hs[i]²/6 · M + ε|J|/(2 hs[i]), with M = max |∂³J/∂θ³| over all elements (the sum
    of the two terms of `DifferenceErrors` for the worst element). Setting the model's
    derivative to 0 gives its best step, h* = (3ε|J| / (2M))^(1/3).
    """

    hs: np.ndarray
    measured: np.ndarray
    model: np.ndarray
    third_max: float
    eps: float
    J: float

    @property
    def best_h_model(self) -> float:
        return (3 * self.eps * abs(self.J) / (2 * self.third_max)) ** (1 / 3)

    @property
    def best_h_measured(self) -> float:
        return float(self.hs[int(np.argmin(self.measured))])

    def model_at(self, h: float) -> float:
        h = require_step("h", h)
        return h ** 2 / 6 * self.third_max + self.eps * abs(self.J) / (2 * h)


def difference_error_curve(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor,
                           lam: float = 0.0, activation: str = "sigmoid",
                           hs: Sequence[float] | None = None) -> ErrorCurve:
    """Measure the central difference's worst error at every step in `hs` (default 29 steps from
    1e-9 to 1e-2, four per decade) and model it as truncation + round-off."""
    params = _check_params(params)
    hs = np.logspace(-9, -2, 29) if hs is None else np.asarray([require_step("hs[i]", h) for h in hs], dtype=float)
    if hs.ndim != 1 or hs.size < 2:
        raise ValueError(message("hs must hold at least two steps, got {size}", size=hs.size))
    J = forward(params, X, Y, lam, activation).J
    if not J.dtype == torch.float64:
        raise ValueError(message("the error curve is measured in float64, got parameters in {dtype}", dtype=J.dtype))
    eps = torch.finfo(J.dtype).eps
    third_max = max(float(t.abs().max()) for t in third_derivatives(params, X, Y, lam, activation).values())
    auto = autograd_grads(params, X, Y, lam, activation)
    measured = []
    for h in hs:
        numeric = numeric_grads(params, X, Y, lam, activation, h=float(h))
        measured.append(max(float((numeric[k] - auto[k]).abs().max()) for k in params))
    model = hs ** 2 / 6 * third_max + eps * abs(J.item()) / (2 * hs)
    return ErrorCurve(hs, np.asarray(measured), model, third_max, eps, J.item())


def plot_difference_errors(curve: ErrorCurve, ax=None, title: str | None = None):
    """The measured error against h (dots) over the model truncation + round-off (line), log-log,
    with the model's best step marked. Returns the Axes."""
    from helpers.plotting import PALETTE, axes_for, plain_log_ticks

    if not isinstance(curve, ErrorCurve):
        raise TypeError(message("curve must be the ErrorCurve of difference_error_curve(...), got {kind}",
                                kind=type(curve).__name__))
    hs = curve.hs
    with axes_for(ax) as ax:
        ax.loglog(hs, curve.model, color=PALETTE["blue"], lw=2, label=i18n.label("model: h²/6·M + ε|J|/(2h)"))
        ax.loglog(hs, hs ** 2 / 6 * curve.third_max, ":", color=PALETTE["blue"], lw=1.2,
                  label=i18n.label("truncation h²/6·M"))
        ax.loglog(hs, curve.eps * abs(curve.J) / (2 * hs), "--", color=PALETTE["blue"], lw=1.2,
                  label=i18n.label("round-off ε|J|/(2h)"))
        ax.loglog(hs, curve.measured, "o", color=PALETTE["orange"], ms=5,
                  label=i18n.label("measured: max |numeric − autograd|"))
        ax.axvline(curve.best_h_model, color=PALETTE["black"], lw=1, ls="-.",
                   label=i18n.label("model's best step h* = {h:.1e}", h=curve.best_h_model))
        ax.set_xlabel(i18n.label("step h"))
        ax.set_ylabel(i18n.label("error of the central difference"))
        ax.set_ylim(min(curve.measured.min(), curve.model.min()) / 300, max(curve.measured.max(), curve.model.max()) * 10)
        plain_log_ticks(ax.xaxis, ax.yaxis, numticks=8)
        ax.set_title(title or i18n.label("The error is smallest near h*, where round-off meets truncation"))
        ax.legend(loc="lower left", fontsize=8)
    return ax


BUGS: dict[str, Callable[[Params, Forward], Params]] = {
    "missing transpose": backward_missing_transpose,
    "forgotten λ": backward_forgot_lambda,
    "wrong φ′": backward_wrong_dphi,
}


# --------------------------------------------------------------------------- the stepper's steps
@dataclass(frozen=True)
class BackwardStep:
    """One step of the backward pass: node ← local gradient × upstream gradient.

    `local` and `upstream` are (formula, value) pairs (two of each where a node feeds two
    consumers, as W1 and W2 feed both the loss path and s); `edges` are the forward edges
    (node → consumer) along which the upstream gradient arrives.

    `element` is the index of the element of `product` a learner is asked to predict (the
    largest in size, so that 3 significant digits are easy to get right), and `mistakes` pairs
    the value that element takes after a usual mistake with the hint for it.
    """

    node: str
    local: tuple[tuple[str, torch.Tensor], ...]
    upstream: tuple[tuple[str, torch.Tensor], ...]
    product_formula: str
    product: torch.Tensor
    edges: tuple[tuple[str, str], ...]
    element: tuple[int, ...] = ()
    mistakes: tuple[tuple[float, str], ...] = ()

    @property
    def target(self) -> float:
        """The value of the element to predict."""
        return float(self.product[self.element]) if self.element else float(self.product)

    @property
    def label(self) -> str:
        """'∂J/∂W2[1, 3]': the element to predict, with Python's 0-based [row, column]."""
        name = self.product_formula.split(" =")[0]
        return f"{name}[{', '.join(map(str, self.element))}]" if self.element else name


def _largest(t: torch.Tensor) -> tuple[int, ...]:
    """The index of t's element of largest size (the first one on a tie)."""
    flat = int(t.detach().abs().reshape(-1).argmax())
    return tuple(int(i) for i in np.unravel_index(flat, tuple(t.shape))) if t.ndim else ()


def backward_steps(params: Mapping[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor, lam: float = 0.0,
                   activation: str = "sigmoid") -> list[BackwardStep]:
    """The backward pass of one example, one row, J first, W1 last.

    Z = X W1ᵀ, H = φ(Z), O = H W2ᵀ, L = ½‖O − Y‖², s = λ/2 (‖W1‖²_F + ‖W2‖²_F), J = L + s;
    X is (1 × n_in), Y (1 × n_out), no biases. G_A is ∂J/∂A, shaped like A.
    """
    params = _check_params(params)
    if "b1" in params:
        raise ValueError(message("params must hold W1 and W2 only: backward_steps follows the "
                                 "source's network, without biases"))
    W1, W2 = params["W1"], params["W2"]
    for name, t, cols in (("X", X, W1.shape[1]), ("Y", Y, W2.shape[0])):
        require_tensor(name, t, floating=True)
        if tuple(t.shape) != (1, cols):
            raise ValueError(message("{name} must be one example as a row, of shape (1, {cols}), got {shape}",
                                     name=name, cols=cols, shape=tuple(t.shape)))
    require_same_dtype_and_device({"params['W1']": W1, "X": X, "Y": Y})
    lam = _check_lam(lam)
    phi, dphi = _check_activation(activation)
    one = torch.ones((), dtype=W1.dtype)
    Z = X @ W1.T
    H = phi(Z)
    O = H @ W2.T
    G_O = O - Y
    G_W2 = G_O.T @ H + lam * W2
    G_H = G_O @ W2
    slope = dphi(Z)
    G_Z = G_H * slope
    G_W1 = G_Z.T @ X + lam * W1

    def at(t: torch.Tensor, index: tuple[int, ...]) -> float:
        return float(t[index])

    o, w2, h, z, w1 = (_largest(t) for t in (G_O, G_W2, G_H, G_Z, G_W1))
    k, j = w2
    i, m = w1
    slope_hint = (N_("H = φ(Z) sits between H and Z: multiply by its slope, σ′(Z) = H(1 − H).") if activation == "sigmoid"
                  else N_("H = φ(Z) sits between H and Z: multiply by its slope, φ′(Z)."))
    return [
        BackwardStep("J", (("∂J/∂J", one),), (), "∂J/∂J = 1", one, ()),
        BackwardStep("L", (("∂J/∂L", one),), (("∂J/∂J", one),), "∂J/∂L = 1 · 1", one, (("L", "J"),),
                     mistakes=((0.5, N_("J = L + s: L enters J with weight 1 (the ½ is inside L).")),)),
        BackwardStep("s", (("∂J/∂s", one),), (("∂J/∂J", one),), "∂J/∂s = 1 · 1", one, (("s", "J"),),
                     mistakes=((lam, N_("J = L + s: s enters J with weight 1; λ is inside s.")),
                               (lam / 2, N_("J = L + s: s enters J with weight 1; λ/2 is inside s.")))),
        BackwardStep("O", (("∂L/∂O = O − Y", G_O),), (("∂J/∂L", one),), "G_O = 1 · (O − Y)", G_O, (("O", "L"),),
                     element=o, mistakes=(
                         (at(Y - O, o), N_("a sign: the derivative of ½(o − y)² with respect to o is o − y, not y − o.")),
                         (at((O - Y) ** 2 / 2, o), N_("that is the loss term ½(o − y)² itself, not its derivative o − y.")))),
        BackwardStep("W2", (("H", H), ("∂s/∂W2 = λW2", lam * W2)), (("G_O", G_O), ("∂J/∂s", one)),
                     "G_W2 = G_Oᵀ H + λW2", G_W2, (("W2", "O"), ("W2", "s")), element=w2, mistakes=(
                         (at(G_O.T @ H, w2), N_("W2 also feeds s: add its share, λ times the same element of W2.")),
                         (at(lam * W2, w2), N_("that is only s's share λW2: add the loss path's G_O[0, row] · H[0, column].")))),
        BackwardStep("H", (("W2", W2),), (("G_O", G_O),), "G_H = G_O W2", G_H, (("H", "O"),), element=h,
                     mistakes=tuple((float(G_O[0, k] * W2[k, h[1]]), N_("H feeds every output: add up G_O[0, k] · "
                                        "W2[k, column] over all k.")) for k in range(W2.shape[0]))),
        BackwardStep("Z", (("φ′(Z)", slope),), (("G_H", G_H),), "G_Z = G_H ⊙ φ′(Z)", G_Z, (("Z", "H"),),
                     element=z, mistakes=(
                         (at(G_H, z), slope_hint),
                         (at(G_H * Z * (1 - Z), z), N_("the sigmoid's slope is H(1 − H), with H = σ(Z); Z(1 − Z) uses the "
                                                       "wrong variable.")),
                         (at(G_H * H, z), N_("the sigmoid's slope is H(1 − H), not H.")))),
        BackwardStep("W1", (("X", X), ("∂s/∂W1 = λW1", lam * W1)), (("G_Z", G_Z), ("∂J/∂s", one)),
                     "G_W1 = G_Zᵀ X + λW1", G_W1, (("W1", "Z"), ("W1", "s")), element=w1, mistakes=(
                         (at(G_Z.T @ X, w1), N_("W1 also feeds s: add its share, λ times the same element of W1.")),
                         (at(lam * W1, w1), N_("that is only s's share λW1: add the loss path's G_Z[0, row] · X[0, column].")))),
    ]
