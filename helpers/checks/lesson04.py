"""Lesson 04 (PyTorch autograd): the "Your turn" exercises and their common mistakes.

Each exercise is an `Exercise` from helpers/exercises.py. A factor hint fires only when one
constant explains the answer on every input; some likely mistakes are not a constant factor
(𝒥v instead of vᵀ𝒥, a forgotten `zero_()`, a missing path into w), so these exercises list
them in `recognised` (see `Exercise`): when the learner's answer equals a declared mistake's
answer, the check shows that mistake's hint. tests/test_factor_hints.py feeds every mistake to
its check. Two exercises look at more than numbers, and test their own near misses
(tests/test_checks_lesson04.py): `LeafUpdateExercise` (how `w` was updated) and
`RealTensorExercise` (any real dtype is accepted).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable

import torch

from helpers.exercises import PLACEHOLDERS, Exercise, Feedback, Mistake, failed
from helpers.i18n import N_, translate

__all__ = ["grad_after_three_calls", "train_no_grad_exercise", "vjp_exercise", "tiny_backward_exercise",
           "original_loop", "trained_leaf", "tiny_backward_autograd", "TINY_LAMBDA", "LeafUpdateExercise", "RealTensorExercise"]

X_DATA = (1.0, 2.0, 3.0)
Y_DATA = (2.0, 4.0, 6.0)


# --------------------------------------------------------------- Your turn 1: three backward() calls
def _per_call(w: float, x: float, y: float) -> float:
    """dℓ/dw = 2x(xw − y) for ℓ = (wx − y)², one backward() call's contribution."""
    return 2 * x * (x * w - y)


OVERWRITE_HINT = "each backward() adds its gradient to w.grad; it does not replace it"
ONE_CALL_HINT = "one backward() call gives 2x(xw − y): the 2 comes from the square, the x from w·x"
RESIDUAL_SIGN_HINT = ("the residual is xw − y, prediction minus target: with w = 3 the prediction 6 is above "
                      "y = 4, so each call adds a positive gradient")
COUNT_HINT = "count the calls: each of the three backward() calls adds 2x(xw − y) once"

_three_call_mistakes = (
    Mistake("w.grad overwritten by each call", _per_call(3.0, 2.0, 4.0), OVERWRITE_HINT),
    Mistake("the 2 of the square dropped", 3 * 2.0 * (2.0 * 3.0 - 4.0), ONE_CALL_HINT),
    Mistake("the inner x dropped", 3 * 2 * (2.0 * 3.0 - 4.0), ONE_CALL_HINT),
    Mistake("2x(y − xw): subtraction reversed", -3 * _per_call(3.0, 2.0, 4.0), RESIDUAL_SIGN_HINT),
    Mistake("two calls counted instead of three", 2 * _per_call(3.0, 2.0, 4.0), COUNT_HINT),
)
grad_after_three_calls = Exercise(
    what="w.grad after three backward() calls",
    reference=3 * _per_call(3.0, 2.0, 4.0),  # 24.0
    factor_hints={1 / 3: OVERWRITE_HINT + ".", 0.5: ONE_CALL_HINT + ".", -1: RESIDUAL_SIGN_HINT + "."},
    mistakes=_three_call_mistakes,
    recognised=_three_call_mistakes[4:],  # 2/3 of the answer: no constant factor hint reads well for it
)


# --------------------------------------------------------------- Your turn 2: .data → torch.no_grad()
def _fit(w0: float, lr: float, epochs: int, update: Callable, *, zero_grad: bool = True,
         zero_first: bool = False) -> torch.Tensor:
    """The original program's loop on the CPU, with the update step passed in; returns w itself.
    `zero_first` zeroes w.grad before the update instead of after it (a mistake)."""
    w = torch.tensor([float(w0)], requires_grad=True)
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA):
            ((w * x - y) ** 2).backward()
            if zero_first:
                w.grad.zero_()
            w = update(w, lr)
            if zero_grad and not zero_first:
                w.grad.zero_()
    return w


def _data_update(w, lr):
    w.data = w.data - lr * w.grad.data
    return w


def _no_grad_update(w, lr, sign=1.0):
    with torch.no_grad():
        w -= sign * lr * w.grad
    return w


def original_loop(w0: float, lr: float, epochs: int) -> float:
    """The original program's loop (update through `.data`) on the CPU; the final w as a float."""
    return _fit(w0, lr, epochs, _data_update).item()


def trained_leaf(w0: float, lr: float, epochs: int) -> torch.Tensor:
    """The reference answer: the original loop with the update inside `torch.no_grad()`; returns
    the trained leaf w (the same float32 numbers as `original_loop`, tested)."""
    return _fit(w0, lr, epochs, _no_grad_update)


def _update_outside_no_grad(w, lr):
    w -= lr * w.grad  # raises: an in-place change of a leaf that requires grad
    return w


def _new_tensor_inside_no_grad(w, lr):
    with torch.no_grad():
        w = w - lr * w.grad  # a new tensor that does not require grad
    return w


def _new_tensor_then_none(w, lr):
    with torch.no_grad():
        w = w - lr * w.grad  # a new tensor that does not require grad
    w.grad = None  # "zeroed" the way optimizer.zero_grad() does it: no error here, but at the next backward()
    return w


def _new_tensor_outside_no_grad(w, lr):
    return w - lr * w.grad  # a new tensor, recorded in the graph: not a leaf, its .grad stays None


NO_ZERO_HINT = "w.grad adds up across backward() calls: zero it after each update (w.grad.zero_())"
ZERO_FIRST_HINT = ("w.grad is zeroed before the update, so every step is lr · 0 and w never moves: update w first, "
                   "then zero w.grad")
UPHILL_HINT = "step against the gradient: w -= lr * w.grad"
DATA_HINT = N_("its updates went through .data, which autograd does not see. Write the update inside "
               "with torch.no_grad(): as w -= lr * w.grad")
LEAF_INPLACE_HINT = ("PyTorch refuses to change in place a leaf that requires grad while it is recording; "
                     "inside with torch.no_grad(): nothing is recorded, so write w -= lr * w.grad there")
NO_GRAD_NEW_TENSOR_HINT = ("inside torch.no_grad(), w = w - lr * w.grad makes a new tensor that does not require "
                           "grad, so the next backward() has nothing to differentiate. Change w in place instead: "
                           "w -= lr * w.grad")
NONE_GRAD_HINT = ("w.grad is None at this point: w = w - lr * w.grad made a new tensor (inside torch.no_grad() "
                  "one that does not require grad, outside it one that is not a leaf), and backward() fills .grad "
                  "only on the leaf you created. Change w in place inside with torch.no_grad(): w -= lr * w.grad")
RETURN_W_HINT = N_("return w itself, the tensor (not w.item()): the check looks at how w was updated")
DETACHED_HINT = N_("the tensor it returns does not require grad (as w.detach() gives, or a new tensor made inside "
                   "torch.no_grad()): return w itself, the leaf you trained")
NOT_LEAF_HINT = N_("the w it returns is not a leaf any more: w = w - lr * w.grad outside torch.no_grad() recorded "
                   "the update in the graph. Change w in place inside with torch.no_grad(): w -= lr * w.grad")


@dataclass(frozen=True)
class LeafUpdateExercise(Exercise):
    """An exercise whose answer is a training function returning the trained leaf `w` itself.

    Before the numbers are compared (the final w against the original program's), the returned
    tensor shows how it was updated: still a leaf that requires grad, and changed in a way
    autograd saw (its version counter moved), which `.data` hides. `w._version` counts the
    in-place changes autograd knows of; it is what raises the "modified by an inplace operation"
    error, so it is the honest witness of an update made outside `.data`.
    """

    def evaluate(self, answer: Any) -> Feedback:
        if any(answer is p for p in PLACEHOLDERS) or not callable(answer):
            return super().evaluate(answer)
        try:
            w = answer(*self.inputs[0])
        except Exception:
            return super().evaluate(answer)  # reports the exception with the lesson's error hint
        if w is None or not isinstance(w, torch.Tensor):
            return super().evaluate(answer) if w is None else failed(
                "{what} returned {kind}: {hint}.", what=translate(self.what),
                kind=type(w).__name__, hint=translate(RETURN_W_HINT))
        if not w.is_leaf:
            return failed("{what}: {hint}.", what=translate(self.what), hint=translate(NOT_LEAF_HINT))
        if not w.requires_grad:
            return failed("{what}: {hint}.", what=translate(self.what), hint=translate(DETACHED_HINT))
        if w._version == 0 and w.item() != float(self.inputs[0][0]):
            return failed("{what}: {hint}.", what=translate(self.what), hint=translate(DATA_HINT))
        return super().evaluate(answer)

    def _compare(self, answer: Any, reference: Any, **options: Any) -> Feedback:
        """Compare the final w as a number: the learner's function (and a declared mistake)
        returns the tensor, the reference a float."""
        return super()._compare(_final_value(answer), _final_value(reference), **options)


def _final_value(fn: Any) -> Any:
    """`fn` with its tensor result turned into a Python float (anything else passed through)."""
    if not callable(fn):
        return fn

    def final(*args):
        result = fn(*args)
        return result.item() if isinstance(result, torch.Tensor) and result.numel() == 1 else result

    return final


def _learner_shaped(update: Callable, **options) -> Callable:
    """A declared mistake with the learner's signature: train, return w."""
    return lambda w0, lr, epochs: _fit(w0, lr, epochs, update, **options)


_train_mistakes = (
    Mistake("w.grad never zeroed", _learner_shaped(_no_grad_update, zero_grad=False), NO_ZERO_HINT),
    Mistake("w += lr * w.grad (uphill)", _learner_shaped(lambda w, lr: _no_grad_update(w, lr, -1.0)), UPHILL_HINT),
    Mistake("the original .data update kept", _learner_shaped(_data_update), DATA_HINT),
    Mistake("update outside torch.no_grad()", _learner_shaped(_update_outside_no_grad), LEAF_INPLACE_HINT),
    Mistake("w = w - lr * w.grad inside torch.no_grad()", _learner_shaped(_new_tensor_inside_no_grad),
            NONE_GRAD_HINT),
    Mistake("w = w - lr * w.grad inside torch.no_grad(), then w.grad = None",
            _learner_shaped(_new_tensor_then_none, zero_grad=False), NO_GRAD_NEW_TENSOR_HINT),
    Mistake("w = w - lr * w.grad outside torch.no_grad()", _learner_shaped(_new_tensor_outside_no_grad),
            NONE_GRAD_HINT),
    Mistake("w.item() returned", lambda w0, lr, epochs: _fit(w0, lr, epochs, _no_grad_update).item(),
            RETURN_W_HINT),
    Mistake("w.grad zeroed before the update", _learner_shaped(_no_grad_update, zero_first=True), ZERO_FIRST_HINT),
    Mistake("w.detach() returned", lambda w0, lr, epochs: _fit(w0, lr, epochs, _no_grad_update).detach(),
            DETACHED_HINT),
)
train_no_grad_exercise = LeafUpdateExercise(
    what="train_no_grad",
    reference=trained_leaf,
    inputs=[(3.0, 0.01, 5), (-1.0, 0.05, 3), (0.5, 0.02, 10)],
    arg_names=("w0", "lr", "epochs"),
    mistakes=_train_mistakes,
    recognised=(*_train_mistakes[:2], _train_mistakes[8]),
    error_hints=((r"leaf Variable that requires grad is being used in an in-place operation",
                  LEAF_INPLACE_HINT + "."),
                 (r"does not require grad and does not have a grad_fn", NO_GRAD_NEW_TENSOR_HINT + "."),
                 (r"NoneType", NONE_GRAD_HINT + ".")),
)


# --------------------------------------------------------------- Your turn 4: a vector-Jacobian product
VJP_X = (2.0, -1.0)  # y = g(x) = (x₁², x₁·x₂), Jacobian ∂y/∂x = [[2x₁, 0], [x₂, x₁]] = [[4, 0], [-1, 2]]
VJP_V = (3.0, 1.0)
_J = torch.tensor([[2 * VJP_X[0], 0.0], [VJP_X[1], VJP_X[0]]], dtype=torch.float64)
_v = torch.tensor(VJP_V, dtype=torch.float64)

JV_HINT = ("this is (∂y/∂x)·v, each row of the Jacobian times v. backward() computes vᵀ(∂y/∂x): entry j is "
           "Σᵢ vᵢ·∂yᵢ/∂xⱼ, the column j of the Jacobian weighted by v")
TWO_HINT = "the derivative of x₁² is 2x₁: check the first row of the Jacobian"
NO_V_HINT = "weight the rows of the Jacobian by v before adding them: entry j is Σᵢ vᵢ·∂yᵢ/∂xⱼ"
WHOLE_J_HINT = "vᵀ(∂y/∂x) is a vector with one entry per input xⱼ, shape (2,), not the whole Jacobian"


@dataclass(frozen=True)
class RealTensorExercise(Exercise):
    """A value exercise whose answer is a tensor of any real dtype: the numbers are what is asked,
    so float32, float64 and integer tensors are compared alike, in float64 (the reference's dtype)."""

    def evaluate(self, answer: Any) -> Feedback:
        if isinstance(answer, torch.Tensor) and not (answer.is_complex() or answer.dtype == torch.bool):
            answer = answer.detach().to(torch.float64)
        return super().evaluate(answer)


_vjp_mistakes = (
    Mistake("(∂y/∂x)·v instead of vᵀ(∂y/∂x)", _J @ _v, JV_HINT),
    Mistake("d(x₁²)/dx₁ taken as x₁",
            _v @ torch.tensor([[VJP_X[0], 0.0], [VJP_X[1], VJP_X[0]]], dtype=torch.float64), TWO_HINT),
    Mistake("v left out (columns of the Jacobian summed)", _J.sum(0), NO_V_HINT),
    Mistake("the whole Jacobian", _J, WHOLE_J_HINT),
)
vjp_exercise = RealTensorExercise(
    what="vjp",
    reference=_v @ _J,  # (11, 2)
    mistakes=_vjp_mistakes,
    recognised=_vjp_mistakes,
)


# --------------------------------------------------------------- Your turn 3: a complete backward pass
TINY_LAMBDA = 0.1


def tiny_backward_autograd(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Autograd's gradients at every node of J = L + λ·w², L = mean((tanh(w·x + b) − y)²).

    The reference for "Your turn 3": z = w·x + b, a = tanh(z), e = a − y.
    """
    w, b = w.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)
    z = w * x + b
    z.retain_grad()
    e = torch.tanh(z) - y
    e.retain_grad()
    ((e**2).mean() + TINY_LAMBDA * w**2).backward()
    return {"dJ_de": e.grad, "dJ_dz": z.grad, "dJ_dw": w.grad, "dJ_db": b.grad}


def _tiny_by_hand(w, b, x, y, *, two=2.0, mean=True, sign=1.0, tanh_prime=None, upstream=True, penalty=2.0,
                  inner_x=True, sum_w=True, sum_b=True, mean_w=False, mean_b=False):
    """The hand-written backward, with switches that reproduce common mistakes."""
    z = w * x + b
    a = torch.tanh(z)
    dJ_de = sign * two * (a - y) / (len(x) if mean else 1)
    dJ_dz = (dJ_de if upstream else 1.0) * (1 - a**2 if tanh_prime is None else tanh_prime(z, a))
    through_z = dJ_dz * x if inner_x else dJ_dz
    dJ_dw = ((through_z.mean() if mean_w else through_z.sum()) if sum_w else through_z) + penalty * TINY_LAMBDA * w
    dJ_db = (dJ_dz.mean() if mean_b else dJ_dz.sum()) if sum_b else dJ_dz
    return {"dJ_de": dJ_de, "dJ_dz": dJ_dz, "dJ_dw": dJ_dw, "dJ_db": dJ_db}


def _tiny_inputs(gen: torch.Generator) -> tuple:
    w, b = torch.randn(2, generator=gen, dtype=torch.float64) * 0.8
    x = torch.randn(4, generator=gen, dtype=torch.float64)
    y = torch.randn(4, generator=gen, dtype=torch.float64) * 0.5
    return w, b, x, y


_gen = torch.Generator().manual_seed(4)
TINY_INPUTS = [_tiny_inputs(_gen) for _ in range(3)]

SQUARE_HINT = "the square e² brings down a factor 2"
MEAN_HINT = "the mean divides by N, the number of samples"
ERROR_SIGN_HINT = "e = a − y, so ∂J/∂e = 2(a − y)/N = 2e/N"
TANH_HINT = "tanh′(z) = 1 − tanh(z)² = 1 − a², not 1 − z²"
UPSTREAM_HINT = ("∂J/∂z = ∂J/∂e · tanh′(z): multiply the gradient that arrives from e by the local derivative "
                 "1 − a², not 1 − a² alone")
TWO_PATHS_HINT = "w reaches J along two paths, through z and through the penalty λ·w²: add both"
PENALTY_HINT = "the derivative of λw² is 2λw, not λw"
INNER_X_HINT = "z = w·x + b, so ∂z/∂w = x: multiply ∂J/∂z by x before summing over the samples"
SUM_W_HINT = "w is one number used by all N samples: ∂J/∂w adds up the N products ∂J/∂zᵢ·xᵢ (then the penalty's 2λw)"
SUM_B_HINT = "b is one number added to all N samples: ∂J/∂b adds up the N values of ∂J/∂z"
SUM_NOT_MEAN_HINT = ("add up the N contributions with .sum(), do not average them: the 1/N of the mean is already "
                     "in ∂J/∂e")

_tiny_mistakes = (
    Mistake("the 2 of the square dropped", lambda *a: _tiny_by_hand(*a, two=1.0), SQUARE_HINT),
    Mistake("the 1/N of the mean dropped", lambda *a: _tiny_by_hand(*a, mean=False), MEAN_HINT),
    Mistake("∂J/∂e = 2(y − a)/N", lambda *a: _tiny_by_hand(*a, sign=-1.0), ERROR_SIGN_HINT),
    Mistake("tanh′ taken as 1 − z²", lambda *a: _tiny_by_hand(*a, tanh_prime=lambda z, a: 1 - z**2), TANH_HINT),
    Mistake("the penalty path into w left out", lambda *a: _tiny_by_hand(*a, penalty=0.0), TWO_PATHS_HINT),
    Mistake("the penalty's derivative taken as λw", lambda *a: _tiny_by_hand(*a, penalty=1.0), PENALTY_HINT),
    Mistake("∂z/∂w = x left out", lambda *a: _tiny_by_hand(*a, inner_x=False), INNER_X_HINT),
    Mistake("∂J/∂w not summed over the samples", lambda *a: _tiny_by_hand(*a, sum_w=False), SUM_W_HINT),
    Mistake("∂J/∂b not summed over the samples", lambda *a: _tiny_by_hand(*a, sum_b=False), SUM_B_HINT),
    Mistake("∂J/∂z = 1 − a² alone, without ∂J/∂e", lambda *a: _tiny_by_hand(*a, upstream=False), UPSTREAM_HINT),
    Mistake("∂J/∂w averaged over the samples", lambda *a: _tiny_by_hand(*a, mean_w=True), SUM_NOT_MEAN_HINT),
    Mistake("∂J/∂b averaged over the samples", lambda *a: _tiny_by_hand(*a, mean_b=True), SUM_NOT_MEAN_HINT),
)
tiny_backward_exercise = Exercise(
    what="tiny_backward",
    reference=tiny_backward_autograd,
    inputs=TINY_INPUTS,
    arg_names=("w", "b", "x", "y"),
    factor_hints={0.5: SQUARE_HINT + ".", 4: MEAN_HINT + ".", -1: ERROR_SIGN_HINT + "."},
    mistakes=_tiny_mistakes,
    recognised=_tiny_mistakes[3:],
)
