"""Seeded 2-D toy data sets for classification: two moons and two spirals.

Both are generated in code (no downloads) and are reproducible from `seed` alone: they use
their own `torch.Generator`, so they neither read nor disturb the global torch seed.
Neither class can be separated by a straight line, so a linear model fails and a small MLP
with a non-linearity succeeds — the point of lesson 06's capstone.

Each returns `(X, y)`: X of shape (n, 2) with the points, y of shape (n,) with labels 0.0
or 1.0 (float, ready for `binary_cross_entropy_with_logits`). The first n // 2 points are
class 0, the rest class 1.
"""
from __future__ import annotations

import math
import numbers

import torch

__all__ = ["two_moons", "spirals"]


def _check_args(n: int, noise: float, seed: int, dtype: torch.dtype) -> None:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer number of points, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n must be at least 2 (one point per class), got {n}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a real number (a standard deviation), got {type(noise).__name__}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite standard deviation ≥ 0 such as 0.1, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be ≥ 0, got {seed}")
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating-point torch dtype such as torch.float32, got {dtype!r}")


def _labels(n0: int, n1: int, dtype: torch.dtype) -> torch.Tensor:
    return torch.cat([torch.zeros(n0, dtype=dtype), torch.ones(n1, dtype=dtype)])


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0,
              dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles of radius 1 with Gaussian noise of std `noise`.

    Class 0: (cos t, sin t); class 1: (1 − cos t, 0.5 − sin t); t uniform in [0, π].
    """
    _check_args(n, noise, seed, dtype)
    gen = torch.Generator().manual_seed(int(seed))
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
    _check_args(n, noise, seed, dtype)
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not math.isfinite(turns) or turns <= 0:
        raise ValueError(f"turns must be a positive finite number of turns such as 1.5, got {turns!r}")
    gen = torch.Generator().manual_seed(int(seed))
    n0, n1 = n // 2, n - n // 2
    s = torch.rand(n, generator=gen, dtype=torch.float64) * 0.95 + 0.05
    angle = 2 * math.pi * turns * s + math.pi * _labels(n0, n1, torch.float64)
    X = s[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    X = X + noise * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    return X.to(dtype), _labels(n0, n1, dtype)
