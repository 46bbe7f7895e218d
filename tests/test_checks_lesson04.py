"""Lesson 04's exercise specs: recognised mistakes get their hint, other wrong answers stay generic,
and the two exercises with their own `evaluate` reject their near misses.
(tests/test_factor_hints.py feeds every declared mistake to its check; tests/test_exercises.py
tests `Exercise.recognised` itself; this file tests lesson 04's specs and references.)"""
import warnings

import pytest
import torch

from helpers.checks import lesson04 as L
from helpers.exercises import Exercise

pytestmark = pytest.mark.timeout(120)


def test_recognised_mistake_gets_its_hint_and_others_stay_generic():
    ex = L.vjp_exercise
    assert "this is (∂y/∂x)·v" in ex.evaluate(L._J @ L._v).message
    other = ex.evaluate(torch.tensor([7.0, -5.0])).message
    assert other.startswith("✗") and all(m.hint not in other for m in ex.mistakes if m.hint)


def test_reference_is_not_mistaken_for_a_mistake():
    assert L.vjp_exercise.check(L.vjp_exercise.reference).ok


def test_vjp_reference_is_what_backward_computes():
    x = torch.tensor(L.VJP_X, requires_grad=True)
    torch.stack([x[0] ** 2, x[0] * x[1]]).backward(gradient=torch.tensor(L.VJP_V))
    assert torch.equal(x.grad.double(), L.vjp_exercise.reference)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.float16])
def test_vjp_accepts_the_right_numbers_in_any_real_dtype(dtype):
    assert L.vjp_exercise.evaluate(torch.tensor([11, 2]).to(dtype)).ok


@pytest.mark.parametrize("wrong", [[11.11, 2.0], [11.0, 2.02], [-11.0, -2.0], [12.0, 3.0], [11.0, 2.0, 0.0]])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_vjp_near_misses_fail_in_every_dtype(wrong, dtype):
    assert not L.vjp_exercise.evaluate(torch.tensor(wrong, dtype=dtype)).ok


def test_vjp_still_rejects_what_is_not_a_real_tensor():
    assert not L.vjp_exercise.evaluate(torch.tensor([True, True])).ok
    assert not L.vjp_exercise.evaluate(None).ok


def test_lesson_exercises_recognise_only_declared_mistakes():
    for ex in (L.grad_after_three_calls, L.train_no_grad_exercise, L.vjp_exercise, L.tiny_backward_exercise):
        assert isinstance(ex, Exercise) and ex.recognised
        assert all(m in ex.mistakes for m in ex.recognised)


def test_tiny_backward_by_hand_equals_autograd_and_three_calls_reference():
    for args in L.TINY_INPUTS:
        hand, auto = L._tiny_by_hand(*args), L.tiny_backward_autograd(*args)
        for key in auto:
            torch.testing.assert_close(hand[key], auto[key])
    w = torch.tensor([3.0], requires_grad=True)
    for _ in range(3):
        ((w * 2.0 - 4.0) ** 2).backward()
    assert w.grad.item() == L.grad_after_three_calls.reference


# ------------------------------------------------------------------ Your turn 2: how w was updated
def test_the_no_grad_reference_is_the_original_program_bit_for_bit():
    for args in L.train_no_grad_exercise.inputs:
        w = L.trained_leaf(*args)
        assert w.is_leaf and w.requires_grad and w._version > 0
        assert w.item() == L.original_loop(*args)


def _no_grad_loop(finish=None, zero_grad=True):
    """A learner's train_no_grad, right unless `finish(w)` changes w at the end."""
    def train_no_grad(w0, lr, epochs):
        w = torch.tensor([w0], requires_grad=True)
        for _ in range(epochs):
            for x, y in zip(L.X_DATA, L.Y_DATA):
                ((w * x - y) ** 2).backward()
                with torch.no_grad():
                    w -= lr * w.grad
                if zero_grad:
                    w.grad.zero_()
        if finish is not None:
            with torch.no_grad():
                finish(w)
        return w
    return train_no_grad


def test_a_right_answer_with_another_zeroing_passes():
    def zero_with_none(w0, lr, epochs):
        w = torch.tensor([w0], requires_grad=True)
        for _ in range(epochs):
            for x, y in zip(L.X_DATA, L.Y_DATA):
                ((w * x - y) ** 2).backward()
                with torch.no_grad():
                    w.sub_(lr * w.grad)
                w.grad = None
        return w

    assert L.train_no_grad_exercise.evaluate(_no_grad_loop()).ok
    assert L.train_no_grad_exercise.evaluate(zero_with_none).ok


@pytest.mark.parametrize("finish", [lambda w: w.mul_(1.01), lambda w: w.neg_(), lambda w: w.add_(1.0),
                                    lambda w: w.sub_(1e-3)], ids=["1 % too large", "sign flipped",
                                                                  "shifted by one", "off by 1e-3"])
def test_train_no_grad_near_misses_fail(finish):
    result = L.train_no_grad_exercise.evaluate(_no_grad_loop(finish))
    assert not result.ok, result.message


def test_the_data_loop_fails_with_the_data_hint_and_the_cell_template_is_a_placeholder():
    data_loop = L._train_mistakes[2].answer
    assert L.DATA_HINT in L.train_no_grad_exercise.evaluate(data_loop).message

    def template(w0, lr, epochs):
        w = torch.tensor([w0], requires_grad=True)
        for _ in range(epochs):
            for x, y in zip(L.X_DATA, L.Y_DATA):
                ((w * x - y) ** 2).backward()
        return None

    assert "placeholder" in L.train_no_grad_exercise.evaluate(template).message


def test_a_returned_w_that_is_not_a_leaf_is_named():
    def outside(w0, lr, epochs):  # one step only, so nothing raises before the return
        w = torch.tensor([w0], requires_grad=True)
        ((w * 1.0 - 2.0) ** 2).backward()
        return w - lr * w.grad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        message = L.train_no_grad_exercise.evaluate(outside).message
    assert L.NOT_LEAF_HINT in message
