"""One house style for every lesson's plots (after d2l's `set_figsize`/`plot`): lessons stay
about the idea, not about matplotlib boilerplate.

Colours are the Okabe–Ito palette, safe for colour-blind readers.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "red", "purple", "sky", "black")]
FIGSIZE = (6.4, 4.0)
# Plotted values are clipped to this magnitude so a diverging run never sends inf/NaN to matplotlib.
CLIP = 1e12

STYLE = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 11,
}


def use_house_style() -> None:
    """Apply the course style to every later figure (called by `import helpers`)."""
    matplotlib.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None):
    """A figure and its axes in house style; width/height in inches, default 6.4 × 4 per row."""
    for name, value in (("ncols", ncols), ("nrows", nrows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    w = width if width is not None else min(FIGSIZE[0] * ncols, 12.8)
    h = height if height is not None else FIGSIZE[1] * nrows
    if w <= 0 or h <= 0:
        raise ValueError(f"width and height must be positive inches, got {w!r} × {h!r}")
    use_house_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained")
    return fig, axes


def finite_clipped(values: Sequence[float], limit: float = CLIP) -> np.ndarray:
    """Values as a float array with NaN → limit and ±inf/overflow → ±limit, for plotting only."""
    arr = np.asarray(values, dtype=float)
    return np.clip(np.nan_to_num(arr, nan=limit, posinf=limit, neginf=-limit), -limit, limit)


def plot_loss_curve(losses: Sequence[float], ax=None, label: str | None = None, title: str | None = None,
                    logy: bool = True):
    """Loss against epoch (1-based), log scale by default; returns the Line2D."""
    arr = np.asarray(losses, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D sequence of numbers, got shape {arr.shape}")
    if ax is None:
        _, ax = new_figure()
    epochs = np.arange(1, arr.size + 1)
    values = finite_clipped(arr)
    if logy:
        values = np.clip(values, 1e-300, None)
        ax.set_yscale("log")
    (line,) = ax.plot(epochs, values, label=label, lw=2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (squared error)")
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    return line
