"""Lesson 04 (PyTorch autograd): the "Your turn" exercises and their common mistakes.

Each exercise is an `Exercise` from helpers/exercises.py. A factor hint fires only when one
constant explains the answer on every input; some likely mistakes are not a constant factor
(Jv instead of vᵀJ, a forgotten `zero_()`, a missing path into w), so these exercises list
them in `recognised` (see `Exercise`): when the learner's answer equals a declared mistake's
answer, the check shows that mistake's hint. tests/test_factor_hints.py feeds every mistake to its check.
"""
from __future__ import annotations

import torch

from helpers.exercises import Exercise, Mistake

__all__ = ["grad_after_three_calls", "train_no_grad_exercise", "vjp_exercise",
           "tiny_backward_exercise", "original_loop", "tiny_backward_autograd", "TINY_LAMBDA"]

X_DATA = (1.0, 2.0, 3.0)
Y_DATA = (2.0, 4.0, 6.0)


# --------------------------------------------------------------- Your turn 1: three backward() calls
def _per_call(w: float, x: float, y: float) -> float:
    """dℓ/dw = 2x(xw − y) for ℓ = (wx − y)², one backward() call's contribution."""
    return 2 * x * (x * w - y)


OVERWRITE_HINT = "each backward() adds its gradient to w.grad; it does not replace it"
ONE_CALL_HINT = "one backward() call gives 2x(xw − y): the 2 comes from the square, the x from w·x"

grad_after_three_calls = Exercise(
    what="w.grad after three backward() calls",
    reference=3 * _per_call(3.0, 2.0, 4.0),  # 24.0
    factor_hints={1 / 3: OVERWRITE_HINT + ".", 0.5: ONE_CALL_HINT + "."},
    mistakes=(
        Mistake("w.grad overwritten by each call", _per_call(3.0, 2.0, 4.0), OVERWRITE_HINT),
        Mistake("the 2 of the square dropped", 3 * 2.0 * (2.0 * 3.0 - 4.0), ONE_CALL_HINT),
        Mistake("the inner x dropped", 3 * 2 * (2.0 * 3.0 - 4.0), ONE_CALL_HINT),
        Mistake("2x(y − xw): subtraction reversed", -3 * _per_call(3.0, 2.0, 4.0), "order of a subtraction"),
        Mistake("two calls counted instead of three", 2 * _per_call(3.0, 2.0, 4.0), None),
    ),
)


# --------------------------------------------------------------- Your turn 2: .data → torch.no_grad()
def original_loop(w0: float, lr: float, epochs: int, *, zero_grad: bool = True, sign: float = 1.0) -> float:
    """The original program's loop on the CPU (update through `.data`); the final w as a float.

    zero_grad=False and sign=-1 reproduce two mistakes (a forgotten `zero_()`, a step uphill).
    """
    w = torch.tensor([float(w0)], requires_grad=True)
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA):
            ((w * x - y) ** 2).backward()
            w.data = w.data - sign * lr * w.grad.data
            if zero_grad:
                w.grad.data.zero_()
    return w.item()


def _update_outside_no_grad(w0, lr, epochs):
    w = torch.tensor([float(w0)], requires_grad=True)
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA):
            ((w * x - y) ** 2).backward()
            w -= lr * w.grad  # raises: an in-place change of a leaf that requires grad
            w.grad.zero_()
    return w.item()


NO_ZERO_HINT = "w.grad adds up across backward() calls: zero it after each update (w.grad.zero_())"
UPHILL_HINT = "step against the gradient: w -= lr * w.grad"

_train_mistakes = (
    Mistake("w.grad never zeroed", lambda w0, lr, n: original_loop(w0, lr, n, zero_grad=False), NO_ZERO_HINT),
    Mistake("w += lr * w.grad (uphill)", lambda w0, lr, n: original_loop(w0, lr, n, sign=-1.0), UPHILL_HINT),
    Mistake("update outside torch.no_grad()", _update_outside_no_grad, "raised RuntimeError"),
)
train_no_grad_exercise = Exercise(
    what="train_no_grad",
    reference=original_loop,
    inputs=[(3.0, 0.01, 5), (-1.0, 0.05, 3), (0.5, 0.02, 10)],
    mistakes=_train_mistakes,
    recognised=_train_mistakes[:2],
)


# --------------------------------------------------------------- Your turn 3: a vector-Jacobian product
VJP_X = (2.0, -1.0)  # y = g(x) = (x₁², x₁·x₂), J = [[2x₁, 0], [x₂, x₁]] = [[4, 0], [-1, 2]]
VJP_V = (3.0, 1.0)
_J = torch.tensor([[2 * VJP_X[0], 0.0], [VJP_X[1], VJP_X[0]]])
_v = torch.tensor(VJP_V)

JV_HINT = ("this is J v, the rows of J times v. backward() computes vᵀJ: entry j is "
           "Σᵢ vᵢ·∂yᵢ/∂xⱼ, a column of J weighted by v")
TWO_HINT = "the derivative of x₁² is 2x₁: check the first row of J"
NO_V_HINT = "weight the rows of J by v before adding them: entry j is Σᵢ vᵢ·∂yᵢ/∂xⱼ"

_vjp_mistakes = (
    Mistake("J v instead of vᵀ J", _J @ _v, JV_HINT),
    Mistake("d(x₁²)/dx₁ taken as x₁", _v @ torch.tensor([[VJP_X[0], 0.0], [VJP_X[1], VJP_X[0]]]), TWO_HINT),
    Mistake("v left out (columns of J summed)", _J.sum(0), NO_V_HINT),
    Mistake("the whole Jacobian", _J, "has shape (2, 2)"),
)
vjp_exercise = Exercise(
    what="v^T J",
    reference=_v @ _J,  # (11, 2)
    mistakes=_vjp_mistakes,
    recognised=_vjp_mistakes[:3],
)


# --------------------------------------------------------------- Your turn 4: a complete backward pass
TINY_LAMBDA = 0.1


def tiny_backward_autograd(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Autograd's gradients at every node of L = mean((tanh(w·x + b) − y)²) + λ·w².

    The reference for "Your turn 4": z = w·x + b, h = tanh(z), e = h − y.
    """
    w, b = w.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)
    z = w * x + b
    z.retain_grad()
    e = torch.tanh(z) - y
    e.retain_grad()
    ((e**2).mean() + TINY_LAMBDA * w**2).backward()
    return {"dL_de": e.grad, "dL_dz": z.grad, "dL_dw": w.grad, "dL_db": b.grad}


def _tiny_by_hand(w, b, x, y, *, two=2.0, mean=True, sign=1.0, tanh_prime=None, penalty=True, inner_x=True,
                  sum_b=True):
    """The hand-written backward, with switches that reproduce common mistakes."""
    z = w * x + b
    h = torch.tanh(z)
    dL_de = sign * two * (h - y) / (len(x) if mean else 1)
    dL_dz = dL_de * (1 - h**2 if tanh_prime is None else tanh_prime(z, h))
    dL_dw = (dL_dz * x if inner_x else dL_dz).sum() + (2 * TINY_LAMBDA * w if penalty else 0.0)
    dL_db = dL_dz.sum() if sum_b else dL_dz
    return {"dL_de": dL_de, "dL_dz": dL_dz, "dL_dw": dL_dw, "dL_db": dL_db}


def _tiny_inputs(gen: torch.Generator) -> tuple:
    w, b = torch.randn(2, generator=gen, dtype=torch.float64) * 0.8
    x = torch.randn(4, generator=gen, dtype=torch.float64)
    y = torch.randn(4, generator=gen, dtype=torch.float64) * 0.5
    return w, b, x, y


_gen = torch.Generator().manual_seed(4)
TINY_INPUTS = [_tiny_inputs(_gen) for _ in range(3)]

SQUARE_HINT = "the square e² brings down a factor 2"
MEAN_HINT = "the mean divides by N, the number of samples"
ERROR_SIGN_HINT = "off by a sign: e = h − y, so ∂L/∂e = 2(h − y)/N"
TANH_HINT = "tanh′(z) = 1 − tanh(z)² = 1 − h², not 1 − z²"
TWO_PATHS_HINT = "w reaches L along two paths, through z and through the penalty λ·w²: add both"
INNER_X_HINT = "z = w·x + b, so ∂z/∂w = x: multiply ∂L/∂z by x before summing over the samples"

_tiny_mistakes = (
    Mistake("the 2 of the square dropped", lambda *a: _tiny_by_hand(*a, two=1.0), SQUARE_HINT),
    Mistake("the 1/N of the mean dropped", lambda *a: _tiny_by_hand(*a, mean=False), MEAN_HINT),
    Mistake("∂L/∂e = 2(y − h)/N", lambda *a: _tiny_by_hand(*a, sign=-1.0), ERROR_SIGN_HINT),
    Mistake("tanh′ taken as 1 − z²", lambda *a: _tiny_by_hand(*a, tanh_prime=lambda z, h: 1 - z**2), TANH_HINT),
    Mistake("the penalty path into w left out", lambda *a: _tiny_by_hand(*a, penalty=False), TWO_PATHS_HINT),
    Mistake("∂z/∂w = x left out", lambda *a: _tiny_by_hand(*a, inner_x=False), INNER_X_HINT),
    Mistake("∂L/∂b not summed over the samples", lambda *a: _tiny_by_hand(*a, sum_b=False), "a missing transpose, sum"),
)
tiny_backward_exercise = Exercise(
    what="tiny_backward",
    reference=tiny_backward_autograd,
    inputs=TINY_INPUTS,
    factor_hints={0.5: SQUARE_HINT + ".", 4: MEAN_HINT + ".", -1: ERROR_SIGN_HINT + "."},
    mistakes=_tiny_mistakes,
    recognised=_tiny_mistakes[3:6],
)
