"""Lesson 08's exercises (softmax + cross-entropy, depth) and their common mistakes.

tests/test_factor_hints.py feeds every mistake to its check. The batch-gradient inputs all
have the same batch size N = 8, so a forgotten /N is the same factor 8 on every input and
gets its hint. The softmax inputs start with small logits (where even the buggy softmax is
right) and then use logits near ±1000, where e^z overflows or underflows.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from helpers.depth import BAND, gradient_profile
from helpers.exercises import Exercise, Feedback, Mistake, seeded_inputs
from helpers.validation import require_real

N_BATCH, N_CLASSES = 8, 3

# ---------------------------------------------------------------- Your turn 1: ∂L/∂Z for a batch


def _batch(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    Z = 2 * torch.randn(N_BATCH, N_CLASSES, dtype=torch.float64, generator=g)
    y = torch.randint(0, N_CLASSES, (N_BATCH,), generator=g)
    return Z, y


def autograd_ce_grad(Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂L/∂Z of L = F.cross_entropy(Z, y) (the batch mean), from autograd."""
    Z = Z.detach().clone().requires_grad_()
    (grad,) = torch.autograd.grad(F.cross_entropy(Z, y), Z)
    return grad


def _onehot(y, Z):
    return F.one_hot(y, Z.shape[1]).to(Z.dtype)


ce_grad = Exercise(
    what="softmax_ce_grad",
    reference=autograd_ce_grad,
    inputs=seeded_inputs(_batch, n=3, seed=7),
    factor_hints={
        float(N_BATCH): "L is the batch MEAN of the N losses, so every row of ∂L/∂Z carries a 1/N: divide by N.",
        -1: "it is softmax(Z) − onehot(y): the probabilities minus the targets.",
    },
    mistakes=(
        Mistake("forgot /N", lambda Z, y: torch.softmax(Z, 1) - _onehot(y, Z), "divide by N"),
        Mistake("onehot − softmax", lambda Z, y: (_onehot(y, Z) - torch.softmax(Z, 1)) / Z.shape[0],
                "the probabilities minus the targets"),
        Mistake("softmax only, no − onehot", lambda Z, y: torch.softmax(Z, 1) / Z.shape[0], None),
        Mistake("softmax over the batch (dim 0)", lambda Z, y: (torch.softmax(Z, 0) - _onehot(y, Z)) / Z.shape[0],
                None),
        Mistake("divided by the number of classes K", lambda Z, y: (torch.softmax(Z, 1) - _onehot(y, Z)) / Z.shape[1],
                None),
    ),
)

# ---------------------------------------------------------------- Your turn 2: a softmax that overflows


def _logits(g: torch.Generator, scale: float, shift: float) -> tuple[torch.Tensor]:
    return (scale * torch.randn(4, 5, dtype=torch.float64, generator=g) + shift,)


_gen = torch.Generator().manual_seed(11)
# small logits; logits near +1000 (e^z overflows); near −1000 (e^z underflows to 0, so 0/0); and rows
# spread over ±1000 (the spread of a confident classifier's logits)
SOFTMAX_INPUTS = [_logits(_gen, 2.0, 0.0), _logits(_gen, 3.0, 1000.0), _logits(_gen, 3.0, -1000.0),
                  _logits(_gen, 500.0, 0.0)]


def _naive(Z):
    E = torch.exp(Z)
    return E / E.sum(dim=1, keepdim=True)


stable_softmax = Exercise(
    what="my_softmax",
    reference=lambda Z: torch.softmax(Z, dim=1),
    inputs=SOFTMAX_INPUTS,
    mistakes=(
        Mistake("no max subtracted: e^1000 overflows to inf, inf/inf is NaN", _naive, "overflow"),
        Mistake("the min subtracted instead of the max",
                lambda Z: _naive(Z - Z.min(dim=1, keepdim=True).values), "overflow"),
        Mistake("normalised over the batch (dim 0)", lambda Z: (lambda E: E / E.sum(dim=0, keepdim=True))(
            torch.exp(Z - Z.max(dim=0, keepdim=True).values)), None),
        Mistake("max subtracted but not normalised", lambda Z: torch.exp(Z - Z.max(dim=1, keepdim=True).values), None),
    ),
)

# ---------------------------------------------------------------- Your turn 3: a gain for 20 tanh layers
DEPTH, ACTIVATION = 20, "tanh"


@dataclass(frozen=True)
class GainExercise(Exercise):
    """A gain is right when the 20-layer tanh stack is healthy with it: any gain in a range passes,
    so the check runs `helpers.depth.gradient_profile` instead of comparing with one number."""

    def evaluate(self, answer) -> Feedback:
        if answer is None or answer is Ellipsis:
            return Feedback(False, f"✗ {self.what} is still the placeholder ({answer!r}): put a number there, "
                                   "then run the cell again.")
        try:
            gain = require_real(self.what, answer, above=0, what="a number (the weights' std is gain/√width)")
        except (TypeError, ValueError) as exc:
            return Feedback(False, f"✗ {exc}.")
        p = gradient_profile(DEPTH, ACTIVATION, gain)
        ratio = f"layer 1 gets {p.ratio:.2g} × the gradient of layer {DEPTH}"
        if p.status == "healthy":
            return Feedback(True, f"✓ {self.what} = {gain:g} keeps the gradient within {BAND:g}× "
                                  f"across {DEPTH} tanh layers ({ratio}).")
        if p.status == "vanishing":
            return Feedback(False, f"✗ with {self.what} = {gain:g} the gradient is vanishing: {ratio}. "
                                   "Each tanh layer multiplies it by about the gain (tanh′ ≤ 1): the gain is "
                                   "too small, try a larger one.")
        return Feedback(False, f"✗ with {self.what} = {gain:g} the gradient is exploding: {ratio}. "
                               "The gain is too large: try a smaller one.")


tanh_gain = GainExercise(
    what="gain",
    reference=1.0,
    mistakes=(
        Mistake("too small (0.5)", 0.5, "too small"),
        Mistake("too large (2)", 2.0, "too large"),
        Mistake("a scheme's name instead of its gain", "Xavier", "must be a number"),
        Mistake("zero", 0.0, "positive"),
    ),
)
