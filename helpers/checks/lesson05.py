"""Lesson 05 (autograd pitfalls clinic): the "Your turn" exercises and their common mistakes.

Each exercise is an `Exercise` from helpers/exercises.py whose answer is a function, tried on
seeded inputs of several sizes N, so that a mistake which scales with N (a sum for a mean) is
no constant factor and gets its own hint through `recognised`. tests/test_factor_hints.py feeds
every declared mistake to its check.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from helpers.exercises import Exercise, Feedback, Mistake, evaluate_function, failed
from helpers.i18n import N_, translate

__all__ = ["mse_exercise", "scale_grad_exercise", "bce_exercise", "mse_reference", "scale_grad_reference",
           "bce_reference", "BCE_LOGITS", "OVERFLOW_LOGITS",
           "OverflowExercise"]


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
ABS_HINT = "that is the mean absolute error: square each difference instead of taking its absolute value"
ROOT_HINT = "that is the root of the mean squared error: the mean squared error takes no square root"

_mse_mistakes = (
    Mistake("(pred − y)² broadcast to (N, N)", lambda pred, y: ((pred - y) ** 2).mean(), BROADCAST_HINT),
    Mistake("no mean: one loss per sample", lambda pred, y: (pred[:, 0] - y) ** 2, PER_SAMPLE_HINT),
    Mistake("sum instead of mean", lambda pred, y: ((pred[:, 0] - y) ** 2).sum(), SUM_HINT),
    Mistake("the square dropped", lambda pred, y: (pred[:, 0] - y).mean(), NO_SQUARE_HINT),
    Mistake("absolute values for squares", lambda pred, y: (pred[:, 0] - y).abs().mean(), ABS_HINT),
    Mistake("a square root taken", lambda pred, y: ((pred[:, 0] - y) ** 2).mean().sqrt(), ROOT_HINT),
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
def scale_grad_reference(X: torch.Tensor, G_Y: torch.Tensor) -> torch.Tensor:
    """∂L/∂c for Y = X * c with c of shape (1, n_in) broadcast over the N rows, given G_Y = ∂L/∂Y:
    ∂L/∂c_j = Σ_i (G_Y)_ij X_ij, kept in c's shape."""
    return (G_Y * X).sum(0, keepdim=True)


def _scale_inputs() -> list[tuple]:
    gen = _generator(6)
    return [(torch.randn(n, 3, generator=gen, dtype=torch.float64), torch.randn(n, 3, generator=gen, dtype=torch.float64))
            for n in (4, 5, 2)]


NO_X_HINT = "∂Y_ij/∂c_j = X_ij: multiply G_Y by X, element by element, before summing"
NO_G_HINT = "the upstream gradient G_Y is missing: each X_ij is multiplied by (G_Y)_ij before summing"
NOT_SUMMED_HINT = "c is one row used by all N rows of X: add up the N rows' gradients (a sum over dim 0)"
KEEPDIM_HINT = "c has shape (1, n_in): sum over dim 0 with keepdim=True, so the gradient keeps c's shape"
WRONG_DIM_HINT = "sum over the samples (dim 0), the dimension along which c was repeated, not over the features"
SUM_ALL_HINT = "that sums over every entry: c has one gradient per feature, so sum over dim 0 only"
MEAN_ROWS_HINT = "the N rows' gradients add up; a mean would divide them by N"
MATMUL_HINT = "G_Yᵀ X is the rule for a matrix product; here c multiplies X element by element"

_scale_mistakes = (
    Mistake("X left out: G_Y.sum(0, keepdim=True)", lambda X, G_Y: G_Y.sum(0, keepdim=True), NO_X_HINT),
    Mistake("G_Y left out: X.sum(0, keepdim=True)", lambda X, G_Y: X.sum(0, keepdim=True), NO_G_HINT),
    Mistake("not summed over the rows", lambda X, G_Y: G_Y * X, NOT_SUMMED_HINT),
    Mistake("keepdim forgotten", lambda X, G_Y: (G_Y * X).sum(0), KEEPDIM_HINT),
    Mistake("summed over the features", lambda X, G_Y: (G_Y * X).sum(1, keepdim=True), WRONG_DIM_HINT),
    Mistake("summed over everything", lambda X, G_Y: (G_Y * X).sum(), SUM_ALL_HINT),
    Mistake("mean over the rows", lambda X, G_Y: (G_Y * X).mean(0, keepdim=True), MEAN_ROWS_HINT),
    Mistake("G_Yᵀ X", lambda X, G_Y: G_Y.T @ X, MATMUL_HINT),
)
scale_grad_exercise = Exercise(
    what="scale_grad",
    reference=scale_grad_reference,
    inputs=_scale_inputs(),
    arg_names=("X", "G_Y"),
    mistakes=_scale_mistakes,
    recognised=_scale_mistakes,
)


# --------------------------------------------------------------- Your turn 3: binary cross-entropy from the logit
# Logits up to |z| = 34, where float64's σ(z) is within a few ulps of 1 (σ(37) rounds to exactly 1).
BCE_LOGITS = (-34.0, -12.5, -2.0, -0.3, 0.0, 0.7, 3.0, 15.0, 34.0)
# And logits where e^(−z) overflows even in float64 (above e^709.78): only the form with e^(−|z|) stays finite.
OVERFLOW_LOGITS = (-800.0, -800.0, 800.0, 800.0)


def bce_reference(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ℓ = max(z, 0) − y·z + log(1 + e^(−|z|)), elementwise: the binary cross-entropy of the
    probability σ(z) against the target y, written so that nothing overflows or cancels."""
    return z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))


def _bce_inputs() -> list[tuple]:
    z = torch.tensor(BCE_LOGITS, dtype=torch.float64)
    gen = _generator(7)
    return [(z, torch.zeros_like(z)), (z, torch.ones_like(z)),
            (z.flip(0), torch.randint(0, 2, z.shape, generator=gen).to(torch.float64))]


def _overflow_inputs() -> list[tuple]:
    far = torch.tensor(OVERFLOW_LOGITS, dtype=torch.float64)
    return [(far, torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64))]


def _bce_naive(z, y):
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


NAIVE_HINT = ("that is the loss computed through the probability σ(z), by hand or with F.binary_cross_entropy: for "
              "large z, 1 − σ(z) has lost its digits before the log sees it. Use the form written with z: "
              "max(z, 0) − y·z + log(1 + e^(−|z|))")
ONE_CASE_HINT = N_("(1 − y)·z + log(1 + e^(−z)) is right only until e^(−z) overflows, for z below about −709 in "
                 "float64: use the form for both cases, max(z, 0) − y·z + log(1 + e^(−|z|))")
NO_MAX_HINT = "the form has three terms: max(z, 0) − y·z + log(1 + e^(−|z|)); max(z, 0) is torch.clamp(z, min=0)"
NO_ABS_HINT = "the exponent is −|z|, not −z: with −|z| the two cases z ≥ 0 and z < 0 share one formula"
YZ_SIGN_HINT = "the middle term is − y·z"

_bce_mistakes = (
    Mistake("through σ(z): log σ and log(1 − σ)", _bce_naive, NAIVE_HINT),
    Mistake("F.binary_cross_entropy(σ(z), y)",
            lambda z, y: torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), y, reduction="none"),
            NAIVE_HINT),
    Mistake("(1 − y)·z + log(1 + e^(−z)): the case z ≥ 0 only",
            lambda z, y: (1 - y) * z + torch.log1p(torch.exp(-z)), ONE_CASE_HINT),
    Mistake("max(z, 0) left out", lambda z, y: -y * z + torch.log1p(torch.exp(-z.abs())), NO_MAX_HINT),
    Mistake("e^(−z) instead of e^(−|z|)", lambda z, y: z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z)), NO_ABS_HINT),
    Mistake("+ y·z", lambda z, y: z.clamp(min=0) + y * z + torch.log1p(torch.exp(-z.abs())), YZ_SIGN_HINT),
)


@dataclass(frozen=True)
class OverflowExercise(Exercise):
    """An Exercise checked in two stages: first on `inputs` (with every declared mistake recognised
    there), then, once right there, on `far_inputs`, where only an answer that cannot overflow stays
    right. Two stages, because a form that overflows gives inf or NaN at the far inputs, and an answer
    with inf is recognised as no declared mistake: the far stage names the overflow with `far_hint`."""

    far_inputs: tuple = ()
    far_hint: str = ""

    def evaluate(self, answer) -> Feedback:
        result = super().evaluate(answer)
        if not result.ok or not self.far_inputs:
            return result
        far = evaluate_function(answer, self.reference, self.far_inputs, what=self.what, arg_names=self.arg_names)
        if far.ok:
            return result
        return failed("{what} is right on the first {n} inputs, but not for logits as far out as z = ±800: {hint}.",
                      what=translate(self.what), n=len(self.inputs), hint=translate(self.far_hint).rstrip("."))


bce_exercise = OverflowExercise(
    what="bce_from_logits",
    reference=bce_reference,
    inputs=_bce_inputs(),
    arg_names=("z", "y"),
    mistakes=_bce_mistakes,
    recognised=tuple(m for m in _bce_mistakes if m.hint != ONE_CASE_HINT),
    far_inputs=tuple(_overflow_inputs()),
    far_hint=ONE_CASE_HINT,
)
