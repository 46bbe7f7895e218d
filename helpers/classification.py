"""Softmax, cross-entropy and a 3-class classifier with a hand-written backward (lesson 08).

Row convention of the course: a batch Z of logits has one sample per row, shape (N, K) for
K classes. For one row z and its label y:

    softmax(z)_k = e^{z_k} / Σ_j e^{z_j}          ℓ(z, y) = −log softmax(z)_y = logsumexp(z) − z_y
    ∂ℓ/∂z = softmax(z) − onehot(y)

and for the batch mean J = (1/N) Σ_n ℓ(z_n, y_n) the gradient is (softmax(Z) − onehot(y)) / N.

The classifier is a 2-layer MLP,

    A = X W1ᵀ + b1      H = tanh(A)      Z = H W2ᵀ + b2      J = cross_entropy(Z, y)

with `backward` written with tensor operations only (no autograd), so that lesson 08 can
compare it with autograd. Decision regions are drawn on `helpers.decision.boundary_grid`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import torch

from helpers.decision import boundary_grid, plot_loss_with_title
from helpers.plotting import PALETTE, axes_for, closed_on_error, new_figure
from helpers.validation import require_int, require_real

__all__ = ["softmax", "log_softmax", "cross_entropy", "one_hot", "cross_entropy_grad", "init_classifier",
           "Cache", "forward", "backward", "autograd_grads", "train_classifier", "predict_classes",
           "accuracy", "plot_decision_regions", "classifier_figure"]

Params = dict[str, torch.Tensor]
PARAM_NAMES = ("W1", "b1", "W2", "b2")
# Class colours and markers (Okabe–Ito): told apart by shape as well as by colour.
CLASS_COLOURS = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"], PALETTE["red"])
REGION_COLOURS = (PALETTE["sky"], PALETTE["yellow"], "#8FD9C4", "#E9B8D4", "#F2A77A")
CLASS_MARKERS = ("o", "^", "s", "D", "v")


# --------------------------------------------------------------------------- validation
def _check_logits(Z: object, name: str = "Z") -> torch.Tensor:
    if not isinstance(Z, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor of logits, got {type(Z).__name__}")
    if not Z.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {Z.dtype}")
    if Z.ndim not in (1, 2) or Z.shape[-1] < 1 or Z.numel() == 0:
        raise ValueError(f"{name} must have shape (K,) for one sample or (N, K) for a batch, "
                         f"got {tuple(Z.shape)}")
    return Z


def _check_labels(y: object, Z: torch.Tensor) -> torch.Tensor:
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a tensor of class indices, got {type(y).__name__}")
    if y.is_floating_point() or y.dtype == torch.bool or y.is_complex():
        raise TypeError(f"y must hold integer class indices (dtype torch.long), got dtype {y.dtype}")
    want = Z.shape[:-1]
    if tuple(y.shape) != tuple(want):
        raise ValueError(f"y must have shape {tuple(want)}, one label per row of the logits, got {tuple(y.shape)}")
    K = Z.shape[-1]
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= K):
        raise ValueError(f"labels must lie in 0 … {K - 1} for {K} classes, got {int(y.min())} … {int(y.max())}")
    return y.long()


# --------------------------------------------------------------------------- softmax and cross-entropy
def softmax(Z: torch.Tensor) -> torch.Tensor:
    """softmax along the last axis, stable: e^{z − max z} / Σ e^{z − max z}.

    Subtracting the row's maximum changes nothing mathematically (the factor e^{−max} cancels)
    but keeps every exponent ≤ 0, so nothing overflows and the largest term is exactly 1.
    """
    Z = _check_logits(Z)
    E = torch.exp(Z - Z.max(dim=-1, keepdim=True).values)
    return E / E.sum(dim=-1, keepdim=True)


def log_softmax(Z: torch.Tensor) -> torch.Tensor:
    """log softmax(Z) = Z − logsumexp(Z), with logsumexp(z) = m + log Σ e^{z − m}, m = max z."""
    Z = _check_logits(Z)
    m = Z.max(dim=-1, keepdim=True).values
    return Z - m - torch.log(torch.exp(Z - m).sum(dim=-1, keepdim=True))


def one_hot(y: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Rows of the identity: onehot(y)[n, k] = 1 if k = y_n else 0."""
    K = require_int("num_classes", num_classes, min=1, max=10**6)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch dtype, got {dtype!r}")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a tensor of class indices, got {type(y).__name__}")
    y = _check_labels(y, torch.empty(*y.shape, K))
    return torch.nn.functional.one_hot(y, K).to(dtype)


def cross_entropy(Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of −log softmax(z_n)[y_n] (a 0-d tensor); for one sample (K,) its loss."""
    Z = _check_logits(Z)
    y = _check_labels(y, Z)
    picked = log_softmax(Z).gather(-1, y.unsqueeze(-1)).squeeze(-1)
    return -picked.mean()


def cross_entropy_grad(Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂J/∂Z = (softmax(Z) − onehot(y)) / N for the batch mean J (no /N for a single sample (K,))."""
    Z = _check_logits(Z)
    y = _check_labels(y, Z)
    G = softmax(Z) - one_hot(y, Z.shape[-1], dtype=Z.dtype)
    return G / Z.shape[0] if Z.ndim == 2 else G


# --------------------------------------------------------------------------- the classifier
def init_classifier(n_in: int = 2, n_hidden: int = 64, n_classes: int = 3, *, seed: int = 0,
                    dtype: torch.dtype = torch.float64) -> Params:
    """Seeded W1 (n_hidden × n_in), b1, W2 (n_classes × n_hidden), b2; weights N(0, 1/fan_in)
    (Xavier for square layers), biases 0."""
    n_in, n_hidden, n_classes = (require_int(k, v, min=1, max=4096) for v, k in
                                 ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_classes, "n_classes")))
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    gen = torch.Generator().manual_seed(int(seed))
    W1 = torch.randn(n_hidden, n_in, generator=gen, dtype=torch.float64) / n_in ** 0.5
    W2 = torch.randn(n_classes, n_hidden, generator=gen, dtype=torch.float64) / n_hidden ** 0.5
    params = {"W1": W1, "b1": torch.zeros(n_hidden, dtype=torch.float64),
              "W2": W2, "b2": torch.zeros(n_classes, dtype=torch.float64)}
    return {k: v.to(dtype) for k, v in params.items()}


def _check_params(params: object) -> Params:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}, got {type(params).__name__}")
    if set(params) != set(PARAM_NAMES):
        raise ValueError(f"params must have exactly the keys {', '.join(PARAM_NAMES)}, got {sorted(params)}")
    for k, t in params.items():
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            raise TypeError(f"params[{k!r}] must be a floating-point tensor, got {type(t).__name__}")
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0] or b1.shape != W1.shape[:1] \
            or b2.shape != W2.shape[:1]:
        raise ValueError(f"shapes must be W1 (h, d), b1 (h,), W2 (K, h), b2 (K,); got "
                         + ", ".join(f"{k} {tuple(params[k].shape)}" for k in PARAM_NAMES))
    return dict(params)


def _check_inputs(params: Params, X: object) -> torch.Tensor:
    if not isinstance(X, torch.Tensor) or not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got {type(X).__name__}")
    d = params["W1"].shape[1]
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] == 0:
        raise ValueError(f"X must have shape (N, {d}) with N ≥ 1, one sample per row, got {tuple(X.shape)}")
    if X.dtype != params["W1"].dtype:
        raise TypeError(f"X has dtype {X.dtype} but the parameters {params['W1'].dtype}: use one dtype")
    return X


@dataclass(frozen=True)
class Cache:
    """The forward pass's values that the backward pass needs."""

    X: torch.Tensor
    H: torch.Tensor
    Z: torch.Tensor
    y: torch.Tensor
    loss: torch.Tensor


def forward(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> Cache:
    """A = X W1ᵀ + b1, H = tanh(A), Z = H W2ᵀ + b2, loss = cross_entropy(Z, y)."""
    params = _check_params(params)
    X = _check_inputs(params, X)
    H = torch.tanh(X @ params["W1"].T + params["b1"])
    Z = H @ params["W2"].T + params["b2"]
    return Cache(X, H, Z, _check_labels(y, Z), cross_entropy(Z, y))


def backward(params: Mapping[str, torch.Tensor], cache: Cache) -> Params:
    """The four gradients by the chain rule, vectorised over the batch (no autograd):

        G_Z = (softmax(Z) − onehot(y)) / N
        ∂J/∂W2 = G_Zᵀ H          ∂J/∂b2 = Σ_n G_Z[n]          G_H = G_Z W2
        G_A = G_H ⊙ (1 − H²)     ∂J/∂W1 = G_Aᵀ X              ∂J/∂b1 = Σ_n G_A[n]
    """
    params = _check_params(params)
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache returned by forward(...), got {type(cache).__name__}")
    G_Z = cross_entropy_grad(cache.Z, cache.y)
    G_A = (G_Z @ params["W2"]) * (1 - cache.H ** 2)
    return {"W1": G_A.T @ cache.X, "b1": G_A.sum(dim=0), "W2": G_Z.T @ cache.H, "b2": G_Z.sum(dim=0)}


def autograd_grads(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> Params:
    """The same four gradients from PyTorch autograd and F.cross_entropy, for comparison."""
    params = _check_params(params)
    leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    Z = torch.tanh(_check_inputs(leaves, X) @ leaves["W1"].T + leaves["b1"]) @ leaves["W2"].T + leaves["b2"]
    loss = torch.nn.functional.cross_entropy(Z, _check_labels(y, Z))
    grads = torch.autograd.grad(loss, [leaves[k] for k in PARAM_NAMES])
    return dict(zip(PARAM_NAMES, grads))


def train_classifier(X: torch.Tensor, y: torch.Tensor, *, n_hidden: int = 64, steps: int = 1000,
                     lr: float = 1.0, seed: int = 0) -> tuple[Params, list[float]]:
    """Full-batch gradient descent with the hand-written `backward`; returns (params, losses).

    losses[t] is the loss before step t + 1. Runs on one CPU thread: the tensors are small,
    so more threads only add overhead (and contention on a busy machine).
    """
    steps = require_int("steps", steps, min=1, max=100_000)
    lr = require_real("lr", lr, above=0, example="1.0")
    if not isinstance(X, torch.Tensor) or not X.is_floating_point() or X.ndim != 2:
        raise TypeError(f"X must be a 2-D floating-point tensor, one sample per row, got {type(X).__name__}")
    if not isinstance(y, torch.Tensor) or y.is_floating_point():
        raise TypeError("y must be a tensor of integer class indices (dtype torch.long)")
    n_classes = int(y.max()) + 1 if y.numel() else 0
    params = init_classifier(X.shape[1], n_hidden, max(n_classes, 2), seed=seed, dtype=X.dtype)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        losses = []
        for _ in range(steps):
            cache = forward(params, X, y)
            grads = backward(params, cache)
            losses.append(float(cache.loss))
            params = {k: params[k] - lr * grads[k] for k in PARAM_NAMES}
    finally:
        torch.set_num_threads(threads)
    return params, losses


def predict_classes(params: Mapping[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """The class with the largest logit for every row of X (softmax keeps the order)."""
    params = _check_params(params)
    X = _check_inputs(params, X.to(params["W1"].dtype) if isinstance(X, torch.Tensor) else X)
    with torch.no_grad():
        return (torch.tanh(X @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]).argmax(dim=1)


def accuracy(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose predicted class equals the label."""
    pred = predict_classes(params, X)
    if not isinstance(y, torch.Tensor) or y.shape != pred.shape:
        raise ValueError(f"y must be a tensor of shape {tuple(pred.shape)}, one label per row of X")
    return float((pred == y).double().mean())


# --------------------------------------------------------------------------- plots
def plot_decision_regions(params: Mapping[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, ax=None,
                          resolution: int = 200, title: str | None = None):
    """Shade each class's region (where its logit is largest) and scatter the data; returns the axes."""
    params = _check_params(params)
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be a tensor of shape (N, 2) to draw regions in the plane, "
                         f"got {getattr(X, 'shape', type(X).__name__)}")
    K = params["W2"].shape[0]
    if K > len(CLASS_COLOURS):
        raise ValueError(f"at most {len(CLASS_COLOURS)} classes can be drawn, got {K}")
    y = _check_labels(y, torch.empty(X.shape[0], K))
    xx, yy, points = boundary_grid(X, resolution)
    regions = predict_classes(params, points).numpy().reshape(xx.shape)
    from matplotlib.colors import ListedColormap
    with axes_for(ax) as ax:  # a new figure is closed again if the drawing fails
        ax.contourf(xx, yy, regions, levels=np.arange(K + 1) - 0.5, cmap=ListedColormap(REGION_COLOURS[:K]),
                    alpha=0.6)
        ax.contour(xx, yy, regions, levels=np.arange(K) + 0.5, colors=[PALETTE["black"]], linewidths=0.8)
        Xd, yd = X.detach().double().numpy(), y.detach().numpy()
        for k in range(K):
            pts = Xd[yd == k]
            ax.scatter(pts[:, 0], pts[:, 1], s=16, color=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                       edgecolors="white", linewidths=0.4, label=f"class {k}")
        ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()), xlabel="feature x₁ (no unit)",
               ylabel="feature x₂ (no unit)")
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)  # off the data
        if title is None:
            title = f"{accuracy(params, X, y):.0%} of {len(y)} points lie in their class's region"
        ax.set_title(title)
    return ax


def classifier_figure(params: Mapping[str, torch.Tensor], losses, X: torch.Tensor, y: torch.Tensor,
                      resolution: int = 200):
    """Two panels: the loss curve (log scale) and the decision regions. Returns the figure."""
    fig, (ax_loss, ax_map) = new_figure(ncols=2, width=12.0, height=4.8)
    with closed_on_error(fig):  # no half-drawn figure is left open if a panel fails
        first, last = float(losses[0]), float(losses[-1])
        plot_loss_with_title(losses, ax=ax_loss, ylabel="loss (cross-entropy, batch mean)",
                             title=f"loss falls from {first:.3g} to {last:.2g} in {len(losses)} steps")
        ax_loss.set_xlabel("step (one full-batch gradient step each)")
        plot_decision_regions(params, X, y, ax=ax_map, resolution=resolution)
    return fig
