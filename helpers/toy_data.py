"""Seeded 2-D toy data sets for classification: two moons and two spirals.

Both are generated in code (no downloads) and are reproducible from `seed` alone: they use
their own `torch.Generator`, so they neither read nor disturb the global torch seed.
Neither class can be separated by a straight line, so a linear model fails and a small MLP
with a non-linearity succeeds — the point of lesson 07's capstone.

Each returns `(X, y)`: X of shape (n, 2) with the points, y of shape (n,) with labels 0.0
or 1.0 (float, ready for `binary_cross_entropy_with_logits`). The first n // 2 points are
class 0, the rest class 1.
"""
from __future__ import annotations

import math

import torch

from helpers.i18n import N_, message
from helpers.validation import require_float_dtype, require_int, require_real, require_seed

__all__ = ["two_moons", "spirals", "spiral_classes", "MAX_POINTS"]

# A toy set is for looking at and for seconds of training: a million points (16 MB as float64)
# is far beyond that, and a typo such as 10**10 must not try to allocate 160 GB.
MAX_POINTS = 1_000_000


def _check_args(n: int, noise: float, seed: int, dtype: torch.dtype, n_name: str = "n") -> tuple[int, int]:
    """(n, seed) as ints, after checking every common argument."""
    if require_int(n_name, n, what=N_("an integer number of points")) < 2:
        raise ValueError(message("{name} must be at least 2 (one point per class), got {n}", name=n_name, n=n))
    if n > MAX_POINTS:
        raise ValueError(message("{name} must be at most {limit} points for a toy data set, got {n}",
                                 name=n_name, limit=MAX_POINTS, n=n))
    require_real("noise", noise, min=0, example="0.1", what=N_("a real number (a standard deviation)"))
    require_float_dtype("dtype", dtype)
    return int(n), require_seed("seed", seed)


def _labels(n0: int, n1: int, dtype: torch.dtype) -> torch.Tensor:
    return torch.cat([torch.zeros(n0, dtype=dtype), torch.ones(n1, dtype=dtype)])


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0,
              dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles of radius 1 with Gaussian noise of std `noise`.

    Class 0: (cos t, sin t); class 1: (1 − cos t, 0.5 − sin t); t uniform in [0, π].
    """
    n, seed = _check_args(n, noise, seed, dtype)
    gen = torch.Generator().manual_seed(seed)
    n0, n1 = n // 2, n - n // 2
    t0 = torch.rand(n0, generator=gen, dtype=torch.float64) * math.pi
    t1 = torch.rand(n1, generator=gen, dtype=torch.float64) * math.pi
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)
    X = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    return X.to(dtype), _labels(n0, n1, dtype)


def spirals(n: int = 200, noise: float = 0.05, seed: int = 0, turns: float = 1.5,
            dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spiral arms, the second the first turned by π, radius growing to 1.

    Point at fraction s ∈ (0, 1] of an arm: radius s, angle 2π·turns·s (+ π for class 1).
    """
    n, seed = _check_args(n, noise, seed, dtype)
    require_real("turns", turns, above=0, example="1.5", what=N_("a number of turns"))
    gen = torch.Generator().manual_seed(seed)
    n0, n1 = n // 2, n - n // 2
    s = torch.rand(n, generator=gen, dtype=torch.float64) * 0.95 + 0.05
    angle = 2 * math.pi * turns * s + math.pi * _labels(n0, n1, torch.float64)
    X = s[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    X = X + noise * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    return X.to(dtype), _labels(n0, n1, dtype)


def spiral_classes(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0,
                   turns: float = 0.75, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """`classes` spiral arms for multi-class classification (lesson 08), after cs231n's spiral.

    Arm k, point at fraction s ∈ [0, 1] of the arm: radius s, angle 2π·(turns·s + k/classes)
    plus Gaussian noise of std `noise` on the angle (so the noise grows with the radius).
    Returns X of shape (n_per_class·classes, 2) and y of shape (n,) with integer labels
    0 … classes−1 (dtype torch.long, as F.cross_entropy expects), arm by arm.
    """
    n_per_class, seed = _check_args(n_per_class, noise, seed, dtype, n_name="n_per_class")
    require_int("classes", classes, min=2, max=10)
    if n_per_class * classes > MAX_POINTS:
        raise ValueError(message("n_per_class × classes must be at most {limit} points for a toy "
                                 "data set, got {n}", limit=MAX_POINTS, n=n_per_class * classes))
    require_real("turns", turns, above=0, example="0.75", what=N_("a number of turns"))
    gen = torch.Generator().manual_seed(seed)
    s = torch.linspace(0.0, 1.0, int(n_per_class), dtype=torch.float64).repeat(int(classes))
    k = torch.arange(int(classes)).repeat_interleave(int(n_per_class))
    angle = 2 * math.pi * (turns * s + k / classes)
    angle = angle + noise * torch.randn(angle.shape, generator=gen, dtype=torch.float64)
    X = s[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return X.to(dtype), k
