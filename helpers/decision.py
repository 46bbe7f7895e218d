"""Plots for a trained 2-D classifier: its decision boundary and its loss curve, in house style.

A decision boundary is drawn by asking the model about every point of a grid that covers the
data: where the predicted probability p(class 1 | x) crosses 0.5, the model changes its mind.
`predict` is any function from an (m, 2) float tensor to m probabilities in [0, 1]
(e.g. `lambda pts: torch.sigmoid(model(pts)).squeeze(1)`); it runs under `torch.no_grad()`.

The model may live on any device (`helpers.default_device()`, lesson 04): the grid of points it
is asked about is made on X's device, and what is drawn is copied to the CPU.

Every function here takes the model as such a `predict` function, first, then the data (X, y):
`binary_accuracy(predict, X, y)`, `plot_decision_boundary(predict, X, y)`. (The multi-class
network of `helpers.classification` takes its parameters instead: `accuracy(params, X, y)`.)
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from helpers import i18n
from helpers.i18n import N_, message
from helpers.plotting import PALETTE, axes_for, closed_on_error, new_figure, plot_loss_curve
from helpers.validation import (require_callable, require_int, require_numbers, require_real, require_tensor,
                               require_text)

__all__ = ["boundary_grid", "predict_proba", "binary_accuracy", "plot_decision_boundary",
           "plot_loss_with_title", "training_figure"]

Predict = Callable[[torch.Tensor], torch.Tensor]
CLASS_STYLE = ({"color": PALETTE["blue"], "marker": "o", "label": N_("class 0")},
               {"color": PALETTE["orange"], "marker": "^", "label": N_("class 1")})


def _check_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) detached, on their own device (X's grid is made there; drawing copies to the CPU)."""
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(message("X and y must be torch tensors, got {x_kind} and {y_kind}",
                                x_kind=type(X).__name__, y_kind=type(y).__name__))
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(message("X must have shape (n, 2) with n ≥ 1, got {shape}", shape=tuple(X.shape)))
    if not X.is_floating_point():
        raise ValueError(message("X must be a floating-point tensor, got dtype {dtype}", dtype=X.dtype))
    if y.shape != X.shape[:1]:
        raise ValueError(message("y must have shape ({n},), one label per point, got {shape}",
                                 n=X.shape[0], shape=tuple(y.shape)))
    if not torch.isfinite(X).all():
        raise ValueError(message("X contains NaN or inf"))
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(message("y must hold labels 0 and 1 only"))
    return X.detach(), y.detach()


def boundary_grid(X: torch.Tensor, resolution: int = 200, margin: float = 0.5):
    """(xx, yy, points): a resolution × resolution grid covering X plus `margin` on every side;
    `points` is the (resolution², 2) tensor of grid points in X's dtype, on X's device (where the
    model that is asked about them lives); xx and yy are NumPy arrays for drawing."""
    require_tensor("X", X, floating=True)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(message("X must be a tensor of shape (n, 2) with n ≥ 1, got {shape}", shape=tuple(X.shape)))
    if not bool(torch.isfinite(X).all()):
        raise ValueError(message("X contains NaN or inf: a grid around it has no bounds"))
    resolution = require_int("resolution", resolution, min=2, max=2000)
    margin = require_real("margin", margin, min=0)
    lo = X.detach().min(dim=0).values.double() - margin
    hi = X.detach().max(dim=0).values.double() + margin
    xs = np.linspace(float(lo[0]), float(hi[0]), resolution)
    ys = np.linspace(float(lo[1]), float(hi[1]), resolution)
    xx, yy = np.meshgrid(xs, ys)
    points = torch.from_numpy(np.column_stack([xx.ravel(), yy.ravel()])).to(device=X.device, dtype=X.dtype)
    return xx, yy, points


CHUNK = 4096
"""Points per call of `predict` in `predict_proba`: what a model holds for one call grows with the
number of points, so a 200 × 200 grid is asked about in 10 calls (a 16-unit hidden layer then holds
0.25 MiB at a time instead of 2.5 MiB)."""


def predict_proba(predict: Predict, points: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """predict(points) as a 1-D float64 CPU tensor of probabilities, checked: shape (m,), all in [0, 1].

    `predict` runs under `torch.no_grad()` on at most `chunk` points at a time: a model that treats
    every point on its own (as a trained network in eval use does) gives the same probabilities
    however the points are split, and its activations for a big grid never exist all at once."""
    require_callable("predict", predict, N_("a function of an (m, 2) tensor"))
    require_tensor("points", points, floating=True, ndim=2)
    chunk = require_int("chunk", chunk, min=1)
    probabilities = torch.empty(points.shape[0], dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, points.shape[0], chunk):
            rows = points[start:start + chunk]
            probabilities[start:start + rows.shape[0]] = _checked_probabilities(predict(rows), rows.shape[0])
    return probabilities


def _checked_probabilities(p: object, n: int) -> torch.Tensor:
    """`predict`'s answer for n points as a 1-D float64 CPU tensor, or a clear error."""
    if not isinstance(p, torch.Tensor):
        raise TypeError(message("predict must return a tensor of probabilities, got {kind}", kind=type(p).__name__))
    p = p.detach().cpu().double()
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.shape != (n,):
        raise ValueError(message("predict must return {n} probabilities, shape ({n},) or "
                                 "({n}, 1), got {shape}", n=n, shape=tuple(p.shape)))
    if not torch.isfinite(p).all() or p.min() < 0 or p.max() > 1:
        raise ValueError(message("predict must return probabilities in [0, 1]: apply torch.sigmoid "
                                 "to the logits"))
    return p


def binary_accuracy(predict: Predict, X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of points whose predicted class (p ≥ 0.5 → 1) equals the label 0 or 1."""
    X, y = _check_data(X, y)
    p = predict_proba(predict, X)
    return float(((p >= 0.5).double() == y.cpu().double()).double().mean())


def plot_decision_boundary(predict: Predict, X: torch.Tensor, y: torch.Tensor, ax=None,
                           resolution: int = 200, title: str | None = None):
    """Shade where the model says class 0 / class 1, draw the p = 0.5 line, scatter the data.

    Returns the axes. The title defaults to the accuracy on (X, y).
    """
    X, y = _check_data(X, y)
    title = require_text("title", title)
    xx, yy, points = boundary_grid(X, resolution)
    p = predict_proba(predict, points).numpy().reshape(xx.shape)
    if title is None:
        title = i18n.label("the boundary puts {share:.0%} of {n} points on their side",
                           share=binary_accuracy(predict, X, y), n=len(y))
    with axes_for(ax) as ax:
        ax.contourf(xx, yy, p, levels=[0, 0.5, 1], colors=[PALETTE["sky"], PALETTE["yellow"]], alpha=0.35)
        ax.contour(xx, yy, p, levels=[0.5], colors=[PALETTE["black"]], linewidths=1.5)
        Xd, yd = X.cpu(), y.cpu()
        for label, style in enumerate(CLASS_STYLE):
            pts = Xd[yd == label].double().numpy()
            ax.scatter(pts[:, 0], pts[:, 1], s=18, edgecolors="white", linewidths=0.4,
                       **{**style, "label": i18n.label(style["label"])})
        ax.set_xlim(xx.min(), xx.max())
        ax.set_ylim(yy.min(), yy.max())
        ax.set_aspect("equal", adjustable="box")  # a circle in the data looks like a circle
        ax.set_xlabel(i18n.label("feature x₁ (no unit)"))
        ax.set_ylabel(i18n.label("feature x₂ (no unit)"))
        ax.grid(False)
        ax.legend(loc="best", title=i18n.label("black line: p = 0.5"), frameon=True, framealpha=0.85)
        ax.set_title(title)
    return ax


def plot_loss_with_title(losses: Sequence[float], title: str | None = None, ax=None,
                         label: str | None = None, ylabel: str = N_("loss (binary cross-entropy)"), **line_kw):
    """`plotting.plot_loss_curve` for a classifier: its own y label, and by default a title that
    states the finding, "loss falls from a to b in N epochs". Returns the Line2D. Like
    `plot_loss_curve`, it wants plain numbers: `loss.item()`, not the loss tensor."""
    arr = require_numbers("losses", losses)
    title, label, ylabel = (require_text("title", title), require_text("label", label),
                            require_text("ylabel", ylabel, optional=False))
    line = plot_loss_curve(arr, ax=ax, label=label)
    if line_kw:
        line.set(**line_kw)
    ax = line.axes
    ax.set_ylabel(i18n.label(ylabel))
    ax.set_xlabel(i18n.label("epoch (one full-batch step each)"))
    if title is None:
        title = i18n.label("loss falls from {first:.3g} to {last:.2g} in {epochs} epochs", first=arr[0], last=arr[-1],
                           epochs=arr.size)
    ax.set_title(title)
    return line


def training_figure(curves: Mapping[str, Sequence[float]], predict: Predict, X: torch.Tensor,
                    y: torch.Tensor, resolution: int = 200):
    """Two panels: every named loss curve (the first solid, the others dashed on top), and the
    decision boundary of `predict`. Returns the figure; if any part fails, the figure is closed
    (never shown half-drawn) and the error goes on."""
    if not isinstance(curves, Mapping):
        raise TypeError(message("curves must be a dict of name → list of losses, got {kind}",
                                kind=type(curves).__name__))
    if not curves:
        raise ValueError(message("curves must be a non-empty dict of name → list of losses"))
    curves = {name: require_numbers(f"curves[{name!r}]", losses) for name, losses in curves.items()}
    fig, (ax_loss, ax_map) = new_figure(ncols=2, width=12.0, height=4.6)
    with closed_on_error(fig):
        for i, (name, losses) in enumerate(curves.items()):
            style = {} if i == 0 else {"linestyle": "--", "linewidth": 1.5}
            plot_loss_with_title(losses, title=None if i == 0 else ax_loss.get_title(), ax=ax_loss,
                                 label=name, **style)
        if len(curves) > 1:
            ax_loss.legend(title=i18n.label("the curves overlap") if _same_end(curves) else None)
        plot_decision_boundary(predict, X, y, ax=ax_map, resolution=resolution)
    return fig


def _same_end(curves: Mapping[str, Sequence[float]]) -> bool:
    ends = [float(c[-1]) for c in curves.values()]
    return bool(np.allclose(ends, ends[0], rtol=1e-4, atol=1e-7))
