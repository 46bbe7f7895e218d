"""Lesson 05 (autograd pitfalls clinic): the "Your turn" exercises and their common mistakes.

Each exercise is an `Exercise` from helpers/exercises.py whose answer is a function, tried on
seeded inputs of several sizes N, so that a mistake which scales with N (a sum for a mean) is
no constant factor and gets its own hint through `recognised`. tests/test_factor_hints.py feeds
every declared mistake to its check.
"""
from __future__ import annotations

import torch

from helpers.exercises import Exercise, Mistake

__all__ = ["mse_exercise", "scale_grad_exercise", "bce_exercise", "mse_reference", "scale_grad_reference",
           "bce_reference", "BCE_LOGITS"]


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------- Your turn 1: a loss without silent broadcasting
def mse_reference(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean squared error of predictions of shape (N, 1) against targets of shape (N,)."""
    return ((pred[:, 0] - y) ** 2).mean()


def _mse_inputs() -> list[tuple]:
    gen = _generator(5)
    cases = []
    for n in (3, 4, 6):
        pred = torch.randn(n, 1, generator=gen)
        cases.append((pred, pred[:, 0] + 0.5 * torch.randn(n, generator=gen)))
    return cases


BROADCAST_HINT = ("pred − y has shape (N, N) here: pred is (N, 1) and y is (N,), so every prediction is compared "
                  "with every target. Make the shapes match first, e.g. pred.squeeze(1) − y")
PER_SAMPLE_HINT = "that is one loss per sample; take their mean to get one number"
SUM_HINT = "a sum grows with N; the mean squared error divides the sum by N"
NO_SQUARE_HINT = "square each difference before taking the mean"

_mse_mistakes = (
    Mistake("(pred − y)² broadcast to (N, N)", lambda pred, y: ((pred - y) ** 2).mean(), BROADCAST_HINT),
    Mistake("no mean: one loss per sample", lambda pred, y: (pred[:, 0] - y) ** 2, PER_SAMPLE_HINT),
    Mistake("sum instead of mean", lambda pred, y: ((pred[:, 0] - y) ** 2).sum(), SUM_HINT),
    Mistake("the square dropped", lambda pred, y: (pred[:, 0] - y).mean(), NO_SQUARE_HINT),
)
mse_exercise = Exercise(
    what="mse",
    reference=mse_reference,
    inputs=_mse_inputs(),
    arg_names=("pred", "y"),
    mistakes=_mse_mistakes,
    recognised=_mse_mistakes,
)


# --------------------------------------------------------------- Your turn 2: the gradient of a broadcast scale
def scale_grad_reference(X: torch.Tensor, G: torch.Tensor) -> torch.Tensor:
    """∂L/∂s for Y = X * s with s of shape (1, n_in) broadcast over the N rows, given G = ∂L/∂Y:
    ∂L/∂s_j = Σ_i G_ij X_ij, kept in s's shape."""
    return (G * X).sum(0, keepdim=True)


def _scale_inputs() -> list[tuple]:
    gen = _generator(6)
    return [(torch.randn(n, 3, generator=gen, dtype=torch.float64), torch.randn(n, 3, generator=gen, dtype=torch.float64))
            for n in (4, 5, 2)]


NO_X_HINT = "∂Y_ij/∂s_j = X_ij: multiply G by X, element by element, before summing"
NOT_SUMMED_HINT = "s is one row used by all N rows of X: add up the N rows' gradients (a sum over dim 0)"
KEEPDIM_HINT = "s has shape (1, n_in): sum over dim 0 with keepdim=True, so the gradient keeps s's shape"
WRONG_DIM_HINT = "sum over the samples (dim 0), the dimension along which s was repeated, not over the features"
MEAN_ROWS_HINT = "the N rows' gradients add up; a mean would divide them by N"
MATMUL_HINT = "Gᵀ X is the rule for a matrix product; here s multiplies X element by element"

_scale_mistakes = (
    Mistake("X left out: G.sum(0, keepdim=True)", lambda X, G: G.sum(0, keepdim=True), NO_X_HINT),
    Mistake("not summed over the rows", lambda X, G: G * X, NOT_SUMMED_HINT),
    Mistake("keepdim forgotten", lambda X, G: (G * X).sum(0), KEEPDIM_HINT),
    Mistake("summed over the features", lambda X, G: (G * X).sum(1, keepdim=True), WRONG_DIM_HINT),
    Mistake("mean over the rows", lambda X, G: (G * X).mean(0, keepdim=True), MEAN_ROWS_HINT),
    Mistake("Gᵀ X", lambda X, G: G.T @ X, MATMUL_HINT),
)
scale_grad_exercise = Exercise(
    what="scale_grad",
    reference=scale_grad_reference,
    inputs=_scale_inputs(),
    arg_names=("X", "G"),
    mistakes=_scale_mistakes,
    recognised=_scale_mistakes,
)


# --------------------------------------------------------------- Your turn 3: binary cross-entropy from the logit
# Logits up to |z| = 34, where float64's σ(z) is within a few ulps of 1 (σ(37) rounds to exactly 1).
BCE_LOGITS = (-34.0, -12.5, -2.0, -0.3, 0.0, 0.7, 3.0, 15.0, 34.0)


def bce_reference(z: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """ℓ = max(z, 0) − t·z + log(1 + e^(−|z|)), elementwise: the binary cross-entropy of the
    probability σ(z) against the target t, written so that nothing overflows or cancels."""
    return z.clamp(min=0) - t * z + torch.log1p(torch.exp(-z.abs()))


def _bce_inputs() -> list[tuple]:
    z = torch.tensor(BCE_LOGITS, dtype=torch.float64)
    gen = _generator(7)
    return [(z, torch.zeros_like(z)), (z, torch.ones_like(z)),
            (z.flip(0), torch.randint(0, 2, z.shape, generator=gen).to(torch.float64))]


def _bce_naive(z, t):
    p = torch.sigmoid(z)
    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p))


NAIVE_HINT = ("that is the loss computed through the probability σ(z), by hand or with F.binary_cross_entropy: for "
              "large z, 1 − σ(z) has lost its digits before the log sees it. Use the form written with z: "
              "max(z, 0) − t·z + log(1 + e^(−|z|))")
NO_MAX_HINT = "the form has three terms: max(z, 0) − t·z + log(1 + e^(−|z|)); max(z, 0) is torch.clamp(z, min=0)"
NO_ABS_HINT = "the exponent is −|z|, not −z: with −|z| the two cases z ≥ 0 and z < 0 share one formula"
TZ_SIGN_HINT = "the middle term is − t·z"

_bce_mistakes = (
    Mistake("through σ(z): log σ and log(1 − σ)", _bce_naive, NAIVE_HINT),
    Mistake("F.binary_cross_entropy(σ(z), t)",
            lambda z, t: torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), t, reduction="none"),
            NAIVE_HINT),
    Mistake("max(z, 0) left out", lambda z, t: -t * z + torch.log1p(torch.exp(-z.abs())), NO_MAX_HINT),
    Mistake("e^(−z) instead of e^(−|z|)", lambda z, t: z.clamp(min=0) - t * z + torch.log1p(torch.exp(-z)), NO_ABS_HINT),
    Mistake("+ t·z", lambda z, t: z.clamp(min=0) + t * z + torch.log1p(torch.exp(-z.abs())), TZ_SIGN_HINT),
)
bce_exercise = Exercise(
    what="bce_from_logits",
    reference=bce_reference,
    inputs=_bce_inputs(),
    arg_names=("z", "t"),
    mistakes=_bce_mistakes,
    recognised=_bce_mistakes,
)
