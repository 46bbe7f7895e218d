"""Softmax, cross-entropy and a 3-class classifier with a hand-written backward (lesson 08).

Row convention of the course: a batch O of logits (the network's outputs, as in lesson 06)
has one sample per row, shape (N, K) for K classes. For one row o and its label y:

    softmax(o)_k = e^{o_k} / Σ_j e^{o_j}          ℓ(o, y) = −log softmax(o)_y = logsumexp(o) − o_y
    ∂ℓ/∂o = softmax(o) − onehot(y)

and for the batch mean J = (1/N) Σ_n ℓ(o_n, y_n) the gradient is (softmax(O) − onehot(y)) / N.

The classifier is a 2-layer MLP, in the course's names (Z pre-activation, H activation, O output):

    Z = X W1ᵀ + b1      H = tanh(Z)      O = H W2ᵀ + b2      J = cross_entropy(O, y)

with `backward` written with tensor operations only (no autograd), so that lesson 08 can
compare it with autograd. Decision regions are drawn on `helpers.decision.boundary_grid`.

The contract of the course's two-layer networks, the same here as in `helpers.mlp`:

    params = init_params(n_in, n_hidden, n_out, *, seed=0, dtype=torch.float64)   # a dict of tensors
    fwd = forward(params, X, targets, …)      # a frozen `Forward`: every intermediate value, fwd.J the loss
    grads = backward(params, fwd)             # ∂J/∂(each parameter), a dict in params' order
    grads = autograd_grads(params, X, targets, …)   # the same dict from PyTorch's autograd

X holds one sample per row; every tensor has one dtype and one device. A wrong kind of
argument is a TypeError, a wrong value (shape, dtype, device, range) a ValueError.
"""
from __future__ import annotations

import math
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Iterator, Mapping

import numpy as np
import torch

from helpers.decision import boundary_grid, plot_loss_with_title
from helpers.i18n import N_, label, message, translate
from helpers.plotting import PALETTE, axes_for, closed_on_error, new_figure
from helpers.validation import (require_float_dtype, require_int, require_numbers, require_real,
                               require_same_dtype_and_device, require_seed, require_tensor, require_text)

__all__ = ["softmax", "log_softmax", "cross_entropy", "one_hot", "cross_entropy_grad", "init_params",
           "Forward", "forward", "backward", "autograd_grads", "train_classifier", "predict_classes",
           "accuracy", "plot_decision_regions", "classifier_figure"]

Params = dict[str, torch.Tensor]
PARAM_NAMES = ("W1", "b1", "W2", "b2")
# Class colours and markers (Okabe–Ito): told apart by shape as well as by colour.
CLASS_COLOURS = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"], PALETTE["red"])
REGION_COLOURS = (PALETTE["sky"], PALETTE["yellow"], "#8FD9C4", "#E9B8D4", "#F2A77A")
CLASS_MARKERS = ("o", "^", "s", "D", "v")
PREDICT_CHUNK = 2048  # rows per step of predict_classes: 2048 × 64 hidden units in float64 is 1 MB


# --------------------------------------------------------------------------- validation
_already_checked = False  # True only inside train_classifier's loop, after its first step checked everything


@contextmanager
def _inputs_already_checked() -> Iterator[None]:
    """Skip the argument checks below while train_classifier repeats a step whose inputs it has
    checked once: they cost a fifth of its time, and the step's arithmetic is the same."""
    global _already_checked
    _already_checked = True
    try:
        yield
    finally:
        _already_checked = False


def _check_logits(O: object, name: str = "O") -> torch.Tensor:
    if _already_checked:
        return O  # type: ignore[return-value]
    require_tensor(name, O, floating=True)
    if O.ndim not in (1, 2) or O.shape[-1] < 1 or O.numel() == 0:
        raise ValueError(message("{name} must have shape (K,) for one sample or (N, K) for a batch, "
                                 "got {shape}", name=name, shape=tuple(O.shape)))
    if not bool(torch.isfinite(O).all()):  # one check in the usual case; the details only when needed
        if bool(torch.isnan(O).any()):
            raise ValueError(message("{name} contains NaN: softmax and cross-entropy are not defined "
                                     "for it (a NaN logit usually means the network's numbers "
                                     "already overflowed)", name=name))
        if bool(torch.isneginf(O).all(dim=-1).any()):
            raise ValueError(message("{name} has a row whose every logit is −inf: its softmax is "
                                     "0/0, not a distribution", name=name))
    return O


def _shifted(O: torch.Tensor) -> torch.Tensor:
    """o − max o along the last axis, every entry ≤ 0 and the largest exactly 0. A row holding
    +inf takes the limit of softmax as those logits grow: 0 at each +inf, −inf elsewhere
    (o − max o would be inf − inf = NaN there)."""
    m = O.max(dim=-1, keepdim=True).values
    if not bool(torch.isposinf(m).any()):
        return O - m
    top = torch.isposinf(O)
    return torch.where(torch.isposinf(m), torch.zeros_like(O).masked_fill(~top, -math.inf), O - m)


def _check_labels(y: object, O: torch.Tensor, rows_of: str = N_("the logits"),
                  classes_known: bool = True) -> torch.Tensor:
    """y as long class indices, one per row of O (shape, device and range checked against O; with
    classes_known=False O's width is only the largest number of classes allowed)."""
    if _already_checked:
        return y  # type: ignore[return-value]
    if not isinstance(y, torch.Tensor):
        raise TypeError(message("y must be a tensor of class indices, got {kind}", kind=type(y).__name__))
    if y.is_floating_point() or y.dtype == torch.bool or y.is_complex():
        raise ValueError(message("y must hold integer class indices (dtype torch.long), got dtype {dtype}",
                                 dtype=y.dtype))
    want = O.shape[:-1]
    if tuple(y.shape) != tuple(want):
        raise ValueError(message("y must have shape {want}, one label per row of {rows_of}, got {shape}",
                                 want=tuple(want), rows_of=translate(rows_of), shape=tuple(y.shape)))
    if y.device != O.device:
        raise ValueError(message("y is on {device} but the logits on {o_device}: put them on one device",
                                 device=y.device, o_device=O.device))
    K = O.shape[-1]
    if y.numel():
        low, high = (int(v) for v in torch.aminmax(y))
        if (low < 0 or high >= K) and not classes_known:
            raise ValueError(message("y must hold class labels 0, 1, 2, … (at most {K} classes), got "
                                     "{low} … {high}", K=K, low=low, high=high))
        if low < 0 or high >= K:
            raise ValueError(message("y must hold labels 0 … {last} for {K} classes, got {low} … {high}",
                                     last=K - 1, K=K, low=low, high=high))
    return y.long()


# --------------------------------------------------------------------------- softmax and cross-entropy
def softmax(O: torch.Tensor) -> torch.Tensor:
    """softmax along the last axis, stable: e^{o − max o} / Σ e^{o − max o}.

    Subtracting the row's maximum changes nothing mathematically (the factor e^{−max} cancels)
    but keeps every exponent ≤ 0, so nothing overflows and the largest term is exactly 1.
    Infinite logits give the limits (−inf → probability 0; +inf entries share the whole
    probability); a NaN logit, or a row of only −inf, is a ValueError.
    """
    E = torch.exp(_shifted(_check_logits(O)))
    return E / E.sum(dim=-1, keepdim=True)


def log_softmax(O: torch.Tensor) -> torch.Tensor:
    """log softmax(O) = O − logsumexp(O), with logsumexp(o) = m + log Σ e^{o − m}, m = max o
    (the same limits for infinite logits as `softmax`)."""
    S = _shifted(_check_logits(O))
    return S - torch.log(torch.exp(S).sum(dim=-1, keepdim=True))


def one_hot(y: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Rows of the identity: onehot(y)[n, k] = 1 if k = y_n else 0."""
    K = require_int("num_classes", num_classes, min=1, max=10**6)
    require_float_dtype("dtype", dtype)
    if not isinstance(y, torch.Tensor):
        raise TypeError(message("y must be a tensor of class indices, got {kind}", kind=type(y).__name__))
    y = _check_labels(y, torch.empty((), device=y.device).expand(*y.shape, K), rows_of="y")
    return torch.nn.functional.one_hot(y, K).to(dtype)


def cross_entropy(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of −log softmax(o_n)[y_n] (a 0-d tensor); for one sample (K,) its loss."""
    O = _check_logits(O)
    return _cross_entropy(O, _check_labels(y, O))


def _cross_entropy(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    S = _shifted(O)
    picked = (S - torch.log(torch.exp(S).sum(dim=-1, keepdim=True))).gather(-1, y.unsqueeze(-1)).squeeze(-1)
    return 0.0 - picked.mean()  # 0.0 − rather than −: a perfect prediction's loss prints 0, not −0


def cross_entropy_grad(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂J/∂O = (softmax(O) − onehot(y)) / N for the batch mean J (no /N for a single sample (K,))."""
    O = _check_logits(O)
    y = _check_labels(y, O)
    P = softmax(O)                                               # row n: softmax(o_n)
    T = torch.nn.functional.one_hot(y, O.shape[-1]).to(O.dtype)  # row n: onehot(y_n)
    return (P - T) / O.shape[0] if O.ndim == 2 else P - T


# --------------------------------------------------------------------------- the classifier
def init_params(n_in: int = 2, n_hidden: int = 64, n_classes: int = 3, *, seed: int = 0,
                dtype: torch.dtype = torch.float64) -> Params:
    """Seeded W1 (n_hidden × n_in), b1, W2 (n_classes × n_hidden), b2; weights N(0, 1/fan_in)
    (Xavier for square layers), biases 0."""
    n_in, n_hidden, n_classes = (require_int(k, v, min=1, max=4096) for v, k in
                                 ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_classes, "n_classes")))
    if n_classes < 2:
        raise ValueError(message("n_classes must be at least 2, got {n_classes}", n_classes=n_classes))
    seed = require_seed("seed", seed)
    dtype = require_float_dtype("dtype", dtype, allowed=(torch.float32, torch.float64))
    gen = torch.Generator().manual_seed(seed)
    W1 = torch.randn(n_hidden, n_in, generator=gen, dtype=torch.float64) / n_in ** 0.5
    W2 = torch.randn(n_classes, n_hidden, generator=gen, dtype=torch.float64) / n_hidden ** 0.5
    params = {"W1": W1, "b1": torch.zeros(n_hidden, dtype=torch.float64),
              "W2": W2, "b2": torch.zeros(n_classes, dtype=torch.float64)}
    return {k: v.to(dtype) for k, v in params.items()}


def _check_params(params: object) -> Params:
    if _already_checked:
        return params  # type: ignore[return-value]
    if not isinstance(params, Mapping):
        raise TypeError(message("params must be a dict with keys {keys}, got {kind}",
                                keys=', '.join(PARAM_NAMES), kind=type(params).__name__))
    if set(params) != set(PARAM_NAMES):
        raise ValueError(message("params must have exactly the keys {keys}, got {got}",
                                 keys=", ".join(PARAM_NAMES), got=sorted(params, key=str)))
    for k, t in params.items():
        require_tensor(f"params[{k!r}]", t, floating=True)
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0] or b1.shape != W1.shape[:1] \
            or b2.shape != W2.shape[:1]:
        raise ValueError(message("params must have shapes W1 (h, d), b1 (h,), W2 (K, h), b2 (K,); "
                                 "got {shapes}",
                                 shapes=", ".join(f"{k} {tuple(params[k].shape)}" for k in PARAM_NAMES)))
    require_same_dtype_and_device({f"params[{k!r}]": params[k] for k in PARAM_NAMES})
    return dict(params)


def _check_inputs(params: Params, X: object) -> torch.Tensor:
    if _already_checked:
        return X  # type: ignore[return-value]
    require_tensor("X", X, floating=True)
    d = params["W1"].shape[1]
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] == 0:
        raise ValueError(message("X must have shape (N, {d}) with N ≥ 1, one sample per row, got {shape}",
                                 d=d, shape=tuple(X.shape)))
    require_same_dtype_and_device({"params['W1']": params["W1"], "X": X})
    return X


@dataclass(frozen=True)
class Forward:
    """Every intermediate value of one forward pass, kept for the backward pass; J is the loss."""

    X: torch.Tensor
    Z: torch.Tensor  # hidden pre-activation
    H: torch.Tensor  # hidden activation
    O: torch.Tensor  # logits
    y: torch.Tensor
    J: torch.Tensor


def forward(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> Forward:
    """Z = X W1ᵀ + b1, H = tanh(Z), O = H W2ᵀ + b2, J = cross_entropy(O, y)."""
    params = _check_params(params)
    X = _check_inputs(params, X)
    Z = X @ params["W1"].T + params["b1"]
    H = torch.tanh(Z)
    O = H @ params["W2"].T + params["b2"]
    y = _check_labels(y, O, rows_of="X")
    return Forward(X, Z, H, O, y, _cross_entropy(O, y))  # NaN in X or params gives a NaN loss, as in torch


def _check_forward(params: Params, fwd: object) -> Forward:
    if _already_checked:
        return fwd  # type: ignore[return-value]
    if not isinstance(fwd, Forward):
        raise TypeError(message("fwd must be the Forward returned by "
                                "helpers.classification.forward(...), got {kind}", kind=type(fwd).__name__))
    if fwd.H.shape[1] != params["W1"].shape[0] or fwd.O.shape[1] != params["W2"].shape[0]:
        raise ValueError(message("fwd was computed with other parameters: H has {h} columns and O "
                                 "{k}, but params have {h_params} hidden units and {k_params} classes",
                                 h=fwd.H.shape[1], k=fwd.O.shape[1], h_params=params["W1"].shape[0],
                                 k_params=params["W2"].shape[0]))
    return fwd


def backward(params: Mapping[str, torch.Tensor], fwd: Forward) -> Params:
    """The four gradients by the chain rule, vectorised over the batch (no autograd); G_V = ∂J/∂V:

        G_O = (softmax(O) − onehot(y)) / N
        G_W2 = G_Oᵀ H            G_b2 = Σ_n G_O[n]            G_H = G_O W2
        G_Z = G_H ⊙ (1 − H²)     G_W1 = G_Zᵀ X                G_b1 = Σ_n G_Z[n]
    """
    params = _check_params(params)
    fwd = _check_forward(params, fwd)
    G_O = cross_entropy_grad(fwd.O, fwd.y)
    G_H = G_O @ params["W2"]
    G_Z = G_H * (1 - fwd.H ** 2)
    grads = {"W1": G_Z.T @ fwd.X, "b1": G_Z.sum(dim=0), "W2": G_O.T @ fwd.H, "b2": G_O.sum(dim=0)}
    return {k: grads[k] for k in params}  # in params' order


def autograd_grads(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> Params:
    """The same four gradients from PyTorch autograd and F.cross_entropy, for comparison."""
    params = _check_params(params)
    leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    O = torch.tanh(_check_inputs(leaves, X) @ leaves["W1"].T + leaves["b1"]) @ leaves["W2"].T + leaves["b2"]
    loss = torch.nn.functional.cross_entropy(O, _check_labels(y, O, rows_of="X"))
    grads = torch.autograd.grad(loss, list(leaves.values()))
    return dict(zip(leaves, grads))  # in params' order


def train_classifier(X: torch.Tensor, y: torch.Tensor, *, n_hidden: int = 64, steps: int = 1000,
                     lr: float = 1.0, seed: int = 0,
                     params: Mapping[str, torch.Tensor] | None = None) -> tuple[Params, list[float]]:
    """Full-batch gradient descent with the hand-written `backward`; returns (params, losses).

    Starts from `init_params(…, seed=seed)`, or from `params` when given (then n_hidden and seed
    are not used), e.g. to watch what a zero or symmetric initialisation does. losses[t] is the
    loss before step t + 1. Runs on one CPU thread: the tensors are small, so more threads only
    add overhead (and contention on a busy machine).
    """
    steps = require_int("steps", steps, min=1, max=100_000)
    lr = require_real("lr", lr, above=0, example="1.0")
    require_tensor("X", X, floating=True, ndim=2)
    if X.shape[0] == 0 or not 1 <= X.shape[1] <= 4096:
        raise ValueError(message("X must have shape (N, d) with N ≥ 1 and 1 ≤ d ≤ 4096, one sample "
                                 "per row, got {shape}", shape=tuple(X.shape)))
    y = _check_labels(y, torch.empty((), device=X.device).expand(X.shape[0], 4096), rows_of="X",
                      classes_known=False)
    if params is None:
        n_classes = int(y.max()) + 1
        params = init_params(X.shape[1], n_hidden, max(n_classes, 2), seed=seed, dtype=X.dtype)
        params = {k: v.to(X.device) for k, v in params.items()}
    else:
        params = _check_params(params)
        _check_inputs(params, X)
        _check_labels(y, torch.empty((), device=X.device).expand(X.shape[0], params["W2"].shape[0]), rows_of="X")
        params = {k: params[k].detach().clone() for k in PARAM_NAMES}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        losses = []
        for step in range(steps):
            with _inputs_already_checked() if step else nullcontext():  # step 0 checks every input
                fwd = forward(params, X, y)
                grads = backward(params, fwd)
            losses.append(float(fwd.J))
            params = {k: params[k] - lr * grads[k] for k in PARAM_NAMES}
    finally:
        torch.set_num_threads(threads)
    return params, losses


def predict_classes(params: Mapping[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """The class with the largest logit for every row of X (softmax keeps the order)."""
    params = _check_params(params)
    X = _check_inputs(params, X.to(params["W1"].dtype) if isinstance(X, torch.Tensor) else X)
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    with torch.no_grad():  # in chunks of rows: a plot's 40 000 grid points at once held 20 MB of hidden units
        return torch.cat([(torch.tanh(chunk @ W1.T + b1) @ W2.T + b2).argmax(dim=1)
                          for chunk in X.split(PREDICT_CHUNK)])


def accuracy(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose predicted class equals the label."""
    pred = predict_classes(params, X)
    if not isinstance(y, torch.Tensor):
        raise TypeError(message("y must be a tensor of class labels, got {kind}", kind=type(y).__name__))
    if y.shape != pred.shape:
        raise ValueError(message("y must be a tensor of shape {shape}, one label per row of X",
                                 shape=tuple(pred.shape)))
    return float((pred == y.to(pred.device)).double().mean())


# --------------------------------------------------------------------------- plots
def plot_decision_regions(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, ax=None,
                          resolution: int = 200, title: str | None = None):
    """Shade each class's region (where its logit is largest) and scatter the data; returns the axes."""
    params = _check_params(params)
    require_tensor("X", X, floating=True)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(message("X must be a tensor of shape (N, 2) to draw regions in the plane, "
                                 "got {shape}", shape=tuple(X.shape)))
    title = require_text("title", title)
    K = params["W2"].shape[0]
    if K > len(CLASS_COLOURS):
        raise ValueError(message("at most {most} classes can be drawn, got {K}",
                                 most=len(CLASS_COLOURS), K=K))
    y = _check_labels(y, torch.empty((), device=X.device).expand(X.shape[0], K), rows_of="X")
    xx, yy, points = boundary_grid(X, resolution)
    regions = predict_classes(params, points).cpu().numpy().reshape(xx.shape)
    from matplotlib.colors import ListedColormap
    with axes_for(ax) as ax:  # a new figure is closed again if the drawing fails
        ax.contourf(xx, yy, regions, levels=np.arange(K + 1) - 0.5, cmap=ListedColormap(REGION_COLOURS[:K]),
                    alpha=0.6)
        ax.contour(xx, yy, regions, levels=np.arange(K) + 0.5, colors=[PALETTE["black"]], linewidths=0.8)
        Xd, yd = X.detach().cpu().double().numpy(), y.detach().cpu().numpy()
        for k in range(K):
            pts = Xd[yd == k]
            ax.scatter(pts[:, 0], pts[:, 1], s=16, color=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                       edgecolors="white", linewidths=0.4, label=label("class {k}", k=k))
        ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()), xlabel=label("feature x₁ (no unit)"),
               ylabel=label("feature x₂ (no unit)"))
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)  # off the data
        if title is None:
            title = label("{share:.0%} of {n} points lie in their class's region", share=accuracy(params, X, y), n=len(y))
        ax.set_title(title)
    return ax


def classifier_figure(params: Mapping[str, torch.Tensor], losses, X: torch.Tensor, y: torch.Tensor,
                      resolution: int = 200):
    """Two panels: the loss curve (log scale) and the decision regions. Returns the figure."""
    losses = require_numbers("losses", losses)
    fig, (ax_loss, ax_map) = new_figure(ncols=2, width=12.0, height=4.8)
    with closed_on_error(fig):  # no half-drawn figure is left open if a panel fails
        first, last = float(losses[0]), float(losses[-1])
        plot_loss_with_title(losses, ax=ax_loss, ylabel=N_("loss (cross-entropy, batch mean)"),
                             title=label("loss falls from {first:.3g} to {last:.2g} in {steps} steps", first=first,
                                           last=last, steps=len(losses)))
        ax_loss.set_xlabel(label("step (one full-batch gradient step each)"))
        plot_decision_regions(params, X, y, ax=ax_map, resolution=resolution)
    return fig
